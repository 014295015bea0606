"""Where a webhook may be sent, and the one HTTP request that sends it.

Server-side request forgery: a webhook URL is chosen by staff, but the request comes
from inside our network. Only http(s) URLs without credentials are accepted; unless
WEBHOOKS_ALLOW_PRIVATE_URLS is on (development and tests), every address the host
resolves to must be public. The check runs when the request is made, and the request
goes to the address that was checked (the URL's host is kept for the Host header and
TLS), so a DNS answer that changes between check and connect cannot redirect it.
Redirects are never followed.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.utils.translation import gettext as _

USER_AGENT = "CivicChat-Webhooks/1.0"
# Of the addresses a host resolves to, how many are tried before giving up.
MAX_ADDRESSES = 2
EXCERPT_BYTES = 2048


class UnsafeDestination(Exception):
    """The URL may not be sent to (scheme, credentials or a private address)."""


class DestinationUnreachable(Exception):
    """The host name did not resolve (worth another try later)."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # path and query, as given


def parse_url(url: str) -> Target:
    """Split a webhook URL, refusing anything but http(s) without credentials."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeDestination(_("The URL is not valid.")) from exc
    if parts.scheme not in {"http", "https"}:
        raise UnsafeDestination(_("Only http and https URLs can receive webhooks."))
    if parts.username or parts.password:
        raise UnsafeDestination(_("Put credentials in the secret, not in the URL."))
    if not parts.hostname:
        raise UnsafeDestination(_("The URL has no host."))
    path = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    default_port = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, parts.hostname, port or default_port, path)


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A globally routable unicast address (not private, loopback, link-local — cloud
    metadata lives there —, carrier-grade NAT, reserved or multicast)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def resolve(target: Target) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """The addresses to connect to, in the resolver's order; UnsafeDestination if
    private addresses are not allowed and any of them is one (a host with one public
    and one private address is refused: which one is used is not ours to choose)."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise DestinationUnreachable(
            _("The host name %(host)s could not be resolved.") % {"host": target.host}
        ) from exc
    addresses: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not settings.WEBHOOKS_ALLOW_PRIVATE_URLS and not all(map(is_public, addresses)):
        raise UnsafeDestination(
            _("%(host)s resolves to a private or local address; webhooks go to public hosts.")
            % {"host": target.host}
        )
    return addresses


def check_url(url: str) -> None:
    """Raise UnsafeDestination (or DestinationUnreachable) for a URL that cannot
    receive webhooks; what the registration form checks."""
    resolve(parse_url(url))


@dataclass(frozen=True)
class Reply:
    status: int
    excerpt: str
    retry_after: str


def post(*, url: str, body: bytes, headers: dict[str, str]) -> Reply:
    """POST ``body`` to ``url`` through a checked address; the reply's status and the
    first EXCERPT_BYTES of its body. Raises UnsafeDestination, DestinationUnreachable
    or httpx.TransportError (timeouts, refused or dropped connections)."""
    target = parse_url(url)
    addresses = resolve(target)
    default_port = 443 if target.scheme == "https" else 80
    shown_host = f"[{target.host}]" if ":" in target.host else target.host  # IPv6 literal
    host_header = shown_host if target.port == default_port else f"{shown_host}:{target.port}"
    request_headers = {
        **headers,
        "Host": host_header,
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
    last_error: httpx.TransportError | None = None
    with httpx.Client(
        timeout=settings.HTTP_TIMEOUT_SECONDS, follow_redirects=False, trust_env=False
    ) as client:
        for address in addresses[:MAX_ADDRESSES]:
            literal = f"[{address}]" if address.version == 6 else str(address)
            pinned = f"{target.scheme}://{literal}:{target.port}{target.path}"
            request = client.build_request(
                "POST",
                pinned,
                content=body,
                headers=request_headers,
                # TLS: the certificate is checked against the URL's host, not the address.
                extensions={"sni_hostname": target.host},
            )
            try:
                response = client.send(request, stream=True)
            except httpx.ConnectError as exc:
                last_error = exc
                continue
            try:
                excerpt = _read_excerpt(response)
            finally:
                response.close()
            return Reply(
                status=response.status_code,
                excerpt=excerpt,
                retry_after=response.headers.get("Retry-After", ""),
            )
    if last_error is None:  # resolve() returned no address (it never does)
        raise DestinationUnreachable(_("No address to send to."))
    raise last_error


def _read_excerpt(response: httpx.Response) -> str:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= EXCERPT_BYTES:
            break
    return b"".join(chunks)[:EXCERPT_BYTES].decode("utf-8", errors="replace")
