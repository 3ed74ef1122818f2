"""A large export is made by a background job the requester watches and downloads; a small one comes at once.
Either way the file holds only what its requester may see, and the download is audited."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dianti.core.models import AuditEvent, Job


def _codes(content: bytes) -> list[str]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]


@pytest.fixture
def small_limit(settings):
    settings.DIANTI_EXPORT_INLINE_ROWS = 3


@pytest.fixture
def export(client, django_capture_on_commit_callbacks):
    """Ask for a file as the page does; a job it starts runs when the request's transaction commits."""

    def ask(url: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.get(url)

    return ask


def test_a_small_roster_downloads_at_once(client, users, tree):
    client.force_login(users.town_admin)
    response = client.get(reverse("org_export"))
    assert response["Content-Disposition"].startswith("attachment")
    assert _codes(response.content) == ["330424105", "330424105201", "330424105202", "33042410520101"]
    assert not Job.objects.exists()


def test_a_large_roster_is_made_by_a_job_and_downloaded_from_its_page(client, users, tree, small_limit, export):
    client.force_login(users.town_admin)
    response = export(reverse("org_export"))
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("job_detail", args=[job.pk])
    assert job.kind == "export.orgs" and job.status == Job.Status.DONE and job.params["rows"] == 4
    page = client.get(response.url)
    assert reverse("job_file", args=[job.pk]) in page.content.decode()
    download = client.get(reverse("job_file", args=[job.pk]))
    # The town admin's scope, not the county's: 澉浦镇 and the county itself are not in the file.
    assert _codes(download.content) == ["330424105", "330424105201", "330424105202", "33042410520101"]
    assert AuditEvent.objects.filter(action="export.download", actor=users.town_admin,
                                     target_repr="组织列表.xlsx").exists()


def test_the_jobs_search_is_the_pages_search(client, users, tree, small_limit, export):
    client.force_login(users.county_admin)
    export(reverse("org_export") + "?q=3304241")
    job = Job.objects.get()
    assert _codes(client.get(reverse("job_file", args=[job.pk])).content) == [
        "330424105", "330424104", "330424105201", "330424105202", "330424104201", "33042410520101"]


def test_nobody_else_downloads_a_jobs_file(client, users, tree, small_limit):
    client.force_login(users.county_admin)
    client.get(reverse("org_export"))
    job = Job.objects.get()
    client.force_login(users.other_town_admin)
    assert client.get(reverse("job_file", args=[job.pk])).status_code == 404


def test_a_job_without_a_file_has_nothing_to_download(client, users, tree):
    job = Job.objects.create(kind="import.orgs", title="导入", status=Job.Status.DONE, created_by=users.town_admin)
    client.force_login(users.town_admin)
    assert client.get(reverse("job_file", args=[job.pk])).status_code == 404


def test_a_large_audit_log_export_keeps_the_filters_and_every_row(client, users, tree, small_limit, export):
    client.force_login(users.county_admin)
    expected = AuditEvent.objects.filter(action="org.create").count()
    assert expected > 3
    response = export(reverse("audit_log") + "?action=org.create&format=xlsx")
    job = Job.objects.get(kind="export.audit")
    assert response.url == reverse("job_detail", args=[job.pk])
    sheet = load_workbook(io.BytesIO(client.get(reverse("job_file", args=[job.pk])).content)).active
    actions = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert actions == ["org.create"] * expected  # no cap, and only the filtered action
