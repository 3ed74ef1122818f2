"""The engine of every case move, shared by the services and the deadline sweep: who may make a move and from which
state (:mod:`.states`, :mod:`dianti.core.rules`), the case write, its timeline event and audit record in one
transaction, ``Subject.rectification`` kept in step, and the notifications — the secretary, the committee, and every
villager whose opinion is behind the subject's topic — queued on commit."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from dianti.campaigns import services as campaign_services
from dianti.campaigns.models import Subject
from dianti.core import audit, events, notify, paths, rules
from dianti.orgs.models import Organization

from .models import ACTIVE, Case, CaseEvent, State
from .states import MOVES, allowed, context, rule_for, target_of

MIN_TEXT = 4
MAX_PROBLEMS = 20
MAX_MEASURES = 60
COMMIT_DAYS = 7  # the notice asks for the commitment within a week
REMIND_DAYS = 3
ESCALATE_AFTER_DAYS = 7  # a late measure goes to the committee at once, and to the level above a week later


def actor_name(actor: Any) -> str:
    if getattr(actor, "is_authenticated", False):
        return str(actor.get_full_name() or actor.get_username())
    return actor if isinstance(actor, str) else _("系统")


def user_of(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def lines_of(text: str | list[str]) -> list[str]:
    items = text.splitlines() if isinstance(text, str) else text
    return [i.strip() for i in items if i and i.strip()]


def cn_date(d: dt.date) -> str:
    return _("%(y)d年%(m)d月%(d)d日") % {"y": d.year, "m": d.month, "d": d.day}


def notice_prefix(org: Organization) -> str:
    """Return the body's abbreviation in document numbers: 中共通元镇委员会 / 通元镇 → 通元党整."""
    name = (org.short_name or org.name).removeprefix("中共")
    for _round in range(3):
        for suffix in ("委员会", "党工委", "党委", "街道", "镇", "乡", "县委", "区委", "县", "区"):
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                name = name.removesuffix(suffix)
                break
    return f"{name}党整"


def path_above(path: str) -> str:
    return path[: -paths.SEGMENT]


def case_url(case: Case) -> str:
    return reverse("rectification_case", args=[case.pk])


def _message(case: Case, kind: str, title: str, body: str) -> notify.Message:
    # The template parameters an SMS or WeChat template of these kinds may name (settings.NOTIFY_TEMPLATES).
    params = {"number": case.number, "deadline": cn_date(case.deadline) if case.deadline else ""}
    return notify.Message(kind=kind, title=title, body=body, url=case_url(case), params=params,
                          org_path=case.org_path)


def tell_secretary(case: Case, kind: str, title: str, body: str) -> None:
    secretary = case.subject.secretary
    if secretary is not None:
        notify.notify([notify.recipient_for_person(secretary)], _message(case, kind, title, body))


def tell_issuer(case: Case, kind: str, title: str, body: str, *, above: bool = False) -> None:
    recipients = notify.admins_at(path_above(case.issuer_path) if above else case.issuer_path)
    notify.notify(recipients, _message(case, kind, title, body))


def event(case: Case, kind: str, actor: Any, note: str = "", *, from_state: str = "", to_state: str = "",
           public: bool = False) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, actor=user_of(actor), actor_name=actor_name(actor),
                                    note=note, from_state=from_state, to_state=to_state, public=public)


def case_audit(actor: Any, action: str, case: Case, changes: dict[str, Any] | None = None, note: str = "") -> None:
    audit.record(actor=actor, action=f"rectification.{action}", target=case, org_path=case.org_path,
                 changes=changes or {}, note=note)


def sync_subject(actor: Any, subject: Subject) -> None:
    """Set the subject's rectification from its cases: open while any is active, else carried over, else closed."""
    R = Subject.Rectification
    states = set(Case.objects.filter(subject=subject).values_list("state", flat=True))
    value = (R.OPEN if states & set(ACTIVE) else R.CARRIED_OVER if State.CARRIED_OVER in states
             else R.CLOSED if State.CLOSED in states else R.NONE)
    if subject.rectification != value:
        campaign_services.subject_outcome_set(actor=actor, subject=subject, rectification=value)


def move(case: Case, name: str, actor: Any, note: str = "", **fields: Any) -> Case:
    """Make the move ``name``: check who and from where, write state, event, audit; sync the subject; publish
    ``case_moved``."""
    move = MOVES[name]
    rules.ensure(actor, rule_for(case, move), context(case))
    if not allowed(case, move):
        raise ValidationError(_("当前状态为“%(state)s”，不能%(move)s") % {"state": case.get_state_display(),
                                                                       "move": move.label})
    note = note.strip()
    if move.note_required and len(note) < MIN_TEXT:
        raise ValidationError({"note": _("请写明%(move)s的理由（至少 %(n)d 个字）") % {"move": move.label, "n": MIN_TEXT}})
    old = case.state
    new = target_of(case, move)
    case.resume_state = old if new == State.OVERDUE else ""
    case.state = new
    for key, value in fields.items():
        setattr(case, key, value)
    case.save()
    event(case, name, actor, note, from_state=old, to_state=new, public=move.public)
    case_audit(actor, name, case, {"state": [State(old).label, State(new).label],
                               **{k: [None, v] for k, v in fields.items() if k in ("deadline", "number")}}, note)
    sync_subject(actor, case.subject)
    # Other steps hear of every move once it is final (the villagers behind the topic are told of public ones).
    events.publish("case_moved", actor=actor, case_id=case.pk, subject_id=case.subject_id, move=name,
                   public=move.public, label=str(move.label) if name != "overdue" else _("已逾期"), note=note,
                   org_path=case.org_path)
    return case


def locked(case: Case) -> Case:
    """Re-read the case under a row lock, so two people acting at once are serialized."""
    return Case.objects.select_for_update(of=("self",)).select_related(
        "subject", "subject__secretary", "subject__organization", "campaign", "issuer").get(pk=case.pk)


