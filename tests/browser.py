"""What the dashboard's browser tests share: the system's Chromium, the demo account's sign-in
and calls, the demo seed, and a screenshot of each test in test-output/."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from app.config import Settings
from app.runtime import Runtime
from app.seed import DEMO_EMAIL, DEMO_PASSWORD, DEMO_TEAM_ID, seed_demo
from tests.support import Caller

__all__ = ["CHROMIUM", "OUTPUT", "demo_caller", "needs_chromium", "screenshot", "seed", "sign_in"]

# CHROMIUM: another build to use (e.g. a chromium-headless-shell unpacked elsewhere).
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT = Path(__file__).resolve().parent.parent / "test-output"

# Outside CI a missing browser skips; in CI (.ci/run installs Chromium) it fails the test.
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"),
    reason="needs Chromium (.ci/run installs it)",
)


def sign_in(
    where: Browser | BrowserContext, base_url: str, route: str = "", *, width: int = 1200
) -> Page:
    """A page signed in as the demo account, live, on ``route`` (e.g. ``#/keys``)."""
    if isinstance(where, Browser):
        where = where.new_context(viewport={"width": width, "height": 900})
    page = where.new_page()
    page.goto(f"{base_url}/{route}")
    page.fill("#sign-in input[name=email]", DEMO_EMAIL)
    page.fill("#sign-in input[name=password]", DEMO_PASSWORD)
    page.click("#sign-in button[type=submit]")
    expect(page.locator("#live")).to_have_text("live", timeout=20_000)
    return page


def demo_caller(base_url: str) -> Caller:
    """Calls as the demo account, in the demo team."""
    signed = Caller(base_url, {})("auth.signIn", email=DEMO_EMAIL, password=DEMO_PASSWORD)
    token = signed["session"]["token"]
    return Caller(base_url, {"Authorization": f"Bearer {token}", "X-Team-Id": str(DEMO_TEAM_ID)})


def seed(settings: Settings, subscribers: int = 300) -> None:
    """What ``subnest dev`` seeds: the demo account, team, Mailchimp connection, subscribers."""

    async def run() -> None:
        runtime = Runtime(settings)
        await runtime.db.start()
        try:
            await seed_demo(runtime.db, subscribers=subscribers)
        finally:
            await runtime.db.stop()

    asyncio.run(run())


def screenshot(page: Page, name: str) -> None:
    """What the page shows, passed or failed: test-output/<name>.png."""
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)
