"""The address a request came from, for sign-in throttles and the audit trail.

X-Forwarded-For is whatever the client wrote unless a proxy we run appended to it, so
it is read only when the connection comes from a proxy listed in TRUSTED_PROXIES.
Trusting it otherwise would let a password guesser pick a fresh "address" per try.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(request) -> str | None:
    """REMOTE_ADDR, or behind trusted proxies the nearest address they did not vouch for."""
    remote = request.META.get("REMOTE_ADDR") or None
    networks = trusted_networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if remote is None or not _is_trusted(remote, networks):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    address = remote
    # Each proxy appends the address it saw, so walk from the right: the first hop that is
    # not one of ours is the client. Hops left of it were written by the client itself.
    for hop in reversed([hop for hop in hops if hop]):
        if _parse(hop) is None:
            # A trusted proxy never writes garbage; the client did. Keep what we know.
            return address
        address = hop
        if not _is_trusted(hop, networks):
            return hop
    return address


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """Parse TRUSTED_PROXIES (addresses or networks such as 10.0.0.0/8)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ValueError(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or network"
            ) from None
    return tuple(networks)


def _parse(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _is_trusted(text: str, networks: tuple[Network, ...]) -> bool:
    address = _parse(text)
    return address is not None and any(address in network for network in networks)
