"""The server side of ``dianti bench ballots``: the baseline view, and the setup and verification the benchmark runs
in a helper process against the throwaway database (``python -m dianti.meetings.bench_server SPEC``)."""

from __future__ import annotations

import json
import os
import secrets
import sys
import uuid
from collections import Counter
from typing import Any

from .bench import GROUPS, ITEMS  # noqa: F401


def baseline_ballot(request: Any, meeting: int, group: int) -> Any:
    """The least a Django view can do for one ballot: read the grades from the form and insert the rows, one
    ``bulk_create`` in one transaction. No code, no checks, no page."""
    from django.db import transaction
    from django.http import HttpResponse, HttpResponseNotAllowed

    from .models import Ballot

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    rows = [Ballot(meeting_id=meeting, item_id=int(key[6:]), group_id=group, grade=value,
                   token=f"baseline-{uuid.uuid4().hex}")
            for key, value in request.POST.items() if key.startswith("grade_")]
    with transaction.atomic():
        Ballot.objects.bulk_create(rows)
    return HttpResponse(b"ok", content_type="text/plain")


# Open to the evaluators' phones as the product's ballot page is (core/reads.py would refuse an undeclared view);
# the URL exists only while `dianti bench ballots` runs (DIANTI_BENCH_BASELINE=1).
baseline_ballot.reads_exempt = True  # type: ignore[attr-defined]


# --------------------------------------------------------------------------------------------------------------
# The helper side: ``python -m dianti.meetings.bench '{"action": …}'`` with the server's environment


def _sizes(n: int) -> list[int]:
    total = sum(s for _, _, s in GROUPS)
    sizes = [max(1, n * s // total) for _, _, s in GROUPS]
    sizes[1] += n - sum(sizes)
    return sizes


def _setup(n: int, subjects: int) -> dict[str, Any]:
    import datetime as dt
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from dianti.campaigns import services as campaigns
    from dianti.campaigns.models import Category, Phase
    from dianti.orgs import services as orgs
    from dianti.orgs.models import Organization, Position, Role

    from . import services

    L, K, F = Organization.Level, Organization.Kind, Organization.Field
    county = orgs.org_create(actor=None, code="330424", name="中共海盐县委员会", parent=None, short_name="海盐县委",
                             kind=K.COMMITTEE, level=L.COUNTY, field=F.PARTY_COMMITTEE)
    town = orgs.org_create(actor=None, code="330424105", name="中共通元镇委员会", parent=county, short_name="通元镇",
                           kind=K.COMMITTEE, level=L.TOWN, field=F.PARTY_COMMITTEE)
    villages = []
    for i in range(subjects):
        village = orgs.org_create(actor=None, code=f"330424105{201 + i}", name=f"中共第{i + 1}村委员会", parent=town,
                                  short_name=f"第{i + 1}村", kind=K.COMMITTEE, level=L.GRASSROOTS, field=F.VILLAGE)
        person = orgs.person_create(actor=None, name=f"书记{i + 1}", organization=village, is_party_member=True,
                                    gender="M")
        orgs.membership_add(actor=None, person=person, organization=village, position=Position.SECRETARY)
        villages.append(village)
    campaign = campaigns.campaign_create(actor=None, convener=town, year=2020, title="通元镇2020年度村党组织书记点题述职")
    campaigns.subjects_choose(actor=None, campaign=campaign, choices=[
        campaigns.Choice(v, Category.DEVELOPMENT, "承担美丽乡村建设任务") for v in villages])
    campaigns.list_submit(actor=None, campaign=campaign)
    campaigns.list_approve(actor=None, campaign=campaign)
    campaign.refresh_from_db()
    campaigns.phase_move(actor=None, campaign=campaign, to=Phase.TOPICS)
    for subject in campaign.subjects.all():
        campaigns.subject_topic_set(actor=None, subject=subject, topic="村级集体经济增收与人居环境整治")
    campaign.refresh_from_db()
    campaigns.phase_move(actor=None, campaign=campaign, to=Phase.REPORTING)
    groups = [services.GroupSpec(name, Decimal(weight), size) for (name, weight, _), size in zip(GROUPS, _sizes(n),
                                                                                                  strict=True)]
    meetings = []
    for title in ("通元镇2020年度村党组织书记点题述职评议会", "通元镇2020年度村党组织书记点题述职评议会（第二场）"):
        meeting = services.meeting_schedule(
            actor=None, campaign=campaign, title=title, starts_at=timezone.now() + dt.timedelta(minutes=5),
            venue="通元镇党群服务中心大会议室", subjects=list(campaign.subjects.order_by("order")), groups=groups,
            items=ITEMS)
        codes = services.codes_issue(actor=None, meeting=meeting)
        services.meeting_open(actor=None, meeting=meeting)
        meetings.append({"meeting": meeting.pk, "codes": [[g.pk, code] for g, code in codes],
                         "items": list(meeting.agenda.order_by("order").values_list("pk", flat=True))})
    # The projector is opened by the town's admin (whom production does not require a second factor of; a
    # superuser would be sent to enrol one first).
    chair = get_user_model().objects.create_user(username="bench_chair", password=secrets.token_urlsafe(16))
    orgs.role_grant(actor=None, user=chair, organization=campaign.convener, role=Role.TOWN_ADMIN)
    client = Client()
    client.force_login(chair)
    return {"meetings": meetings, "grades": list(services.DEFAULT_GRADES), "session": client.cookies["sessionid"].value}


def _verify(meeting_id: int, spec: dict[str, Any]) -> dict[str, Any]:
    """Compare the database with what the server acknowledged."""
    from .models import Ballot, EvaluatorCode
    from .services import ballot_token

    expected: dict[str, tuple[str, dict[str, int]]] = {}
    for code, grades, scores in spec["acked"]:
        for item, grade in grades.items():
            expected[ballot_token(code, int(item))] = (grade, scores[item] if spec["with_scores"] else {})
    rows = list(Ballot.objects.filter(meeting_id=meeting_id).exclude(token__startswith="baseline-")
                .values_list("token", "grade", "scores"))
    per_token = Counter(token for token, _, _ in rows)
    stored = {token: (grade, scores) for token, grade, scores in rows}
    baseline_stored = Ballot.objects.filter(meeting_id=meeting_id, token__startswith="baseline-").count()
    return {
        "lost": sum(1 for token in expected if token not in stored),
        "wrong": sum(1 for token, want in expected.items() if token in stored and stored[token] != want),
        # Rows beyond one per (code, item): a token seen twice, or a row no acknowledged ballot accounts for.
        "duplicates": sum(c - 1 for c in per_token.values()) + sum(1 for t in per_token if t not in expected),
        "stored": len(rows), "expected": len(expected), "baseline_stored": baseline_stored,
        "codes_used": EvaluatorCode.objects.filter(meeting_id=meeting_id, used=True).count(),
    }


def main(argv: list[str]) -> None:
    import django

    spec = json.loads(argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dianti.settings")
    django.setup()
    if spec["action"] == "setup":
        result = _setup(int(spec["evaluators"]), int(spec["subjects"]))
    elif spec["action"] == "verify":
        result = _verify(int(spec["meeting"]), json.loads(sys.stdin.read()))
    else:
        raise SystemExit(f"unknown action {spec['action']}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main(sys.argv)
