"""The five ESP connectors against local fake providers over real HTTP.

Retries wait through a recording sleep, so the real retry code runs without real waiting.
"""

from __future__ import annotations

import asyncio
import math
import ssl
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from app.esp import (
    PROVIDERS,
    Connector,
    EspEndpoints,
    InvalidCredentials,
    NormalizedSubscriber,
    Page,
    ProviderError,
    ProviderUnavailable,
    RateLimit,
    Sleep,
    make_connector,
)
from app.esp.http import Pacer, backoff_delay, rate_limit_wait
from tests.fakes import FakeEsp, FakeHost, fake_esp
from tests.fakes.base import Limit
from tests.fakes.beehiiv import FakeBeehiiv
from tests.fakes.mailchimp import member_id

SIZE = 2500
# Pages a listing of SIZE subscribers takes (MailerLite and Brevo list ~90% of them: their
# group / list; MailerLite lists pages of 100, Brevo of 500).
PAGES = {"mailchimp": 3, "kit": 3, "beehiiv": 25, "mailerlite": 23, "brevo": 5}
# One TLS context for every client: building one costs ~0.1 s (the fakes speak plain HTTP).
TLS = ssl.create_default_context()
WITH_LISTS = ["mailchimp", "beehiiv", "mailerlite", "brevo"]
ACCOUNT_WIDE = ["mailerlite", "brevo"]


class RecordingSleep:
    """Stands in for asyncio.sleep: records each delay and only yields to the loop."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)


@pytest.fixture(scope="module")
def host() -> Iterator[FakeHost]:
    with FakeHost() as host:
        yield host


@pytest.fixture(params=PROVIDERS)
def fake(request: pytest.FixtureRequest, host: FakeHost) -> Iterator[FakeEsp]:
    with fake_esp(request.param, size=SIZE, seed=7, host=host) as fake:
        yield fake


@pytest.fixture(params=PROVIDERS)
def small_fake(request: pytest.FixtureRequest, host: FakeHost) -> Iterator[FakeEsp]:
    """For tests that never list the whole account."""
    with fake_esp(request.param, size=40, seed=3, host=host) as fake:
        yield fake


@pytest.fixture
def sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(verify=TLS) as client:
        yield client


def connect(
    fake: FakeEsp,
    http: httpx.AsyncClient,
    sleep: Sleep,
    *,
    api_key: str | None = None,
    list_id: str | None = "",
    timeout: float = 5.0,
) -> Connector:
    """A connector on ``fake``; ``list_id=""`` means the fake's own list (if it has one)."""
    credentials = {"apiKey": api_key if api_key is not None else fake.api_key}
    if list_id == "":
        list_id = fake.list_id or None
    endpoints = fake.endpoints(timeout=timeout)
    return make_connector(fake.provider, credentials, list_id, endpoints, http, sleep=sleep)


async def listing(connector: Connector) -> tuple[list[Page], dict[str, NormalizedSubscriber]]:
    pages = [page async for page in connector.pages()]
    subscribers = [s for page in pages for s in page.subscribers]
    by_id = {s.external_id: s for s in subscribers}
    assert len(by_id) == len(subscribers), "a subscriber was listed twice"
    return pages, by_id


# -- verify ---------------------------------------------------------------------------------------


