"""Retention: what identifies anonymous people, and spreadsheets full of names and phones, do not stay forever.

PIPL art. 19 keeps personal information no longer than its purpose needs. The purposes here are short: a device
hash stops one phone from flooding the opinion form or +1-ing twice while a campaign collects opinions, and lets
the hall's question and sign-in pages recognise a returning phone during a meeting. Once ``RETENTION_DAYS``
(``DIANTI_RETENTION_DAYS``, default 180) have passed, :func:`sweep` erases them:

* an anonymous opinion's device key (``author_key`` ``dev:…``) becomes a key of the sweep's own, unlinkable to the
  device, that still groups that device's swept opinions together (so topics count people, not opinions);
* a +1's device hash (opinions and topics; meeting questions) becomes a per-row placeholder, keeping the count;
* a villager's observation, a meeting question's and a sign-in's device hash are emptied.

Spreadsheets uploaded for import and files exported for download (names, whole phone numbers) are deleted from
storage ``RETENTION_JOB_FILES_DAYS`` (``DIANTI_RETENTION_JOB_FILES_DAYS``, default 30) after their job ended; the
job's row and result stay.

What is a record stays: opinions' text and photos, evidence photos, reports, minutes, ballots, the audit log.
There are no meeting photos to erase (meetings store only the secretary's report document).

Runs daily from Celery beat (``dianti.retention_sweep``) and from ``dianti remind`` (for cron setups), or alone as
``dianti retention_sweep``.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

log = logging.getLogger(__name__)

ERASED = "gone:"


def retention_days() -> int:
    return int(getattr(settings, "RETENTION_DAYS", 180))


def job_files_days() -> int:
    return int(getattr(settings, "RETENTION_JOB_FILES_DAYS", 30))


def _placeholder_per_row() -> Concat:
    # Unique per row (the unique constraints on (target, device_hash) must hold), and says what happened.
    return Concat(Value(ERASED), Cast("pk", CharField()))


def _opinions(cutoff: datetime) -> int:
    opinion = apps.get_model("voices", "Opinion")
    old = opinion.objects.filter(created_at__lt=cutoff, author_key__startswith="dev:")
    salt = secrets.token_bytes(16)  # forgotten after this sweep: the new keys cannot be traced to a device
    n = 0
    for key in old.order_by().values_list("author_key", flat=True).distinct().iterator():
        anon = "anon:" + hashlib.sha256(salt + key.encode()).hexdigest()[:56]
        n += old.filter(author_key=key).update(author_key=anon)
    return n


def _supports(cutoff: datetime) -> int:
    support = apps.get_model("voices", "Support")
    return (support.objects.filter(created_at__lt=cutoff).exclude(device_hash__startswith=ERASED)
            .update(device_hash=_placeholder_per_row()))


def _observations(cutoff: datetime) -> int:
    observation = apps.get_model("rectification", "Observation")
    return observation.objects.filter(created_at__lt=cutoff).exclude(device_hash="").update(device_hash="")


def _hall(cutoff: datetime) -> int:
    question = apps.get_model("meetings", "Question")
    vote = apps.get_model("meetings", "QuestionVote")
    attendance = apps.get_model("meetings", "Attendance")
    n = question.objects.filter(created_at__lt=cutoff).exclude(device_hash="").update(device_hash="")
    n += (vote.objects.filter(question__created_at__lt=cutoff).exclude(device_hash__startswith=ERASED)
          .update(device_hash=_placeholder_per_row()))
    n += attendance.objects.filter(created_at__lt=cutoff).exclude(device_hash="").update(device_hash="")
    return n


def _job_files(cutoff: datetime) -> int:
    job = apps.get_model("core", "Job")
    n = 0
    old = job.objects.filter(finished_at__lt=cutoff).exclude(input_file="", output_file="")
    for j in old.iterator():
        for name in ("input_file", "output_file"):
            f = getattr(j, name)
            if f:
                f.delete(save=False)  # the storage's file, then the field
                n += 1
        j.save(update_fields=["input_file", "output_file"])
    return n


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Erase what the retention rule says is due; return how many rows or files each part touched."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    with transaction.atomic():
        done = {
            "opinion_devices": _opinions(cutoff),
            "support_devices": _supports(cutoff),
            "observation_devices": _observations(cutoff),
            "hall_devices": _hall(cutoff),
        }
    done["job_files"] = _job_files(now - timedelta(days=job_files_days()))
    log.info("retention sweep: %s", done)
    return done
