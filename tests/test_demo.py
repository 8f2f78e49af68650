"""The demo of ``subnest dev``: its first sync against the sandbox audience (app/esp/sandbox.py)
tells a plausible story, and its subscribers come with months of history for the chart."""

from __future__ import annotations

import asyncio

from app.config import Settings
from app.esp.sandbox import DemoAudience
from app.seed import DEMO_CONNECTION_ID
from tests.support import start_server, start_worker, wait_for
from tests.test_dashboard import demo_caller, seed_the_demo

_SEEDED = 600


def test_the_first_demo_sync_reports_the_audience_moving_on_not_mass_conflicts(
    settings: Settings,
) -> None:
    asyncio.run(seed_the_demo(settings, _SEEDED))
    audience = DemoAudience(_SEEDED).start()
    try:
        env = {"ESP_MAILCHIMP_BASE_URL": audience.base_url}
        with start_server(settings, **env) as server, start_worker(settings, **env):
            demo = demo_caller(server.base_url)
            before = demo("subscribers.history")
            demo(
                "espConnections.update",
                id=str(DEMO_CONNECTION_ID),
                credentials=audience.credentials,
            )
            queued = demo("espConnections.sync", id=str(DEMO_CONNECTION_ID))
            run = wait_for(
                lambda: (
                    (r := demo("syncRuns.get", id=queued["syncRunId"]))["status"] == "succeeded"
                    and r
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
    finally:
        audience.stop()
