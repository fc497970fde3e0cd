"""Tracked units: each list frtrack follows, as one registered plug-in.

A *tracked unit* is one eCFR unit (a section or an appendix) whose every
version frtrack stores, together with everything needed to derive facts from
it. The engine (``pipeline.engine``) knows no list by name: it iterates
``REGISTRY``, and for each unit loads the stored versions of ``unit.kind``,
parses and summarizes them with the unit's parser, reads the unit's
operations out of every stored FR document with the unit's interpreter, and
-- when the unit says how FR operations move its state (``unit.changes``) --
derives its changes, screens its versions and, if ``unit.memberships``, its
membership intervals. Comparisons across units (the D:5 / 126.1 divergences)
name the units they compare by their ``ListKind``.

What a unit carries (``TrackedUnit``):

- ``kind``: its ``parsers.model.ListKind``; the value is ``ecfr_versions.kind``
  and ``Tracked.kind`` in the config (what the eCFR fetcher stores).
- ``ecfr``: the ``EcfrUnit`` (title, part, appendix or section). Its ``label``
  is ``ecfr_versions.unit`` / ``table_events.unit``; ``cited_by`` answers
  "does this FR document or instruction touch the unit" (see ``units_cited``).
- ``parse_version``: bytes, name -> the parsed version (a pure parser).
- ``summarize``: parsed version -> ``VersionSummary`` (its state, the table
  summary its table events compare, its columns). The state is a frozenset of
  entries: (country, column code) for Country Groups, (country, "126.1") for
  126.1; a section country list would hold (country, "744.21"), the Entity
  List (destination, entity) keys or hashable entry values with their fields.
- ``interpret``: FRDocument, raw XML loader -> ``FrReading``: the
  ``UnitInstruction``s of the document that amend this unit, and review items
  the interpreter raised itself (None: the unit takes no FR instructions).
  The loader is there for interpreters that read the XML themselves (the
  §744.21 and Entity List interpreters read each AMDPAR's reprinted content
  and map their operations back to ``Instruction.index`` for its dates).
- ``state_type``: the type of the state (documentation and a test's check).
- ``changes``: a ``ChangeModel`` -- how operations move the state, how states
  diff, which table an operation needs a baseline of, when a version is
  suspect -- or None for a unit that produces no changes of its own (126.1).
- ``memberships``: whether its changes form membership intervals.
- ``announcements``: public-inspection text -> (stated changes, operations), or None.
- ``renderers``: the list's names (short name, heading title, slug), the
  template names and link pieces publish looks up (strings only: the
  derivation never imports publish).
- ``unknown_name``: the review reason for a printed name that is no country.

Adding a list is one module here plus one entry in ``REGISTRY``. The Country
Group unit (``country_groups.py``) is the worked example::

    ECFR = EcfrUnit(15, "740", appendix="Supplement No. 1 to Part 740")

    UNIT = TrackedUnit(
        kind=ListKind.COUNTRY_GROUPS, ecfr=ECFR,
        parse_version=parse_country_groups,          # parsers.ecfr_groups
        summarize=summarize,                         # memberships, table summary, columns
        interpret=interpret,                         # FR instructions on 15 CFR 740
        state_type=frozenset[tuple[str, str]],
        changes=CountryGroupChanges(),               # predict, diff, baselines, suspicion
        memberships=True,
        announcements=read_announcement,             # parsers.announcement
        renderers=Renderers(name="Country Groups", title="Country Groups", slug="country-groups",
                            pages=(("matrix", "matrix.html"), ...),
                            ecfr_label="Supplement No. 1 to part 740"))

and ``REGISTRY`` lists every unit. The § 744.21 and § 744.22 units
(``section_744_21``, ``section_744_22``, both made by ``section_lists``) are
``EcfrUnit(15, "744", section="744.21")`` with ``parsers.sections_744`` as
their version parser, ``parsers.section_amendments`` behind their interpreter
and a ChangeModel over (country, "744.21") entries; the Entity List
(``entity_list``) is Supplement No. 4 to part 744, its state (destination,
entity key, entry) and its ChangeModel's deltas ``history.ListDelta`` values
that carry the entity and what a revision changed.

A model may also offer: ``membership(entry)`` (what a state entry is as a
membership interval; Country Groups' (country, code) need none),
``covers(delta)`` (the observed deltas a predicted one stands for: a renaming
revision is seen as a removal and an addition) and
``corrections_take_own_date`` (a correction is predicted on its own date
against a state holding the corrected rule's changes).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol
from urllib.parse import quote

from parsers.announcement import Announced
from parsers.model import CfrPart, FRDocument, Instruction, ListKind, Operation
from pipeline.derive.history import AnyDelta, Prediction, TableSummary
from pipeline.derive.rows import ReviewItem

XmlLoader = Callable[[], bytes]


@dataclass(frozen=True)
class EcfrUnit:
    """Where a tracked unit lives in the eCFR: a title and part, and the appendix or section in it."""

    title: int
    part: str
    appendix: str | None = None    # "Supplement No. 1 to Part 740"
    section: str | None = None     # "126.1"

    @property
    def label(self) -> str:
        """"15 CFR Supplement No. 1 to Part 740": ``ecfr_versions.unit``, the config's ``Tracked.key``."""
        return f"{self.title} CFR {self.appendix or self.section or self.part}"

    @property
    def path(self) -> str:
        """The unit's path on ecfr.gov after the date part: "title-15/part-740/appendix-Supplement%20No.%201…"."""
        if self.appendix:
            return f"title-{self.title}/part-{self.part}/appendix-{quote(self.appendix)}"
        if self.section:
            return f"title-{self.title}/section-{self.section}"
        return f"title-{self.title}/part-{self.part}"

    @property
    def part_number(self) -> int:
        return int(self.part)

    def cited_by(self, parts: Iterable[CfrPart]) -> bool:
        """Does any of ``parts`` (an FR document's references, an instruction's REGTEXT) name this unit's part?"""
        return in_cfr_ranges(parts, ((self.title, self.part_number, self.part_number),))


