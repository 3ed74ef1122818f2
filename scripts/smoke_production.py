"""End-to-end smoke of production as started by ``scripts/prod.sh``: one campaign from 点名 to a closed
rectification, over HTTP against gunicorn, through the API where it has the operation and the pages where it does not.

The town runs the campaign, the county approves and publishes, villagers speak on the QR page, the mining job goes to
the ``heavy`` queue and is run by the heavy worker (not the web process, not the urgent/default worker), evaluators
cast ballots with their codes, the public page shows the results, the village's secretary answers the
rectification until it is closed. On the way: static files from WhiteNoise, ``/healthz``, ``/readyz`` while the
workers are stopped and after, and a daily sweep sent by beat and run by the worker.

    usage: smoke_production.py --base http://127.0.0.1:PORT --seed SEED.json --prod scripts/prod.sh --run RUN_DIR
                               --redis redis://127.0.0.1:6379/14
Run by scripts/smoke-production.sh, which starts the set, seeds it (`dianti seed_smoke`) and stops it afterwards.
Standard library plus what the runtime install has (pypdf for the code slips, redis for the queue lengths).
Prints one line per step; exits 1 with the reason on the first failure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import re
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from pypdf import PdfReader
from smoke_http import Browser, SmokeFailed, check, totp, wait_for

from dianti.core.queues import HEAVY, WORKERS

TITLE = f"通元镇{dt.date.today().year}年度村党组织书记点题述职（冒烟测试）"
TOPIC = "村道积水如何根治"
VOICES = ["村口的道路一下雨就积水，老人小孩出行很不方便，希望尽快修排水沟",
          "雨天村道积水严重，道路排水沟堵了好几年，希望村里修一修",
          "村里道路积水，排水沟没人清理，下雨天电动车都骑不过去"]
EVALUATORS = 3
CODE = re.compile(r"[A-Z0-9]{5}-[A-Z0-9]{5}")
RAN_JOB = "Task dianti.run_job["  # a worker's log line for a job it received or finished (its banner names it too)


@dataclass
class Smoke:
    """What the steps share: the site, the people signed in, the processes and what the steps found out."""

    base: str
    seed: dict[str, Any]
    prod: Path
    run: Path
    redis: Any
    town: Browser = field(init=False)
    county: Browser = field(init=False)
    secretary: Browser = field(init=False)
    ids: dict[str, Any] = field(default_factory=dict)

    @property
    def village(self) -> str:  # the village that reports badly and is rectified
        return next(iter(self.seed["villages"]))

    @property
    def other_village(self) -> str:
        return list(self.seed["villages"])[1]

    def prod_sh(self, *args: str) -> None:
        subprocess.run(["bash", str(self.prod), *args], check=True, stdout=subprocess.DEVNULL)

    def log(self, name: str) -> str:
        return (self.run / f"{name}.log").read_text(errors="replace")

    def campaign(self) -> dict[str, Any]:
        return self.town.api("GET", f"campaigns/{self.ids['campaign']}")

    def subject(self, code: str) -> int:
        return next(s["id"] for s in self.campaign()["subject_list"] if s["organization"] == code)

    def move(self, to: str) -> None:
        moved = self.town.api("POST", f"campaigns/{self.ids['campaign']}/phase", {"to": to})
        check(moved["phase"] == to, f"the campaign did not move to {to}: {moved}")


# ── the installation ────────────────────────────────────────────────────────────────────────────────────────────

def health_and_static(s: Smoke) -> None:
    anyone = Browser(s.base)
    check(anyone.get("/healthz").status == 200, "/healthz is not 200")
    # Each web worker keeps its readiness answer 5 s: one that was asked before the Celery workers came up may
    # still say "not ready" after another has said "ready" to prod.sh.
    wait_for("/readyz to say ready from every web worker",
             lambda: all((p := anyone.get("/readyz")).status == 200 and p.json()["status"] == "ready"
                         for _ in range(4)), 20)
    login = anyone.get("/login/")
    hashed = login.find(r'(/static/[^"\']+\.[0-9a-f]{12}\.(?:css|js))["\']', "hashed static file name")
    asset = anyone.get(hashed, headers={"Accept-Encoding": "gzip"})
    cache = asset.headers.get("Cache-Control", "")
    check(asset.status == 200 and "max-age=315360000" in cache and "immutable" in cache,
          f"{hashed}: {asset.status}, Cache-Control {cache!r} (WhiteNoise gives hashed files a year, immutable)")
    check(asset.headers.get("Content-Encoding") == "gzip", f"{hashed}: not served compressed")


def staff_sign_in(s: Smoke) -> None:
    passwords = s.seed["passwords"]
    s.town = Browser(s.base)
    s.town.sign_in("smoke_town_admin", passwords["smoke_town_admin"])
    s.secretary = Browser(s.base)
    s.secretary.sign_in("smoke_secretary", passwords["smoke_secretary"])
    # A county admin owes a second factor in production: enrol an authenticator as a person would, from the page.
    s.county = Browser(s.base)
    page = s.county.sign_in("smoke_county_admin", passwords["smoke_county_admin"])
    check(page.url.startswith("/account/2fa/"), f"the county admin was not asked to enrol a second factor: {page.url}")
    secret = page.find(r'class="otp-secret">([A-Z2-7 ]+)<', "authenticator secret")
    done = s.county.post("/account/2fa/", {"token": totp(secret), "next": "/"})
    check(done.url == "/" and done.status == 200, f"enrolling the authenticator failed: {done.url} {done.status}")


# ── 点名: the town chooses, the county approves ─────────────────────────────────────────────────────────────────

def town_creates_campaign(s: Smoke) -> None:
    form = s.town.get("/campaigns/new/")
    convener = form.find(r'<option value="(\d+)"[^>]*>[^<]*通元镇', "the town among the conveners")
    page = s.town.post("/campaigns/new/", {"convener": convener, "year": dt.date.today().year, "title": TITLE,
                                           "direct_only": "on"})
    found = re.match(r"/campaigns/(\d+)/choose/", page.url)
    check(found, f"creating the campaign did not lead to choosing subjects: {page.url} {page.status}")
    s.ids["campaign"] = int(found.group(1))  # type: ignore[union-attr]
    choices: list[tuple[str, Any]] = []
    candidates = re.findall(r'<article class="candidate.*?</article>', page.text, re.S)
    for name, category in zip(s.seed["villages"].values(), ["development", "model"], strict=True):
        block = next((c for c in candidates if name in c), "")
        check(block, f"{name} is not among the candidates")
        org = re.search(r'name="org" value="(\d+)"', block).group(1)  # type: ignore[union-attr]
        choices += [("org", org), (f"category_{org}", category), (f"reason_{org}", f"{name}群众期盼道路改造")]
    chosen = s.town.post(f"/campaigns/{s.ids['campaign']}/choose/", choices)
    check("已点名 2 个述职对象" in chosen.text, f"choosing subjects failed ({chosen.status})")
    submitted = s.town.api("POST", f"campaigns/{s.ids['campaign']}/list/submit", {"note": ""})
    check(submitted["list_status"] == "submitted", f"the list was not submitted: {submitted}")


def county_approves_list(s: Smoke) -> None:
    refused = s.town.api("POST", f"campaigns/{s.ids['campaign']}/list/approve", {"note": ""}, expect=403)
    check("上级" in refused["detail"], f"the town may not approve its own list, and should be told who may: {refused}")
    approved = s.county.api("POST", f"campaigns/{s.ids['campaign']}/list/approve", {"note": ""})
    check(approved["list_status"] == "published", f"the county's approval did not publish the list: {approved}")
    s.move("topics")


# ── 点题: villagers speak, the worker mines, the town sets topics ───────────────────────────────────────────────

def villagers_speak(s: Smoke) -> None:
    for text in VOICES:
        villager = Browser(s.base)
        page = villager.post(f"/v/{s.village}/", {"text": text, "anonymous": "on"})
        check(page.url.startswith("/v/t/") and "已受理" in page.text, f"an opinion was not taken: {page.url}")
        s.ids.setdefault("tracking", page.url)


def _job_status(s: Smoke, job: int) -> str:
    fragment = s.town.get(f"/jobs/{job}/", headers={"HX-Request": "true"})
    return fragment.find(r'data-status="(\w+)"', "job status")


def _queued(s: Smoke, queue: str) -> int:
    return int(s.redis.llen(queue))


def readiness_follows_the_workers(s: Smoke) -> None:
    workers = [f"worker-{name}" for name in WORKERS]
    s.prod_sh("stop", *workers)
    anyone = Browser(s.base)
    down = wait_for("/readyz to fail", lambda: (p := anyone.get("/readyz")).status == 503 and p.json(), 30)
    check(down["checks"]["worker"].startswith("failed"), f"/readyz blamed the wrong check: {down}")
    check(anyone.get("/healthz").status == 200, "/healthz must stay 200 while only the workers are down")
    s.ids["readyz_down"] = down["checks"]


def mining_runs_in_the_heavy_worker(s: Smoke) -> None:
    """Every worker is stopped (previous step): the mining job must wait in the heavy queue, untouched by the web
    process and by the urgent/default worker once that is back, and be run when the heavy worker starts."""
    main = [f"worker-{n}" for n, queues in WORKERS.items() if HEAVY not in queues]
    heavy = [f"worker-{n}" for n, queues in WORKERS.items() if HEAVY in queues]
    subject = s.subject(s.village)
    page = s.town.post(f"/voices/subjects/{subject}/mine/", {})
    found = re.match(r"/jobs/(\d+)/", page.url)
    check(found, f"starting the mining did not show its job: {page.url}")
    job = int(found.group(1))  # type: ignore[union-attr]
    check(_job_status(s, job) == "queued" and _queued(s, HEAVY) == 1, "the mining job is not waiting in the heavy queue")
    s.prod_sh("start", *main)  # waits for /readyz
    time.sleep(3)
    check(_job_status(s, job) == "queued" and _queued(s, HEAVY) == 1,
          "the mining job left the heavy queue without the heavy worker")
    heavy_log_before = {name: len(s.log(name)) for name in heavy}
    s.prod_sh("start", *heavy)
    wait_for("the mining job to finish", lambda: _job_status(s, job) in ("done", "failed"), 120)
    check(_job_status(s, job) == "done", "the mining job failed")
    check(_queued(s, HEAVY) == 0, "the heavy queue is not empty after the job")
    ready = Browser(s.base).get("/readyz")
    check(ready.status == 200, f"/readyz is not ready again with the workers back: {ready.status} {ready.text}")
    ran_in = [name for name in heavy if RAN_JOB in s.log(name)[heavy_log_before[name]:]]
    check(ran_in, "the heavy worker's log does not show the job")
    check(all(RAN_JOB not in s.log(name) for name in main), "the urgent/default worker ran a job")
    s.ids["mining_job"] = job


def town_sets_topics(s: Smoke) -> None:
    topics = s.town.api("GET", f"voices/orgs/{s.village}/topics")
    check(topics and topics[0]["size"] == len(VOICES), f"mining did not make one topic of the voices: {topics}")
    for code, topic, text in ((s.village, topics[0]["id"], TOPIC), (s.other_village, "", "如何让便民服务中心服务再提质")):
        s.town.post(f"/voices/subjects/{s.subject(code)}/assign/", {"topic": topic, "text": text})
    subjects = {x["organization"]: x for x in s.campaign()["subject_list"]}
    check(subjects[s.village]["topic"] == TOPIC and subjects[s.other_village]["topic"], f"topics not set: {subjects}")
    s.move("reporting")


# ── 述职: the meeting, the codes, the ballots ───────────────────────────────────────────────────────────────────

def town_holds_meeting(s: Smoke) -> None:
    cid = s.ids["campaign"]
    groups = [("党员代表", "100", str(EVALUATORS))] + [("", "", "")] * 5
    fields: list[tuple[str, Any]] = [
        ("title", f"{TITLE}评议会"), ("starts_at", dt.datetime.now().strftime("%Y-%m-%dT%H:%M")),
        ("venue", "通元镇党群服务中心"), ("host", "镇党委书记"), ("minutes_each", "15"),
        ("grades", "好，较好，一般，差"), ("items", ""), ("allow_revise", "on")]
    fields += [(f"group_{i}_{k}", v) for i, g in enumerate(groups) for k, v in zip(("name", "weight", "size"), g, strict=True)]
    fields += [("subject", str(s.subject(code))) for code in s.seed["villages"]]
    page = s.town.post(f"/meetings/new/{cid}/", fields)
    found = re.match(r"/meetings/(\d+)/", page.url)
    check(found, f"scheduling the meeting failed: {page.url} {page.status}")
    meeting = s.ids["meeting"] = int(found.group(1))  # type: ignore[union-attr]
    slips = s.town.post(f"/meetings/{meeting}/codes.pdf", {})
    check(slips.headers.get("Content-Type") == "application/pdf", f"no code slips: {slips.status}")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(slips.body)).pages)
    s.ids["codes"] = CODE.findall(re.sub(r"\s+", "", text))
    check(len(s.ids["codes"]) == EVALUATORS, f"expected {EVALUATORS} codes on the slips: {s.ids['codes']}")
    s.town.post(f"/meetings/{meeting}/do/open/", {})
    opened = next(m for m in s.town.api_list("meetings") if m["id"] == meeting)
    check(opened["status"] == "open", f"the meeting did not open: {opened['status']}")


def evaluators_vote(s: Smoke) -> None:
    agenda = next(m for m in s.town.api_list("meetings") if m["id"] == s.ids["meeting"])["agenda"]
    grades = {s.village: "差", s.other_village: "好"}
    for code in s.ids["codes"]:
        phone = Browser(s.base, who="evaluator")
        ballot = phone.post("/m/e/code/", {"code": code})
        check(ballot.url == "/m/e/", f"the code did not open the ballot: {ballot.url} {ballot.status}")
        items = list(dict.fromkeys(re.findall(r'name="grade_(\d+)"', ballot.text)))
        check(len(items) == len(agenda), f"the ballot has {len(items)} cards for {len(agenda)} secretaries")
        marks = {f"grade_{item}": grades[a["organization"]] for item, a in zip(items, agenda, strict=True)}
        saved = phone.post("/m/e/", marks)
        check("已保存" in saved.text, f"the ballot was not saved ({saved.status})")
    progress = next(m for m in s.town.api_list("meetings") if m["id"] == s.ids["meeting"])["progress"]
    check(sum(p["submitted"] for p in progress) == EVALUATORS, f"ballots counted: {progress}")


def town_closes_meeting(s: Smoke) -> None:
    s.town.post(f"/meetings/{s.ids['meeting']}/do/close/", {})
    results = s.town.api_list(f"meetings/{s.ids['meeting']}/results")
    check(all(r["ballots"] == EVALUATORS for r in results), f"the results do not count every ballot: {results}")
    s.move("appraisal")


# ── 评议: computed, submitted, published ────────────────────────────────────────────────────────────────────────

def results_published(s: Smoke) -> None:
    cid = s.ids["campaign"]
    computed = s.town.post(f"/appraisal/campaigns/{cid}/do/compute/", {})
    check("2 个评议结果" in computed.text, f"computing the results failed ({computed.status})")
    s.town.api("POST", f"appraisal/campaigns/{cid}/results/submit", {"note": ""})
    published = s.county.api("POST", f"appraisal/campaigns/{cid}/results/publish", {"note": ""})
    check(published["count"] == 2, f"the county published {published}")
    results = {r["organization"]: r for r in s.town.api_list(f"appraisal/campaigns/{cid}/results")}
    check(results[s.village]["score"] < results[s.other_village]["score"], f"the scores do not follow the ballots: {results}")
    public = Browser(s.base).get(f"/p/campaigns/{cid}/")
    for r in results.values():
        check(f"评议得分：{r['score']:.2f}" in public.text, f"/p/ does not show {r['organization_name']}'s score")
    check(TITLE in Browser(s.base).get("/p/").text, "/p/ does not list the campaign")


# ── 整改: opened from the confirmed proposal, issued, committed, done, closed ──────────────────────────────────

def town_decides_proposals(s: Smoke) -> None:
    pending = s.town.api_list(f"appraisal/proposals?campaign={s.ids['campaign']}&status=pending")
    check(any(p["organization"] == s.village and p["action"] == "rectification" for p in pending),
          f"no 整改通知 proposed for the low scorer: {pending}")
    for p in pending:
        if p["organization"] == s.village and p["action"] == "rectification":
            s.town.api("POST", f"appraisal/proposals/{p['id']}/confirm", {"note": ""})
        else:
            s.town.api("POST", f"appraisal/proposals/{p['id']}/dismiss", {"note": "冒烟测试：不采纳"})
    s.move("rectification")
    cases = [c for c in s.town.api_list("rectification/cases") if c["campaign"] == s.ids["campaign"]]
    check([c["organization"] for c in cases] == [s.village] and cases[0]["state"] == "draft",
          f"confirming the proposal did not open one draft case: {cases}")
    s.ids["case"] = cases[0]["id"]
    issued = s.town.api("POST", f"rectification/cases/{s.ids['case']}/moves/issue", {"note": ""})
    check(issued["state"] == "issued", f"the notice was not issued: {issued}")


def secretary_commits(s: Smoke) -> None:
    case = s.ids["case"]
    form = s.secretary.get(f"/rectification/{case}/commit/")
    deadline = form.find(r'name="m-\d+-0-deadline" value="[^"]*" max="([\d-]+)"', "the commitment's deadline")
    fields: list[tuple[str, Any]] = [("mechanisms", "村道巡查养护制度\n书记接待日制度")]
    for problem in dict.fromkeys(re.findall(r'name="n-(\d+)"', form.text)):
        fields += [(f"n-{problem}", "1"), (f"m-{problem}-0-text", "年内完成村道排水沟清淤改造"),
                   (f"m-{problem}-0-owner", "张书记"), (f"m-{problem}-0-deadline", deadline),
                   (f"m-{problem}-0-expected", "群众满意")]
    page = s.secretary.post(f"/rectification/{case}/commit/", fields)
    check("整改承诺已提交" in page.text, f"the commitment was refused ({page.status})")
    approved = s.town.api("POST", f"rectification/cases/{case}/moves/approve", {"note": "同意"})
    check(approved["state"] == "in_progress", f"the commitment was not approved: {approved}")


def secretary_reports_done(s: Smoke) -> None:
    case = s.ids["case"]
    detail = s.secretary.get(f"/rectification/{case}/")
    for measure in dict.fromkeys(re.findall(r"/rectification/measures/(\d+)/progress/", detail.text)):
        page = s.secretary.post(f"/rectification/measures/{measure}/progress/",
                                {"percent": "100", "text": "已完成，群众代表现场查看认可"})
        check("进展已报告" in page.text, f"the progress report was refused ({page.status})")
    submitted = s.secretary.api("POST", f"rectification/cases/{case}/moves/submit", {"note": ""})
    check(submitted["state"] == "awaiting", f"verification was not asked for: {submitted}")


def town_closes_case(s: Smoke) -> None:
    closed = s.town.api("POST", f"rectification/cases/{s.ids['case']}/moves/close",
                        {"note": "经实地验收，排水沟已改造完成，群众满意"})
    check(closed["state"] == "closed" and closed["closed_at"], f"the case was not closed: {closed}")
    tracked = Browser(s.base).get(s.ids["tracking"])
    check("已销号" in tracked.text, "the villager's tracking page does not show the case closed")
    s.move("archived")


def _message(line: str) -> str:
    """Return what a log line says: its message when the line is a JSON object (production's log format)."""
    try:
        return str(json.loads(line)["message"]) if line.startswith("{") else line
    except (ValueError, KeyError, TypeError):
        return line


def beat_sent_the_daily_sweep(s: Smoke) -> None:
    """Beat runs with DIANTI_DAILY_EVERY_SECONDS: it has sent the daily task, and the urgent worker ran it."""
    main = [f"worker-{n}" for n, queues in WORKERS.items() if HEAVY not in queues]
    check("Sending due task daily-sweeps" in s.log("beat"), "beat did not send the daily sweeps")
    ran = wait_for("the daily sweeps in the worker's log", lambda: [
        message for name in main for message in map(_message, s.log(name).splitlines())
        if "dianti.daily_sweeps" in message and "succeeded" in message and "core.retention_sweep" in message], 60)
    check("daily sweeps for" not in s.log("web"), "a web process ran the daily sweeps (Celery's beat should)")
    s.ids["daily"] = ran[0].split("succeeded in ", 1)[-1][:160]  # its time and what the sweeps returned


STEPS: list[Callable[[Smoke], None]] = [
    health_and_static, staff_sign_in, town_creates_campaign, county_approves_list, villagers_speak,
    readiness_follows_the_workers, mining_runs_in_the_heavy_worker, town_sets_topics, town_holds_meeting,
    evaluators_vote, town_closes_meeting, results_published, town_decides_proposals, secretary_commits,
    secretary_reports_done, town_closes_case, beat_sent_the_daily_sweep,
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--seed", required=True, type=Path)
    parser.add_argument("--prod", required=True, type=Path)
    parser.add_argument("--run", required=True, type=Path)
    parser.add_argument("--redis", required=True)
    args = parser.parse_args()
    smoke = Smoke(base=args.base.rstrip("/"), seed=json.loads(args.seed.read_text()), prod=args.prod, run=args.run,
                  redis=redis.Redis.from_url(args.redis))
    started = time.monotonic()
    for step in STEPS:
        at = time.monotonic()
        try:
            step(smoke)
        except SmokeFailed as exc:
            print(f"FAILED {step.__name__}: {exc}", file=sys.stderr)
            return 1
        except Exception:  # a page or an answer not shaped as the step expects: the traceback says where
            print(f"FAILED {step.__name__}:", file=sys.stderr)
            traceback.print_exc()
            return 1
        print(f"ok {step.__name__} ({time.monotonic() - at:.1f} s)", flush=True)
    print(f"smoke: {len(STEPS)} steps passed in {time.monotonic() - started:.0f} s; mining job "
          f"{smoke.ids['mining_job']} ran in the heavy worker; /readyz without workers: {smoke.ids['readyz_down']}; "
          f"daily sweep in the worker: {smoke.ids['daily']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
