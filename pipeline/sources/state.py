"""URL rebasing shared by the sources (their watermarks are ``store.watermarks``)."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def rebase(url: str, base: str) -> str:
    """Point an absolute URL the API gave us at the configured host (real API or replay server)."""
    u, b = urlsplit(url), urlsplit(base)
    return urlunsplit((b.scheme, b.netloc, u.path, u.query, u.fragment))


def origin(base: str) -> str:
    b = urlsplit(base)
    return f"{b.scheme}://{b.netloc}"
