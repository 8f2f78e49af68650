"""Where a webhook may point: never at loopback, private, link-local or other internal
addresses (a server-side request forgery guard), checked when registered and before each send.

A send goes to the address that was checked (:func:`pinned`), not to whatever the name resolves
to a moment later: a DNS answer that changes between the check and the connection (DNS
rebinding) cannot steer it inside."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, NamedTuple, NewType
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from app.runtime import Runtime

__all__ = [
    "CheckedUrl",
    "Pinned",
    "UrlCheckTimedOut",
    "UrlChecker",
    "UrlRefused",
    "check_url",
    "pinned",
    "webhook_urls",
]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# A URL that passed the check (the address it is sent to is checked again before each send).
CheckedUrl = NewType("CheckedUrl", str)


class UrlRefused(Exception):
    """The reason, for the caller."""


class UrlCheckTimedOut(UrlRefused):
    """The host's name did not resolve within the check's timeout."""


# (host, port) -> the addresses, as getaddrinfo's sockaddr[0] strings.
Resolve = Callable[[str, int], Awaitable[list[str]]]


def _blocking_getaddrinfo(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(sockaddr[0]) for *_, sockaddr in infos]


async def _getaddrinfo(host: str, port: int) -> list[str]:
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(sockaddr[0]) for *_, sockaddr in infos]


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # IPv4 addresses reached through NAT64


def _internal(address: Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address in _NAT64:
            address = ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    # Not global: private, loopback, link-local, shared (CGNAT 100.64/10), reserved,
    # documentation and unspecified ranges alike.
    return not address.is_global or address.is_multicast


async def check_url(url: str, *, allow_private: bool, resolve: Resolve | None = None) -> Address:
    """Raise UrlRefused unless ``url`` is http(s) to a host whose every address is public
    (any address with ``allow_private``: for tests and closed networks); else the checked
    address to connect to. ``resolve``: how names are looked up (the loop's getaddrinfo)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:  # e.g. an unclosed "[" or a port out of range
        raise UrlRefused(f"the URL is malformed: {exc}") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UrlRefused("the URL must be http:// or https:// with a host")
    if parts.username or parts.password:
        raise UrlRefused("the URL may not carry credentials")
    try:
        found = await (resolve or _getaddrinfo)(parts.hostname, port)
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise UrlRefused(f"the host does not resolve: {exc}") from None
    addresses = [ipaddress.ip_address(address) for address in found]
    for address in addresses:
        if _internal(address) and not allow_private:
            raise UrlRefused(f"{parts.hostname} resolves to an internal address ({address})")
    if not addresses:
        raise UrlRefused(f"{parts.hostname} has no address")
    # IPv4 first: a host that has both is more often unreachable over IPv6 than over IPv4.
    return min(addresses, key=lambda address: address.version)


class UrlChecker:
    """:func:`check_url` for a process: at most ``concurrency`` name lookups at once, in threads
    of its own (a slow resolver never holds the loop's default executor, which other work
    shares), each check within ``timeout`` seconds, the wait for a thread included; past it,
    UrlCheckTimedOut. A lookup still stuck in its thread then ends on the resolver's own
    timeout; a check still waiting for a thread is dropped."""

    def __init__(
        self,
        *,
        timeout: float,
        concurrency: int,
        allow_private: bool,
        lookup: Callable[[str, int], list[str]] | None = None,
    ) -> None:
        """``lookup``: the blocking name lookup run in the checker's threads (getaddrinfo)."""
        self.timeout = timeout
        self._allow_private = allow_private
        self._lookup = lookup or _blocking_getaddrinfo
        self._executor = ThreadPoolExecutor(concurrency, thread_name_prefix="webhook-dns")

    async def _resolve(self, host: str, port: int) -> list[str]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self._lookup, host, port)

    async def check(self, url: str) -> Address:
        """The checked address of ``url``; UrlRefused (or UrlCheckTimedOut) otherwise."""
        try:
            async with asyncio.timeout(self.timeout):
                return await check_url(
                    url, allow_private=self._allow_private, resolve=self._resolve
                )
        except TimeoutError:
            raise UrlCheckTimedOut(
                f"the host did not resolve within {self.timeout:g} s; try again later"
            ) from None

    async def checked(self, url: str) -> CheckedUrl:
        await self.check(url)
        return CheckedUrl(url)

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class Pinned(NamedTuple):
    """A request to a checked address: the URL with the address for its host, the ``Host``
    header, and httpx's ``sni_hostname`` (TLS still verifies the certificate for the name)."""

    url: str
    headers: dict[str, str]
    extensions: dict[str, Any]


def pinned(url: str, address: Address) -> Pinned:
    """The request for ``url`` sent to ``address``."""
    parts = urlsplit(url)
    host = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{host}:{parts.port}" if parts.port else host
    name = parts.hostname or ""
    extensions = {"sni_hostname": name} if parts.scheme == "https" else {}
    return Pinned(parts._replace(netloc=netloc).geturl(), {"Host": parts.netloc}, extensions)


def webhook_urls(runtime: Runtime) -> UrlChecker:
    """Where this process's webhooks may point, checked under WEBHOOK_URL_CHECK_*."""
    return runtime.held(_webhook_urls)


def _webhook_urls(runtime: Runtime) -> UrlChecker:
    settings = runtime.settings
    made = UrlChecker(
        timeout=settings.webhook_url_check_timeout_seconds,
        concurrency=settings.webhook_url_check_concurrency,
        allow_private=settings.webhook_allow_private_urls,
    )
    runtime.on_stop(made.close)
    return made
