"""The five ESP connectors against local fake providers over real HTTP.

Retries wait through a recording sleep, so the real retry code runs without real waiting.
"""

from __future__ import annotations

import asyncio
import ssl
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
    make_connector,
)
from app.esp.http import backoff_delay, rate_limit_wait
from tests.fakes import FakeEsp, FakeHost, fake_esp
from tests.fakes.beehiiv import FakeBeehiiv

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
    sleep: RecordingSleep,
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


async def test_a_429_waits_as_told_and_the_listing_is_complete(
    fake: FakeEsp, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    fake.rate_limit_every = 3
    _, by_id = await listing(connect(fake, http, sleep))
    assert by_id == fake.account.expected()
    statuses = fake.statuses()
    limited = statuses.count(429)
    assert limited >= 1
    assert statuses.count(200) == PAGES[fake.provider]
    assert fake.request_count == PAGES[fake.provider] + limited
    # Retry-After: 1, or Brevo's x-sib-ratelimit-reset: 1, rather than the 0.5 s backoff.
    assert sleep.delays == [1.0] * limited


async def test_rate_limits_that_go_on_end_in_provider_unavailable(
    small_fake: FakeEsp, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    small_fake.rate_limit_every = 1
    with pytest.raises(ProviderUnavailable, match="429") as caught:
        await connect(small_fake, http, sleep).verify()
    assert caught.value.status == 429
    assert small_fake.request_count == 5
    assert sleep.delays == [1.0] * 4


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


# How each provider's own throttle is waited out: Kit's plain-text 429 and Mailchimp's bare 403
# give no hint (backoff); beehiiv's RateLimit-Reset is an epoch ~1 s ahead; MailerLite's and
# Brevo's keep their one-second hints.
_THROTTLE_STATUS = {"mailchimp": 403, "kit": 429, "beehiiv": 429, "mailerlite": 429, "brevo": 429}


async def test_each_providers_own_throttle_is_waited_out_and_the_listing_is_complete(
    fake: FakeEsp, http: httpx.AsyncClient, sleep: RecordingSleep
) -> None:
    fake.throttle_next(2)
    _, by_id = await listing(connect(fake, http, sleep))
    assert by_id == fake.account.expected()
    throttled = _THROTTLE_STATUS[fake.provider]
    assert fake.statuses()[:3] == [throttled, throttled, 200]
    assert fake.request_count == PAGES[fake.provider] + 2
    if fake.provider in ("mailchimp", "kit"):
        assert sleep.delays == [0.5, 1.0]
    elif fake.provider == "beehiiv":
        assert len(sleep.delays) == 2 and all(0.0 <= d <= 2.0 for d in sleep.delays)
    else:
        assert sleep.delays == [1.0, 1.0]


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
