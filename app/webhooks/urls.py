"""Where a webhook may point: never at loopback, private, link-local or other internal
addresses (a server-side request forgery guard), checked when registered and before each send."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

__all__ = ["UrlRefused", "check_url"]


class UrlRefused(Exception):
    """The reason, for the caller."""


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # IPv4 addresses reached through NAT64


def _internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        elif address in _NAT64:
            address = ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    # Not global: private, loopback, link-local, shared (CGNAT 100.64/10), reserved,
    # documentation and unspecified ranges alike.
    return not address.is_global or address.is_multicast


async def check_url(url: str, *, allow_private: bool) -> None:
    """Raise UrlRefused unless ``url`` is http(s) to a host whose every address is public
    (or ``allow_private``: for tests and closed networks)."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:  # e.g. an unclosed "[" or a port out of range
        raise UrlRefused(f"the URL is malformed: {exc}") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UrlRefused("the URL must be http:// or https:// with a host")
    if parts.username or parts.password:
        raise UrlRefused("the URL may not carry credentials")
    if allow_private:
        return
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(
            parts.hostname, port, type=socket.SOCK_STREAM
        )
    except (socket.gaierror, UnicodeError, ValueError) as exc:
        raise UrlRefused(f"the host does not resolve: {exc}") from None
    for *_, sockaddr in infos:
        address = ipaddress.ip_address(sockaddr[0])
        if _internal(address):
            raise UrlRefused(f"{parts.hostname} resolves to an internal address ({address})")
