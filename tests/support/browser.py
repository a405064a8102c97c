"""Debian's chromium driven by Playwright, shared by the browser tests (desk, review/analytics,
widget). GONGKAI_SCREENSHOTS=1 makes `screenshot` save the pages under docs/screenshots/."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.core.settings import PROJECT_ROOT

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run scripts/setup --browser", pytrace=False)


def screenshot(page, name: str, full_page: bool = False, settle_ms: int = 0) -> None:
    if os.environ.get("GONGKAI_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        if settle_ms:
            page.wait_for_timeout(settle_ms)  # e.g. the widget's opening animation
        else:
            page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page)


def log_in_to_desk(page, url: str, username: str, password: str) -> None:
    """Opens a desk page, which sends a stranger to the login form, and logs in there."""
    import re

    from playwright.sync_api import expect

    page.goto(url)
    expect(page).to_have_url(re.compile(r"/desk/login$"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                             headless=True)
        try:
            yield browser
        finally:
            browser.close()
