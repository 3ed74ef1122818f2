"""The people of one 点题述职 cycle, as browser helpers for the journey test: a desk shared by the staff (one login
at a time, as at the town's office) and phones handed to villagers, evaluators and the secretary."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dianti.testing.browser import PHONE, TIMEOUT_MS, assert_fits_phone, login

CODE = re.compile(r"[A-Z0-9]{5}-[A-Z0-9]{5}")


@dataclass
class Journey:
    """The shared state of one journey: the browser, the site, the desk page and what the steps found out."""

    browser: Any
    url: str
    desk: Any
    shot: Callable[..., Path]
    step: int = 0
    ids: dict[str, int] = field(default_factory=dict)
    codes: list[str] = field(default_factory=list)
    tracking: str = ""

    def screenshot(self, page: Any, what: str) -> None:
        self.step += 1
        self.shot(page, f"journey-{self.step:02d}-{what}")

    def phone_shot(self, page: Any, what: str, *, save: bool = True) -> None:
        """Check that a phone page fits 375 px (no sideways scrolling, thumb-sized buttons); keep a picture of it
        unless ``save`` is false (the second and third villager see the same page as the first)."""
        assert_fits_phone(page)
        if save:
            self.screenshot(page, what)

    def as_staff(self, username: str, path: str) -> Any:
        """Sign ``username`` in at the desk (signing the previous person out) and open ``path``."""
        self.desk.context.clear_cookies()
        login(self.desk, self.url, username, "pw-" + username)
        return self.open(self.desk, path)

    def open(self, page: Any, path: str) -> Any:
        page.goto(self.url + path)
        return page

    @contextmanager
    def phone(self, username: str | None = None) -> Iterator[Any]:
        """Hand a fresh phone (its own cookies) to a villager, an evaluator or, signed in, to ``username``."""
        context = self.browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **PHONE)
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        try:
            if username:
                login(page, self.url, username, "pw-" + username)
            yield page
        finally:
            context.close()

    def click_and_wait(self, page: Any, role_name: str, *, dialog: bool = False, tap: bool = False) -> None:
        """Press the button named ``role_name`` (accepting its confirm box) and wait for the page it leads to."""
        if dialog:
            page.once("dialog", lambda d: d.accept())
        button = page.get_by_role("button", name=role_name, exact=True)
        with page.expect_navigation():
            button.tap() if tap else button.click()

    @staticmethod
    def flash(page: Any) -> str:
        """Return the messages the page shows after an action, to explain a failed assertion."""
        return " / ".join(page.locator(".messages li").all_inner_texts())

    @property
    def campaign(self) -> str:
        return f"/campaigns/{self.ids['campaign']}/"

    def move_phase(self, label: str) -> None:
        page = self.open(self.desk, self.campaign)
        self.click_and_wait(page, label)
        assert f"已进入“{label.removeprefix('进入')}”阶段" in page.inner_text("main"), self.flash(page)


def codes_from_pdf(data: bytes) -> list[str]:
    """Read the evaluator codes off the printed slips, in print order (the groups' order)."""
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return CODE.findall(re.sub(r"\s+", "", text))