@dataclass(frozen=True)
class VersionSummary:
    """What derivation keeps of one parsed eCFR version; the parsed tree itself is dropped."""

    state: frozenset[Any]
    table: TableSummary | None = None       # what table events compare; None: the unit has none
    columns: tuple[Any, ...] = ()           # rows.Column values: code, printed name, table
    problems: tuple[tuple[str, str], ...] = ()   # (text, reason): what the parser could not read exactly


class UnitInstruction(NamedTuple):
    """One FR instruction that amends a unit, with the operations it makes on it."""

    instruction: Instruction        # index, text, own effective date and end (DATES exceptions)
    operations: tuple[Any, ...]


class FrReading(NamedTuple):
    """What a unit's interpreter read in one FR document."""

    instructions: tuple[UnitInstruction, ...]
    review: tuple[ReviewItem, ...] = ()     # e.g. a rule's summary count that its instructions do not match


class AnnouncedOnDesk(NamedTuple):
    """What a public-inspection text says it does to a unit: plain statements and instruction operations."""

    stated: tuple[Announced, ...]
    operations: tuple[Operation, ...]


class ChangeModel(Protocol):
    """How FR operations move a unit's state; what screening and attribution ask of a unit."""

    def predict(self, state: frozenset[Any], operations: Iterable[Any]) -> Prediction[Any]:
        """The exact deltas the operations make to ``state``, and the operations held for review.

        Each held item has ``.operation`` (with its ``.text``) and ``.reason`` (with its ``.description``).
        """

    def apply(self, state: frozenset[Any], operations: Iterable[Any]) -> frozenset[Any]:
        """``state`` after the operations that can be applied exactly."""

    def diff(self, before: frozenset[Any], after: frozenset[Any]) -> tuple[AnyDelta, ...]:
        """The deltas from one state to the next (observed between eCFR versions)."""

    def apply_deltas(self, state: frozenset[Any], deltas: Iterable[Any]) -> frozenset[Any]:
        """``state`` with ``deltas`` applied."""

    def shows(self, state: frozenset[Any], delta: Any) -> bool:
        """Does ``state`` (an eCFR version) show the outcome of ``delta``? Confirms or contradicts a change."""

    def table_of(self, entry: Any) -> str:
        """The table an entry of the state belongs to ("D" for (Cuba, D:5))."""

    def tables(self, state: frozenset[Any]) -> frozenset[str]:
        """The tables a state holds entries of."""

    def baseline_table(self, operation: Any) -> str | None:
        """The table whose stored version ``operation`` must be applied to; None when it needs none."""

    def table_title(self, table: str) -> str:
        """How a review item names a table ("Country Group D")."""

    def suspicion(self, expected: frozenset[Any], actual: frozenset[Any]) -> str | None:
        """Why ``actual`` is not to be trusted when ``expected`` was due, or None."""


