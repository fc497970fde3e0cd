"""One derive run's parsed documents: bounded, owned by the run, dropped with it.

A run reads each stored FR document twice (parse status, then rules) and each
eCFR version twice (parse status, then history); parsing once is what keeps a
backfill linear. Nothing survives the run: a daemon that derives every few
minutes holds no parse results between runs, so its memory does not grow with
what it has seen.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import Any

from parsers.fr_xml import parse_fr_xml
from parsers.model import FRDocument
from pipeline.derive.units import TrackedUnit, VersionSummary

Loader = Callable[[], bytes]

# Parsed FR XML trees are large (a daily issue is megabytes of objects); a run
# needs one again only right after parsing it, so a few dozen are plenty.
MAX_DOCUMENTS = 64
# Version summaries are small (interned memberships); a run needs every one at
# once, so the bound is far above any real history and only stops runaway growth.
MAX_VERSIONS = 20_000


class ParseCache:
    """Parsed FR documents and eCFR version summaries of one derive run, each with a maximum size."""

    def __init__(self, max_documents: int = MAX_DOCUMENTS, max_versions: int = MAX_VERSIONS) -> None:
        self.max_documents = max_documents
        self.max_versions = max_versions
        self._documents: OrderedDict[tuple[str, str | None], tuple[FRDocument, ...]] = OrderedDict()
        self._versions: OrderedDict[tuple[str, str], VersionSummary] = OrderedDict()
        self._intern: dict[Hashable, Hashable] = {}

    def __len__(self) -> int:
        return len(self._documents) + len(self._versions)

    def fr_documents(self, sha: str, publication_date: str | None, load: Loader, name: str) -> tuple[FRDocument, ...]:
        """The FR documents of one stored XML file, parsed once per run.

        The publication date is part of the key: a single document's XML carries
        none, and "30 days after publication" needs it.
        """
        key = (sha, publication_date)
        if key in self._documents:
            self._documents.move_to_end(key)
            return self._documents[key]
        docs = parse_fr_xml(load(), name, publication_date=date.fromisoformat(publication_date)
                            if publication_date else None)
        self._documents[key] = docs
        if len(self._documents) > self.max_documents:
            self._documents.popitem(last=False)
        return docs

    def version(self, unit: TrackedUnit, sha: str, load: Loader, name: str) -> VersionSummary:
        """One eCFR version of ``unit``, parsed once per run; only its summary is kept."""
        key = (unit.kind.value, sha)
        if key in self._versions:
            self._versions.move_to_end(key)
            return self._versions[key]
        summary = unit.summarize(unit.parse_version(load(), name))
        summary = VersionSummary(self._shared(summary.state), summary.table, summary.columns, summary.problems)
        self._versions[key] = summary
        if len(self._versions) > self.max_versions:
            self._versions.popitem(last=False)
        return summary

    def _shared(self, state: frozenset[Any]) -> frozenset[Any]:
        """Entries shared across versions: 1,000 versions of a 200-country table stay small."""
        return frozenset(self._intern.setdefault(e, e) for e in state)
