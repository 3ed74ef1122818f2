"""What 述职会 erases when its retention period has passed (``retention`` in its component; the rule and its
reasons are in :mod:`dianti.core.retention`): the device hashes of questions, their +1s and sign-ins."""

from __future__ import annotations

from datetime import datetime

from dianti.core.retention import ERASED, placeholder_per_row

from .models import Attendance, Question, QuestionVote


def hall_devices(cutoff: datetime) -> int:
    n = Question.objects.filter(created_at__lt=cutoff).exclude(device_hash="").update(device_hash="")
    n += (QuestionVote.objects.filter(question__created_at__lt=cutoff).exclude(device_hash__startswith=ERASED)
          .update(device_hash=placeholder_per_row()))
    n += Attendance.objects.filter(created_at__lt=cutoff).exclude(device_hash="").update(device_hash="")
    return n
