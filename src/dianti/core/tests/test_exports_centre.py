"""下载中心: every export a step declares can be found from one page, and each person sees only what they may read."""

from __future__ import annotations

import re

from django.urls import NoReverseMatch, reverse

from dianti.core import components
from dianti.core.reads import may_read


def test_every_export_that_needs_an_object_says_which_page_lists_those_objects():
    for component in components.components():
        for export in component.exports:
            if export.needs:
                assert export.where, f"{component.label}: {export.url_name} needs a {export.needs} but no page"
                reverse(export.where)  # a page without arguments
            else:
                try:
                    reverse(export.url_name)
                except NoReverseMatch as exc:  # pragma: no cover - the message names the culprit
                    raise AssertionError(f"{export.url_name} takes arguments: declare needs=…") from exc


def test_the_county_admin_downloads_the_roster_from_the_centre_and_is_sent_to_the_campaigns_for_a_list(client, users):
    client.force_login(users.county_admin)
    page = client.get(reverse("exports")).content.decode()
    assert f'href="{reverse("org_export")}" data-export="org_export"' in page
    assert f'href="{reverse("campaign_list")}" data-export="subjects_export"' in page
    assert client.get(reverse("org_export"))["Content-Disposition"].startswith("attachment")


def test_each_person_sees_only_the_exports_their_role_may_read(client, users):
    for user in (users.county_admin, users.town_admin, users.secretary, users.point_staff, users.public):
        client.force_login(user)
        listed = set(re.findall(r'data-export="([a-z_]+)"', client.get(reverse("exports")).content.decode()))
        declared = {e.url_name for c in components.components() for e in c.exports}
        assert listed == {name for name in declared if may_read(user, name)
                          and (not _needs(name) or may_read(user, _where(name)))}, user.username


def test_the_home_page_of_an_admin_links_the_centre(client, users):
    client.force_login(users.town_admin)
    assert reverse("exports") in client.get(reverse("home")).content.decode()


def _export(name: str) -> components.Export:
    return next(e for c in components.components() for e in c.exports if e.url_name == name)


def _needs(name: str) -> bool:
    return bool(_export(name).needs)


def _where(name: str) -> str:
    return _export(name).where
