"""Local fake ESP servers for tests: real HTTP on 127.0.0.1, the providers' paths and shapes.

    with fake_esp("kit", size=2500) as fake:          # or fake_kit(size=2500), FakeKit.running()
        connector = make_connector("kit", fake.credentials, None, fake.endpoints(), http)

Pass ``host=`` (a started ``FakeHost``) to share one server between many fakes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from tests.fakes.base import FakeAccount, FakeEsp, FakeHost, FakeSubscriber, Profile, serve
from tests.fakes.beehiiv import FakeBeehiiv, fake_beehiiv
from tests.fakes.brevo import FakeBrevo, fake_brevo
from tests.fakes.kit import FakeKit, fake_kit
from tests.fakes.mailchimp import FakeMailchimp, fake_mailchimp
from tests.fakes.mailerlite import FakeMailerLite, fake_mailerlite

__all__ = [
    "FAKES",
    "FakeAccount",
    "FakeBeehiiv",
    "FakeBrevo",
    "FakeEsp",
    "FakeHost",
    "FakeKit",
    "FakeMailchimp",
    "FakeMailerLite",
    "FakeSubscriber",
    "Profile",
    "fake_beehiiv",
    "fake_brevo",
    "fake_esp",
    "fake_kit",
    "fake_mailchimp",
    "fake_mailerlite",
    "serve",
]

FAKES: dict[str, type[FakeEsp]] = {
    cls.provider: cls for cls in (FakeMailchimp, FakeKit, FakeBeehiiv, FakeMailerLite, FakeBrevo)
}


@contextlib.contextmanager
def fake_esp(provider: str, *, host: FakeHost | None = None, **options: Any) -> Iterator[FakeEsp]:
    """The running fake of ``provider`` (``options``: ``size``, ``seed``, ``list_id``)."""
    with FAKES[provider].running(host=host, **options) as fake:
        yield fake
