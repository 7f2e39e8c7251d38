"""The real client address: the socket's peer, or a configured proxy header when the peer is a trusted proxy.

`HUANJIE_PROXY_HEADER` (e.g. `X-Forwarded-For` or `X-Real-IP`) names the header a reverse proxy sets, and
`HUANJIE_TRUSTED_PROXIES` (default `127.0.0.1,::1`; addresses or networks) lists the proxies allowed to set it.
Without the first, or from any other peer, the header is ignored: a client cannot choose its own address.
"""
from __future__ import annotations

import ipaddress
import os
from functools import lru_cache
from typing import Optional, Union

from flask import current_app, request

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]


@lru_cache(maxsize=8)
def _networks(raw: str) -> tuple[Network, ...]:
    out = []
    for part in raw.split(","):
        part = part.strip()
        if part:
            out.append(ipaddress.ip_network(part, strict=False))
    return tuple(out)


def _parse(value: str) -> Optional[str]:
    try:
        return str(ipaddress.ip_address(value.strip().strip("[]")))
    except ValueError:
        return None


def _trusted(address: Optional[str], networks: tuple[Network, ...]) -> bool:
    if address is None:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in net for net in networks)


def client_address() -> str:
    """Return the address of the client of the current request (see the module docstring)."""
    peer = _parse(request.remote_addr or "") or "unknown"
    header = current_app.config.get("PROXY_HEADER", os.environ.get("HUANJIE_PROXY_HEADER", "")).strip()
    if not header or peer == "unknown":
        return peer
    networks = _networks(current_app.config.get("TRUSTED_PROXIES",
                                                os.environ.get("HUANJIE_TRUSTED_PROXIES", "127.0.0.1,::1")))
    if not _trusted(peer, networks):
        return peer
    raw = request.headers.get(header, "")
    # X-Forwarded-For lists every hop: the client is the rightmost address that is not one of our proxies
    for hop in reversed([h for h in raw.split(",") if h.strip()]):
        address = _parse(hop)
        if address is None:
            return peer  # a malformed header from a trusted proxy: fall back to the proxy itself
        if not _trusted(address, networks):
            return address
    return peer