@dataclass(frozen=True)
class Renderers:
    """The unit's pieces publish looks up by name: its names, its site page templates and its eCFR link.

    Every output names a list by these (publish's ``wording.LIST_NAMES`` / ``LIST_TITLES`` /
    ``LIST_SLUGS`` are read from here): a unit with changes must have all three.
    """

    name: str = ""                  # short, in tallies and change lines: "§ 744.21"
    title: str = ""                 # a heading: "§ 744.21 (military end use / end user)"
    slug: str = ""                  # in file names and feed ids: "744-21"
    pages: tuple[tuple[str, str], ...] = ()   # (role, template under templates/site/)
    ecfr_label: str | None = None   # "Supplement No. 1 to part 740": a document citing the part links to it

    def page(self, role: str) -> str | None:
        """The template of one of the unit's pages ("matrix", "group" ...), or None when it has none."""
        return dict(self.pages).get(role)


@dataclass(frozen=True)
class TrackedUnit:
    """One tracked list: its eCFR unit, parser, FR-instruction interpreter, state type and renderer pieces."""

    kind: ListKind
    ecfr: EcfrUnit
    parse_version: Callable[[bytes, str], Any]
    summarize: Callable[[Any], VersionSummary]
    interpret: Callable[[FRDocument, XmlLoader], FrReading] | None
    state_type: Any
    changes: ChangeModel | None = None
    memberships: bool = False
    announcements: Callable[[bytes], AnnouncedOnDesk] | None = None
    renderers: Renderers = Renderers()
    # The review item's reason for a name a version prints that resolves to no country.
    unknown_name: str = "names no known country: kept under its printed name; check the spelling"

    @property
    def produces_changes(self) -> bool:
        return self.changes is not None

    def version_name(self, version_date: str) -> str:
        """How errors and review items name one stored version."""
        return f"eCFR {self.ecfr.label} version {version_date}"


def in_cfr_ranges(parts: Iterable[CfrPart], ranges: Iterable[tuple[int, int, int]]) -> bool:
    """Is any reference in one of the (title, first part, last part) ranges?

    The one test of "is this FR document (or instruction) in a watched CFR
    range": the fetcher's and the digest's watch ranges and each unit's own
    part all ask it. A document that cites nothing is the caller's decision.
    """
    ranges = tuple(ranges)
    return any(p.within(title, first, last) for p in parts for title, first, last in ranges)


def units_cited(parts: Iterable[CfrPart]) -> tuple[TrackedUnit, ...]:
    """The registered units whose part any of ``parts`` names, in registry order."""
    parts = tuple(parts)
    return tuple(u for u in REGISTRY if u.ecfr.cited_by(parts))


def unit_of(kind: ListKind | str) -> TrackedUnit | None:
    """The registered unit of a kind (an ``ecfr_versions.kind`` value or a ListKind), or None."""
    value = kind.value if isinstance(kind, ListKind) else kind
    return next((u for u in REGISTRY if u.kind.value == value), None)


# The units, one module each; importing them here is the registration.
from pipeline.derive.units import country_groups, entity_list, itar_126_1, section_744_21, section_744_22  # noqa: E402  # noqa: E402

REGISTRY: tuple[TrackedUnit, ...] = (country_groups.UNIT, itar_126_1.UNIT, section_744_21.UNIT, section_744_22.UNIT,
                                     entity_list.UNIT)
