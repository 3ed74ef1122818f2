"""Records kept on a phone with no signal and sent later: one opinion per key and sender, whatever the number of
copies, with a Chinese reason for a record to correct and the app shell (service worker, manifest) served."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.utils import IntegrityError
from django.urls import reverse

from dianti.core import scope
from dianti.core.models import AuditEvent
from dianti.orgs import services as org_services
from dianti.orgs.models import Role, RoleGrant
from dianti.voices import offline
from dianti.voices.models import Channel, Opinion

VISIT = {"organization": "雪水港村", "channel": "visit", "people_met": "12", "text": "走访中群众反映三组路灯坏了"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def _record_once(user, org, key, text="走访中群众反映三组路灯坏了"):
    return offline.opinion_record_once(actor=user, client_key=key, organization=org, channel=Channel.VISIT,
                                       text=text, people_met=12)


def test_the_same_key_twice_is_one_opinion_and_returns_the_first(tree, users):
    key = uuid.uuid4()
    first, created = _record_once(users.town_admin, tree.village_a1, key)
    again, created_again = _record_once(users.town_admin, tree.village_a1, key, text="第二份副本的内容不一样了")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk and again.text == "走访中群众反映三组路灯坏了"
    assert Opinion.objects.count() == 1
    assert AuditEvent.objects.filter(action="opinion.record").count() == 1


def test_the_database_refuses_a_second_row_for_a_key(tree, users):
    key = uuid.uuid4()
    _record_once(users.town_admin, tree.village_a1, key)
    first = Opinion.objects.get()
    with pytest.raises(IntegrityError):
        Opinion.objects.create(organization=tree.village_a1, org_path=tree.village_a1.path, text="另一条", author_key="x",
                               tracking_code="ZZZZZZZZ", entered_by=users.town_admin, client_key=first.client_key)


def test_a_key_is_the_senders_own(tree, users):
    key = uuid.uuid4()
    _record_once(users.town_admin, tree.village_a1, key)
    theirs, created = _record_once(users.county_admin, tree.village_a1, key)  # another phone drew the same key
    assert created and Opinion.objects.count() == 2 and theirs.entered_by == users.county_admin


def test_a_sender_who_left_the_town_does_not_read_the_record_back(tree, users):
    key = uuid.uuid4()
    _record_once(users.town_admin, tree.village_a1, key)
    org_services.role_revoke(actor=None, grant=RoleGrant.objects.get(user=users.town_admin))
    org_services.role_grant(actor=None, user=users.town_admin, organization=tree.town_b, role=Role.TOWN_ADMIN)
    scope.forget(users.town_admin)
    with pytest.raises(ValidationError, match="不在您现在的登记范围内"):
        _record_once(users.town_admin, tree.village_a1, key)


@pytest.mark.django_db(transaction=True)
def test_copies_racing_each_other_make_one_row(tree, users):
    if connection.vendor != "postgresql":
        pytest.skip("two writers at once need PostgreSQL (SQLite lets one write at a time)")
    key, barrier, results = uuid.uuid4(), threading.Barrier(4), []

    def send() -> None:
        barrier.wait()
        try:
            results.append(_record_once(users.town_admin, tree.village_a1, key)[1])
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, False, False, True]
    assert Opinion.objects.filter(client_key=key).count() == 1


def test_the_sync_door_answers_created_then_exists(tree, users, client):
    client.force_login(users.town_admin)
    body = {**VISIT, "client_key": str(uuid.uuid4())}
    first = client.post(reverse("voices_record_sync"), body)
    again = client.post(reverse("voices_record_sync"), body)
    assert (first.status_code, first.json()["status"]) == (201, "created")
    assert (again.status_code, again.json()["status"]) == (200, "exists")
    assert first.json()["tracking_code"] == again.json()["tracking_code"]
    assert Opinion.objects.count() == 1


@pytest.mark.parametrize(("change", "message"), [
    ({"people_met": "0"}, "走访或座谈请填写接触的人次"),
    ({"organization": "不存在的村"}, "找不到“不存在的村”"),
    ({"client_key": "not-a-key"}, "缺少有效的编号"),
    ({"organization": "长墙山村"}, "找不到"),  # another town's village: not in reach, not even by name
])
def test_a_bad_record_gets_a_chinese_reason_and_nothing_is_stored(tree, users, client, change, message):
    client.force_login(users.town_admin)
    response = client.post(reverse("voices_record_sync"), {**VISIT, "client_key": str(uuid.uuid4()), **change})
    assert response.status_code == 400 and message in response.json()["message"]
    assert not Opinion.objects.exists()


def test_a_signed_out_phone_is_sent_to_sign_in_and_nothing_is_stored(tree, users, client):
    response = client.post(reverse("voices_record_sync"), {**VISIT, "client_key": str(uuid.uuid4())})
    state = client.get(reverse("voices_record_state"))
    assert response.status_code == 302 and "/login/" in response.url
    assert state.status_code == 302 and not Opinion.objects.exists()


def test_the_state_gives_a_fresh_csrf_token(tree, users, client):
    client.force_login(users.point_staff)
    state = client.get(reverse("voices_record_state")).json()
    assert state["user"] == users.point_staff.pk and len(state["csrf"]) >= 32


def test_the_app_shell_is_served_with_its_scope(tree, client):
    worker = client.get(reverse("voices_sw"))
    manifest = client.get(reverse("voices_manifest"))
    assert worker["Content-Type"].startswith("application/javascript")
    assert 'PAGE = "/voices/new/"' in worker.content.decode()
    assert manifest.json()["scope"] == "/voices/new/" and manifest.json()["display"] == "standalone"


def test_the_recording_page_links_the_app_and_its_words(tree, users, client):
    client.force_login(users.town_admin)
    html = client.get(reverse("voices_record")).content.decode()
    assert 'rel="manifest"' in html and "voices/offline.js" in html and 'id="offline-texts"' in html
    assert "<script>" not in html  # nothing inline: the Content-Security-Policy forbids it
