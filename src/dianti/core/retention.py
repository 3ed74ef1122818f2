"""Retention: what identifies anonymous people, and spreadsheets full of names and phones, do not stay forever.

PIPL art. 19 keeps personal information no longer than its purpose needs. The purposes here are short: a device
hash stops one phone from flooding the opinion form or +1-ing twice while a campaign collects opinions, and lets
the hall's question and sign-in pages recognise a returning phone during a meeting. Once ``RETENTION_DAYS``
(``DIANTI_RETENTION_DAYS``, default 180) have passed, :func:`sweep` erases them:

* an anonymous opinion's device key (``author_key`` ``dev:…``) becomes a key of the sweep's own, unlinkable to the
  device, that still groups that device's swept opinions together (so topics count people, not opinions);
* a +1's device hash (opinions and topics; meeting questions) becomes a per-row placeholder, keeping the count;
* a +1's proved phone key (where the county asks for SMS codes) becomes a key of the sweep's own, as an anonymous
  author's device key does; the SMS codes sent to prove phones are deleted (their phone key and time would lead
  back to the +1 made a moment later), and so are ended sessions (a villager's holds the keys of the phones it
  proved, its expiry the time of their +1s);
* a villager's observation, a meeting question's and a sign-in's device hash are emptied.

An outbound message (SMS, WeChat …) keeps its address, body and template values only while it may still be sent or
questioned: once it ended more than ``RETENTION_DAYS`` ago they are emptied, and so is a villager's name on it; the
row, its status and the provider's answer stay.

Spreadsheets uploaded for import and files exported for download (names, whole phone numbers) are deleted from
storage ``RETENTION_JOB_FILES_DAYS`` (``DIANTI_RETENTION_JOB_FILES_DAYS``, default 30) after their job ended; the
job's row and result stay.

What is a record stays: opinions' text and photos, evidence photos, reports, minutes, ballots, the audit log.
Paper ballots' scanned images are kept with the meeting's records for the same period after the meeting closed,
then deleted (what was read and entered from them stays).

Each step of the cycle declares what it erases (``retention`` in its component: a function of the cutoff
returning how many rows it touched); the kernel erases job files. Runs once a day with the other daily sweeps
(:mod:`dianti.core.daily`: Celery beat, or the web server on a single machine), and alone as
``dianti retention_sweep``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

log = logging.getLogger(__name__)

ERASED = "gone:"


def retention_days() -> int:
    return int(getattr(settings, "RETENTION_DAYS", 180))


def job_files_days() -> int:
    return int(getattr(settings, "RETENTION_JOB_FILES_DAYS", 30))


def placeholder_per_row() -> Concat:
    # Unique per row (the unique constraints on (target, device_hash) must hold), and says what happened.
    return Concat(Value(ERASED), Cast("pk", CharField()))


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


def _outbound(cutoff: datetime) -> int:
    message = apps.get_model("core", "OutboundMessage")
    # Ended: delivered or failed; or sent, with no receipt to come.
    ended = message.objects.filter(Q(finished_at__lt=cutoff) | Q(status="sent", sent_at__lt=cutoff)).exclude(
        to_address="", body="", params={})
    n = ended.filter(person_id__isnull=True).update(to_address="", body="", params={}, to_name="")
    return n + ended.update(to_address="", body="", params={})


def _phone_codes(cutoff: datetime) -> int:
    code = apps.get_model("core", "PhoneCode")
    return code.objects.filter(created_at__lt=cutoff).delete()[0]


def _sessions(now: datetime) -> int:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if hasattr(store, "get_model_class"):  # sessions in the database (the default): count what goes
        return int(store.get_model_class().objects.filter(expire_date__lt=now).delete()[0])
    store.clear_expired()  # the cache and signed-cookie stores expire on their own
    return 0


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Erase what the retention rule says is due; return how many rows or files each part touched."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=retention_days())
    from . import components

    with transaction.atomic():  # each step erases what it keeps (``retention`` in its component)
        done = {key: int(erase(cutoff)) for c in components.components() for key, erase in c.retention.items()}
        done["phone_codes"] = _phone_codes(cutoff)
    done["job_files"] = _job_files(now - timedelta(days=job_files_days()))
    done["outbound"] = _outbound(cutoff)
    done["sessions"] = _sessions(now)
    log.info("retention sweep: %s", done)
    return done
