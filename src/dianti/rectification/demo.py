"""Demo 整改: every campaign that goes on to 归档 settles its cases (notice, 三责联诺, progress, 销号); 百步镇, left in
the 整改 phase, has a case in every state — draft, issued, committed, in progress, awaiting verification, overdue and
escalated, closed, carried over. Written through the services, so timelines, audit and notifications are real.

Cases are opened from the appraisal step's confirmed 整改通知 proposals when there are any, else by hand for the
subjects scoring under 80 (or already marked for rectification), so the demo never depends on that step."""

from __future__ import annotations

import datetime as dt
import io
import random
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from dianti.appraisal.models import ActionProposal
from dianti.campaigns import demo as campaigns_demo
from dianti.campaigns.models import Campaign, Phase, Subject
from dianti.core import ratelimit
from dianti.orgs.demo import demo_admin
from dianti.orgs.models import ContactPoint
from dianti.voices import selectors as voice_selectors

from . import deadlines, drafts, services
from .models import ACTIVE, Case, Rating, State

LOW_SCORE = 80.0
BAIBU = "330424102"
TONGYUAN = "330424105"
PROBLEMS = [
    "“三会一课”制度落实不到位，组织生活流于形式，党员参与度不高",
    "村务公开不及时、内容不通俗，群众对集体资金使用情况不了解",
    "群众反映的问题办理不闭环，答复后缺少跟踪回访",
    "党员联系农户制度执行不经常，走访记录不完整",
    "村级集体经济增收路子窄，项目谋划不足",
]
MEASURES = [
    ("每月固定主题党日，书记带头讲党课，缺席党员逐一谈话", "村党组织书记", "党员参会率达到 90% 以上"),
    ("村务公开栏每月更新，同步在村民微信群公布收支明细", "村务监督委员会主任", "群众满意度明显提升"),
    ("建立群众诉求台账，办结后七日内电话回访", "村党组织副书记", "诉求办结率 100%"),
    ("党员按网格联系农户，每季度走访不少于一次并登记", "网格党支部书记", "联户走访全覆盖"),
    ("盘活闲置厂房两处，引进来料加工项目", "村经济合作社社长", "集体经营性收入增长 10%"),
]
MECHANISMS = ["每月第一周召开村务公开评议会", "群众诉求“接办访”闭环制度", "党员联户积分管理办法"]


def _png(seed: int) -> SimpleUploadedFile:
    from PIL import Image

    img = Image.new("RGB", (96, 64), ((seed * 53) % 255, 120, 90))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return SimpleUploadedFile(f"现场照片{seed}.png", buf.getvalue(), content_type="image/png")


def to_rectify(campaign: Campaign) -> list[tuple[Subject, ActionProposal | None]]:
    """Subjects to rectify: confirmed 整改通知 proposals; else scores under 80 or subjects already marked open."""
    proposals = {p.subject_id: p for p in ActionProposal.objects.filter(
        campaign=campaign, status=ActionProposal.Status.CONFIRMED, action=ActionProposal.Action.RECTIFICATION)}
    out = []
    for s in campaign.subjects.select_related("organization", "secretary").order_by("order", "id"):
        if s.pk in proposals or (s.score is not None and s.score < LOW_SCORE) or \
                s.rectification == Subject.Rectification.OPEN or s.cases.filter(state__in=ACTIVE).exists():
            out.append((s, proposals.get(s.pk)))
    return out


def _open(subject: Subject, proposal: ActionProposal | None, rng: random.Random, deadline: dt.date) -> Case:
    case = Case.objects.filter(subject=subject, state__in=ACTIVE).first()
    problems = ([drafts.problem_from_proposal(proposal)] if proposal else []) + rng.sample(PROBLEMS, 2)
    if subject.topic:
        problems.append(f"群众反映强烈的“{subject.topic}”问题，解决进度慢、成效不明显")
    if case is None:
        case = services.case_open(actor=None, subject=subject, problems=problems, deadline=deadline,
                                  proposal=proposal)
    elif case.state == State.DRAFT:
        case = services.case_draft_update(actor=None, case=case, problems=problems, deadline=deadline)
    return case


