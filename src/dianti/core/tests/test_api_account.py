"""One's own things through the API: notifications, background jobs (an import started by a script, followed to its
end), and for admins the audit log of their tree."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from dianti.core.models import Notification
from dianti.testing.api import ApiClient


def test_notifications_are_ones_own_and_marked_read(client: Any, users: Any) -> None:
    mine = [Notification.objects.create(recipient=users.secretary, kind="chosen", title=f"通知{i}") for i in range(3)]
    Notification.objects.create(recipient=users.town_admin, kind="chosen", title="别人的")
    api = ApiClient(client, users.secretary)
    status, page = api("get", "/api/v1/notifications")
    assert status == 200 and [n["title"] for n in page["items"]] == ["通知2", "通知1", "通知0"]
    assert api("post", "/api/v1/notifications/read", {"ids": [mine[0].pk]}) == (200, {"count": 1})
    assert api("get", "/api/v1/notifications", unread=True)[1]["count"] == 2
    assert api("get", "/api/v1/me")[1]["unread_notifications"] == 2
    assert api("post", "/api/v1/notifications/read", {}) == (200, {"count": 2})


def test_an_import_is_started_and_followed_as_a_job(client: Any, users: Any, tree: Any,
                                                    django_capture_on_commit_callbacks: Any) -> None:
    api = ApiClient(client, users.town_admin)
    rows = "组织编码,组织名称,简称,上级组织编码,组织类别,层级,领域\n330424105203,中共新村委员会,新村,330424105,党委,基层党组织,农村\n"
    with django_capture_on_commit_callbacks(execute=True):
        status, job = api.upload("/api/v1/orgs/import/orgs", {"file": SimpleUploadedFile("orgs.csv", rows.encode())})
    assert status == 200 and job["kind"] == "import.orgs"
    status, done = api("get", f"/api/v1/jobs/{job['id']}")
    assert status == 200 and done["status"] == "done", done
    assert api("get", "/api/v1/orgs/330424105203")[1]["name"] == "中共新村委员会"
    assert [j["id"] for j in api("get", "/api/v1/jobs")[1]["items"]] == [job["id"]]
    assert ApiClient(client, users.county_admin)("get", f"/api/v1/jobs/{job['id']}")[0] == 404  # its starter's only


def test_an_upload_that_cannot_start_says_why(client: Any, users: Any, tree: Any) -> None:
    api = ApiClient(client, users.town_admin)
    status, body = api.upload("/api/v1/orgs/import/orgs", {"file": SimpleUploadedFile("orgs.txt", b"x")})
    assert (status, body["detail"]) == (422, "只支持 .xlsx 或 .csv 文件")


def test_the_audit_log_is_the_admins_own_tree(client: Any, users: Any, tree: Any) -> None:
    from dianti.campaigns.tests.factories import town_campaign

    town_campaign(tree, actor=users.town_admin)
    town = ApiClient(client, users.town_admin)
    status, page = town("get", "/api/v1/audit", action="campaign.create")
    assert status == 200 and [(e["actor"], e["target"]) for e in page["items"]] == [
        ("通元镇管理员", "通元镇2020年度村党组织书记点题述职")]
    assert ApiClient(client, users.other_town_admin)("get", "/api/v1/audit", action="campaign.create")[1]["count"] == 0
    assert ApiClient(client, users.secretary)("get", "/api/v1/audit")[0] == 403