async def test_verify_accepts_good_credentials(
    small_fake: FakeEsp, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    await connect(small_fake, http, sleep).verify()
    assert set(small_fake.statuses()) == {200}
    assert sleep.delays == []


async def test_verify_rejects_a_wrong_key_with_the_providers_message(
    small_fake: FakeEsp, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    wrong = small_fake.wrong_key
    with pytest.raises(InvalidCredentials) as caught:
        await connect(small_fake, http, sleep, api_key=wrong).verify()
    error = caught.value
    assert error.provider == small_fake.provider
    assert error.status == 401
    assert small_fake.unauthorized_message in error.message
    assert wrong not in str(error)
    assert small_fake.api_key not in str(error)
    assert small_fake.request_count == 1  # no retries for refused credentials
    assert sleep.delays == []


async def test_a_key_echoed_by_the_provider_is_redacted(
    small_fake: FakeEsp, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    wrong = small_fake.wrong_key
    small_fake.unauthorized_message = f"API key {wrong} is not valid"
    with pytest.raises(InvalidCredentials) as caught:
        await connect(small_fake, http, sleep, api_key=wrong).verify()
    assert wrong not in str(caught.value)
    assert "API key [redacted] is not valid" in caught.value.message


@pytest.mark.parametrize("small_fake", WITH_LISTS, indirect=True)
async def test_verify_rejects_an_unknown_list(
    small_fake: FakeEsp, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    wrong_list = "999" if small_fake.provider == "brevo" else "nolist999"
    with pytest.raises(InvalidCredentials) as caught:
        await connect(small_fake, http, sleep, list_id=wrong_list).verify()
    assert wrong_list in caught.value.message
    assert small_fake.list_not_found_message in caught.value.message


async def test_mailchimp_key_without_data_centre_is_refused_without_a_request(
    host: FakeHost, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    with fake_esp("mailchimp", size=5, host=host) as fake:
        connector = connect(fake, http, sleep, api_key="abc123")
        with pytest.raises(InvalidCredentials, match="data centre"):
            await connector.verify()
        with pytest.raises(InvalidCredentials):
            await listing(connector)
        assert fake.request_count == 0


# -- listing --------------------------------------------------------------------------------------


async def test_pages_list_every_subscriber_normalized(
    fake: FakeEsp, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    pages, by_id = await listing(connect(fake, http, sleep))
    expected = fake.account.expected()
    assert by_id == expected
    assert len(pages) == PAGES[fake.provider]
    assert all(page.subscribers for page in pages)
    # The generated account really exercises the normalisation.
    assert len({s.status for s in expected.values()}) == len(set(fake.profile.statuses.values()))
    assert any(s.first_name and not s.first_name.isascii() for s in expected.values())
    assert any(s.last_name and "," in s.last_name for s in expected.values())
    assert any(s.last_name and '"' in s.last_name for s in expected.values())
    assert any(s.first_name is None for s in expected.values())
    assert any(s.custom_fields for s in expected.values())
    assert all(s.email == s.email.strip().lower() for s in by_id.values())
    if fake.provider in ("mailchimp", "brevo"):  # they report totals
        assert {page.total for page in pages} == {len(expected)}
    # The provider's own times are mapped (every provider has a created one; Kit and beehiiv
    # no updated one).
    assert all(s.provider_created_at and s.provider_created_at.tzinfo for s in by_id.values())
    updated = {s.provider_updated_at is not None for s in by_id.values()}
    assert updated == {fake.profile.reports_updated}
    assert sleep.delays == []


@pytest.mark.parametrize("fake", ACCOUNT_WIDE, indirect=True)
async def test_without_a_list_the_whole_account_is_listed(
    fake: FakeEsp, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    connector = connect(fake, http, sleep, list_id=None)
    await connector.verify()
    _, by_id = await listing(connector)
    everyone = fake.account.expected(list_only=False)
    assert by_id == everyone
    assert len(everyone) == SIZE > len(fake.account.expected())


async def test_a_second_listing_follows_changes(
    fake: FakeEsp, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    connector = connect(fake, http, sleep)
    _, before = await listing(connector)
    account = fake.account
    ids = account.ids()
    edited, removed, unsubscribed = ids[10], ids[1500:1502], ids[2000]
    added = [s.external_id for s in account.add(6) if s.in_list]
    assert added
    text_field = fake.profile.custom_fields[0]
    account.edit(
        edited,
        first_name="Zoë-Renée",
        last_name="D'Artagnan, III",
        custom_fields={text_field: "Nouveau"},
    )
    for external_id in removed:
        account.remove(external_id)
    account.unsubscribe(unsubscribed)

    _, after = await listing(connector)
    assert after == account.expected()
    assert after != before
    assert set(added) <= after.keys()
    assert not set(removed) & after.keys()
    assert after[unsubscribed].status == "unsubscribed"
    assert after[edited].first_name == "Zoë-Renée"
    assert after[edited].last_name == "D'Artagnan, III"
    assert after[edited].custom_fields[text_field] == "Nouveau"


# -- the HTTP policy ------------------------------------------------------------------------------


# What each provider's own throttle (``throttle_next``: its window resets in one second) makes
# the connector wait, in the provider's seconds: Kit's plain-text 429 and Mailchimp's bare 403
# give no hint (their reset windows: Kit's documented 60 s, our 10 s for Mailchimp); beehiiv's
# RateLimit-Reset is an epoch time ~1 s ahead; MailerLite's Retry-After and Brevo's
# x-sib-ratelimit-reset say 1 s.
_THROTTLE_STATUS = {"mailchimp": 403, "kit": 429, "beehiiv": 429, "mailerlite": 429, "brevo": 429}
_THROTTLE_WAIT = {"mailchimp": 10.0, "kit": 60.0, "mailerlite": 1.0, "brevo": 1.0}


def _assert_throttle_waits(provider: str, delays: list[float], times: int) -> None:
    assert len(delays) == times
    if provider == "beehiiv":  # an epoch time, whole seconds: 0 to 2 s from now
        assert all(0.0 <= d <= 2.0 for d in delays), delays
    else:
        assert delays == [_THROTTLE_WAIT[provider]] * times


async def test_rate_limits_that_go_on_end_in_provider_unavailable(
    small_fake: FakeEsp, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    small_fake.throttle_next(100)
    with pytest.raises(ProviderUnavailable, match="rate limited") as caught:
        await connect(small_fake, http, sleep).verify()
    assert caught.value.status == _THROTTLE_STATUS[small_fake.provider]
    assert small_fake.request_count == 5
    _assert_throttle_waits(small_fake.provider, sleep.delays, 4)


async def test_a_listing_under_the_providers_rate_limit_finishes_with_exact_counts(
    fake: FakeEsp, http: httpx.AsyncClient
) -> None:
    """Real waits, on a fake whose windows are scaled to under a second and whose budgets are
    cut to a third of the listing: every page comes, once. Where the provider counts what is
    left (beehiiv, MailerLite, Brevo) the connector holds before its 429; Kit gets one 429 and
    waits its whole 60 s (scaled) window, so no second one; Mailchimp, limited by connections,
    throttles with 403s, each waited out for 10 (scaled) seconds."""
    pages = PAGES[fake.provider]
    window = 1.0 if fake.provider == "kit" else 0.3  # Kit's: longer than a short backoff
    if fake.limits:
        fake.time_scale = window / min(limit.per for limit in fake.limits.values())
        fake.limits = {
            b: Limit(max(2, math.ceil(pages / 3)), x.per) for b, x in fake.limits.items()
        }
    else:
        fake.time_scale = 0.02
        fake.throttle_next(2)
    started = time.monotonic()
    _, by_id = await listing(connect(fake, http, asyncio.sleep))
    elapsed = time.monotonic() - started
    assert by_id == fake.account.expected()
    statuses = fake.statuses()
    assert statuses.count(200) == pages
    throttles = len(statuses) - pages
    expected_throttles = {"mailchimp": 2, "kit": 1}.get(fake.provider, 0)
    assert throttles == expected_throttles, statuses
    assert elapsed >= (window if fake.limits else 0.4), "waited out"
    assert elapsed < (10 if fake.limits else 1.3)  # Mailchimp: not a longer backoff


def test_the_pacer_keeps_below_the_budget_and_holds_for_a_reset() -> None:
    now = [100.0]
    delays: list[float] = []

    async def sleep(delay: float) -> None:
        delays.append(delay)
        now[0] += delay

    limit = RateLimit(requests=10, window=60.0, reset_wait=60.0)
    pacer = Pacer(limit, scale=0.5, sleep=sleep, clock=lambda: now[0])

    async def turns(n: int) -> None:
        for _ in range(n):
            await pacer.turn()
            now[0] += 1.0

    asyncio.run(turns(9))  # 90% of 10 in a (scaled) 30 s window: no wait
    assert delays == []
    asyncio.run(turns(1))  # the 10th waits until the first leaves the window
    assert delays == [21.0]
    pacer.hold(5.0)
    asyncio.run(turns(1))
    assert delays == [21.0, 5.0]
    unpaced = Pacer(RateLimit(requests=None, window=0.0, reset_wait=10.0), scale=1.0, sleep=sleep)
    asyncio.run(unpaced.turn())
    assert delays == [21.0, 5.0]


async def test_brevo_checks_credentials_in_the_contacts_bucket(
    host: FakeHost, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    # /v3/account counts in the 100-an-hour bucket: one spent would be missed by other tools.
    with fake_esp("brevo", size=5, host=host) as fake:
        await connect(fake, http, sleep).verify()
        assert [(s.path, s.query.get("limit")) for s in fake.seen] == [
            ("/v3/contacts", ["1"]),
            ("/v3/contacts/lists/7", None),
        ]


# Each provider's page-size parameter, its documented maximum and the listing path.
_PAGE_LIMITS = {
    "mailchimp": ("count", 1000, "/lists/a1b2c3d4e5/members"),
    "kit": ("per_page", 1000, "/subscribers"),
    "beehiiv": ("limit", 100, "/publications/{list_id}/subscriptions"),
    "mailerlite": ("limit", 1000, "/subscribers"),
    "brevo": ("limit", 1000, "/contacts"),
}


async def test_fakes_refuse_pages_above_the_maximum_with_the_providers_body(
    small_fake: FakeEsp, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    name, maximum, path = _PAGE_LIMITS[small_fake.provider]
    connector = connect(small_fake, http, sleep)
    path = path.format(list_id=small_fake.list_id)
    with pytest.raises(ProviderError) as caught:
        await connector._get(path, dict, {name: maximum + 1})  # type: ignore[attr-defined]
    assert caught.value.status == 400
    assert f"{name} must be between 0 and {maximum}" in caught.value.message
    # And a route the provider does not document is a 404 with its body.
    with pytest.raises(ProviderError) as missing:
        await connector._get("/no/such/route", dict)  # type: ignore[attr-defined]
    assert missing.value.status == 404


async def test_a_mailchimp_email_change_keeps_the_contact_id(
    host: FakeHost, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    with fake_esp("mailchimp", size=20, host=host) as fake:
        connector = connect(fake, http, sleep)
        _, before = await listing(connector)
        changed = fake.account.ids()[3]
        old_email = before[changed].email
        fake.account.edit(changed, email="Renamed.Reader@Example.com")
        _, after = await listing(connector)
        assert after.keys() == before.keys()
        assert after[changed].email == "renamed.reader@example.com"
        # The MD5 member id moved with the email; the contact id did not.
        assert before[changed].legacy_id == member_id(old_email)
        assert after[changed].legacy_id == member_id("renamed.reader@example.com")
        assert after == fake.account.expected()


async def test_server_errors_are_retried_with_backoff(
    fake: FakeEsp, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    fake.fail_next(3, status=502)
    _, by_id = await listing(connect(fake, http, sleep))
    assert by_id == fake.account.expected()
    assert fake.statuses()[:4] == [502, 502, 502, 200]
    assert fake.request_count == PAGES[fake.provider] + 3
    assert sleep.delays == [0.5, 1.0, 2.0]


async def test_repeated_server_errors_end_in_provider_unavailable(
    small_fake: FakeEsp, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    small_fake.fail_next(100, status=500)
    with pytest.raises(ProviderUnavailable) as caught:
        await listing(connect(small_fake, http, sleep))
    assert caught.value.status == 500
    assert "5 times" in caught.value.message
    assert small_fake.api_key not in str(caught.value)
    assert small_fake.request_count == 5  # max_attempts
    assert sleep.delays == [0.5, 1.0, 2.0, 4.0]


async def test_a_timeout_is_retried(
    fake: FakeEsp, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    # Generous against a loaded machine: a normal page must come well within the timeout.
    fake.stall_next(1, 2.0)
    _, by_id = await listing(connect(fake, http, sleep, timeout=1.0))
    assert by_id == fake.account.expected()
    assert sleep.delays == [0.5]
    assert fake.request_count == PAGES[fake.provider] + 1


async def test_each_providers_own_throttle_is_waited_out_and_the_listing_is_complete(
    fake: FakeEsp, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    fake.throttle_next(2)
    _, by_id = await listing(connect(fake, http, sleep))
    assert by_id == fake.account.expected()
    throttled = _THROTTLE_STATUS[fake.provider]
    assert fake.statuses()[:3] == [throttled, throttled, 200]
    assert fake.request_count == PAGES[fake.provider] + 2
    _assert_throttle_waits(fake.provider, sleep.delays, 2)


@pytest.mark.parametrize("status", [401, 403])
async def test_a_403_with_the_providers_error_body_is_still_an_auth_refusal(
    status: int, host: FakeHost, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    with fake_esp("mailchimp", size=5, host=host) as fake:
        fake.fail_next(1, status=status)  # problem+json, as Mailchimp's auth refusals are
        with pytest.raises(InvalidCredentials) as caught:
            await listing(connect(fake, http, sleep))
        assert caught.value.status == status
        assert fake.request_count == 1 and sleep.delays == []


@pytest.mark.parametrize("provider", ["mailchimp", "kit", "beehiiv", "mailerlite"])
async def test_unknown_statuses_are_skipped_and_counted(
    provider: str, host: FakeHost, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    with fake_esp(provider, size=SIZE, seed=5, host=host) as fake:
        ids = fake.account.ids()
        for external_id in ids[:2]:
            fake.account.edit(external_id, status="archived_by_aliens")
        fake.account.edit(ids[-1], status="")
        pages, by_id = await listing(connect(fake, http, sleep))
        assert by_id == fake.account.expected()
        assert len(by_id) == len(ids) - 3
        assert [i for page in pages for i in page.skipped] == [*ids[:2], ids[-1]]


async def test_a_brevo_contact_without_an_email_is_skipped_and_counted(
    host: FakeHost, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    with fake_esp("brevo", size=30, seed=2, host=host) as fake:
        ids = fake.account.ids()
        fake.account.edit(ids[3], email="")
        pages, by_id = await listing(connect(fake, http, sleep))
        assert ids[3] not in by_id and len(by_id) == len(ids) - 1
        # Listed, so the listing still adds up to the total Brevo reports (decision 0034).
        assert [i for page in pages for i in page.skipped] == [ids[3]]
        assert pages[-1].total == len(ids)


async def test_a_paused_beehiiv_reader_is_unsubscribed_not_fatal(
    host: FakeHost, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    with fake_esp("beehiiv", size=30, seed=2, host=host) as fake:
        paused = fake.account.ids()[4]
        fake.account.set_status(paused, "paused")
        pages, by_id = await listing(connect(fake, http, sleep))
        assert by_id == fake.account.expected()
        assert by_id[paused].status == "unsubscribed"
        assert [i for page in pages for i in page.skipped] == []


async def test_a_full_beehiiv_page_that_says_nothing_of_the_next_is_an_error(
    host: FakeHost, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    # Ending the listing there would tombstone every subscriber past the first 100.
    with fake_esp("beehiiv", size=150, host=host) as fake:
        assert isinstance(fake, FakeBeehiiv)
        fake.cursorless = True
        with pytest.raises(ProviderError) as caught:
            await listing(connect(fake, http, sleep))
        assert "has_more" in caught.value.message
    with fake_esp("beehiiv", size=60, host=host) as fake:  # one page, not full: the end
        assert isinstance(fake, FakeBeehiiv)
        fake.cursorless = True
        _, by_id = await listing(connect(fake, http, sleep))
        assert by_id == fake.account.expected()


async def test_other_client_errors_are_provider_errors(
    host: FakeHost, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    with fake_esp("mailchimp", size=5, host=host) as fake:
        connector = connect(fake, http, sleep, list_id="nolist")
        with pytest.raises(ProviderError) as caught:
            await listing(connector)
        assert caught.value.status == 404
        assert "Resource Not Found" in caught.value.message
        assert fake.request_count == 1


async def test_unreachable_provider_ends_in_provider_unavailable(
    http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    with FakeHost() as own:
        port = own.port
    # Nothing listens on the port any more: every attempt is refused.
    endpoints = EspEndpoints(kit=f"http://127.0.0.1:{port}/v4", timeout=1.0, max_attempts=3)
    connector = make_connector("kit", {"apiKey": "k"}, None, endpoints, http, sleep=sleep)
    with pytest.raises(ProviderUnavailable, match="ConnectError"):
        await connector.verify()
    assert sleep.delays == [0.5, 1.0]


def test_backoff_and_rate_limit_waits() -> None:
    assert [backoff_delay(n) for n in range(1, 9)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert rate_limit_wait(httpx.Headers({"Retry-After": "2"})) == 2.0
    assert rate_limit_wait(httpx.Headers({"Retry-After": "3600"})) == 60.0  # capped
    assert rate_limit_wait(httpx.Headers({"Retry-After": "119"})) == 60.0  # MailerLite's example
    assert rate_limit_wait(httpx.Headers({"Retry-After": "soon"})) is None
    assert rate_limit_wait(httpx.Headers({})) is None
    reset = httpx.Headers({"x-sib-ratelimit-reset": "7"})
    assert rate_limit_wait(reset, "x-sib-ratelimit-reset") == 7.0
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 <= (rate_limit_wait(httpx.Headers({"Retry-After": later})) or 0) <= 30
    # beehiiv's RateLimit-Reset is a Unix epoch time, not a delay.
    epoch = httpx.Headers({"RateLimit-Reset": str(int(datetime.now(UTC).timestamp()) + 20)})
    assert 18 <= (rate_limit_wait(epoch, "RateLimit-Reset") or 0) <= 20
    past = httpx.Headers({"RateLimit-Reset": str(int(datetime.now(UTC).timestamp()) - 5)})
    assert rate_limit_wait(past, "RateLimit-Reset") == 0.0


# -- the factory ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "credentials", "list_id", "message"),
    [
        ("sendgrid", {"apiKey": "k"}, None, "unknown ESP provider 'sendgrid'"),
        ("kit", {}, None, "non-empty 'apiKey'"),
        ("brevo", {"apiKey": "  "}, None, "non-empty 'apiKey'"),
        ("mailchimp", {"apiKey": "k-us21"}, None, "audience id"),
        ("beehiiv", {"apiKey": "k"}, "", "publication id"),
        ("brevo", {"apiKey": "k"}, "list-7", "not a valid list id"),
    ],
)
async def test_make_connector_rejects_bad_settings(
    provider: str,
    credentials: dict[str, str],
    list_id: str | None,
    message: str,
    http: httpx.AsyncClient,
) -> None:
    with pytest.raises(ValueError, match=message):
        make_connector(provider, credentials, list_id, EspEndpoints(), http)


def test_fakes_run_standalone_for_sync_code() -> None:
    """Each fake also runs on a host of its own, and answers plain synchronous clients."""
    with fake_esp("brevo", size=3) as fake, httpx.Client(base_url=fake.base_url) as client:
        ok = client.get("/contacts", headers={"api-key": fake.api_key}, params={"sort": "asc"})
        assert ok.status_code == 200
        assert [c["id"] for c in ok.json()["contacts"]] == [1, 2, 3]
        refused = client.get("/contacts", headers={"api-key": "nope"})
        assert refused.status_code == 401
        assert refused.json() == {"code": "unauthorized", "message": "Key not found"}
        assert fake.request_count == 2
