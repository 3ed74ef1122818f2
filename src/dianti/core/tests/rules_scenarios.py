"""One scenario per row of core/rules.py: a state in which the act is possible, the act through the service, the
page and the API, and how to tell it happened. The matrix test walks them; a row without a scenario fails it.

Bodies: ``town`` is 通元镇 (TA, with 海盐县委 above it); ``top`` is 海盐县委 itself (nothing above it in the system,
so its approvals are the 审批人's). ``made_by`` names the conftest user who made the thing being decided.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from dianti.appraisal import annual, publication
from dianti.appraisal import services as appraisal
from dianti.appraisal.models import ActionProposal, AssessmentRound, SubjectResult
from dianti.campaigns import heat, roster
from dianti.campaigns import services as campaigns
from dianti.campaigns.models import Campaign, Category, Phase, Subject
from dianti.campaigns.tests.factories import choose, in_topics, published, town_campaign
from dianti.orgs.models import Organization
from dianti.rectification import services as rectification
from dianti.rectification.models import Case, Escalation, State
from dianti.rectification.tests.factories import case_in, rectification_campaign
from dianti.voices import verify

Do = Callable[[Any, Any], Any]  # (actor or client, the scenario's object) -> anything


@dataclass(frozen=True)
class Scenario:
    action: str
    setup: Callable[[Any, Any], Any]  # (tree, users) -> the object acted on
    service: Do
    page: Do | None
    api: Do | None
    done: Callable[[Any], bool]
    body: str = "town"
    made_by: str | None = None
    tags: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        return f"{self.action}[{self.body}{'/by-' + self.made_by if self.made_by else ''}]"


def _reload(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


def _as(users: Any, name: str | None) -> Any:
    return getattr(users, name) if name else None


# ── campaigns ───────────────────────────────────────────────────────────────────────────────────────────────────

def county_campaign(tree: Any) -> Campaign:
    campaign = campaigns.campaign_create(actor=None, convener=tree.county, year=2020, title="海盐县2020年度镇党委书记述职",
                                         candidate_level=Organization.Level.TOWN)
    campaigns.subjects_choose(actor=None, campaign=campaign, choices=[
        campaigns.Choice(tree.town_a, Category.DEVELOPMENT, "承担全县重点项目建设任务")])
    return campaign


def _draft(tree: Any, users: Any, body: str) -> Campaign:
    if body == "top":
        return county_campaign(tree)
    campaign = town_campaign(tree)
    choose(campaign, tree.village_a1, tree.village_a2)
    return campaign


def _submitted(made_by: str, body: str = "town") -> Callable[[Any, Any], Campaign]:
    def setup(tree: Any, users: Any) -> Campaign:
        campaign = _draft(tree, users, body)
        return roster.list_submit(actor=_as(users, made_by), campaign=campaign)
    return setup


def _list_status(status: str) -> Callable[[Campaign], bool]:
    return lambda c: _reload(c).list_status == status


def _list_scenarios(action: str, body: str, made_by: str, status: str) -> Scenario:
    verb = action.split("_")[-1]
    return Scenario(
        action=f"campaign.list_{verb}", body=body, made_by=made_by if verb != "submit" else None,
        setup=(lambda t, u: _draft(t, u, body)) if verb == "submit" else _submitted(made_by, body),
        service=lambda actor, c: getattr(roster, f"list_{verb}")(actor=actor, campaign=c),
        page=lambda client, c: client.post(f"/campaigns/{c.pk}/list/{verb}/", {"note": "请补充点名理由"}),
        api=lambda client, c: client.post(f"/api/v1/campaigns/{c.pk}/list/{verb}", {"note": "请补充点名理由"},
                                          content_type="application/json"),
        done=_list_status(status))


def _phase(to: str, setup: Callable[[Any, Any], Campaign], action: str) -> Scenario:
    return Scenario(
        action=action, setup=setup,
        service=lambda actor, c: campaigns.phase_move(actor=actor, campaign=c, to=to),
        page=lambda client, c: client.post(f"/campaigns/{c.pk}/phase/", {"to": to}),
        api=lambda client, c: client.post(f"/api/v1/campaigns/{c.pk}/phase", {"to": to},
                                          content_type="application/json"),
        done=lambda c: _reload(c).phase == to)


CAMPAIGNS = [
    _list_scenarios("list_submit", "town", "town_admin", Campaign.ListStatus.SUBMITTED),
    _list_scenarios("list_submit", "top", "county_admin", Campaign.ListStatus.SUBMITTED),
    _list_scenarios("list_approve", "town", "town_admin", Campaign.ListStatus.PUBLISHED),
    _list_scenarios("list_approve", "town", "superuser", Campaign.ListStatus.PUBLISHED),
    _list_scenarios("list_approve", "top", "county_admin", Campaign.ListStatus.PUBLISHED),
    _list_scenarios("list_return", "town", "town_admin", Campaign.ListStatus.DRAFT),
    _list_scenarios("list_return", "top", "county_admin", Campaign.ListStatus.DRAFT),
    _phase(Phase.TOPICS, lambda t, u: published(t), "campaign.phase_forward"),
    _phase(Phase.NOMINATE, lambda t, u: in_topics(t), "campaign.phase_back"),
    Scenario(
        action="campaign.heat_scheme_set", body="top", setup=lambda t, u: t.county,
        service=lambda actor, county: heat.heat_scheme_set(actor=actor, organization=county,
                                                           weights={"participant_weight": 0.3}),
        page=lambda client, county: client.post(f"/campaigns/heat/{county.code}/", {"heat_participant_weight": "0.3"}),
        api=None,
        done=lambda county: heat.scheme_of(county) == {"participant_weight": 0.3}),
    Scenario(
        action="voices.phone_codes_set", body="top", setup=lambda t, u: t.county,
        service=lambda actor, county: verify.setting_set(actor=actor, county=county, on=True),
        page=lambda client, county: client.post(f"/voices/verification/{county.code}/", {"phone_codes": "on"}),
        api=None,
        done=lambda county: verify.setting_of(county)),
]


# ── appraisal ───────────────────────────────────────────────────────────────────────────────────────────────────

def appraisal_campaign(tree: Any, body: str = "town") -> Campaign:
    """A campaign in 评议 whose subjects have reported (the meeting itself is other tests' business)."""
    if body == "top":
        campaign = county_campaign(tree)
        roster.list_submit(actor=None, campaign=campaign)
        roster.list_approve(actor=None, campaign=campaign)
        campaign = campaigns.phase_move(actor=None, campaign=campaign, to=Phase.TOPICS)
    else:
        campaign = in_topics(tree)
    for s in campaign.subjects.all():
        campaigns.subject_topic_set(actor=None, subject=s, topic="村道破损和停车难怎么解决")
    campaign = campaigns.phase_move(actor=None, campaign=campaign, to=Phase.REPORTING)
    for s in campaign.subjects.all():
        campaigns.subject_outcome_set(actor=None, subject=s, status=Subject.Status.REPORTED)
    return campaigns.phase_move(actor=None, campaign=campaign, to=Phase.APPRAISAL)


def _results(status: str, made_by: str | None, body: str = "town") -> Callable[[Any, Any], Campaign]:
    def setup(tree: Any, users: Any) -> Campaign:
        campaign = appraisal_campaign(tree, body)
        scheme = appraisal.scheme_ensure()
        for s in campaign.subjects.all():
            SubjectResult.objects.create(subject=s, scheme=scheme, score=80.0, ballots=10, satisfaction=0.9)
        if status != SubjectResult.Status.DRAFT:
            publication.results_submit(actor=_as(users, made_by), campaign=campaign)
        if status == SubjectResult.Status.PUBLISHED:
            publication.results_publish(actor=users.county_approver if body == "top" else users.county_admin,
                                      campaign=campaign)
        return campaign
    return setup


def _result_status(status: str) -> Callable[[Campaign], bool]:
    return lambda c: set(SubjectResult.objects.filter(subject__campaign=c).values_list("status", flat=True)) == {
        status}


def _results_act(verb: str, body: str, made_by: str | None, before: str, after: str) -> Scenario:
    return Scenario(
        action=f"appraisal.results_{verb}", body=body, made_by=made_by if verb != "submit" else None,
        setup=_results(before, made_by, body),
        service=lambda actor, c: getattr(publication, f"results_{verb}")(actor=actor, campaign=c),
        page=lambda client, c: client.post(f"/appraisal/campaigns/{c.pk}/do/{verb}/", {"note": "请核对纸质选票"}),
        api=lambda client, c: client.post(f"/api/v1/appraisal/campaigns/{c.pk}/results/{verb}",
                                          {"note": "请核对纸质选票"}, content_type="application/json"),
        done=_result_status(after))


def _first_subject(c: Campaign) -> Subject:
    return c.subjects.order_by("order", "id").first()  # type: ignore[return-value]


def _proposal(tree: Any, users: Any) -> ActionProposal:
    campaign = _results(SubjectResult.Status.PUBLISHED, "town_admin")(tree, users)
    subject = _first_subject(campaign)
    return ActionProposal.objects.create(subject=subject, campaign=campaign, org_path=campaign.org_path,
                                         action=ActionProposal.Action.TALK, rule="interview", reason="满意率偏低")


def _round(tree: Any, users: Any) -> AssessmentRound:
    return AssessmentRound.objects.create(county=tree.county, year=2020, computed_at=timezone.now(),
                                          computed_by=users.county_admin)


S = SubjectResult.Status
APPRAISAL = [
    _results_act("submit", "town", "town_admin", S.DRAFT, S.SUBMITTED),
    _results_act("publish", "town", "town_admin", S.SUBMITTED, S.PUBLISHED),
    _results_act("publish", "town", "superuser", S.SUBMITTED, S.PUBLISHED),
    _results_act("publish", "top", "county_admin", S.SUBMITTED, S.PUBLISHED),
    _results_act("return", "town", "town_admin", S.SUBMITTED, S.DRAFT),
    Scenario(
        action="appraisal.results_withdraw", setup=_results(S.PUBLISHED, "town_admin"),
        service=lambda actor, c: publication.results_withdraw(actor=actor, subject=_first_subject(c),
                                                            reason="发现计票差错，重新核对"),
        page=lambda client, c: client.post(f"/appraisal/subjects/{_first_subject(c).pk}/withdraw/",
                                           {"reason": "发现计票差错，重新核对"}),
        api=lambda client, c: client.post(f"/api/v1/appraisal/subjects/{_first_subject(c).pk}/withdraw",
                                          {"note": "发现计票差错，重新核对"}, content_type="application/json"),
        done=lambda c: SubjectResult.objects.get(subject=_first_subject(c)).status == S.DRAFT),
    Scenario(
        action="appraisal.proposal_decide", setup=_proposal,
        service=lambda actor, p: appraisal.proposal_confirm(actor=actor, proposal=p),
        page=lambda client, p: client.post(f"/appraisal/proposals/{p.pk}/decide/", {"decision": "confirm"}),
        api=lambda client, p: client.post(f"/api/v1/appraisal/proposals/{p.pk}/confirm", {},
                                          content_type="application/json"),
        done=lambda p: _reload(p).status == ActionProposal.Status.CONFIRMED),
    Scenario(
        action="appraisal.stars_confirm", body="top", made_by="county_admin", setup=_round,
        service=lambda actor, r: annual.assessment_confirm(actor=actor, county=r.county, year=r.year),
        page=lambda client, r: client.post("/appraisal/assessment/confirm/", {"county": r.county.code,
                                                                              "year": str(r.year)}),
        api=lambda client, r: client.post(f"/api/v1/appraisal/assessment/{r.county.code}/{r.year}/confirm", {},
                                          content_type="application/json"),
        done=lambda r: _reload(r).confirmed_at is not None),
]


# ── rectification ───────────────────────────────────────────────────────────────────────────────────────────────

def _case(state: str, *, escalated: bool = False, measures_done: bool = False) -> Callable[[Any, Any], Case]:
    def setup(tree: Any, users: Any) -> Case:
        campaign = rectification_campaign(tree)
        subject = campaign.subjects.get(organization=tree.village_a1)
        case = case_in(state, subject, actor=None, secretary=users.secretary)
        if measures_done:
            for m in case.measures.all():
                rectification.progress_report(actor=users.secretary, measure=m, percent=100, text="已全部完成整改")
        if escalated:
            Case.objects.filter(pk=case.pk).update(escalation=Escalation.ABOVE)
        return _reload(case)
    return setup


def _deadline() -> Any:
    return timezone.localdate() + timezone.timedelta(days=90)


def _move(name: str, before: str, after: str, *, escalated: bool = False, measures_done: bool = False) -> Scenario:
    note = "经核查情况属实，按规定办理"
    data = {"note": note, "deadline": _deadline().isoformat()}
    return Scenario(
        action=f"rectification.{name}" + ("@escalated" if escalated else ""),
        setup=_case(before, escalated=escalated, measures_done=measures_done),
        service=lambda actor, c: rectification.case_act(actor=actor, case=c, name=name, note=note,
                                                        deadline=_deadline()),
        page=lambda client, c: client.post(f"/rectification/{c.pk}/do/{name}/", data),
        api=lambda client, c: client.post(f"/api/v1/rectification/cases/{c.pk}/moves/{name}", data,
                                          content_type="application/json"),
        done=(lambda c: _reload(c).deadline == _deadline()) if name == "extend" else
        (lambda c: _reload(c).state == after))


def _commit(actor: Any, case: Case) -> Any:
    from dianti.rectification.tests.factories import measures_for

    return rectification.commitment_submit(actor=actor, case=case, measures=measures_for(case),
                                           mechanisms="每月公开一次村务")


def _commit_page(client: Any, case: Case) -> Any:
    problems = list(case.problems.all())
    data: dict[str, str] = {"mechanisms": "每月公开一次村务", "pledge": "我承诺按期完成整改，接受党员群众监督"}
    for i, p in enumerate(problems):
        data.update({f"m-{p.pk}-0-text": f"针对问题{i + 1}逐条整改落实", f"m-{p.pk}-0-owner": "李主任",
                     f"m-{p.pk}-0-deadline": case.deadline.isoformat(), f"m-{p.pk}-0-expected": "群众满意"})
    return client.post(f"/rectification/{case.pk}/commit/", data)


RECTIFICATION = [
    _move("issue", State.DRAFT, State.ISSUED),
    Scenario(action="rectification.commit", setup=_case(State.ISSUED), service=lambda a, c: _commit(a, c),
             page=_commit_page, api=None, done=lambda c: _reload(c).state == State.COMMITTED),
    _move("approve", State.COMMITTED, State.IN_PROGRESS),
    _move("return", State.COMMITTED, State.ISSUED),
    _move("submit", State.IN_PROGRESS, State.AWAITING, measures_done=True),
    _move("close", State.AWAITING, State.CLOSED),
    _move("close", State.AWAITING, State.CLOSED, escalated=True),
    _move("reject", State.AWAITING, State.IN_PROGRESS),
    _move("overdue", State.ISSUED, State.OVERDUE),
    _move("extend", State.ISSUED, State.ISSUED),
    _move("extend", State.ISSUED, State.ISSUED, escalated=True),
    _move("reopen", State.CLOSED, State.IN_PROGRESS),
    _move("carry_over", State.IN_PROGRESS, State.CARRIED_OVER),
    _move("carry_over", State.IN_PROGRESS, State.CARRIED_OVER, escalated=True),
    _move("withdraw", State.DRAFT, State.WITHDRAWN),
]

# ── meetings ────────────────────────────────────────────────────────────────────────────────────────────────────

def _meeting(tree: Any, users: Any) -> Any:
    from dianti.meetings.tests.factories import reporting, scheduled
    return scheduled(reporting(tree))


def _rehearsing(tree: Any, users: Any) -> Any:
    from dianti.meetings import rehearsal
    meeting = _meeting(tree, users)
    rehearsal.rehearsal_start(actor=None, meeting=meeting)
    return meeting


def _has_rehearsal(meeting: Any) -> bool:
    from dianti.meetings.rehearsal import rehearsal_of
    return rehearsal_of(meeting) is not None


def _rehearsal_do(verb: str) -> Do:
    def do(actor: Any, meeting: Any) -> Any:
        from dianti.meetings import rehearsal
        return getattr(rehearsal, f"rehearsal_{verb}")(actor=actor, meeting=meeting)
    return do


MEETINGS = [
    Scenario(action="meeting.rehearsal_start", setup=_meeting, service=_rehearsal_do("start"),
             page=lambda client, m: client.post(f"/meetings/{m.pk}/rehearsal/start/"), api=None,
             done=_has_rehearsal),
    Scenario(action="meeting.rehearsal_wipe", setup=_rehearsing, service=_rehearsal_do("wipe"),
             page=lambda client, m: client.post(f"/meetings/{m.pk}/rehearsal/wipe/"), api=None,
             done=lambda m: not _has_rehearsal(m)),
]

SCENARIOS: list[Scenario] = [*CAMPAIGNS, *APPRAISAL, *RECTIFICATION, *MEETINGS]
