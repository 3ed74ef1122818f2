"""The public site: what is published (公示) for Party members and the public. No login, no personal contact data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from dianti.appraisal import selectors as appraisal_selectors
from dianti.campaigns import selectors as campaign_selectors
from dianti.core.dbrouter import replica_reads
from dianti.core.pagination import paginate

from . import permissions


@replica_reads
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/index.html", {"page": paginate(request, campaign_selectors.public_campaigns())})


@replica_reads
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    c = permissions.ensure_published(campaign_selectors.public_campaigns().filter(pk=pk).first())
    return render(request, "portal/campaign.html", {"campaign": c, "page": appraisal_selectors.public_subjects(c, request.GET.get("page"))})
