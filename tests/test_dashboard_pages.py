"""The dashboard's pages in Chromium, on one server and worker for the module: adding a
connection (the provider's refusal at the field), paging, filtering and editing subscribers
(the edit seen live in another browser), API keys, webhooks and their deliveries, members and
invitations, and usage against the plan. Each test saves a screenshot in test-output/."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import hashlib
import hmac
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from app.auth.service import token_hash
from app.seed import DEMO_TEAM_ID
from tests.browser import CHROMIUM, demo_caller, needs_chromium, screenshot, seed, sign_in
from tests.conftest import ModuleServer
from tests.fakes import fake_esp
from tests.fakes.base import FakeEsp
from tests.support import Caller, CallFailed, fetch, start_worker

pytestmark = needs_chromium


@dataclass
class Receiver:
    """A local webhook endpoint: records each POST's headers and body, answers 204."""

    url: str = ""
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@dataclass
class Rig:
    base_url: str
    database_url: str
    fake: FakeEsp
    browser: Browser
    demo: Caller
    receiver: Receiver


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def rig(module_server: ModuleServer, receiver: Receiver) -> Iterator[Rig]:
    with fake_esp("mailchimp", size=30, seed=3, list_id="weekly-list") as fake:
        env = {"ESP_MAILCHIMP_BASE_URL": fake.base_url, "WEBHOOK_ALLOW_PRIVATE_URLS": "true"}
        with (
            module_server("pages", **env) as (services, server),
            start_worker(services.settings, **env),
        ):
            seed(services.settings, subscribers=120)
            demo = demo_caller(server.base_url)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
                try:
                    yield Rig(server.base_url, services.database_url, fake, browser, demo, receiver)
                finally:
                    browser.close()


