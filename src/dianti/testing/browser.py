"""Pytest plugin: drive the site in headless Chromium through Playwright's sync API.

Playwright never downloads a browser here: it launches Debian's ``chromium`` by executable path
(``DIANTI_CHROMIUM`` overrides ``/usr/bin/chromium``). When Chromium or the ``playwright`` package is missing,
every test that asks for a browser is skipped with a message saying how to install it.

Fixtures: ``browser`` (one per pytest-xdist worker, since each worker is its own process and session),
``page_desktop`` (1280×800) and ``page_phone`` (375×812, touch, 2× pixels, WeChat's user agent), each a fresh
context per test so no cookie leaks from one test to the next, and ``screenshot`` to save a PNG under
``test-artifacts/screenshots/``. A failing browser test leaves ``FAILED-<test>.png`` there too.
Use with pytest-django's ``live_server`` and mark the tests ``@pytest.mark.browser``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; Django would otherwise refuse ORM calls there
# (fixtures such as ``users`` write to the database while the page is open).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("DIANTI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
MISSING_CHROMIUM = "未找到 Chromium：请以 root 运行 make test 自动安装 chromium，或手动 apt-get install chromium"
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    # WeChat's in-app browser on Android: the phone most evaluators and secretaries hold.
    "user_agent": (
        "Mozilla/5.0 (Linux; Android 13; V2183A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 "
        "Chrome/116.0.0.0 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MicroMessenger/8.0.47.2560"
    ),
}
TIMEOUT_MS = 15_000


def _artifacts(config: pytest.Config) -> Path:
    path = Path(config.rootpath) / "test-artifacts" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    """Remember each phase's report on the item, so page fixtures know at teardown whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"_dianti_report_{report.when}", report)


def _missing() -> str | None:
    """Return why no browser can be driven here, or None when Chromium and playwright are both present."""
    if not os.access(CHROMIUM, os.X_OK):
        return MISSING_CHROMIUM
    if importlib.util.find_spec("playwright") is None:
        return MISSING_CHROMIUM + "（以及 Python 包 playwright：make install-dev）"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip browser tests up front when there is no browser, before their database fixtures are built."""
    reason = _missing()
    if reason is None:
        return
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Return a headless Chromium shared by the tests of this worker process."""
    reason = _missing()
    if reason is not None:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _page(browser: Any, request: pytest.FixtureRequest, options: dict[str, Any]) -> Iterator[Any]:
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        report = getattr(request.node, "_dianti_report_call", None)
        if report is not None and report.failed:
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
            # A screenshot that fails must never hide the real failure.
            with contextlib.suppress(Exception):
                page.screenshot(path=str(_artifacts(request.config) / f"FAILED-{name}.png"), full_page=True)
        context.close()


@pytest.fixture
def page_desktop(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Return a fresh page in a 1280×800 desktop window."""
    yield from _page(browser, request, DESKTOP)


@pytest.fixture
def page_phone(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Return a fresh page on a 375×812 touch phone at 2× pixel density."""
    yield from _page(browser, request, PHONE)


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    """Return ``save(page, name, full_page=True)``: write ``test-artifacts/screenshots/<name>.png``."""

    def save(page: Any, name: str, *, full_page: bool = True) -> Path:
        path = _artifacts(request.config) / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        return path

    return save


def login(page: Any, live_server: Any, username: str, password: str, *,
          otp: Callable[[], str] | None = None) -> None:
    """Sign in through the login form and wait for the page it leads to (``live_server`` may be its URL).

    When the account has an authenticator (the second factor), pass ``otp``: a function returning the current
    6-digit code; it is typed into the verification page that follows the password."""
    base = str(getattr(live_server, "url", live_server)).rstrip("/")
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form:has(#id_password) button[type=submit]")
    page.wait_for_load_state()
    if otp is not None and "/login/verify/" in page.url:
        page.fill("#id_token", otp())
        page.click("form:has(#id_token) button[type=submit]")
        page.wait_for_load_state()


TAP_TARGETS = "button, .btn, input[type=submit], .topbar nav a, summary"
_SMALL_TARGETS_JS = """(args) => {
  const [selector, minimum] = args;
  return Array.from(document.querySelectorAll(selector))
    .filter((el) => el.getClientRects().length > 0)
    .map((el) => ({text: (el.innerText || el.value || el.tagName).trim().slice(0, 30),
                   height: Math.round(el.getBoundingClientRect().height * 10) / 10}))
    .filter((t) => t.height < minimum);
}"""


def horizontal_overflow(page: Any) -> int:
    """Return how many CSS pixels the page is wider than its viewport (0 when nothing overflows)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    return max(0, int(width) - int(page.viewport_size["width"]))


def small_tap_targets(page: Any, selector: str = TAP_TARGETS, minimum: float = 40) -> list[dict[str, Any]]:
    """Return the visible elements matching ``selector`` that are less than ``minimum`` px high."""
    return list(page.evaluate(_SMALL_TARGETS_JS, [selector, minimum]))


def assert_fits_phone(page: Any) -> None:
    """Assert the page does not scroll sideways (1 px of rounding allowed) and its buttons and nav links are
    big enough for a thumb (≥ 40 px high)."""
    overflow = horizontal_overflow(page)
    assert overflow <= 1, f"{page.url} 在手机上横向溢出 {overflow} px"
    small = small_tap_targets(page)
    assert not small, f"{page.url} 上的点击目标太小：{small}"
