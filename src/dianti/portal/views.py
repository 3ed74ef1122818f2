"""The public site (/p/): what is published (公示) for Party members and the public. No login, no personal data.

A villager finds their own village by search or by going down the tree (county → town → village); a village's page
gathers what became of its cycle: the call for opinions and its QR code, the topic and the voices behind it, the
meeting, the published result and the rectification's state. Every page only reads, a few seconds old is fine for
it, so each is declared replica-safe (``@replica_reads``).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dianti.core.dbrouter import replica_reads
from dianti.orgs.models import Organization

from . import figures, opendata, permissions, selectors


def _within(request: HttpRequest) -> Organization | None:
    """Return the organization ``?org=<code>`` narrows a list to (404 for an unknown code), or None."""
    code = request.GET.get("org", "").strip()
    return selectors.org_get(code) if code else None


def _year(request: HttpRequest) -> int | None:
    year = request.GET.get("year", "")
    return int(year) if year.isdigit() and len(year) == 4 else None


@replica_reads
def index(request: HttpRequest) -> HttpResponse:
    home = selectors.home()
    return render(request, "portal/index.html", {
        "home": home, "places": selectors.children(home, request.GET.get("page")), **selectors.summary(home),
        "figures": figures.figures(home) if home else [], "figures_of": home})


@replica_reads
def search(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:50]
    found, more = selectors.search(q)
    return render(request, "portal/search.html", {"q": q, "found": found, "more": more})


@replica_reads
def org(request: HttpRequest, code: str) -> HttpResponse:
    place = selectors.org_get(code)
    grassroots = place.level == Organization.Level.GRASSROOTS
    context = {"org": place, "trail": selectors.trail(place), "grassroots": grassroots,
               "subjects": selectors.subjects_of(place)}
    if place.child_counter:
        context["places"] = selectors.children(place, request.GET.get("page"))
    if not grassroots:
        context |= {"calls": selectors.open_calls(place), "upcoming": selectors.upcoming(place),
                    "convened": selectors.campaigns(place, convener=True).object_list,
                    "counts": selectors.case_counts(place), "figures": figures.figures(place), "figures_of": place}
    return render(request, "portal/org.html", context)


@replica_reads
def campaigns(request: HttpRequest) -> HttpResponse:
    within = _within(request)
    return render(request, "portal/campaigns.html", {
        "within": within, "page": selectors.campaigns(within, request.GET.get("page"))})


@replica_reads
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    c = permissions.ensure_published(selectors.campaign_get(pk))
    return render(request, "portal/campaign.html", {
        "campaign": c, "listening": c.phase in selectors.OPEN_PHASES,
        "page": selectors.campaign_subjects(c, request.GET.get("page"))})


@replica_reads
def meetings(request: HttpRequest) -> HttpResponse:
    within, held = _within(request), request.GET.get("held") == "1"
    return render(request, "portal/meetings.html", {
        "within": within, "held": held, "page": selectors.meetings(within, held=held, number=request.GET.get("page"))})


@replica_reads
def rectification(request: HttpRequest) -> HttpResponse:
    within, year = _within(request), _year(request)
    state = request.GET.get("state", "")
    state = state if state in {s.value for s in selectors.PUBLIC_STATES} else ""
    return render(request, "portal/rectification.html", {
        "within": within, "year": year, "state": state, "states": selectors.PUBLIC_STATES,
        "years": selectors.years(), "counts": selectors.case_counts(within, year),
        "page": selectors.cases(within, state=state, year=year, number=request.GET.get("page"))})


@replica_reads
def data(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/data.html", {"datasets": opendata.DATASETS.values(), "version": opendata.VERSION,
                                                "example": selectors.home(), "years": selectors.years()})
