"""Where a webhook may point: never at loopback, private, link-local or other internal
addresses (a server-side request forgery guard), checked when registered and before each send.

A send goes to the address that was checked (:func:`pinned`), not to whatever the name resolves
to a moment later: a DNS answer that changes between the check and the connection (DNS
rebinding) cannot steer it inside."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Any, NamedTuple
from urllib.parse import urlsplit

__all__ = ["Pinned", "UrlRefused", "check_url", "pinned"]

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class UrlRefused(Exception):
    """The reason, for the caller."""


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


async def check_url(url: str, *, allow_private: bool) -> Address:
    """Raise UrlRefused unless ``url`` is http(s) to a host whose every address is public
    (any address with ``allow_private``: for tests and closed networks); else the checked
    address to connect to."""
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
        infos = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, port, type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise UrlRefused(f"the host does not resolve: {exc}") from None
    addresses = [ipaddress.ip_address(sockaddr[0]) for *_, sockaddr in infos]
    for address in addresses:
        if _internal(address) and not allow_private:
            raise UrlRefused(f"{parts.hostname} resolves to an internal address ({address})")
    if not addresses:
        raise UrlRefused(f"{parts.hostname} has no address")
    # IPv4 first: a host that has both is more often unreachable over IPv6 than over IPv4.
    return min(addresses, key=lambda address: address.version)


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
