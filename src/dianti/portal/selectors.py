"""Public reads for the portal: what the people may see of the cycle, and nothing else (no login, no personal data).

Every read starts from what has been made public: a campaign whose list of subjects is published (公示), a result
once published, a rectification once its notice is issued (its state, dates and progress — never its problems,
measures, owners or evidence), the opinions moderation left visible (their text — never a name or phone). People
are never named, except the secretaries the published list itself names. Each read is a fixed number of queries
however large the tree (``portal/tests/test_pages.py`` asserts it).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from dianti.appraisal import public_reads
from dianti.appraisal.models import SubjectResult
from dianti.campaigns.models import Campaign, Phase, Subject
from dianti.core import pagination, paths
from dianti.meetings.models import AgendaItem, Meeting
from dianti.orgs.models import Organization
from dianti.rectification import selectors as rectification_selectors
from dianti.rectification.models import Case, State
from dianti.voices import selectors as voices_selectors

#: Phases in which a campaign still listens to the people: its subjects' QR pages collect opinions for it.
OPEN_PHASES = (Phase.NOMINATE, Phase.TOPICS)
#: How long the organization the site opens on is kept (it changes when the tree is re-rooted, i.e. never).
HOME_SECONDS = 300
_HOME_KEY = "dianti:portal:home"
#: At most this many of an organization's subjects (one a campaign: a decade of yearly cycles) on its page.
SUBJECTS_SHOWN = 10
#: How long the home page's summaries are kept (calls, meetings, results, rectification counts): the same for
#: everyone, each a scan of the whole tree at a province, and a minute old is fine for them.
SUMMARY_SECONDS = 60


def within(org: Organization | None, field_name: str = "org_path") -> Q:
    """Rows whose ``field_name`` lies in ``org``'s subtree (everything when ``org`` is None)."""
    if org is None:
        return Q()
    return Q(**{f"{field_name}__gte": org.path, f"{field_name}__lt": paths.successor(org.path)})


def published_campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.filter(list_status=Campaign.ListStatus.PUBLISHED)


# ---------------------------------------------------------------------------------------------------------------
# Organizations: where the site opens, the way down to a village, and search


def home() -> Organization | None:
    """Return the organization the site opens on: the root of the tree, walked down while it has one child only (a
    province installation holding one county opens on the county); None when there is no single root."""
    pk = cache.get(_HOME_KEY)
    if pk is None:
        roots = list(Organization.objects.filter(parent__isnull=True, is_active=True).order_by("path")[:2])
        org = roots[0] if len(roots) == 1 else None
        while org is not None:
            kids = list(Organization.objects.filter(parent=org, is_active=True).order_by("path")[:2])
            if len(kids) != 1:
                break
            org = kids[0]
        pk = org.pk if org is not None else 0
        cache.set(_HOME_KEY, pk, HOME_SECONDS)
    return Organization.objects.filter(pk=pk).first() if pk else None


def roots() -> QuerySet[Organization]:
    return Organization.objects.filter(parent__isnull=True, is_active=True).order_by("path")


def org_get(code: str) -> Organization:
    """Return the active organization with ``code``, or answer 404."""
    org = Organization.objects.filter(code=code, is_active=True).select_related("parent").first()
    if org is None:
        raise Http404("找不到该组织")
    return org


def trail(org: Organization) -> list[Organization]:
    """Return ``org``'s ancestors, root first (the breadcrumbs)."""
    return list(Organization.objects.filter(path__in=paths.ancestors(org.path)).order_by("path"))


def children(org: Organization | None, number: object = 1) -> Page:
    """Return page ``number`` of ``org``'s active children (the roots for None), each with ``open_call``: whether it
    is a subject of a campaign that is collecting opinions now."""
    rows = roots() if org is None else Organization.objects.filter(parent=org, is_active=True).order_by("path")
    page = pagination.page_of(rows.only("id", "code", "name", "short_name", "level", "path", "child_counter"), number)
    listening = set(Subject.objects.filter(organization__in=[o.pk for o in page], campaign__phase__in=OPEN_PHASES,
                                           campaign__list_status=Campaign.ListStatus.PUBLISHED)
                    .values_list("organization_id", flat=True))
    for o in page:
        o.open_call = o.pk in listening  # type: ignore[attr-defined]
    return page


#: Organizations a search shows: the shallowest matches (towns before villages). A villager who typed one common
#: character ("村") is asked for more rather than paged through a province, and nothing is counted.
SEARCH_SHOWN = 50


