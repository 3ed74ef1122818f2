"""The QR opinion page says what it collects, why, for how long and who sees it, before the submit button."""

from __future__ import annotations

from typing import Any

from django.urls import reverse


def notice_before_submit(page: str) -> bool:
    """Return whether the notice sits inside a form, above that form's (first) button."""
    notice = page.index("个人信息收集说明")
    start, end = page.rindex("<form", 0, notice), page.index("</form>", notice)
    return notice < page.index("<button", start) < end


def test_the_opinion_form_shows_the_personal_information_notice_before_submitting(client: Any, tree: Any,
                                                                                   settings: Any) -> None:
    settings.RETENTION_DAYS = 90
    page = client.get(reverse("voices_public", args=[tree.village_a1.code])).content.decode()
    assert notice_before_submit(page)
    for words in ("收集什么", "做什么用", "保存多久", "谁能看到", "手机号加密保存", "90 天后删除"):
        assert words in page

