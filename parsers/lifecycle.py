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