def search(query: str) -> tuple[list[Organization], bool]:
    """Return the first :data:`SEARCH_SHOWN` organizations matching ``query``, and whether there are more."""
    from dianti.orgs.selectors import public_search_rows

    found = list(public_search_rows(query)[:SEARCH_SHOWN + 1])
    return found[:SEARCH_SHOWN], len(found) > SEARCH_SHOWN


# ---------------------------------------------------------------------------------------------------------------
# Campaigns and their subjects


def open_calls(org: Organization | None, limit: int = 10) -> list[Campaign]:
    """Return the published campaigns in ``org``'s subtree still collecting opinions, latest first."""
    return list(published_campaigns().filter(within(org), phase__in=OPEN_PHASES).select_related("convener")
                .annotate(n_subjects=Count("subjects")).order_by("-year", "org_path")[:limit])


def campaigns(org: Organization | None, number: object = 1, *, convener: bool = False) -> Page:
    """Return page ``number`` of the published campaigns in ``org``'s subtree (convened by ``org`` itself only, with
    ``convener``), latest first, each with ``n_subjects``."""
    rows = published_campaigns().filter(convener=org) if convener and org else published_campaigns().filter(within(org))
    return pagination.page_of(rows.select_related("convener").annotate(n_subjects=Count("subjects"))
                              .order_by("-year", "org_path", "id"), number)


def latest_results(org: Organization | None, limit: int = 5) -> list[Campaign]:
    """Return the published campaigns in ``org``'s subtree with at least one published result, latest first."""
    published = SubjectResult.objects.filter(subject__campaign=OuterRef("pk"), status=SubjectResult.Status.PUBLISHED)
    return list(published_campaigns().filter(within(org), Exists(published)).select_related("convener")
                .annotate(n_subjects=Count("subjects")).order_by("-year", "org_path", "id")[:limit])


def campaign_get(pk: int) -> Campaign | None:
    return Campaign.objects.filter(pk=pk).select_related("convener").first()


@dataclass
class Facts:
    """What the public sees of one subject besides the list's own line: its published result (or that one was
    withdrawn), its meetings, the voices behind its topic, and its rectification (state and progress only)."""

    result: Any = None
    case: Case | None = None
    progress: Any = None
    meetings: list[Meeting] = field(default_factory=list)
    voices: Any = None


def facts(subjects: Iterable[Subject]) -> dict[int, Facts]:
    """Return {subject id: :class:`Facts`} for ``subjects``, in five queries however many."""
    ids = [s.pk for s in subjects]
    out = {pk: Facts() for pk in ids}
    for pk, result in public_reads.public_results_of(ids).items():
        out[pk].result = result
    cases = {c.subject_id: c for c in rectification_selectors.public_cases().filter(subject_id__in=ids)
             .order_by("issued_at", "id")}  # the latest case of a subject wins
    progress = rectification_selectors.progress_percents([c.pk for c in cases.values()])
    for pk, case in cases.items():
        out[pk].case, out[pk].progress = case, progress.get(case.pk)
    for item in (AgendaItem.objects.filter(subject_id__in=ids, meeting__rehearsal_of=None).select_related("meeting")
                 .only("subject_id", "meeting__id", "meeting__title", "meeting__starts_at", "meeting__venue",
                       "meeting__status").order_by("meeting__starts_at")):
        out[item.subject_id].meetings.append(item.meeting)
    for pk, voices in voices_selectors.public_voices(ids).items():
        out[pk].voices = voices
    return out


def subjects_of(org: Organization) -> list[Subject]:
    """Return ``org``'s subjects in published campaigns, latest first (at most :data:`SUBJECTS_SHOWN`), each with
    ``facts`` (:func:`facts`) and ``listening`` (its campaign still collects opinions)."""
    subjects = list(Subject.objects.filter(organization=org, campaign__list_status=Campaign.ListStatus.PUBLISHED)
                    .select_related("campaign", "campaign__convener", "organization")
                    .order_by("-campaign__year", "-campaign_id")[:SUBJECTS_SHOWN])
    return _with_facts(subjects)


def campaign_subjects(campaign: Campaign, number: object = 1) -> Page:
    """Return page ``number`` of a published campaign's subjects as :func:`public_reads.public_subjects` gives
    them (``public_result``, ``withdrawn``), each also with ``facts`` and ``listening``."""
    page = public_reads.public_subjects(campaign, number)
    for s in page:
        s.campaign = campaign
    _with_facts(list(page))
    return page


