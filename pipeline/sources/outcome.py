"""What one source did in one run: the value every fetcher returns to `pipeline.fetch`."""
from __future__ import annotations

from dataclasses import dataclass

from store.enums import Source


@dataclass(frozen=True)
class SourceOutcome:
    """What one source did in one run."""

    source: Source
    ok: bool
    requests: int
    new_items: int
    watermark: str | None
    error: str | None
    brief: str | None = None      # the error in one short line without URLs (what status and the CLI show)
    blocked: bool = False         # refused with a block page (govinfo fallback)
