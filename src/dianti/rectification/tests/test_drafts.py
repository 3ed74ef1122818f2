"""The notice a secretary reads: dates the edit form keeps, a plain-language draft, and no rule formula issued."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from dianti.appraisal import publication
from dianti.appraisal import services as appraisal_services
from dianti.appraisal.models import ActionProposal
from dianti.appraisal.tests.factories import closed
from dianti.rectification import services
from dianti.rectification.models import Case, State

from .factories import case_in, in_days

pytestmark = pytest.mark.django_db
POOR = {"群众代表": [("差", "好")] * 6 + [("一般", "好")] * 6}


def test_the_edit_form_shows_the_deadline_as_the_date_field_reads_it(client: Any, users: Any, subject: Any) -> None:
    case = case_in(State.DRAFT, subject, actor=users.town_admin)
    client.force_login(users.town_admin)
    html = client.get(f"/rectification/{case.pk}/edit/").content.decode()
    assert f'value="{case.deadline.isoformat()}"' in html and case.deadline.strftime("%Y/%m/%d") not in html


def test_a_confirmed_proposal_drafts_the_problem_in_plain_words(tree: Any, users: Any) -> None:
    c = closed(tree, POOR)
    publication.results_submit(actor=users.town_admin, campaign=c.campaign)
    publication.results_publish(actor=users.county_admin, campaign=c.campaign)
    proposal = ActionProposal.objects.get(subject=c.va1, action=ActionProposal.Action.RECTIFICATION)
    assert proposal.reason == "评“一般”和“差”的占 100%（12 票中 12 票），达到 33% 的整改通知单线"  # words, not the formula
    appraisal_services.proposal_confirm(actor=users.town_admin, proposal=proposal)
    text = Case.objects.get(subject=c.va1).problems.get().text
    assert text.startswith("在2020年述职评议中，“一般”和“差”的评价占 100%（12/12 票），达到 33% 的整改通知单线")
    assert not any(mark in text for mark in ("→", ">=", "区间"))


def test_a_notice_whose_problem_still_is_the_formula_is_not_issued(users: Any, subject: Any) -> None:
    case = services.case_open(actor=users.town_admin, subject=subject, deadline=in_days(60),
                              problems=["一般+差票占比 >= 30% → 整改通知单：一般+差票占比 35.0%（7/20）"])
    with pytest.raises(ValidationError, match="第 1 条问题还是评分规则的公式"):
        services.case_issue(actor=users.town_admin, case=case)
    services.case_draft_update(actor=users.town_admin, case=case, deadline=in_days(60),
                               problems=["“三会一课”落实不到位，群众反映村务公开不及时"])
    assert services.case_issue(actor=users.town_admin, case=Case.objects.get(pk=case.pk)).state == State.ISSUED