def _with_facts(subjects: list[Subject]) -> list[Subject]:
    found = facts(subjects)
    for s in subjects:
        s.facts = found[s.pk]  # type: ignore[attr-defined]
        s.listening = s.campaign.phase in OPEN_PHASES  # type: ignore[attr-defined]
    return subjects


def summary(org: Organization | None) -> dict[str, Any]:
    """Return the home page's summaries of ``org``'s subtree — the calls for opinions, the coming meetings, the
    latest published results and the rectifications by state — as counted at most :data:`SUMMARY_SECONDS` ago."""
    def count() -> dict[str, Any]:
        return {"calls": open_calls(org), "upcoming": upcoming(org), "results": latest_results(org),
                "counts": case_counts(org)}

    return cache.get_or_set(f"dianti:portal:summary:{org.pk if org else 0}", count, SUMMARY_SECONDS)  # type: ignore[no-any-return]


# ---------------------------------------------------------------------------------------------------------------
# Meetings and rectification


def _agenda() -> Prefetch:
    return Prefetch("agenda", AgendaItem.objects.select_related("subject__organization")
                    .only("id", "order", "meeting_id", "reported", "subject__id", "subject__topic",
                          "subject__organization__id", "subject__organization__code", "subject__organization__name",
                          "subject__organization__short_name").order_by("order"))


def _meeting_rows(org: Organization | None, *, held: bool) -> QuerySet[Meeting]:
    rows = (Meeting.objects.filter(within(org), campaign__list_status=Campaign.ListStatus.PUBLISHED)
            .select_related("campaign__convener")
            .only("id", "title", "starts_at", "venue", "status", "campaign__id", "campaign__title", "campaign__year",
                  "campaign__convener__id", "campaign__convener__name", "campaign__convener__short_name"))
    if held:
        return rows.filter(status=Meeting.Status.CLOSED).order_by("-starts_at", "-id")
    return rows.exclude(status=Meeting.Status.CLOSED).order_by("starts_at", "id")


def meetings(org: Organization | None, *, held: bool, number: object = 1) -> Page:
    """Return page ``number`` of the meetings of published campaigns convened in ``org``'s subtree: those still to
    come or under way (soonest first), or with ``held`` those closed (latest first); each with its agenda."""
    return pagination.page_of(_meeting_rows(org, held=held).prefetch_related(_agenda()), number)


def upcoming(org: Organization | None, limit: int = 5) -> list[Meeting]:
    """Return the next ``limit`` meetings (or those under way) in ``org``'s subtree, soonest first."""
    return list(_meeting_rows(org, held=False)[:limit])


#: The states a public filter offers, in the order a case moves through them.
PUBLIC_STATES = [s for s in State if s != State.DRAFT]


def cases(org: Organization | None, *, state: str = "", year: int | None = None, number: object = 1) -> Page:
    """Return page ``number`` of the issued rectifications in ``org``'s subtree (optionally in ``state`` and of
    campaigns of ``year``), latest first, each with ``progress`` (:class:`rectification_selectors.Progress` or
    None before any measure is committed)."""
    rows = rectification_selectors.public_cases().filter(within(org))
    if state:
        rows = rows.filter(state=state)
    if year:
        rows = rows.filter(campaign__year=year)
    page = pagination.page_of(rows.order_by("-issued_at", "-id"), number)
    progress = rectification_selectors.progress_percents([c.pk for c in page])
    for c in page:
        c.progress = progress.get(c.pk)  # type: ignore[attr-defined]
    return page


def case_counts(org: Organization | None, year: int | None = None) -> list[tuple[str, Any, int]]:
    """Return (state, label, cases) of the issued rectifications in ``org``'s subtree (of campaigns of ``year``) by
    state, the states with none left out (one query)."""
    rows = Case.objects.filter(within(org), issued_at__isnull=False)
    if year:
        rows = rows.filter(campaign__year=year)
    found = dict(rows.order_by().values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    return [(s.value, s.label, found[s.value]) for s in PUBLIC_STATES if found.get(s.value)]


def years() -> list[int]:
    """Return the years of published campaigns, latest first (for the filters)."""
    return sorted(set(published_campaigns().values_list("year", flat=True)), reverse=True)
