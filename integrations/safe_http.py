"""POST to URLs that customers give us, guarded against server-side request forgery.

The host is resolved once, every address it resolves to must be public (not loopback, private,
link-local, shared, multicast or reserved), and the connection goes to that vetted address:
a DNS answer that changes between the check and the call (DNS rebinding) cannot redirect it.
Redirects are not followed. WEBHOOK_ALLOW_PRIVATE_URLS lifts the address check (and allows plain
http) for local development and tests."""

import ipaddress
import os
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings

EXCERPT_BYTES = 1000


class UnsafeUrl(Exception):
    """A URL we refuse to call; the message says why, for the person who gave it."""


@dataclass(frozen=True)
class ResolvedUrl:
    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: dict
    excerpt: str


# IPv6 ranges that carry an IPv4 address the network may deliver to instead (RFC 6052 NAT64,
# RFC 3056 6to4): the embedded address must be public too.
NAT64_WELL_KNOWN = ipaddress.ip_network("64:ff9b::/96")
# Refused whole: local-use NAT64 (RFC 8215; the IPv4 part may sit anywhere), Teredo (RFC 4380)
# and the deprecated IPv4-compatible form ::a.b.c.d (RFC 4291), which no public host uses.
REFUSED_IPV6 = tuple(ipaddress.ip_network(net) for net in ("64:ff9b:1::/48", "2001::/32", "::/96"))


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6:
        if any(ip in net for net in REFUSED_IPV6):
            return False
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            # The connection ends at the embedded address (the NAT64 and 6to4 prefixes are public).
            return _is_public(embedded)
    return _is_public(ip)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped:
        return ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    if ip in NAT64_WELL_KNOWN:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return ip.sixtofour


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not ip.is_multicast


def resolve_url(url: str) -> ResolvedUrl:
    """Parse and resolve `url`, refusing what we must not call. Raises UnsafeUrl."""
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE_URLS
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeUrl("Give an https:// URL.")
    if parts.scheme == "http" and not allow_private:
        raise UnsafeUrl("Use https: webhook payloads carry borrowers' personal data.")
    if parts.username or parts.password:
        raise UnsafeUrl("Leave credentials out of the URL; verify our signature instead.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UnsafeUrl("The URL has an invalid port.") from None
    addresses = _resolve(parts.hostname, port)
    if not allow_private:
        refused = [a for a in addresses if not is_public_address(a)]
        if refused:
            raise UnsafeUrl(
                f"{parts.hostname} resolves to {refused[0]}, a loopback, private or reserved "
                "address; webhooks go to public addresses only."
            )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return ResolvedUrl(parts.scheme, parts.hostname, port, path, addresses)


def _resolve(host: str, port: int) -> tuple[str, ...]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UnsafeUrl(f"Cannot resolve the host {host!r}.") from None
    return tuple(dict.fromkeys(info[4][0] for info in infos))


def post(url: str, *, body: bytes, headers: dict, timeout: float) -> HttpResponse:
    """POST once, to a vetted address (the next one if an address refuses the connection).
    Raises UnsafeUrl, or urllib3.exceptions.HTTPError (and OSError) when the far end cannot
    be reached or does not answer in time."""
    target = resolve_url(url)
    for address in target.addresses[:-1]:
        try:
            return _post_to(address, target, body=body, headers=headers, timeout=timeout)
        except (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError):
            continue
    return _post_to(target.addresses[-1], target, body=body, headers=headers, timeout=timeout)


def _post_to(
    address: str, target: ResolvedUrl, *, body: bytes, headers: dict, timeout: float
) -> HttpResponse:
    pool = _pool(address, target, timeout)
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": target.host_header},
            redirect=False,
            retries=False,
            preload_content=False,
        )
        try:
            excerpt = response.read(EXCERPT_BYTES, decode_content=True)
        finally:
            response.close()
    finally:
        pool.close()
    return HttpResponse(response.status, dict(response.headers), excerpt.decode("utf-8", "replace"))


def _pool(address: str, target: ResolvedUrl, timeout: float) -> urllib3.HTTPConnectionPool:
    options = dict(port=target.port, timeout=urllib3.Timeout(connect=timeout, read=timeout), maxsize=1)
    if target.scheme == "http":
        return urllib3.HTTPConnectionPool(address, **options)
    # Connected to the IP, but the certificate is checked for the host name (sent as SNI).
    return urllib3.HTTPSConnectionPool(
        address,
        server_hostname=target.host,
        assert_hostname=target.host,
        ssl_context=_tls_context(),
        **options,
    )


def _tls_context() -> ssl.SSLContext:
    # The CA bundle requests uses, unless SSL_CERT_FILE names another (as OpenSSL allows).
    return ssl.create_default_context(cafile=os.environ.get("SSL_CERT_FILE") or certifi.where())
