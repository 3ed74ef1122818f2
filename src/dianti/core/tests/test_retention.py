"""The retention rule: anonymous submitters' device hashes are erased after RETENTION_DAYS, import and export files
after RETENTION_JOB_FILES_DAYS; records stay, counts stay, and nothing younger is touched."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from dianti.core import retention
from dianti.core.models import Job
from dianti.meetings.models import Attendance, Meeting, Question, QuestionVote
from dianti.rectification.models import Observation, State
from dianti.rectification.tests.factories import case_in, rectification_campaign
from dianti.voices import services
from dianti.voices.models import Opinion, Support
from dianti.voices.tests.factories import opinion, submitter

T0 = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def old(tree: Any, users: Any) -> dict[str, Any]:
    """What a campaign leaves behind, all made at T0."""
    with time_machine.travel(T0, tick=False):
        first = opinion(tree.village_a1, "村口的路灯坏了好几个月", who="phone-a")
        second = opinion(tree.village_a1, "垃圾桶太少，希望多放几个", who="phone-a")
        named = opinion(tree.village_a1, "河道需要清理一下", who="phone-b", anonymous=False, name="王阿姨",
                        phone="13912340001")
        services.support_add(device_hash=submitter("phone-c").device_hash, opinion=first)
        campaign = rectification_campaign(tree)
        case = case_in(State.ISSUED, campaign.subjects.get(organization=tree.village_a1))
        seen = Observation.objects.create(case=case, opinion=first, text="路灯已经修好了", device_hash="d" * 64)
        meeting = Meeting.objects.create(campaign=campaign, org_path=campaign.convener.path, title="述职评议会",
                                         starts_at=T0, venue="会议室", public_key="retention-test")
        question = Question.objects.create(meeting=meeting, text="路灯什么时候修？", device_hash="q" * 64)
        QuestionVote.objects.create(question=question, device_hash="v" * 64)
        signed = Attendance.objects.create(meeting=meeting, name="李四", via="qr", device_hash="s" * 64)
        job = Job.objects.create(kind="import.people", title="导入人员", status=Job.Status.DONE, finished_at=T0)
        job.input_file.save("people.xlsx", ContentFile(b"13912340001"), save=True)
    return {"first": first, "second": second, "named": named, "observation": seen, "question": question,
            "attendance": signed, "job": job}


def fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


def test_nothing_is_erased_before_the_period_ends(old: dict[str, Any]) -> None:
    with time_machine.travel(T0 + dt.timedelta(days=29), tick=False):
        assert sum(retention.sweep().values()) == 0
    with time_machine.travel(T0 + dt.timedelta(days=179), tick=False):
        done = retention.sweep()
    assert done["job_files"] == 1 and sum(done.values()) == 1  # files go after 30 days, devices after 180
    assert fresh(old["first"]).author_key.startswith("dev:")
    assert fresh(old["observation"]).device_hash == "d" * 64


def test_device_hashes_are_erased_after_the_period(old: dict[str, Any]) -> None:
    supports_before = fresh(old["first"]).supports
    with time_machine.travel(T0 + dt.timedelta(days=181), tick=False):
        done = retention.sweep()
    assert done["opinion_devices"] == 2 and done["support_devices"] == 1 and done["observation_devices"] == 1
    assert done["hall_devices"] == 3

    first, second, named = fresh(old["first"]), fresh(old["second"]), fresh(old["named"])
    # One device's opinions still count as one person, under a key that no device leads to.
    assert first.author_key == second.author_key and first.author_key.startswith("anon:")
    assert old["first"].author_key[4:] not in first.author_key
    assert named.author_key == old["named"].author_key and named.author_phone == "13912340001"  # not anonymous
    assert first.text == "村口的路灯坏了好几个月" and first.supports == supports_before  # the record stays
    assert [s.device_hash.startswith(retention.ERASED) for s in Support.objects.all()] == [True]
    assert fresh(old["observation"]).device_hash == "" and fresh(old["observation"]).text == "路灯已经修好了"
    assert fresh(old["question"]).device_hash == "" and fresh(old["attendance"]).device_hash == ""
    assert QuestionVote.objects.get().device_hash.startswith(retention.ERASED)
    assert fresh(old["question"]).votes == old["question"].votes

    with time_machine.travel(T0 + dt.timedelta(days=182), tick=False):
        assert sum(retention.sweep().values()) == 0  # idempotent


def test_the_proved_phones_of_supports_are_erased_after_the_period(tree: Any) -> None:
    from dianti.voices.figures import refresh
    from dianti.voices.models import Topic

    with time_machine.travel(T0, tick=False):
        said = opinion(tree.village_a1, "村口的路灯坏了好几个月", who="phone-a")
        topic = Topic.objects.create(organization=tree.village_a1, org_path=tree.village_a1.path, title="修路灯")
        Opinion.objects.filter(pk=said.pk).update(topic=topic)
        services.support_add(device_hash="d1", opinion=said, phone_hash="p" * 64)
        services.support_add(device_hash="d2", topic=topic, phone_hash="p" * 64)  # the same phone, another device
        services.support_add(device_hash="d3", topic=topic, phone_hash="q" * 64)
    with time_machine.travel(T0 + dt.timedelta(days=170), tick=False):
        services.support_add(device_hash="d4", opinion=said, phone_hash="r" * 64)  # young: left alone
        verified = refresh(topic.pk).verified_people
    by_device = dict(Support.objects.values_list("device_hash", "pk"))
    with time_machine.travel(T0 + dt.timedelta(days=181), tick=False):
        done = retention.sweep()
    assert done["support_phones"] == 3
    phones = dict(Support.objects.values_list("pk", "phone_hash"))
    keys = {device: phones[pk] for device, pk in by_device.items()}
    assert all(keys[d].startswith(retention.ERASED) for d in ("d1", "d2", "d3")) and keys["d4"] == "r" * 64
    assert keys["d1"] == keys["d2"] != keys["d3"]  # one phone still one phone, unlinkable to it
    assert not {"p" * 64, "q" * 64} & set(keys.values())
    assert refresh(topic.pk).verified_people == verified == 3  # the figure holds (p, q, r)
    with time_machine.travel(T0 + dt.timedelta(days=182), tick=False):
        assert retention.sweep()["support_phones"] == 0  # idempotent


def test_one_phone_swept_on_two_days_still_counts_as_one_verified_person(tree: Any) -> None:
    from dianti.voices.figures import refresh
    from dianti.voices.models import Topic

    with time_machine.travel(T0, tick=False):
        said = opinion(tree.village_a1, "村口的路灯坏了好几个月", who="phone-a")
        topic = Topic.objects.create(organization=tree.village_a1, org_path=tree.village_a1.path, title="修路灯")
        Opinion.objects.filter(pk=said.pk).update(topic=topic)
        services.support_add(device_hash="d1", topic=topic, phone_hash="p" * 64)
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        services.support_add(device_hash="d2", opinion=said, phone_hash="p" * 64)  # the same phone, days later
        assert refresh(topic.pk).verified_people == 1
    for day in (181, 184):  # the daily sweep reaches the first +1, then the second
        with time_machine.travel(T0 + dt.timedelta(days=day), tick=False):
            retention.sweep()
    assert not Support.objects.filter(phone_hash="p" * 64).exists()
    assert refresh(topic.pk).verified_people == 1


def test_the_phone_codes_sent_go_with_the_period_so_no_time_leads_back_to_a_swept_phone(tree: Any) -> None:
    from dianti.core.models import PhoneCode

    def code(at: dt.datetime, phone: str) -> PhoneCode:
        return PhoneCode.objects.create(phone_hash=phone * 64, code_hash="c" * 64, verified_at=at,
                                        expires_at=at + dt.timedelta(minutes=5))

    with time_machine.travel(T0, tick=False):
        proved = code(T0, "p")  # proved a phone a second before its +1
        said = opinion(tree.village_a1, "村口的路灯坏了好几个月", who="phone-a")
        services.support_add(device_hash="d1", opinion=said, phone_hash="p" * 64)
    with time_machine.travel(T0 + dt.timedelta(days=170), tick=False):
        young = code(T0 + dt.timedelta(days=170), "q")
    with time_machine.travel(T0 + dt.timedelta(days=181), tick=False):
        done = retention.sweep()
    assert done["phone_codes"] == 1
    assert not PhoneCode.objects.filter(pk=proved.pk).exists() and PhoneCode.objects.filter(pk=young.pk).exists()
    assert not PhoneCode.objects.filter(phone_hash="p" * 64).exists()


def test_a_villager_who_wrote_and_supported_with_one_proved_phone_still_counts_once(tree: Any) -> None:
    from dianti.voices.figures import refresh
    from dianti.voices.models import Topic

    with time_machine.travel(T0, tick=False):
        topic = Topic.objects.create(organization=tree.village_a1, org_path=tree.village_a1.path, title="修路灯")
        wrote = opinion(tree.village_a1, "河道需要清理一下", who="phone-b", anonymous=False, name="王阿姨",
                        phone="13912340001")
        other = opinion(tree.village_a1, "村口的路灯坏了好几个月", who="phone-a")
        Opinion.objects.filter(pk__in=[wrote.pk, other.pk]).update(topic=topic)
        Opinion.objects.filter(pk=wrote.pk).update(phone_verified=True)
        services.support_add(device_hash="d1", opinion=other, phone_hash=wrote.author_key)  # the same phone
        services.support_add(device_hash="d2", topic=topic, phone_hash="q" * 64)
        assert refresh(topic.pk).verified_people == 2
    with time_machine.travel(T0 + dt.timedelta(days=181), tick=False):
        retention.sweep()
    assert not Support.objects.filter(phone_hash=wrote.author_key).exists()  # the +1 no longer leads to her
    assert refresh(topic.pk).verified_people == 2 and refresh(topic.pk).supports == 2


def test_an_ended_session_that_proved_a_phone_is_deleted_by_the_sweep(tree: Any) -> None:
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    from dianti.voices import verify

    with time_machine.travel(T0, tick=False):  # the session that proved the phone of a +1, in the same request
        villager = SessionStore()
        villager[verify.SESSION_KEY] = ["p" * 64]
        villager.save()
        said = opinion(tree.village_a1, "村口的路灯坏了好几个月", who="phone-a")
        services.support_add(device_hash="d1", opinion=said, phone_hash="p" * 64)
    with time_machine.travel(T0 + dt.timedelta(days=181), tick=False):
        now = SessionStore()
        now["x"] = 1
        now.save()
        retention.sweep()
    assert not Session.objects.filter(session_key=villager.session_key).exists()
    assert Session.objects.filter(session_key=now.session_key).exists()  # a live one stays


def test_job_files_are_deleted_from_storage_after_thirty_days(old: dict[str, Any]) -> None:
    job = old["job"]
    path = job.input_file.path
    with time_machine.travel(T0 + dt.timedelta(days=31), tick=False):
        retention.sweep()
    job = fresh(job)
    assert not job.input_file and job.status == Job.Status.DONE
    import os

    assert not os.path.exists(path)


def test_younger_data_is_left_alone(tree: Any, old: dict[str, Any]) -> None:
    with time_machine.travel(T0 + dt.timedelta(days=170), tick=False):
        young = opinion(tree.village_a2, "希望村里建一个老年活动室", who="phone-d")
    with time_machine.travel(T0 + dt.timedelta(days=181), tick=False):
        retention.sweep()
    assert fresh(young).author_key.startswith("dev:")


def test_the_period_is_a_setting(old: dict[str, Any], settings: Any) -> None:
    settings.RETENTION_DAYS = 30
    with time_machine.travel(T0 + dt.timedelta(days=31), tick=False):
        assert retention.sweep()["opinion_devices"] == 2


def test_the_command_and_the_daily_reminders_run_the_sweep(old: dict[str, Any], capsys: Any) -> None:
    with time_machine.travel(T0 + dt.timedelta(days=181), tick=False):
        call_command("retention_sweep")
    assert "意见的设备标识：2" in capsys.readouterr().out
    assert Opinion.objects.filter(author_key__startswith="dev:").count() == 0
    with time_machine.travel(timezone.now() + dt.timedelta(days=400), tick=False):
        call_command("remind")
    assert "到期个人信息清理" in capsys.readouterr().out