def _commit(case: Case, rng: random.Random) -> None:
    today = timezone.localdate()
    measures = []
    for p in case.problems.all():
        for text, owner, expected in rng.sample(MEASURES, rng.randint(1, 2)):
            span = max(0, (case.deadline - today).days)
            measures.append(services.MeasureIn(p.pk, text, owner, today + dt.timedelta(days=rng.randint(span // 2, span)),
                                               expected))
    services.commitment_submit(actor=None, case=case, measures=measures, mechanisms=rng.sample(MECHANISMS, 2),
                               pledge="坚决扛起整改主体责任，按期保质完成整改。")


def _progress(case: Case, rng: random.Random, *, done: bool, photos: bool = False) -> None:
    for i, m in enumerate(case.measures.all()):
        percent = 100 if done else rng.choice([30, 50, 60, 80, 100])
        files = [_png(m.pk)] if photos and i < 2 else []
        services.progress_report(actor=None, measure=m, percent=percent, files=files,
                                 text="已召开专题会议部署，责任人逐项落实" if percent < 100 else "已全部完成，群众反映良好")


def _supervise(case: Case, rng: random.Random) -> None:
    point = ContactPoint.objects.filter(org_path__startswith=case.issuer_path).prefetch_related("staff").first()
    report = services.supervision_add(actor=None, case=case, point=point, visited_on=timezone.localdate(),
                                      rating=rng.choice([Rating.GOOD, Rating.FAIR_GOOD, Rating.FAIR]),
                                      seen="实地查看公开栏和台账，已按承诺更新，走访三户村民均表示知晓")
    staff = point.staff.first() if point else None
    if staff is not None:
        type(report).objects.filter(pk=report.pk).update(author_name=staff.name)


def _observe(case: Case) -> None:
    opinion = voice_selectors.opinions_behind(case.subject).first()
    if opinion is not None:
        services.observation_add(case=case, opinion=opinion, text="路灯已经修好了，晚上出门亮堂多了",
                                 ip_hash=ratelimit.digest(f"demo-obs-ip-{case.pk}"),
                                 device_hash=ratelimit.digest(f"demo-obs-dev-{case.pk}"))


def _to_state(case: Case, state: str, rng: random.Random) -> Case:
    """Walk one case forward to ``state`` the way people would."""
    if state == State.DRAFT:
        return case
    admin = demo_admin(case.issuer)
    services.case_issue(actor=admin, case=case)
    if state == State.ISSUED:
        return case
    if state == State.CARRIED_OVER:
        services.case_carry_over(actor=admin, case=case, reason="涉及土地政策调整，年内无法完成，转入下年度继续整改")
        return case
    _commit(case, rng)
    if state == State.COMMITTED:
        return case
    services.commitment_approve(actor=admin, case=case, note="措施具体，同意按此整改")
    _supervise(case, rng)
    if state == State.IN_PROGRESS:
        _progress(case, rng, done=False, photos=True)
        _observe(case)
        return case
    _progress(case, rng, done=True, photos=True)
    services.case_submit(actor=None, case=case, note="各项措施均已完成，申请验收")
    if state == State.AWAITING:
        return case
    services.case_close(actor=admin, case=case, reason="经实地核查和群众走访，各项措施已落实到位，同意销号")
    return case


def settle(campaign: Campaign, rng: random.Random) -> None:
    """The RECTIFIERS hook: a campaign that goes on to 归档 rectifies every subject it must, to 销号."""
    for subject, proposal in to_rectify(campaign):
        case = _open(subject, proposal, rng, timezone.localdate() + dt.timedelta(days=60))
        _to_state(case, State.CLOSED, rng)


campaigns_demo.RECTIFIERS.append(settle)

BAIBU_STATES = [State.OVERDUE, State.IN_PROGRESS, State.AWAITING, State.CLOSED, State.COMMITTED, State.ISSUED,
                State.CARRIED_OVER, State.DRAFT, State.IN_PROGRESS, State.CLOSED]


def _overdue(case: Case, rng: random.Random) -> None:
    """Issue and commit, then let the deadline pass (12 days ago) and run the daily sweep: overdue, escalated."""
    _to_state(case, State.IN_PROGRESS, rng)
    past = timezone.localdate() - dt.timedelta(days=12)
    Case.objects.filter(pk=case.pk).update(deadline=past)  # demo shortcut: the calendar moves on
    case.measures.filter(percent__lt=100).update(deadline=past)
    deadlines.deadline_sweep()


def _carry_2019() -> None:
    """The 2019 campaigns left in 整改 carry their unfinished cases over to 2020 (they feed 2020's suggestions);
    通元镇's settles its own (:func:`_tongyuan_2019`)."""
    earlier = Campaign.objects.filter(year=2019, phase=Phase.RECTIFICATION).exclude(convener__code=TONGYUAN)
    if Case.objects.filter(campaign__in=earlier).exclude(state=State.DRAFT).exists():
        return
    rng = random.Random(2019)
    for campaign in earlier:
        for subject, proposal in to_rectify(campaign):
            case = _open(subject, proposal, rng, timezone.localdate() + dt.timedelta(days=30))
            if case.state == State.DRAFT:
                _to_state(case, State.CARRIED_OVER, rng)


def _tongyuan_2019() -> None:
    """通元镇's 2019 rectification: every case closed but the last, still in progress, which the town's 民情直报点
    (the demo's `point_staff`) last visited 40 days ago — so it is due for their supervision again."""
    campaign = Campaign.objects.filter(year=2019, convener__code=TONGYUAN, phase=Phase.RECTIFICATION).first()
    if campaign is None or Case.objects.filter(campaign=campaign).exclude(state=State.DRAFT).exists():
        return
    rng = random.Random(2019105)
    chosen = to_rectify(campaign)
    for i, (subject, proposal) in enumerate(chosen):
        case = _open(subject, proposal, rng, timezone.localdate() + dt.timedelta(days=60))
        _to_state(case, State.IN_PROGRESS if i == len(chosen) - 1 else State.CLOSED, rng)
        if i == len(chosen) - 1:  # demo shortcut: the calendar moves on since the last visit
            case.supervisions.update(visited_on=timezone.localdate() - dt.timedelta(days=40))


@transaction.atomic
def load(counties: int = 1, **_: Any) -> None:
    """通元镇's and the other 2019 campaigns' cases; 百步镇's 2020 campaign (left in 整改) gets a case in every
    state, low scorers first."""
    _carry_2019()
    _tongyuan_2019()
    campaign = Campaign.objects.filter(year=2020, convener__code=BAIBU, phase=Phase.RECTIFICATION).first()
    if campaign is None or Case.objects.filter(campaign=campaign).exclude(state=State.DRAFT).exists():
        return
    rng = random.Random(2021)
    chosen = dict(to_rectify(campaign))
    subjects = sorted(campaign.subjects.select_related("organization", "secretary"),
                      key=lambda s: (s.pk not in chosen, s.score if s.score is not None else 100, s.order))
    deadline = timezone.localdate() + dt.timedelta(days=45)
    for subject, state in zip(subjects, BAIBU_STATES, strict=False):
        case = _open(subject, chosen.get(subject.pk), rng, deadline)
        if state == State.OVERDUE:
            _overdue(case, rng)
        else:
            _to_state(case, state, rng)
