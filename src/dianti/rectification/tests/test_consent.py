"""The observation form reached from the tracking page tells what it collects before the submit button."""

from __future__ import annotations

from typing import Any

from dianti.rectification.models import State
from dianti.rectification.tests.factories import case_in


def notice_before_submit(page: str) -> bool:
    """Return whether the notice sits inside a form, above that form's (first) button."""
    notice = page.index("个人信息收集说明")
    start, end = page.rindex("<form", 0, notice), page.index("</form>", notice)
    return notice < page.index("<button", start) < end


def test_the_observation_form_shows_the_personal_information_notice(client: Any, users: Any, subject: Any,
                                                                    voiced: list[Any]) -> None:
    case_in(State.IN_PROGRESS, subject, actor=users.town_admin, secretary=users.secretary)
    page = client.get(f"/r/{voiced[1].tracking_code}/").content.decode()
    assert notice_before_submit(page)
    for words in ("收集什么", "做什么用", "保存多久", "谁能看到", "180 天后删除"):
        assert words in page
