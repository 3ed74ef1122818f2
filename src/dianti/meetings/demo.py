"""Demo meetings: every town that has reached 述职 holds its meeting — agenda, panel, codes, phone ballots from
every evaluator, a few paper ballots typed twice, questions from the floor, attendance — and the ones past 述职
have closed voting. 秦山街道's meeting is left open, mid-way, to show the live page."""

from __future__ import annotations

import datetime as dt
import io
import random
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from dianti.campaigns import demo as campaigns_demo
from dianti.campaigns.models import Campaign, Phase
from dianti.core import ratelimit
from dianti.orgs.demo import HAIYAN_CODE

from . import services
from .models import Attendance, Meeting, Question, QuestionVote

GROUPS = [("镇党委班子成员", 30, 7), ("党员代表", 30, 24), ("群众代表", 30, 24), ("驻村干部", 10, 5)]
QUESTIONS = ["书记，村里的路灯什么时候能修好？", "老年食堂晚饭的事，今年能落实吗？", "集体经济增收的项目具体是哪几个？",
             "垃圾清运能不能每天一次？", "村务公开栏能不能每月更新？"]
ANSWERS = ["已列入今年计划，三个月内完成。", "正在和镇里协调资金，年底前试点。", "已对接两家企业，下月签约。"]


def _schedule(campaign: Campaign, rng: random.Random) -> Meeting:
    subjects = list(campaign.subjects.select_related("secretary", "organization").order_by("order"))
    return services.meeting_schedule(
        actor=None, campaign=campaign, title=f"{campaign.convener.short_name}{campaign.year}年度村（社区）党组织书记点题述职评议会",
        starts_at=timezone.make_aware(dt.datetime(campaign.year, 6, 20, 9, 0)), venue=f"{campaign.convener.short_name}党群服务中心大会议室",
        host=f"{campaign.convener.short_name}党委书记", subjects=subjects,
        groups=[services.GroupSpec(n, Decimal(w), s) for n, w, s in GROUPS], items=["德", "能", "勤", "绩", "廉"])


def _vote(meeting: Meeting, codes: list[tuple[Any, str]], rng: random.Random, share: float = 1.0) -> None:
    items = list(meeting.agenda.all())
    quality = {item.pk: rng.gauss(0, 1) for item in items}
    for _group, code in codes[: int(len(codes) * share)]:
        marks = {}
        for item in items:
            x = quality[item.pk] + rng.gauss(0.6, 0.9)
            grade = "好" if x > 0.8 else "较好" if x > -0.2 else "一般" if x > -1.4 else "差"
            base = {"好": 92, "较好": 84, "一般": 72, "差": 58}[grade]
            scores = {k: max(0, min(100, int(rng.gauss(base, 4)))) for k in meeting.items}
            marks[item.pk] = services.Mark(grade, scores, rng.choice(["", "", "", "希望多听群众意见", "工作扎实"]))
        services.ballot_submit(meeting=meeting, code=code, marks=marks)


def _floor(meeting: Meeting, rng: random.Random, answered: bool) -> None:
    """Questions from the floor, moderated by the convener; the hall's +1s on them and its sign-ins are the
    public's taps, stored as :func:`.services.question_vote` and :func:`.services.attendance_sign_in` leave them."""
    for i, text in enumerate(rng.sample(QUESTIONS, 3)):
        device = ratelimit.digest(f"demo-q-{meeting.pk}-{i}")
        q = services.question_ask(meeting=meeting, text=text, device_hash=device, asker=rng.choice(["", "老党员王大伯"]))
        services.question_moderate(actor=None, question=q, action="approve")
        votes = QuestionVote.objects.bulk_create([
            QuestionVote(question=q, device_hash=ratelimit.digest(f"demo-v-{q.pk}-{k}")) for k in range(rng.randint(1, 9))])
        Question.objects.filter(pk=q.pk).update(votes=F("votes") + len(votes))
        if answered:
            services.question_moderate(actor=None, question=q, action="answer", answer=rng.choice(ANSWERS))
    Attendance.objects.bulk_create([
        Attendance(meeting=meeting, name=f"参会人员{i + 1}", role=rng.choice(["党员", "村民代表"]), via=Attendance.Via.QR,
                   device_hash=ratelimit.digest(f"demo-a-{meeting.pk}-{i}")) for i in range(rng.randint(40, 70))])


REPORT_LINES = ["一、基本情况：围绕群众点的题，村两委班子逐户走访，梳理问题清单，明确责任人和完成时限。",
                "二、主要做法：书记带头领办，党员包干到组，每月在村务公开栏和微信群公布进展。",
                "三、存在不足：部分问题涉及资金和上级审批，推进慢于群众期盼；长效管理机制尚待健全。",
                "四、下步打算：对照群众意见逐条销号，办结后回访，接受群众监督。"]


def _report(item: Any) -> SimpleUploadedFile:
    """A short 述职报告 (.docx) on the secretary's topic, as a secretary would upload before the meeting."""
    from docx import Document

    doc = Document()
    s = item.subject
    doc.add_heading(f"{s.organization.display_name}党组织书记{s.campaign.year}年度点题述职报告", level=1)
    doc.add_paragraph(f"述职人：{s.secretary_name}　　述职题目：{s.topic}")
    for line in REPORT_LINES:
        doc.add_paragraph(line)
    buf = io.BytesIO()
    doc.save(buf)
    return SimpleUploadedFile(f"述职报告-{s.organization.display_name}.docx", buf.getvalue(),
                              content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")


def _upload_reports(meeting: Meeting) -> None:
    """Every secretary uploads their report before the meeting — in 通元镇, the demo secretary's town (elsewhere
    the demo leaves them out: a report is ~35 ms of .docx to write and read back, ×90)."""
    for item in meeting.agenda.select_related("subject__organization", "subject__campaign"):
        services.report_upload(actor=None, item=item, upload=_report(item))


def hold(campaign: Campaign, rng: random.Random, *, close: bool = True) -> Meeting:
    """Hold the campaign's meeting: reports uploaded, codes, ballots, paper double entry, questions, attendance;
    close if asked."""
    meeting = _schedule(campaign, rng)
    if campaign.convener.code == "330424105":
        _upload_reports(meeting)
    codes = services.codes_issue(actor=None, meeting=meeting)
    services.meeting_open(actor=None, meeting=meeting)
    _vote(meeting, codes, rng, share=1.0 if close else 0.55)
    if not close:  # left mid-way: the fourth secretary is speaking
        items = list(meeting.agenda.order_by("order"))
        services.meeting_set_current(actor=None, meeting=meeting, item=items[min(3, len(items) - 1)])
    _floor(meeting, rng, answered=close)
    if close:
        services.meeting_close(actor=None, meeting=meeting)
    return meeting


def _reporter(campaign: Campaign, rng: random.Random) -> None:
    hold(campaign, rng)


campaigns_demo.REPORTERS.append(_reporter)


@transaction.atomic
def load(counties: int = 1, **_: Any) -> None:
    """Towns left in 述职: 通元镇's meeting is held and closed; 秦山街道's is open, mid-way, with paper ballots read
    from scans and a rehearsal (:mod:`.demo_paper`)."""
    rng = random.Random(584)
    for campaign in Campaign.objects.filter(year=2020, phase=Phase.REPORTING, convener__parent__code=HAIYAN_CODE):
        if campaign.meetings.exists():
            continue
        meeting = hold(campaign, rng, close=campaign.convener.code == "330424105")
        if meeting.status == Meeting.Status.OPEN:
            from . import demo_paper

            demo_paper.scanned(meeting, rng)
            demo_paper.rehearsed(meeting, rng)
