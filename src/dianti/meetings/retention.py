"""What 述职会 erases when its retention period has passed (``retention`` in its component; the rule and its
reasons are in :mod:`dianti.core.retention`): the device hashes of questions, their +1s and sign-ins, and the
images of paper ballots (kept until then with the meeting's records, so any count can be checked against the
paper; what was read and entered from them stays)."""

from __future__ import annotations

from datetime import datetime

from dianti.core.retention import ERASED, placeholder_per_row

from .models import Attendance, Meeting, PaperScan, Question, QuestionVote


def hall_devices(cutoff: datetime) -> int:
    n = Question.objects.filter(created_at__lt=cutoff).exclude(device_hash="").update(device_hash="")
    n += (QuestionVote.objects.filter(question__created_at__lt=cutoff).exclude(device_hash__startswith=ERASED)
          .update(device_hash=placeholder_per_row()))
    n += Attendance.objects.filter(created_at__lt=cutoff).exclude(device_hash="").update(device_hash="")
    return n


def paper_images(cutoff: datetime) -> int:
    """Delete the kept images of paper ballots of meetings closed before ``cutoff`` (rehearsals' too); an open
    meeting's images stay whatever their age."""
    closed = Meeting.with_rehearsals.filter(closed_at__lt=cutoff).values("pk")
    n = 0
    for scan in PaperScan.objects.filter(meeting__in=closed).exclude(image="").iterator():
        scan.image.delete(save=False)
        PaperScan.objects.filter(pk=scan.pk).update(image="")
        n += 1
    return n
