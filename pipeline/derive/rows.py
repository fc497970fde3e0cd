"""The typed rows the derivation reads and writes: no tuple here is unpacked by position.

Rows that tests and callers also build from plain tuples (a membership
interval, a review item, a suspect version, a column) are ``NamedTuple``s:
fields by name in the code, a plain tuple still accepted where one is given.
The rest are frozen dataclasses. Row types mirror the tables of the store
(``store/derived.py`` writes them) but know nothing of SQL.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from parsers.announcement import Announced
from parsers.lifecycle import (
    ChangeAction,
    ChangeStatus,
    DivergenceKind,
    DivergenceSide,
    ReviewSubject,
    SourceKind,
    SourceRef,
    TableEventKind,
)
from parsers.model import FRDocument, ListKind, Operation
from pipeline.derive.history import TableEvent, TableSummary

# A unit's state at one moment: the set of its entries. For Country Groups an
# entry is a (country, column code) membership; for 22 CFR 126.1 (country, "126.1").
UnitState = frozenset[Any]


# ---------------------------------------------------------------- keys

def change_key(country: str, group: str | None, action: ChangeAction | str, source: SourceRef, *,
               list_kind: ListKind = ListKind.COUNTRY_GROUPS, entity_key: str | None = None) -> str:
    """The identity of a change across runs: "Cambodia|D:5|removed|fr:2026-02262".

    The only place it is built: an FR rule's change, an unattributed eCFR
    delta, an announced change and the check of an announcement against the
    published rule all ask here. Country Group keys keep the form they have
    always had; the other lists lead with the list and name the entity's match
    key: "744.21|Cambodia|added|fr:2021-26633",
    "entity_list|Russia|sample avionics ooo|removed|fr:2099-90002".
    """
    value = action.value if isinstance(action, ChangeAction) else action
    if list_kind is ListKind.COUNTRY_GROUPS:
        return f"{country}|{group}|{value}|{source}"
    middle = f"|{entity_key}" if entity_key is not None else ""
    return f"{list_kind.value}|{country}{middle}|{value}|{source}"


# ---------------------------------------------------------------- eCFR versions

class Column(NamedTuple):
    """One column a version prints: code, printed name, and the table it is in ("Country Group D")."""

    code: str
    name: str
    table: str


@dataclass(frozen=True)
class Version:
    """One eCFR version reduced to what derivation needs (parsed trees are not kept)."""

    date: str
    state: UnitState
    events: tuple[TableEvent, ...] = ()          # table events against the previous version
    columns: tuple[Column, ...] = ()
    table: TableSummary | None = field(default=None, compare=False)   # to re-compare after a suspect version
    problems: tuple[tuple[str, str], ...] = field(default=(), compare=False)   # (text, reason) the parser raised

    def __post_init__(self) -> None:
        if any(not isinstance(c, Column) for c in self.columns):
            object.__setattr__(self, "columns", tuple(Column._make(c) for c in self.columns))


class Suspect(NamedTuple):
    """An eCFR version held as suspect: its date, why, and the last trusted version it was compared with."""

    date: str
    reason: str
    last_trusted: str


class Accepted(NamedTuple):
    """A suspect version re-baselined because the next version showed it again."""

    date: str
    reason: str                  # why it was suspect
    last_trusted: str            # the version it was compared with
    confirmed_by: str            # the date of the next version, which prints the same
    tables: tuple[str, ...]      # the tables it changed (Country Groups: the letters "A", "D" ...)


class Screening(NamedTuple):
    """What screen_versions decided about each eCFR version of a unit."""

    trusted: list[Version]
    suspects: list[Suspect]
    accepted: list[Accepted]


# ---------------------------------------------------------------- review items

class ReviewItem(NamedTuple):
    """Something a person must look at: one row of ``review_items``.

    ``document`` is the FR document number, or ``SourceRef.ecfr(date)`` for an
    eCFR version; ``instruction`` the 0-based AMDPAR index, when there is one.
    One item per (document, instruction, text); its reason may change.
    """

    document: str
    instruction: int | None
    text: str
    reason: str

    @classmethod
    def on_version(cls, version_date: str, text: str, reason: str) -> ReviewItem:
        return cls(SourceRef.ecfr(version_date), None, text, reason)

    @property
    def subject(self) -> ReviewSubject:
        ref = SourceRef.parse(self.document)
        return ReviewSubject.ECFR_VERSION if ref and ref.kind is SourceKind.ECFR else ReviewSubject.FR_DOCUMENT

    @property
    def identity(self) -> tuple[str, int | None, str]:
        return self.document, self.instruction, self.text


# ---------------------------------------------------------------- FR rules

@dataclass(frozen=True)
class StoredDocument:
    """A parsed stored FR document with the API facts rule building needs."""

    doc: FRDocument
    published: str | None
    effective_on: str | None         # the API's
    correction_of: str | None
    citation: str | None
    agencies: frozenset[str]
    cfr_parts: frozenset[str]        # "15 CFR 740": the API's references and the XML's


class RuleInstruction(NamedTuple):
    """One instruction of a Rule: its position (0-based AMDPAR index), its text, the operations it makes."""

    position: int                    # Instruction.index
    text: str
    operations: tuple[Any, ...]


@dataclass(frozen=True)
class Rule:
    """An FR document's operations on one tracked unit that share one effective date.

    A document whose DATES text gives some instructions their own date is
    split into one Rule per date (same number, so change keys stay
    "country|group|action|fr:DOC"). ``moved`` notes a delay/correction notice
    that moved this date; ``review`` holds the review items about its dates.
    """

    number: str
    effective: str
    published: str | None
    corrects: str | None
    operations: tuple[Operation, ...]
    instructions: tuple[RuleInstruction, ...]
    moved: tuple[str, ...] = ()
    review: tuple[ReviewItem, ...] = ()

    def __post_init__(self) -> None:
        if any(not isinstance(i, RuleInstruction) for i in self.instructions):
            object.__setattr__(self, "instructions", tuple(RuleInstruction._make(i) for i in self.instructions))

    def instruction_of(self, op: Operation) -> RuleInstruction | None:
        """The instruction that made ``op``."""
        return next((i for i in self.instructions if op in i.operations), None)


@dataclass(frozen=True)
class Announcement:
    """A public-inspection document's statements and instruction operations on one unit."""

    number: str
    effective: str | None            # what its DATES text states; None when not exactly readable
    stated: tuple[Announced, ...]
    operations: tuple[Operation, ...]


