"""The baseline the ballots benchmark compares the product's ballot page with, mounted by :mod:`.urls` on the
server the benchmark starts (never by the product's own URLs)."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

from dianti.meetings.models import Ballot


def baseline_ballot(request: HttpRequest, meeting: int, group: int) -> HttpResponse:
    """The least a Django view can do for one ballot: read the grades from the form and insert the rows, one
    ``bulk_create`` in one transaction. No code, no checks, no page."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    rows = [Ballot(meeting_id=meeting, item_id=int(key[6:]), group_id=group, grade=value,
                   token=f"baseline-{uuid.uuid4().hex}")
            for key, value in request.POST.items() if key.startswith("grade_")]
    with transaction.atomic():
        Ballot.objects.bulk_create(rows)
    return HttpResponse(b"ok", content_type="text/plain")


# Open to the evaluators' phones as the product's ballot page is (core/reads.py would refuse an undeclared view);
# its URL exists only on the server the ballots benchmark starts (dianti.bench.urls).
baseline_ballot.reads_exempt = True  # type: ignore[attr-defined]
