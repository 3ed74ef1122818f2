"""The public site's figures block: the yearly figures the county reports upward, by year, the same counts as the
dashboard (counted by hand in the dashboard's fixture), and no cumulative total that mixes the years."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse

from dianti.core import figures as counted
from dianti.dashboard.tests.fixtures import HAND, two_years

pytestmark = pytest.mark.django_db


def _block(html: str) -> dict[str, list[str]]:
    """Return {figure label: the cells of its row} of the figures block."""
    section = html.split('id="figures-h"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r'<tr><th scope="row">(.*?)<span.*?</th>(.*?)</tr>', section, re.S)
    return {label: re.findall(r'<td class="num">(\d+)</td>', cells) for label, cells in rows}


def test_the_county_page_shows_each_upward_figure_year_by_year(client: Any, tree: Any, users: Any) -> None:
    two_years(tree, users)
    cache.clear()
    html = client.get(reverse("portal_org", args=[tree.county.code])).content.decode()
    assert "2020 年" in html and "2019 年" in html
    shown = _block(html)
    declared = counted.declared()
    for key in counted.UPWARD:
        by_year = [sum(g.get(key, 0) for g in HAND[year].values()) for year in (2020, 2019)]
        assert shown[str(declared[key].label)] == [str(n) for n in by_year], key
    assert shown[str(declared["participants"].label)] == ["15", "0"]  # 2020's meeting and symposium only


def test_a_subtree_without_a_year_of_figures_shows_no_block(client: Any, tree: Any) -> None:
    cache.clear()
    html = client.get(reverse("portal_org", args=[tree.county.code])).content.decode()
    assert 'id="figures-h"' not in html