# ---------------------------------------------------------------- derived facts

@dataclass(frozen=True)
class Change:
    """One change of a unit's state: announced, published, in effect, confirmed, contradicted or unattributed.

    ``group`` is the column code for Country Groups and None for the other
    lists; ``entity``/``entity_key`` name an Entity List entry (first name as
    printed, match key); ``detail`` is the JSON of what a revision changed or
    where a move went. ``entry`` is the list's state entry after the change
    (not stored: memberships open with it).
    """

    key: str
    country: str
    group: str | None
    action: ChangeAction
    effective_date: str | None
    status: ChangeStatus
    fr_document: str | None
    ecfr_version: str | None
    corrected_by: tuple[str, ...] = ()
    note: str = ""
    date_moves: tuple[str, ...] = ()   # "effective date moved from X to Y by FR Doc. N", logged once each
    list: ListKind = ListKind.COUNTRY_GROUPS   # the tracked list it changes (``changes.list``)
    entity: str | None = None          # an Entity List entry: its first name as printed
    entity_key: str | None = None      # ... and its normalized match key
    detail: str | None = None          # JSON text, as ``changes.detail`` holds it
    entry: Any = field(default=None, compare=False, repr=False)   # the state entry after it (not stored)

    @property
    def source(self) -> SourceRef:
        return SourceRef.of_change(self.fr_document, self.ecfr_version)


class Membership(NamedTuple):
    """A country's membership of a group over [valid_from, valid_to) (valid_to exclusive; None while it holds).

    The same row holds every list's entries: a country in § 744.21 (``list``
    "744.21", ``group`` None), an Entity List entry under its destination
    (``entity``, ``entity_key``, ``detail`` the JSON of the entry's fields;
    a revision closes one interval and opens the next).
    """

    country: str
    group: str | None
    valid_from: str
    valid_to: str | None
    opened_by: SourceRef
    closed_by: SourceRef | None
    list: ListKind = ListKind.COUNTRY_GROUPS   # whose entries; its versions are the ones an 'ecfr:' ref names
    entity: str | None = None
    entity_key: str | None = None
    detail: str | None = None          # JSON text of the entry's fields (``memberships.detail``)


@dataclass(frozen=True)
class Divergence:
    """One D:5 / 126.1 disagreement over [since, until) (until exclusive; None while it holds)."""

    country: str                 # frtrack's one name for the country (parsers.countries)
    side: DivergenceSide
    kind: DivergenceKind
    moved_first: str             # 'itar' | 'ear' | 'unknown' (standing: before the first compared versions)
    since: str
    until: str | None
    opened_by: SourceRef | None  # an eCFR version (of 126.1 or the supplement) or an FR document
    closed_by: SourceRef | None
    # Whose version an 'ecfr:' reference above names (126.1's or the supplement's; None for an FR
    # document): the store's foreign key needs it; how the reference was derived implies it, so
    # equality leaves it out.
    opened_in: ListKind | None = field(default=None, compare=False)
    closed_in: ListKind | None = field(default=None, compare=False)


@dataclass(frozen=True)
class TableEventRow:
    """A table event of one unit's version, as ``table_events`` holds it."""

    unit: str                    # EcfrUnit.label
    ecfr_version: str
    kind: TableEventKind
    subject: str
    before: str | None
    after: str | None


class ColumnRow(NamedTuple):
    """A column of the latest version, as ``group_columns`` holds it."""

    code: str
    name: str
    table: str
    as_of: str


# ---------------------------------------------------------------- what is stored already

@dataclass(frozen=True)
class StoredChange:
    """A ``changes`` row as stored before this run."""

    id: int
    key: str
    country: str
    group: str | None
    action: str
    effective_date: str | None
    status: ChangeStatus
    fr_document: str | None
    ecfr_version: str | None
    corrected_by: tuple[str, ...]
    list: str = ListKind.COUNTRY_GROUPS.value
    entity: str | None = None
    entity_key: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class HeldReview:
    """A ``review_items`` row as stored before this run (``withdrawn``: no longer derived, kept)."""

    id: int
    document: str
    instruction: int | None
    text: str
    reason: str
    withdrawn: bool = False

    @property
    def identity(self) -> tuple[str, int | None, str]:
        return self.document, self.instruction, self.text


class StoredFlag(NamedTuple):
    """An eCFR version row and the suspect reason it holds (None: trusted)."""

    id: int
    date: str
    suspect: str | None
