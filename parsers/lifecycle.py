"""The domain's lifecycle enums: what a change, a divergence and a review item can be.

They sit at the bottom with the model so that parsers, the derivation, the store
and the renderers all speak the same values (the values are what the database stores).
"""
from __future__ import annotations

import enum


class ChangeAction(enum.Enum):
    ADDED = "added"
    REMOVED = "removed"


class ChangeStatus(enum.Enum):
    """Lifecycle of a change: announced -> published -> in_effect -> confirmed, or one of the other ends."""

    ANNOUNCED = "announced"         # public inspection
    PUBLISHED = "published"         # FR rule parsed, delta predicted
    IN_EFFECT = "in_effect"         # effective date reached
    CONFIRMED = "confirmed"         # the eCFR diff shows the same delta
    CONTRADICTED = "contradicted"   # the eCFR shows otherwise
    UNATTRIBUTED = "unattributed"   # an eCFR delta no FR document explains
    WITHDRAWN = "withdrawn"         # once derived, no longer (e.g. after a parser fix); its log is kept


class TableEventKind(enum.Enum):
    COLUMN_RENAMED = "column_renamed"
    FOOTNOTE_CHANGED = "footnote_changed"
    NOTE_CHANGED = "note_changed"


class DivergenceSide(enum.Enum):
    ITAR_ONLY = "itar_only"         # proscribed by 126.1, not in D:5
    EAR_ONLY = "ear_only"           # in D:5, not in 126.1


class DivergenceKind(enum.Enum):
    """How a D:5 / 126.1 difference stands relative to the first compared date and today."""

    STANDING = "standing"           # present at the first compared date: listed, never an alert
    OPEN = "open"                   # began after the first compared date, on or before today; an alert
    CLOSED = "closed"               # an alert that has ended (on or before today)
    PENDING = "pending"             # begins after today (a rule published, not yet in effect)


class ReviewSubject(enum.Enum):
    """What a review item is about: an FR document's wording or an eCFR version held as suspect."""

    FR_DOCUMENT = "fr_document"
    ECFR_VERSION = "ecfr_version"


class SourceKind(enum.Enum):
    """What a derived fact stands on: an FR document or an eCFR version."""

    FR = "fr"                       # by document number: "fr:2021-26633"
    ECFR = "ecfr"                   # by version date: "ecfr:2021-12-09"


class SourceRef(str):
    """A reference to what opened or closed a fact: "fr:2021-26633" or "ecfr:2021-12-09".

    It is the text itself (a ``str``), so stored rows, JSON and comparisons keep
    the form they have always had; build one with ``fr``/``ecfr``/``of_change``
    and read one with ``parse`` -- the only places the prefixes are written.
    """

    __slots__ = ()

    @classmethod
    def fr(cls, document_number: str) -> SourceRef:
        return cls(f"{SourceKind.FR.value}:{document_number}")

    @classmethod
    def ecfr(cls, version_date: str) -> SourceRef:
        return cls(f"{SourceKind.ECFR.value}:{version_date}")

    @classmethod
    def of_change(cls, fr_document: str | None, ecfr_version: str | None) -> SourceRef:
        """A change's source: its FR document, else the eCFR version that showed it."""
        return cls.fr(fr_document) if fr_document else cls.ecfr(str(ecfr_version))

    @classmethod
    def parse(cls, text: str | None) -> SourceRef | None:
        """The reference ``text`` holds, or None when it is not one (a bare document number, nothing)."""
        if not text:
            return None
        kind, sep, value = text.partition(":")
        if not sep or kind not in _SOURCE_KINDS:
            return None
        return text if isinstance(text, SourceRef) else cls(text)

    @property
    def kind(self) -> SourceKind:
        return SourceKind(self.partition(":")[0])

    @property
    def value(self) -> str:
        """The document number or the version date."""
        return self.partition(":")[2]


_SOURCE_KINDS = frozenset(k.value for k in SourceKind)