def _sql(url: str, query: str, *args: object) -> None:
    """A statement on the test's database, from a thread of its own (Playwright's sync API
    holds this thread's event loop)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, fetch(url, query, *args)).result()


def _field_error(page: Page, form: str, name: str) -> Any:
    return page.locator(f"{form} [data-field={name}] .field-error")


def test_adding_a_connection_shows_the_providers_refusal_at_the_field(rig: Rig) -> None:
    page = sign_in(rig.browser, rig.base_url, "#/connections")
    try:
        form = page.locator("#add-connection")
        expect(form.get_by_label("Provider")).to_have_value("mailchimp")
        form.get_by_label("Name").fill("Weekly")
        form.get_by_label("API key").fill(rig.fake.wrong_key)
        form.get_by_label("List id").fill(rig.fake.list_id)
        form.get_by_label("List id").press("Enter")  # Enter submits
        key_error = _field_error(page, "#add-connection", "apiKey")
        expect(key_error).to_contain_text("Mailchimp refused: credentials refused", timeout=10_000)
        expect(form.get_by_label("API key")).to_be_focused()
        expect(form.get_by_label("API key")).to_have_attribute("aria-invalid", "true")

        # A key that works with a list the account does not have: the error is at the list.
        form.get_by_label("API key").fill(rig.fake.api_key)
        form.get_by_label("List id").fill("no-such-list")
        form.get_by_role("button", name="Add the connection").click()
        list_error = _field_error(page, "#add-connection", "listId")
        expect(list_error).to_contain_text("audience id", timeout=10_000)
        expect(key_error).to_be_hidden()
        screenshot(page, "connection-field-error")

        form.get_by_label("List id").fill(rig.fake.list_id)
        form.get_by_label("List id").press("Enter")
        row = page.locator("#connections tr", has_text="Weekly")
        expect(row).to_contain_text("active", timeout=10_000)
        expect(list_error).to_be_hidden()
        expect(form.get_by_label("Name")).to_have_value("")  # the form is cleared

        # Its first sync meets a provider error: the history shows its kind and message.
        rig.fake.fail_next(1, 400)
        row.get_by_role("button", name="Sync now").click()
        failed = page.locator("#runs tbody tr[data-status=failed]")
        expect(failed).to_contain_text("provider_error: ", timeout=30_000)
        expect(row.locator(".progress")).to_contain_text("failed · provider_error: ")
        # The next one succeeds, with the counts of what it wrote.
        row.get_by_role("button", name="Sync now").click()
        done = page.locator("#runs tbody tr[data-status=succeeded]")
        expect(done.locator("td").nth(4)).to_have_text("30", timeout=30_000)  # created
        expect(page.locator("#runs tbody tr")).to_have_count(2)
        expect(row.locator(".progress")).to_have_text("succeeded · 30 rows")

        # Pause and resume: the row follows the stream.
        row.get_by_role("button", name="Pause").click()
        expect(row).to_contain_text("paused")
        row.get_by_role("button", name="Resume").click()
        expect(row).to_contain_text("active")
        # Edit the name (an empty new key keeps the stored one).
        row.get_by_role("button", name="Edit").click()
        editing = page.locator("#edit-form")
        expect(editing.get_by_label("Name")).to_be_focused()
        editing.get_by_label("Name").fill("Weekly digest")
        editing.get_by_label("Name").press("Enter")
        renamed = page.locator("#connections tr", has_text="Weekly digest")
        expect(renamed).to_be_visible()
        expect(editing).to_be_hidden()
        screenshot(page, "connection-added")

        # Delete asks once more.
        renamed.get_by_role("button", name="Delete").click()
        renamed.get_by_role("button", name="Really delete?").click()
        expect(renamed).to_have_count(0)
        listed = rig.demo("espConnections.list")["items"]
        assert [c["name"] for c in listed] == ["Demo Mailchimp"], listed
    finally:
        page.context.close()


def test_subscribers_page_filter_and_an_edit_seen_live_elsewhere(rig: Rig) -> None:
    page = sign_in(rig.browser, rig.base_url, "#/subscribers")
    watcher = sign_in(rig.browser, rig.base_url, "#/subscribers", width=380)  # a phone
    try:
        rows = page.locator("#subscribers tbody tr")
        expect(rows).to_have_count(25)
        first = rows.first.text_content()
        # Keyset pages: next, next, then back.
        page.click("#next")
        expect(page.locator("#page-info")).to_contain_text("Page 2")
        expect(rows.first).not_to_have_text(first or "")
        second = rows.first.text_content()
        page.click("#next")
        expect(page.locator("#page-info")).to_contain_text("Page 3")
        page.click("#previous")
        expect(rows.first).to_have_text(second or "")
        page.click("#previous")
        expect(rows.first).to_have_text(first or "")
        expect(page.locator("#previous")).to_be_disabled()

        # Filter by status: only unsubscribed rows, as many as the counts say (≤ a page).
        counts = rig.demo("subscribers.counts")
        page.select_option("#filter-status", "unsubscribed")
        page.press("#search input[name=q]", "Enter")
        expect(rows).to_have_count(min(25, counts["unsubscribed"]))
        for status in rows.locator("td:nth-child(3)").all_text_contents():
            assert status == "unsubscribed"
        page.select_option("#filter-status", "")
        # By connection: a subscriber made through the API belongs to none.
        rig.demo("subscribers.create", email="local.only@example.com")
        page.fill("#search input[name=q]", "local.only")
        page.press("#search input[name=q]", "Enter")
        expect(rows).to_have_count(1)
        expect(rows.first.locator("td").nth(3)).to_have_text("local")
        page.select_option("#filter-connection", label="Demo Mailchimp")
        page.press("#search input[name=q]", "Enter")
        expect(rows.first).to_contain_text("No subscriber matches these filters")
        page.select_option("#filter-connection", "")

        someone = rig.demo("subscribers.list", limit=1, status="subscribed")["items"][0]
        for shown in (page, watcher):
            shown.fill("#search input[name=q]", someone["email"])
            shown.press("#search input[name=q]", "Enter")
            expect(shown.locator("#subscribers tbody tr")).to_have_count(1)

        page.get_by_role("button", name=someone["email"]).click()
        detail = page.locator("#subscriber")
        expect(detail.locator("h2")).to_have_text(someone["email"])
        editing = page.locator("#edit-subscriber")
        # Local fields that are not JSON: refused at that field, before any call.
        editing.get_by_label("Local fields (JSON)").fill("{not json")
        editing.get_by_role("button", name="Save").click()
        expect(_field_error(page, "#edit-subscriber", "localFields")).to_contain_text("JSON object")
        editing.get_by_label("Local fields (JSON)").fill('{"tier": "gold"}')
        editing.get_by_label("First name").fill("Edited")
        editing.get_by_label("Last name").fill("Live")
        editing.get_by_label("First name").press("Enter")
        expect(detail.locator(".saved")).to_have_text("Saved.")
        # The other browser's row changes over its stream, no reload.
        watched = watcher.locator("#subscribers tbody tr")
        expect(watched).to_contain_text("Edited Live", timeout=2_000)
        stored = rig.demo("subscribers.get", id=someone["id"])
        assert stored["localFields"] == {"tier": "gold"} and stored["firstName"] == "Edited"
        screenshot(page, "subscribers")
        screenshot(watcher, "subscribers-narrow")
        assert watcher.evaluate("document.documentElement.scrollWidth") <= 380

        # Delete (asked twice) then restore; the other browser sees both.
        detail.get_by_role("button", name="Delete").click()
        detail.get_by_role("button", name="Really delete?").click()
        expect(detail.get_by_role("button", name="Restore")).to_be_visible()
        expect(watcher.locator("#subscribers tbody tr td:nth-child(3)")).to_have_text("deleted")
        detail.get_by_role("button", name="Restore").click()
        expect(detail.get_by_role("button", name="Delete")).to_be_visible()
        expect(watcher.locator("#subscribers tbody tr td:nth-child(3)")).to_have_text("subscribed")
    finally:
        page.context.close()
        watcher.context.close()


def test_an_api_key_is_shown_once_copied_and_revoked(rig: Rig) -> None:
    context = rig.browser.new_context(
        viewport={"width": 1200, "height": 900}, permissions=["clipboard-read", "clipboard-write"]
    )
    page = sign_in(context, rig.base_url, "#/keys")
    try:
        form = page.locator("#create-key")
        form.get_by_label("Name").fill("nightly import")
        form.get_by_label("write (and read)").check()
        form.get_by_label("Expires in (days)").fill("30")
        form.get_by_label("Name").press("Enter")
        secret = page.locator("#created-key code.secret")
        expect(secret).to_contain_text("snk_")
        key = secret.text_content() or ""
        copy = page.locator("#created-key").get_by_role("button", name="Copy")
        expect(copy).to_be_focused()
        copy.press("Enter")
        expect(page.locator("#created-key")).to_contain_text("Copied.")
        assert page.evaluate("navigator.clipboard.readText()") == key
        row = page.locator("#keys tr", has_text="nightly import")
        expect(row).to_contain_text("read, write")
        expect(row).to_contain_text("active")
        assert key not in (page.locator("#keys").text_content() or "")  # the list shows a prefix
        with_key = Caller(rig.base_url, {"X-API-Key": key})
        with_key("subscribers.counts")
        screenshot(page, "keys")

        row.get_by_role("button", name="Revoke").click()
        row.get_by_role("button", name="Really revoke?").click()
        expect(row).to_contain_text("revoked")
        with pytest.raises(CallFailed) as refused:
            with_key("subscribers.counts")
        assert refused.value.status == 401
    finally:
        context.close()


def test_a_key_needs_a_fresh_sign_in_and_the_page_asks_for_one(rig: Rig) -> None:
    page = sign_in(rig.browser, rig.base_url, "#/keys")
    try:
        token = page.evaluate("sessionStorage.getItem('subnest.session')")
        assert isinstance(token, str)
        # This session signed in two hours ago: owner actions ask for a new sign-in.
        _sql(
            rig.database_url,
            "UPDATE sessions SET signed_in_at = now() - interval '2 hours' WHERE token_hash = $1",
            token_hash(token),
        )
        form = page.locator("#create-key")
        form.get_by_label("Name").fill("too late")
        form.get_by_label("Name").press("Enter")
        error = form.locator(".action-error")
        expect(error).to_contain_text("This needs a recent sign-in")
        error.get_by_role("button", name="Sign in again").click()
        expect(page.locator("#sign-in")).to_be_visible()
        expect(page.locator("#notice")).to_contain_text("owner actions need a recent sign-in")
        expect(page.locator("#sign-in input[name=password]")).to_be_focused()
    finally:
        page.context.close()


def test_a_webhook_is_created_tested_and_its_delivery_logged(rig: Rig) -> None:
    page = sign_in(rig.browser, rig.base_url, "#/webhooks")
    try:
        expect(page.locator("#deliveries tbody")).to_contain_text("No delivery yet")
        form = page.locator("#create-webhook")
        form.get_by_label("URL").fill("ftp://example.com/hook")  # a URL, not one we send to
        form.get_by_label("URL").press("Enter")
        refused = _field_error(page, "#create-webhook", "url")
        expect(refused).to_contain_text("The URL must be http:// or https://")
        form.get_by_label("URL").fill(rig.receiver.url)
        form.get_by_label("URL").press("Enter")
        secret = page.locator("#created-webhook code.secret")
        expect(secret).not_to_be_empty()
        signing = secret.text_content() or ""
        row = page.locator("#webhooks tr", has_text=rig.receiver.url)
        expect(row).to_contain_text("active")
        row.get_by_role("button", name="Test").click()
        delivery = page.locator("#deliveries tbody tr[data-status=succeeded]")
        expect(delivery).to_have_count(1, timeout=15_000)
        expect(delivery).to_contain_text("204 in")
        headers, body = rig.receiver.received[-1]
        parts = dict(p.split("=", 1) for p in headers["X-SubscriberNest-Signature"].split(","))
        mac = hmac.new(signing.encode(), parts["t"].encode() + b"." + body, hashlib.sha256)
        assert hmac.compare_digest(parts["v1"], mac.hexdigest())
        screenshot(page, "webhooks")

        # Disabled elsewhere (as failures do): the page offers to re-enable it.
        hook = rig.demo("webhooks.list")["items"][0]
        rig.demo("webhooks.update", id=hook["id"], status="disabled")
        page.get_by_role("link", name="Overview").click()
        page.get_by_role("link", name="Webhooks").click()
        row.get_by_role("button", name="Re-enable").click()
        expect(row).to_contain_text("active")
        expect(row.get_by_role("button", name="Re-enable")).to_have_count(0)
    finally:
        page.context.close()


def test_members_invitations_and_usage_with_its_alert(rig: Rig) -> None:
    page = sign_in(rig.browser, rig.base_url, "#/members", width=380)  # a phone's width
    try:
        expect(page.locator("#members tbody")).to_contain_text("demo@subscribernest.dev")
        expect(page.locator("#invitations tbody")).to_contain_text("No invitation waiting")
        form = page.locator("#invite")
        form.get_by_label("Email").fill("new.colleague@example.com")
        form.get_by_label("Role").select_option("admin")
        form.get_by_label("Email").press("Enter")
        invited = page.locator("#invitations tr", has_text="new.colleague@example.com")
        expect(invited).to_contain_text("admin")
        screenshot(page, "members")
        invited.get_by_role("button", name="Revoke").click()
        invited.get_by_role("button", name="Really revoke?").click()
        expect(page.locator("#invitations tbody")).to_contain_text("No invitation waiting")

        # A colleague who joined: make them an admin, then remove them.
        Caller(rig.base_url, {})(
            "auth.signUp", email="colleague@example.com", password="password-123", name="Colleague"
        )
        _sql(
            rig.database_url,
            "INSERT INTO memberships (team_id, user_id, role) "
            "SELECT $1, id, 'member' FROM users WHERE email = 'colleague@example.com'",
            DEMO_TEAM_ID,
        )
        page.get_by_role("link", name="Overview").click()
        page.get_by_role("link", name="Members").click()
        colleague = page.locator("#members tr", has_text="colleague@example.com")
        colleague.get_by_label("Role of colleague@example.com").select_option("admin")
        expect(colleague.get_by_label("Role of colleague@example.com")).to_have_value("admin")
        roles = {m["email"]: m["role"] for m in rig.demo("members.list")["items"]}
        assert roles["colleague@example.com"] == "admin", roles
        # The last owner cannot step down: the refusal shows by the select, which goes back.
        me = page.locator("#members tr", has_text="demo@subscribernest.dev")
        me.get_by_label("Role of demo@subscribernest.dev").select_option("member")
        expect(me.locator("td:nth-child(3) .action-error")).to_contain_text("at least one owner")
        expect(me.get_by_label("Role of demo@subscribernest.dev")).to_have_value("owner")
        colleague.get_by_role("button", name="Remove").click()
        colleague.get_by_role("button", name="Really remove?").click()
        expect(colleague).to_have_count(0)
        # Nothing wider than the screen: tables scroll in their own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= 380

        # 92 % of the plan's synced subscribers used this period: the usage page says so.
        period = dt.datetime.now(dt.UTC).date().replace(day=1)
        _sql(
            rig.database_url,
            "INSERT INTO usage_counters (team_id, period_start, metric, used) "
            "VALUES ($1, $2, 'synced_subscribers', 92000) "
            "ON CONFLICT (team_id, period_start, metric) DO UPDATE SET used = 92000",
            DEMO_TEAM_ID,
            period,
        )
        page.get_by_role("link", name="Usage").click()
        alert = page.locator("#usage-alerts .alert")
        expect(alert).to_contain_text("Synced subscribers: 92% of the plan's limit is used")
        metric = page.locator("[data-metric=synced_subscribers]")
        expect(metric).to_contain_text("92,000 of 100,000")
        screenshot(page, "usage")
        page.get_by_role("link", name="Overview").click()  # the overview shows it too
        expect(page.locator("#usage-alerts .alert")).to_contain_text("92%")
    finally:
        page.context.close()


def test_subscribers_added_elsewhere_are_announced_on_the_first_page(rig: Rig) -> None:
    page = sign_in(rig.browser, rig.base_url, "#/subscribers")
    try:
        rows = page.locator("#subscribers tbody tr")
        expect(rows).to_have_count(25)
        fresh = page.locator("#fresh")
        expect(fresh).to_be_hidden()
        # Two subscribers made through the API, by another client: the page says so at once
        # (over its stream) and shows them, newest first, when asked.
        for n in (1, 2):
            rig.demo("subscribers.create", email=f"arrived.{n}@example.com")
        expect(fresh).to_have_text("2 new subscribers: show", timeout=5_000)
        fresh.click()
        expect(fresh).to_be_hidden()
        expect(rows.nth(0)).to_contain_text("arrived.2@example.com")
        expect(rows.nth(1)).to_contain_text("arrived.1@example.com")
        # Under a status filter, one of another status is not announced: it would not show.
        page.select_option("#filter-status", "unsubscribed")
        page.press("#search input[name=q]", "Enter")
        expect(rows.first.locator("td:nth-child(3)")).to_have_text("unsubscribed")
        rig.demo("subscribers.create", email="arrived.3@example.com")
        rig.demo("subscribers.create", email="gone.4@example.com", status="unsubscribed")
        expect(fresh).to_have_text("1 new subscriber: show", timeout=5_000)
    finally:
        page.context.close()
