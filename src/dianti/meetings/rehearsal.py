"""Rehearsal (模拟测评): before the meeting, staff run the whole meeting day on a copy of it — slips and phones,
paper ballots and their scans, the projector, closing and the results — then wipe the copy in one click.

The copy is a :class:`~.models.Meeting` of its own (``rehearsal_of`` the real one) with its own agenda, panel,
codes, ballots, paper entries and scans, so nothing of it can mix with the real meeting: a code is bound to its
meeting (a real code is refused in the rehearsal and a rehearsal code in the real meeting), a paper ballot's QR
code names its meeting, and every real count reads ``Meeting.objects``, which never returns a rehearsal. Closing a
rehearsal changes no subject and computes no score of record. Who may start and wipe one is in ``core/rules.py``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dianti.core import audit, rules
from dianti.core.models import Job

from . import scans
from .models import AgendaItem, Ballot, Meeting, PanelGroup, PaperScan

TITLE = "【模拟测评】"
# A reading job of the rehearsal's sheets younger than this, still queued or running, holds off the wipe: it would
# store images for a meeting that is gone. An older one is taken for dead (a lost worker) and wiped with the rest.
READING_HOLDS_WIPE = dt.timedelta(minutes=30)


def rules_context(meeting: Meeting) -> rules.Context:
    return rules.Context(body_path=meeting.campaign.convener.path)


def rehearsal_of(meeting: Meeting) -> Meeting | None:
    """Return the meeting's rehearsal under way, if any (a rehearsal's related manager would never see it)."""
    return Meeting.with_rehearsals.filter(rehearsal_of=meeting).first()


@transaction.atomic
def rehearsal_start(*, actor: Any, meeting: Meeting) -> Meeting:
    """Copy ``meeting`` (agenda, panel, grades) into a rehearsal, scheduled now; return it."""
    rules.ensure(actor, "meeting.rehearsal_start", rules_context(meeting))
    if meeting.is_rehearsal:
        raise ValidationError(_("模拟测评本身不能再模拟"))
    if meeting.status == Meeting.Status.CLOSED:
        raise ValidationError(_("会议已经结束，不能再进行模拟测评"))
    if rehearsal_of(meeting) is not None:
        raise ValidationError(_("已有一场模拟测评，请先清除后再开始新的"))
    copy = Meeting.with_rehearsals.create(
        campaign=meeting.campaign, org_path=meeting.org_path, title=f"{TITLE}{meeting.title}"[:200],
        starts_at=timezone.now(), venue=meeting.venue, host=meeting.host, grades=meeting.grades, items=meeting.items,
        allow_revise=meeting.allow_revise, public_key=secrets.token_urlsafe(9), rehearsal_of=meeting)
    AgendaItem.objects.bulk_create([AgendaItem(meeting=copy, subject_id=i.subject_id, order=i.order, starts=i.starts,
                                               minutes=i.minutes) for i in meeting.agenda.all()])
    PanelGroup.objects.bulk_create([PanelGroup(meeting=copy, name=g.name, weight=g.weight, size=g.size, order=g.order)
                                    for g in meeting.groups.all()])
    audit.record(actor=actor, action="meeting.rehearsal_start", target=meeting, org_path=meeting.org_path,
                 note=_("开始模拟测评"))
    return copy


@transaction.atomic
def rehearsal_wipe(*, actor: Any, meeting: Meeting) -> int:
    """Delete ``meeting``'s rehearsal and all it holds (codes, ballots, paper entries, scans and their images);
    return how many ballots went with it."""
    rules.ensure(actor, "meeting.rehearsal_wipe", rules_context(meeting))
    copy = rehearsal_of(meeting)
    if copy is None:
        raise ValidationError(_("没有需要清除的模拟测评"))
    if Job.objects.filter(kind=scans.JOB_KIND, params__meeting_id=copy.pk, status__in=[
            Job.Status.QUEUED, Job.Status.RUNNING], created_at__gte=timezone.now() - READING_HOLDS_WIPE).exists():
        raise ValidationError(_("模拟测评的纸质选票正在识别，识别完成后再清除"))
    for scan in PaperScan.objects.filter(meeting=copy).exclude(image=""):
        scan.image.delete(save=False)
    # The rehearsal's reading jobs go too: their uploads (if any are left) and results name its sheets.
    for job in Job.objects.filter(kind=scans.JOB_KIND, params__meeting_id=copy.pk):
        for name in ("input_file", "output_file"):
            if getattr(job, name):
                getattr(job, name).delete(save=False)
        job.delete()
    # Ballots first: a ballot protects its panel group from deletion (real results must not lose their groups).
    ballots, _by_model = Ballot.objects.filter(meeting=copy).delete()
    copy.delete()
    audit.record(actor=actor, action="meeting.rehearsal_wipe", target=meeting, org_path=meeting.org_path,
                 note=_("清除模拟测评（%(n)d 张测评票）") % {"n": ballots})
    return ballots
