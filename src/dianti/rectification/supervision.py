"""Supervision of a case from outside the committee: a visit by staff of a 民情直报点 / 组织工作观察点, and a
villager's observation from the tracking page. Offered through :mod:`.services` with the step's other writes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dianti.core import audit, ratelimit
from dianti.orgs.models import ContactPoint
from dianti.voices import selectors as voice_selectors
from dianti.voices.services import clean_text

from . import permissions
from .models import Case, Observation, Rating, State, SupervisionReport
from .workflow import MIN_TEXT, actor_name, case_audit, event, locked, tell_issuer, user_of


@transaction.atomic
def supervision_add(*, actor: Any, case: Case, visited_on: dt.date, seen: str, rating: str,
                    point: ContactPoint | None = None) -> SupervisionReport:
    """A visit by staff of a 民情直报点 / 组织工作观察点 (or the committee): what they saw and their rating."""
    case = locked(case)
    permissions.ensure_can_supervise(actor, case)
    if case.state in (State.DRAFT, State.WITHDRAWN):
        raise ValidationError(_("整改通知单尚未下发"))
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("走访日期不能晚于今天")})
    if len(seen.strip()) < MIN_TEXT:
        raise ValidationError({"seen": _("请写明看到的情况（至少 %(n)d 个字）") % {"n": MIN_TEXT}})
    if rating not in Rating.values:
        raise ValidationError({"rating": _("请选择评价")})
    if point is not None and not point.org_path.startswith(case.issuer_path):
        raise ValidationError({"point": _("该点位不在整改对象所在辖区")})
    report = SupervisionReport.objects.create(case=case, point=point, visited_on=visited_on, seen=seen.strip(),
                                              rating=rating, author=user_of(actor), author_name=actor_name(actor))
    label = Rating(rating).label
    note = _("%(who)s走访督查（%(point)s），评价：%(rating)s。%(seen)s") % {
        "who": actor_name(actor), "point": point.name if point else _("管理员"), "rating": label, "seen": seen.strip()[:80]}
    event(case, "supervision", actor, note)
    case_audit(actor, "supervise", case, {"rating": [None, str(label)]}, seen.strip()[:200])
    if rating == Rating.POOR:
        tell_issuer(case, "rectification_supervision", _("督查评价为“差”：%(org)s") % {
            "org": case.subject.organization.display_name}, seen.strip()[:200])
    return report


RateLimited = ratelimit.RateLimited  # what the public page catches (one kind, from the kernel)


OBSERVATION_LIMITS = ((3, 600), (10, 86400))


@transaction.atomic
def observation_add(*, case: Case, opinion: Any, text: str, ip_hash: str, device_hash: str) -> Observation:
    """A villager's observation from the tracking page of an opinion behind the subject's topic."""
    ratelimit.ensure_within("observe", OBSERVATION_LIMITS, ip_hash=ip_hash, device_hash=device_hash)
    case = locked(case)
    if case.state in (State.DRAFT, State.WITHDRAWN):
        raise ValidationError(_("该问题尚未进入整改"))
    if not voice_selectors.opinions_behind(case.subject).filter(pk=opinion.pk).exists():
        raise ValidationError(_("这条意见与该整改无关"))
    obs = Observation.objects.create(case=case, opinion=opinion, text=clean_text(text, limit=1000),
                                     device_hash=device_hash)
    event(case, "observation", _("群众"), _("群众观察（查询码 %(code)s）：%(text)s") % {
        "code": opinion.tracking_code, "text": obs.text[:80]})
    audit.record(actor=_("群众"), action="rectification.observe", target=case, org_path=case.org_path,
                 note=obs.text[:200])
    return obs

