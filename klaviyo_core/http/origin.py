"""Where a key may go: one origin per client, https off loopback, and look-alike hosts named.

The rules the CLI, the app and the transport share (DESIGN.md §1b): a key is only ever sent to the configured
origin (scheme, host and port), never in clear text off this machine, and a host outside `*.klaviyo.com` is
either warned about (page) or needs an explicit `--allow-host` (CLI).
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

KLAVIYO_DOMAIN = "klaviyo.com"
_DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeTarget(ValueError):
    """A base URL the workbench refuses to send a key to (said before any connection is made)."""


def origin_of(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) with default ports filled in, so `https://h` and `https://h:443` are one origin."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme, 0)


def same_origin(url: str, base_url: str) -> bool:
    return origin_of(url) == origin_of(base_url)


def is_loopback_host(host: str) -> bool:
    """localhost, 127.0.0.0/8 and ::1: traffic that never leaves this machine."""
    host = host.lower().strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def is_klaviyo_host(host: str) -> bool:
    host = host.lower().rstrip(".")
    return host == KLAVIYO_DOMAIN or host.endswith("." + KLAVIYO_DOMAIN)


def require_https(base_url: str) -> None:
    """Refuse a cleartext or malformed base URL off loopback: the key would travel readable by anyone."""
    scheme, host, _ = origin_of(base_url)
    if scheme not in ("http", "https") or not host:
        raise UnsafeTarget(f"'{base_url}' is not a web address; use e.g. https://a.klaviyo.com.")
    if scheme == "http" and not is_loopback_host(host):
        raise UnsafeTarget(
            f"https is required for {host}: the API key would be sent in clear text over http. "
            f"Use https://{host}{urlsplit(base_url).path or ''} (http is only allowed on this machine, for a sandbox)."
        )


def foreign_host(base_url: str) -> str | None:
    """The host, when it is neither Klaviyo's (`*.klaviyo.com`) nor this machine's; else None."""
    _, host, _ = origin_of(base_url)
    if is_loopback_host(host) or is_klaviyo_host(host):
        return None
    return host


def host_warning(base_url: str) -> str | None:
    """The page's warning for a look-alike or third-party host (None for Klaviyo's and loopback)."""
    host = foreign_host(base_url)
    if host is None:
        return None
    return (
        f"{host} is not a Klaviyo address (*.klaviyo.com): the API key is sent to whoever runs it. "
        "Continue only if you trust this host (a proxy of your own, for instance)."
    )


def check_target(base_url: str, *, allow_host: bool = False) -> None:
    """The CLI's rule: https off loopback, and a host outside `*.klaviyo.com` only with --allow-host."""
    require_https(base_url)
    host = foreign_host(base_url)
    if host and not allow_host:
        raise UnsafeTarget(
            f"{host} is not a Klaviyo address (*.klaviyo.com), so the API key is not sent there. "
            "If you trust this host, add --allow-host (it is remembered on a saved account)."
        )
