"""Background jobs: queued on commit, progress recorded, result or failure stored for the result page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from dianti.core import components, jobs
from dianti.core.models import Job


def _count(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    total = job.params["n"]
    for done in range(0, total + 1, 10):
        progress(done, total)
    return {"message": f"数到 {total}", "counted": total}


def _refuse(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    raise jobs.JobFailed("文件有问题", {"errors": [{"row": 2}]})


def _crash(job: Job, progress: jobs.Progress) -> dict[str, Any]:
    raise RuntimeError("除零")


@pytest.fixture(autouse=True)
def _test_kinds(monkeypatch: Any) -> None:
    """A throwaway step declaring three job kinds, as a component does (core/components.py)."""
    monkeypatch.setitem(components._REGISTRY, "test_jobs", components.Component(
        label="test_jobs", name="test", order=999,
        jobs={"test.count": _count, "test.refuse": _refuse, "test.crash": _crash}))


def submit(capture: Any, kind: str, **kwargs: Any) -> Job:
    with capture(execute=True):
        job = jobs.submit(kind=kind, title="测试任务", actor=None, **kwargs)
    job.refresh_from_db()
    return job


def test_job_runs_after_commit_and_stores_its_result(db: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = jobs.submit(kind="test.count", title="测试任务", actor=None, params={"n": 50})
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED  # nothing runs before the commit
    for callback in callbacks:
        callback()
    job.refresh_from_db()
    assert (job.status, job.message, job.result) == (Job.Status.DONE, "数到 50", {"counted": 50})
    assert (job.progress, job.total, job.percent, job.finished) == (50, 50, 100, True)
    assert job.finished_at is not None


def test_job_failed_keeps_the_message_and_details_for_the_user(db: Any, django_capture_on_commit_callbacks: Any) -> None:
    job = submit(django_capture_on_commit_callbacks, "test.refuse")
    assert (job.status, job.message, job.result) == (Job.Status.FAILED, "文件有问题", {"errors": [{"row": 2}]})


def test_a_crashing_handler_ends_the_job_as_failed_not_running(db: Any,
                                                               django_capture_on_commit_callbacks: Any) -> None:
    job = submit(django_capture_on_commit_callbacks, "test.crash")
    assert (job.status, job.message) == (Job.Status.FAILED, "任务出错：除零")
    assert job.finished


def test_unknown_kind_is_refused(db: Any) -> None:
    with pytest.raises(ValueError, match="unknown job kind"):
        jobs.submit(kind="test.nothing", title="?", actor=None)


def test_input_file_is_kept_with_the_job(db: Any, django_capture_on_commit_callbacks: Any) -> None:
    job = submit(django_capture_on_commit_callbacks, "test.count", params={"n": 0},
                 input_file=ContentFile(b"abc", name="in.csv"))
    with job.input_file.open("rb") as f:
        assert f.read() == b"abc"


def test_percent_of_a_running_job(db: Any) -> None:
    assert Job(status=Job.Status.RUNNING, progress=25, total=200).percent == 12
    assert Job(status=Job.Status.QUEUED).percent == 0


def test_job_page_is_for_its_creator_and_refreshes_until_finished(client: Any, users: Any) -> None:
    job = Job.objects.create(kind="test.count", title="导入人员", created_by=users.town_admin,
                             status=Job.Status.RUNNING, progress=3, total=10)
    client.force_login(users.town_admin)
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "3 / 10" in page and "hx-trigger" in page
    partial = client.get(reverse("job_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "3 / 10" in partial
    client.force_login(users.county_admin)
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 404
    client.force_login(users.superuser)
    assert client.get(reverse("job_detail", args=[job.pk])).status_code == 200
