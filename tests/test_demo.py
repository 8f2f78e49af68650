"""The demo of ``subnest dev``: its first sync against the sandbox audience (app/esp/sandbox.py)
tells a plausible story, and its subscribers come with months of history for the chart."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Locator, Page, expect, sync_playwright

from app.config import Settings
from app.esp.sandbox import DemoAudience
from app.seed import DEMO_CONNECTION_ID
from tests.browser import CHROMIUM, OUTPUT, demo_caller, needs_chromium, seed, sign_in
from tests.support import Caller, ServerProcess, start_server, start_worker, wait_for

_SEEDED = 600


@contextlib.contextmanager
def _demo_system(settings: Settings) -> Iterator[tuple[ServerProcess, Caller]]:
    """What ``subnest dev`` runs: the seeded demo, its sandbox audience, the API and a worker;
    and a caller signed in as the demo account, the connection given the sandbox's key."""
    seed(settings, _SEEDED)
    audience = DemoAudience(_SEEDED).start()
    try:
        env = {"ESP_MAILCHIMP_BASE_URL": audience.base_url}
        with start_server(settings, **env) as server, start_worker(settings, **env):
            demo = demo_caller(server.base_url)
            demo(
                "espConnections.update",
                id=str(DEMO_CONNECTION_ID),
                credentials=audience.credentials,
            )
            yield server, demo
    finally:
        audience.stop()


def test_the_first_demo_sync_reports_the_audience_moving_on_not_mass_conflicts(
    settings: Settings,
) -> None:
    with _demo_system(settings) as (_, demo):
        before = demo("subscribers.history")
        queued = demo("espConnections.sync", id=str(DEMO_CONNECTION_ID))
        run = wait_for(
            lambda: (
                (r := demo("syncRuns.get", id=queued["syncRunId"]))["status"] == "succeeded" and r
            ),
            timeout=60,
            what="the first demo sync",
        )
        # What the sandbox's first listing does: 25 sign-ups, the 5 oldest leave, a handful
        # unsubscribe; every other seeded row is as the provider lists it.
        assert (run["created"], run["deleted"], run["conflicts"]) == (25, 5, 0), run
        assert 0 < run["updated"] <= 20, run
        assert run["unchanged"] == _SEEDED - 5 - run["updated"], run
        counts = demo("subscribers.counts")
        assert counts["total"] == _SEEDED + 20

        # The seeded months, then today as the run left it (counted as it merged).
        after = demo("subscribers.history")
        assert len(before["days"]) == len(after["days"]) == 90
        assert before["days"][:-1] == after["days"][:-1]
        today = {s: after[s][-1] for s in ("subscribed", "unsubscribed", "pending", "cleaned")}
        assert today == {s: counts[s] for s in today}
        assert after["subscribed"][0] < after["subscribed"][-1]  # the list grew
        assert after["unsubscribed"][0] < after["unsubscribed"][-1]  # and lost a few


def _legend(plot: Locator) -> dict[str, str]:
    """The chart's legend: each series' label and the value it shows (at the cursor)."""
    rows: list[list[str]] = plot.locator(".u-legend .u-series").evaluate_all(
        "(rows) => rows.map((r) => [r.querySelector('.u-label').textContent,"
        " r.querySelector('.u-value').textContent])"
    )
    return {label: value for label, value in rows}


def _hover(page: Page, plot: Locator, fraction: float) -> None:
    box = plot.locator(".u-over").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] / 2)


@needs_chromium
def test_the_demo_shows_its_history_and_each_sync_in_the_charts(
    settings: Settings, tmp_path: Path
) -> None:
    with _demo_system(settings) as (server, demo), sync_playwright() as playwright:
        history = demo("subscribers.history")
        days = history["days"]
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        page: Page | None = None
        try:
            page = sign_in(browser, server.base_url, "#/history")
            chart = page.locator("#history-subscribers .plot")
            expect(chart).to_have_attribute("data-points", "90", timeout=10_000)
            assert (chart.get_attribute("data-first"), chart.get_attribute("data-last")) == (
                days[0],
                days[-1],
            )
            expect(chart.locator("canvas")).to_have_count(1)
            grown = history["subscribed"][-1] - history["subscribed"][0]
            caption = page.locator("#history-subscribers figcaption")
            expect(caption).to_have_text(
                f"{history['subscribed'][-1]:,} subscribed on {days[-1]} "
                f"(+{grown:,} since {days[0]}), {history['unsubscribed'][-1]:,} unsubscribed."
            )
            # The points drawn are the demo's days: the cursor at either end reads them back.
            _hover(page, chart, 0.001)
            shown = _legend(chart)
            assert shown["day"] == days[0], shown
            assert shown["subscribed"] == f"{history['subscribed'][0]:,}", shown
            assert shown["unsubscribed"] == f"{history['unsubscribed'][0]:,}", shown
            _hover(page, chart, 0.999)
            assert _legend(chart)["day"] == days[-1]
            assert _legend(chart)["pending"] == f"{history['pending'][-1]:,}"

            volume = page.locator("#history-volume")
            expect(volume.locator(".plot")).to_have_attribute("data-points", "0")
            expect(volume.locator("figcaption")).to_contain_text("No finished sync yet")

            # A sync finishes: the feed says so and both charts load again, no reload.
            demo("espConnections.sync", id=str(DEMO_CONNECTION_ID))
            expect(volume.locator(".plot")).to_have_attribute("data-points", "1", timeout=60_000)
            expect(volume.locator("figcaption")).to_contain_text("25 created", timeout=10_000)
            expect(volume.locator("figcaption")).to_contain_text("5 deleted, 0 conflicts.")
            expect(volume.locator("canvas")).to_have_count(1)
            counts = demo("subscribers.counts")
            expect(caption).to_contain_text(f"{counts['subscribed']:,} subscribed on {days[-1]}")
            assert chart.get_attribute("data-points") == "90"
        finally:
            if page is not None:  # what the charts showed, passed or failed
                shot = tmp_path / "history.png"
                page.locator("#history").screenshot(path=str(shot))
                OUTPUT.mkdir(exist_ok=True)
                shutil.copy(shot, OUTPUT / "history.png")
            browser.close()
