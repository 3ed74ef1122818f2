"""The server side of the ballots benchmarks (``ballots``, ``ballots_crash``): the throw-away database, the
``dianti serve`` process, and the setup and verification run in a helper process against that database with the
server's environment (``python -m dianti.bench.server SPEC``)."""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .http import HOST
from .targets import Target, answer, bench_dir, free_port, pg_admin, pg_url, stop, wait_until_up

ITEMS = ["德", "能", "勤", "绩", "廉"]
# The demo's panel (镇党委班子成员 7, 党员代表 24, 群众代表 24, 驻村干部 5), scaled to the number of evaluators.
GROUPS = [("镇党委班子成员", 30, 7), ("党员代表", 30, 24), ("群众代表", 30, 24), ("驻村干部", 10, 5)]


# --------------------------------------------------------------------------------------------------------------
# The database and the server


@contextlib.contextmanager
def throwaway(database: str | None, keep: bool) -> Iterator[Target]:
    """Yield an empty database for one run, removed afterwards (unless ``keep``). ``var/bench/ballots/`` is the
    server's var/ directory either way, so the collected static files are reused from run to run."""
    var_dir = bench_dir() / "ballots"
    var_dir.mkdir(parents=True, exist_ok=True)
    if database:
        name = f"dianti_bench_ballots_{os.getpid()}"
        pg_admin(database, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        pg_admin(database, f'CREATE DATABASE "{name}"')
        try:
            yield Target(pg_url(database, name), var_dir, "postgresql", f"PostgreSQL database {name}")
        finally:
            if not keep:
                pg_admin(database, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        return
    db = var_dir / f"ballots-{os.getpid()}.sqlite3"
    try:
        yield Target(f"sqlite:///{db}", var_dir, "sqlite", str(db))
    finally:
        if not keep:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)


def run_action(env: dict[str, str], spec: dict[str, Any], stdin: Any = None) -> dict[str, Any]:
    """Run this module as a script with ``env`` (the server's, secret key included) and return its JSON answer."""
    proc = subprocess.run([sys.executable, "-m", "dianti.bench.server", json.dumps(spec)], env=env,
                          input=json.dumps(stdin) if stdin is not None else "", capture_output=True, text=True,
                          check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"bench helper {spec.get('action')} failed ({proc.returncode}):\n"
                           f"{proc.stdout}\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


@contextlib.contextmanager
def serving(env: dict[str, str], var_dir: Path, workers: int, threads: int) -> Iterator[tuple[int, int]]:
    """Run ``dianti serve`` with ``env`` on a free loopback port while the block runs (its errors go to
    ``serve.log`` in ``var_dir``); yield the port and the pid of gunicorn's master."""
    port = free_port()
    log = open(var_dir / "serve.log", "w")  # noqa: SIM115  (closed below, after the server)
    server = subprocess.Popen([sys.executable, "-m", "dianti", "serve", "--bind", f"{HOST}:{port}", "--workers",
                               str(workers), "--threads", str(threads)], env=env, stdout=subprocess.DEVNULL,
                              stderr=log)
    try:
        # `dianti serve` collects (and compresses) the static files before gunicorn starts: 20-40 CPU-seconds, which
        # on a busy shared machine is well over a minute of wall time.
        wait_until_up(f"http://{HOST}:{port}/healthz", server, timeout_s=600)
        yield port, server.pid  # `dianti serve` execs gunicorn: this is the master, the workers its children
    finally:
        stop(server)
        log.close()


def logged_errors(log: Path) -> dict[str, Any]:
    """How many 500s Django logged, and the exception lines of their tracebacks."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    exceptions = Counter(line[:200] for line in lines if re.match(r"[\w.]+(Error|Exception)\b", line))
    return {"internal_errors": sum(1 for line in lines if line.startswith("Internal Server Error")),
            "exceptions": dict(exceptions)}


# --------------------------------------------------------------------------------------------------------------
# The helper side: ``python -m dianti.bench.server '{"action": …}'`` with the server's environment


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

    from dianti.campaigns import roster
    from dianti.campaigns import services as campaigns
    from dianti.campaigns.models import Category, Phase
    from dianti.meetings import services
    from dianti.orgs import services as orgs
    from dianti.orgs.models import Organization, Position, Role

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
    roster.list_submit(actor=None, campaign=campaign)
    roster.list_approve(actor=None, campaign=campaign)
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
    from dianti.meetings.models import Ballot, EvaluatorCode
    from dianti.meetings.services import ballot_token

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


if __name__ == "__main__":
    answer(sys.argv, {"setup": lambda spec: _setup(int(spec["evaluators"]), int(spec["subjects"])),
                      "verify": lambda spec: _verify(int(spec["meeting"]), json.loads(sys.stdin.read()))})
