"""Bearer tokens and feed secrets: made at random, shown once, stored only as a hash.

A token is 256 random bits, so a plain SHA-256 is enough to store it safely (there is nothing to
guess, unlike a password): a stolen database gives no usable token. Tokens are looked up by their
hash, so no comparison of secrets happens in Python.
"""

from __future__ import annotations

import hashlib
import secrets
from enum import StrEnum

TOKEN_BYTES = 32


class TokenKind(StrEnum):
    """What a token opens."""

    API = "api"  # the service's API, sent as `Authorization: Bearer`
    FEED = "feed"  # one person's calendar feed URL (calendar apps cannot send headers)


def new_token() -> str:
    """A fresh random token, URL-safe."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The stored form of a token (hex SHA-256)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_pin() -> str:
    """A fresh 6-digit room PIN (typed by people joining an ad-hoc room; a session's comes from
    the service, so nobody types it)."""
    return f"{secrets.randbelow(10**6):06d}"
