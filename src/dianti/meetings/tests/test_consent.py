"""The hall's phone page tells what sign-in and questions collect before the sign-in button."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from .factories import held


def notice_before_submit(page: str) -> bool:
    """Return whether the notice sits inside a form, above that form's (first) button."""
    notice = page.index("个人信息收集说明")
    start, end = page.rindex("<form", 0, notice), page.index("</form>", notice)
    return notice < page.index("<button", start) < end


def test_the_hall_sign_in_shows_the_personal_information_notice(client: Any, tree: Any) -> None:
    h = held(tree)
    page = client.get(reverse("meeting_public", args=[h.meeting.public_key])).content.decode()
    assert notice_before_submit(page) and page.index('id="sign-in"') < page.index("个人信息收集说明")
    for words in ("收集什么", "做什么用", "保存多久", "谁能看到", "180 天后删除"):
        assert words in page
