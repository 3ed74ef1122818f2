"""The audit log names each action in Chinese; the code stays in the record, the filter's value and the tooltip."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.urls import reverse

import dianti
from dianti.core import audit
from dianti.core.audit_labels import LABELS, action_label


def test_the_audit_log_shows_an_action_by_its_chinese_name_and_filters_by_its_code(client: Any, tree: Any,
                                                                                  users: Any) -> None:
    audit.record(actor=users.town_admin, action="meeting.rehearsal_start", target=tree.town_a,
                 org_path=tree.town_a.path)
    audit.record(actor=users.town_admin, action="someday.new_thing", target=tree.town_a, org_path=tree.town_a.path)
    client.force_login(users.town_admin)
    html = client.get(reverse("audit_log")).content.decode()
    assert '<option value="meeting.rehearsal_start" >开始模拟测评</option>' in html
    assert 'title="meeting.rehearsal_start">开始模拟测评</span>' in html
    assert ">someday.new_thing</span>" in html  # an action without a name is shown as its code, never hidden
    filtered = client.get(reverse("audit_log"), {"action": "meeting.rehearsal_start"})
    assert [e.action for e in filtered.context["page"].object_list] == ["meeting.rehearsal_start"]


def test_every_action_the_services_record_has_a_name() -> None:
    src = Path(dianti.__file__).parent
    recorded = set()
    for path in src.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        recorded |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    assert recorded, "the scan found no audit actions"
    unnamed = sorted(code for code in recorded if action_label(code) == code)
    assert not unnamed, unnamed
    assert all(str(label) for label in LABELS.values())
