"""Sign-in controls: password rules, lockout per account and per address, session timeouts, and their audit."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from dianti.core.models import AuditEvent

LOCKED = "登录失败次数过多，请 15 分钟后再试。"


def sign_in(client: Any, username: str, password: str, address: str = "10.0.0.1", **extra: Any) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


class TestPasswordRules:
    @pytest.mark.parametrize("password", [
        "dianti2026",     # the demo's published password
        "DIANTI2026",     # … in any case
        "Ab1!xyz",        # shorter than 10
        "abcdefghij12",   # two classes only
        "83920174652",    # digits only
        "county_admin9X", # too like the user name
    ])
    def test_weak_passwords_are_refused(self, users: Any, password: str) -> None:
        with pytest.raises(ValidationError):
            validate_password(password, users.county_admin)

    @pytest.mark.parametrize("password", ["Haiyan-Dangjian7", "通元镇点题2026ab", "x9!Kq2#mLp"])
    def test_long_passwords_of_three_classes_pass(self, users: Any, password: str) -> None:
        validate_password(password, users.county_admin)

    def test_the_demo_password_is_named_as_such(self, db: Any) -> None:
        with pytest.raises(ValidationError, match="演示环境公开的密码"):
            validate_password("dianti2026")

    def test_changing_ones_password_applies_the_rules_and_is_audited(self, client: Any, users: Any) -> None:
        client.force_login(users.secretary)
        url = reverse("password_change")
        weak = client.post(url, {"old_password": "pw-secretary", "new_password1": "dianti2026",
                                 "new_password2": "dianti2026"})
        assert weak.status_code == 200 and "演示环境公开的密码" in weak.content.decode()
        ok = client.post(url, {"old_password": "pw-secretary", "new_password1": "Xueshuigang-2027",
                               "new_password2": "Xueshuigang-2027"})
        assert ok.status_code == 302
        users.secretary.refresh_from_db()
        assert users.secretary.check_password("Xueshuigang-2027")
        assert AuditEvent.objects.filter(action="password.change", actor=users.secretary).exists()


class TestLockout:
    def test_five_failures_lock_the_account_with_a_chinese_message(self, client: Any, users: Any) -> None:
        for _ in range(4):
            assert sign_in(client, "county_admin", "wrong").status_code == 200
        fifth = sign_in(client, "county_admin", "wrong")
        assert fifth.status_code == 429 and LOCKED in fifth.content.decode()
        # Even the right password is refused now, from anywhere.
        right = sign_in(client, "county_admin", "pw-county_admin", address="10.9.9.9")
        assert right.status_code == 429 and LOCKED in right.content.decode()
        assert "_auth_user_id" not in client.session
        assert AuditEvent.objects.filter(action="login.locked", target_id=str(users.county_admin.pk)).exists()

    def test_the_lock_lifts_after_the_cool_off(self, client: Any, users: Any) -> None:
        for _ in range(5):
            sign_in(client, "town_admin", "wrong")
        with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)):
            assert sign_in(client, "town_admin", "pw-town_admin").status_code == 302

    def test_failures_from_one_address_over_many_names_lock_that_address(self, client: Any, users: Any) -> None:
        for i in range(20):
            sign_in(client, f"guess{i}", "wrong", address="10.0.0.66")
        assert sign_in(client, "town_admin", "pw-town_admin", address="10.0.0.66").status_code == 429
        assert sign_in(client, "town_admin", "pw-town_admin", address="10.0.0.7").status_code == 302

    def test_a_shared_office_address_survives_a_few_typos_by_different_people(self, client: Any,
                                                                              users: Any) -> None:
        for name in ("town_admin", "secretary", "evaluator", "point_staff") * 4:  # 16 typos, four each
            sign_in(client, name, "typo", address="10.0.0.8")
        assert sign_in(client, "town_admin", "pw-town_admin", address="10.0.0.8").status_code == 302

    def test_a_forged_forwarded_header_does_not_reset_the_count(self, client: Any, users: Any) -> None:
        for i in range(20):
            sign_in(client, f"guess{i}", "wrong", address="10.0.0.66", HTTP_X_FORWARDED_FOR=f"1.2.3.{i}")
        refused = sign_in(client, "secretary", "pw-secretary", address="10.0.0.66", HTTP_X_FORWARDED_FOR="8.8.8.8")
        assert refused.status_code == 429

    def test_a_success_clears_the_failures(self, client: Any, users: Any) -> None:
        for _ in range(4):
            sign_in(client, "secretary", "wrong")
        assert sign_in(client, "secretary", "pw-secretary").status_code == 302
        client.logout()
        for _ in range(4):
            sign_in(client, "secretary", "wrong")
        assert sign_in(client, "secretary", "pw-secretary").status_code == 302


class TestSignInAudit:
    def test_success_and_sign_out_are_recorded_with_the_address(self, client: Any, users: Any) -> None:
        assert sign_in(client, "town_admin", "pw-town_admin", address="10.1.2.3").status_code == 302
        event = AuditEvent.objects.filter(action="login").latest("id")
        assert (event.actor, event.target_id, event.note) == (users.town_admin, str(users.town_admin.pk),
                                                             "地址 10.1.2.3")
        assert event.org_path == users.town_admin.role_grants.get().organization.path
        client.post(reverse("logout"), REMOTE_ADDR="10.1.2.3")
        assert AuditEvent.objects.filter(action="logout", actor=users.town_admin).exists()

    def test_a_failure_keeps_the_name_and_address_never_the_password(self, client: Any, users: Any) -> None:
        sign_in(client, "town_admin", "S3cret-typed-wrong", address="10.1.2.4")
        event = AuditEvent.objects.get(action="login.failed")
        assert (event.target_id, event.note, event.actor) == (str(users.town_admin.pk), "地址 10.1.2.4", None)
        assert not any("S3cret-typed-wrong" in str(v) for v in AuditEvent.objects.values_list())

    def test_an_unknown_name_is_kept_only_as_a_digest(self, client: Any, db: Any) -> None:
        sign_in(client, "MyPassw0rd!", "whatever", address="10.1.2.5")
        event = AuditEvent.objects.get(action="login.failed")
        assert event.target_repr.startswith("不存在的账号（摘要 ")
        assert not any("MyPassw0rd!" in str(v) for v in AuditEvent.objects.values_list())


class TestSessionTimeouts:
    def test_an_idle_session_is_signed_out_after_thirty_minutes(self, client: Any, users: Any) -> None:
        start = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
        with time_machine.travel(start, tick=False) as clock:
            client.force_login(users.town_admin)
            assert client.get(reverse("home")).status_code == 200
            clock.shift(dt.timedelta(minutes=29))
            assert client.get(reverse("home")).status_code == 200
            clock.shift(dt.timedelta(minutes=31))
            response = client.get(reverse("home"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        assert "_auth_user_id" not in client.session
        event = AuditEvent.objects.filter(action="logout").latest("id")
        assert "分钟未操作" in event.note

    def test_a_busy_session_still_ends_after_twelve_hours(self, client: Any, users: Any) -> None:
        start = dt.datetime(2026, 11, 2, 8, tzinfo=dt.UTC)
        with time_machine.travel(start, tick=False) as clock:
            client.force_login(users.town_admin)
            for _ in range(12 * 3):  # a page every 20 minutes, all day
                assert client.get(reverse("home")).status_code == 200
                clock.shift(dt.timedelta(minutes=20))
            clock.shift(dt.timedelta(minutes=5))
            response = client.get(reverse("home"))
        assert response.status_code == 302
        assert "超过 12 小时" in AuditEvent.objects.filter(action="logout").latest("id").note

    def test_timeouts_follow_the_settings(self, client: Any, users: Any, settings: Any) -> None:
        settings.DIANTI_SESSION_IDLE_MINUTES = 5
        start = dt.datetime(2026, 11, 2, 9, tzinfo=dt.UTC)
        with time_machine.travel(start, tick=False) as clock:
            client.force_login(users.town_admin)
            clock.shift(dt.timedelta(minutes=6))
            assert client.get(reverse("home")).status_code == 302


class TestDownloadAudit:
    def test_an_export_download_is_recorded(self, client: Any, users: Any) -> None:
        client.force_login(users.county_admin)
        response = client.get(reverse("audit_log"), {"format": "xlsx", "action": "org.create"},
                              REMOTE_ADDR="10.3.3.3")
        assert response.status_code == 200
        event = AuditEvent.objects.filter(action="export.download").latest("id")
        assert (event.actor, event.target_type, event.target_repr) == (users.county_admin, "download",
                                                                        "审计日志.xlsx")
        assert event.note == "/audit/?format=xlsx&action=org.create；地址 10.3.3.3"

    def test_pages_are_not_downloads(self, client: Any, users: Any) -> None:
        client.force_login(users.county_admin)
        client.get(reverse("audit_log"))
        assert not AuditEvent.objects.filter(action="export.download").exists()


class TestPrivilegeAudit:
    def test_making_someone_superuser_in_the_admin_is_recorded_with_who_did_it(self, client: Any,
                                                                               users: Any) -> None:
        client.force_login(users.superuser)
        user = users.town_admin
        url = reverse("admin:auth_user_change", args=[user.pk])
        form = {"username": user.username, "first_name": user.first_name, "last_name": "", "email": "",
                "is_active": "on", "is_staff": "on", "is_superuser": "on",
                "last_login_0": "", "last_login_1": "", "date_joined_0": "2026-11-01", "date_joined_1": "09:00:00"}
        response = client.post(url, form)
        assert response.status_code == 302, response.content.decode()[:2000]
        event = AuditEvent.objects.filter(action="user.privilege").latest("id")
        assert (event.actor, event.target_id) == (users.superuser, str(user.pk))
        assert event.changes == {"is_superuser": [False, True]}

    def test_deactivating_an_account_is_recorded(self, users: Any) -> None:
        users.secretary.is_active = False
        users.secretary.save()
        event = AuditEvent.objects.filter(action="user.privilege").latest("id")
        assert event.changes == {"is_active": [True, False]} and event.actor is None

    def test_signing_in_writes_no_privilege_record(self, client: Any, users: Any) -> None:
        sign_in(client, "secretary", "pw-secretary")
        assert not AuditEvent.objects.filter(action="user.privilege").exists()

    def test_adding_a_group_is_recorded(self, users: Any) -> None:
        from django.contrib.auth.models import Group

        group = Group.objects.create(name="数据管理员")
        users.secretary.groups.add(group)
        event = AuditEvent.objects.filter(action="user.privilege").latest("id")
        assert event.changes == {"groups": [None, ["数据管理员"]]}


def test_check_deploy_warns_when_the_second_factor_is_off(tmp_path: Any) -> None:
    from .test_settings import PRODUCTION, dianti

    result = dianti(["check", "--deploy", "--fail-level", "WARNING"], tmp_path,
                    **(PRODUCTION | {"DIANTI_REQUIRE_2FA": "0"}))
    assert result.returncode != 0
    assert "dianti.W201" in result.stderr + result.stdout
