"""Feed addresses as people may see them, and local calendar files told apart from web feeds.

A feed URL is often a secret (the hub's `/feed/<token>/<id>.ics`, Google's `private-<key>`), so it
is never shown or logged whole: only its scheme, host and last path segment survive.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import unquote, urlsplit

_SECRET_LOOKING = 20  # a last segment this long (without its extension) may be a key; blank it


def redact_url(url: str) -> str:
    """`https://hub.example.org/feed/<secret>/3.ics?k=v` -> `https://hub.example.org/…/3.ics`.

    User names, passwords, queries and fragments go; so does every path segment but the last, and
    the last too when it looks like a key.
    """
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "a feed URL that cannot be read"
    if parts.scheme == "file":
        return Path(unquote(parts.path)).name or "a local file"
    segments = [s for s in parts.path.split("/") if s]
    last = segments[-1] if segments else ""
    if len(last.rsplit(".", 1)[0]) >= _SECRET_LOOKING:
        last = "…"
    prefix = "/…/" if len(segments) > 1 else "/"
    return f"{parts.scheme}://{host}{port}{prefix}{last}"


def local_path(url_or_path: str) -> Path | None:
    """The file a `file://` URL or a plain path names; None for a web feed (http, https, webcal)."""
    text = url_or_path.strip()
    scheme = urlsplit(text).scheme.lower() if "://" in text else ""
    if scheme in ("http", "https", "webcal"):
        return None
    if scheme == "file":
        return Path(unquote(urlsplit(text).path))
    if scheme:
        raise ValueError(f"a feed is an http(s) URL or a file, not a {scheme}:// address")
    return Path(text).expanduser()


def web_url(url: str) -> str:
    """A web feed's URL to fetch: calendar apps' `webcal://` is `https://`."""
    text = url.strip()
    if text.lower().startswith("webcal://"):
        return "https://" + text[len("webcal://") :]
    return text


def is_loopback(url: str) -> bool:
    """Whether a URL's host is this computer (localhost, 127.0.0.0/8, ::1): the only place where
    plain http:// keeps what it carries (a token) off the network."""
    try:
        host = (urlsplit(url.strip()).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
