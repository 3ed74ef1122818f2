"""Schemes are versioned: an edit is a new version, results keep theirs until recomputed, and any version can be
used again; the engine's validation messages reach the user."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dianti.appraisal import publication, scheme_reads, services
from dianti.appraisal.models import ActionProposal, ScoringScheme, SubjectResult
from dianti.core.models import AuditEvent

from .factories import HAND, POOR, closed

pytestmark = pytest.mark.django_db


def _no_trimming(row: ScoringScheme) -> dict[str, Any]:
    data = dict(row.data)
    data["aggregation"] = {**data["aggregation"], "method": "mean"}
    return data


def test_the_default_scheme_is_stored_on_demand_once() -> None:
    first = services.scheme_ensure()
    assert (first.key, first.version) == ("default", 1)
    assert services.scheme_ensure().pk == first.pk
    assert scheme_reads.engine_scheme(first).scale.labels == ("好", "较好", "一般", "差")


def test_reading_the_default_before_it_is_stored_writes_nothing() -> None:
    read = scheme_reads.scheme_get("default")
    assert (read.pk, read.key, read.version) == (None, "default", 1)
    assert read.data == services.scheme_ensure().data  # what is stored later is what was read
    ScoringScheme.objects.all().delete()
    assert [s.key for s in scheme_reads.latest_schemes()] == ["default"]
    assert [v.version for v in scheme_reads.scheme_versions("default")] == [1]
    assert not ScoringScheme.objects.exists()


def test_a_result_computed_with_the_unstored_default_stores_it_first(tree: Any, users: Any) -> None:
    c = closed(tree, HAND)  # closing the meeting computes the results: the default is stored then
    r = SubjectResult.objects.get(subject=c.va1)
    assert (r.scheme.key, r.scheme.version) == ("default", 1)
    assert ScoringScheme.objects.filter(key="default").count() == 1


def test_editing_makes_a_new_version_and_old_results_keep_theirs_until_recomputed(tree: Any, users: Any) -> None:
    c = closed(tree, HAND)
    v1 = services.scheme_ensure()
    v2 = services.scheme_save(actor=users.superuser, key="default", data=_no_trimming(v1))
    assert (v2.version, ScoringScheme.objects.filter(key="default").count()) == (2, 2)
    r = SubjectResult.objects.get(subject=c.va1)
    assert (r.scheme_id, r.score) == (v1.pk, pytest.approx(82.8125))  # unchanged until recomputed
    report = services.results_compute(actor=users.town_admin, campaign=c.campaign)
    assert (report.computed, report.scheme.pk) == (2, v2.pk)
    r.refresh_from_db()
    # Without trimming the public group's mean is (95+95+80+80+65+55)/6 = 78.33.
    assert r.scheme_id == v2.pk and r.score == pytest.approx(0.625 * 470 / 6 + 0.375 * 87.5)
    assert r.detail["scheme"] == {"key": "default", "version": 2, "name": v2.name}
    services.results_compute(actor=users.town_admin, campaign=c.campaign, version=1)  # recompute with version 1
    r.refresh_from_db()
    assert (r.scheme_id, r.score) == (v1.pk, pytest.approx(82.8125))
    assert AuditEvent.objects.filter(action="scheme.save").count() == 1
    assert AuditEvent.objects.filter(action="appraisal.compute").count() == 3  # close, v2, v1


def test_recomputing_replaces_pending_proposals_but_keeps_published_results(tree: Any, users: Any) -> None:
    c = closed(tree, POOR)
    publication.results_submit(actor=users.town_admin, campaign=c.campaign)
    publication.results_publish(actor=users.county_admin, campaign=c.campaign)
    published = SubjectResult.objects.get(subject=c.va1)
    services.scheme_save(actor=users.superuser, key="default", data=_no_trimming(services.scheme_ensure()))
    report = services.results_compute(actor=users.town_admin, campaign=c.campaign)
    assert (report.computed, report.skipped_published) == (0, 2)
    again = SubjectResult.objects.get(subject=c.va1)
    assert (again.score, again.scheme_id, again.status) == (published.score, published.scheme_id, "published")
    assert ActionProposal.objects.filter(subject=c.va1).count() == 3  # 约谈, 不合格, 整改 — all still there


def test_an_unknown_version_is_refused() -> None:
    services.scheme_ensure()
    with pytest.raises(ValidationError, match="没有第 9 版"):
        scheme_reads.scheme_get("default", 9)


def test_the_engines_validation_message_is_what_the_user_reads(users: Any) -> None:
    data = dict(services.scheme_ensure().data)
    data["groups"] = [{"code": "a", "label": "群众代表", "weight": 0.5}, {"code": "b", "label": "镇干部", "weight": 0.3}]
    with pytest.raises(ValidationError) as err:
        services.scheme_save(actor=users.superuser, key="default", data=data)
    assert "权重之和须为 100%，现为 80%" in err.value.messages[0]
    assert ScoringScheme.objects.filter(key="default").count() == 1


def test_only_superusers_edit_the_shared_default_and_admins_their_own(tree: Any, users: Any) -> None:
    data = services.scheme_ensure().data
    with pytest.raises(PermissionDenied):
        services.scheme_save(actor=users.town_admin, key="default", data=data)
    own = services.scheme_save(actor=users.town_admin, key="tongyuan", data=data, organization=tree.town_a)
    assert (own.version, own.organization_id) == (1, tree.town_a.pk)
    with pytest.raises(PermissionDenied):
        services.scheme_save(actor=users.other_town_admin, key="tongyuan", data=data)
    with pytest.raises(ValidationError):
        services.scheme_save(actor=users.town_admin, key="通元 方案", data=data, organization=tree.town_a)


def test_a_campaign_takes_another_scheme_and_results_follow_on_recompute(tree: Any, users: Any) -> None:
    c = closed(tree, HAND)
    data = _no_trimming(services.scheme_ensure())
    own = services.scheme_save(actor=users.town_admin, key="tongyuan", data=data, organization=tree.town_a)
    services.campaign_scheme_set(actor=users.town_admin, campaign=c.campaign, key="tongyuan")
    c.campaign.refresh_from_db()
    assert c.campaign.scheme_key == "tongyuan"
    assert SubjectResult.objects.get(subject=c.va1).scheme.key == "default"
    services.results_compute(actor=users.town_admin, campaign=c.campaign)
    assert SubjectResult.objects.get(subject=c.va1).scheme_id == own.pk
    with pytest.raises(ValidationError):
        services.campaign_scheme_set(actor=users.town_admin, campaign=c.campaign, key="nowhere")
