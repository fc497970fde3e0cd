"""Stable URL slugs for the site: a country's, group's or document's path never
depends on what else is in the database, so links and bookmarks survive reruns.

Country and group slugs are the digest's (pipeline.publish.render) so mail links
land on the same pages. Two names folding to one slug (rare: "Côte d'Ivoire" vs
"Cote d'Ivoire") both get a short hash of the exact name appended, which only
depends on the names themselves.
"""
from __future__ import annotations

import functools
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable

from pipeline.publish.render import country_slug, group_slug

__all__ = ["country_slug", "group_slug", "doc_slug", "country_slugs", "group_sort_key"]


def _suffix(name: str) -> str:
    return hashlib.sha1(name.encode("utf-8")).hexdigest()[:6]


def country_slugs(names: Iterable[str]) -> dict[str, str]:
    """name -> slug for every name, unique even when two names fold to one slug."""
    by_slug: dict[str, list[str]] = defaultdict(list)
    for name in set(names):
        by_slug[country_slug(name) or "country"].append(name)
    out: dict[str, str] = {}
    for slug, group in by_slug.items():
        if len(group) == 1 and slug != "country":
            out[group[0]] = slug
        else:
            for name in group:
                out[name] = f"{slug}-{_suffix(name)}"
    return out


@functools.lru_cache(maxsize=65536)
def doc_slug(document_number: str) -> str:
    """FR document numbers ("2026-02262", "C1-2020-04178") are already URL-safe; keep them readable."""
    slug = re.sub(r"[^A-Za-z0-9-]+", "-", document_number).strip("-")
    return slug or f"doc-{_suffix(document_number)}"


def group_sort_key(code: str) -> tuple[str, int, str]:
    """A:1 < A:2 < ... < B < D:1 < ... < E:2 (numeric within a letter)."""
    letter, _, num = code.partition(":")
    return (letter.upper(), int(num) if num.isdigit() else 0, code)
