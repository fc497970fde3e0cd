"""The § 744.21 / § 744.22 country lists: what the two section units share.

Each section is its own eCFR unit (``EcfrUnit(15, "744", section="744.21")``)
and its own ``ListKind``; their state is the set of (country, "744.21")
entries, the countries the section's heading and paragraph (a) name
(``parsers.sections_744``). FR instructions come from
``parsers.section_amendments``: adding or removing a country's words
(ADD_ENTRY / REMOVE_ENTRY) or revising the heading and paragraph (a) whole
(REVISE_ENTRY for every country the reprint lists: the list afterwards is
exactly those). A section's two places disagreeing, or a listed name that is
no country, is a problem of the version (a review item), never a guess.
``section_744_21`` and ``section_744_22`` are the registered units.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from parsers.announcement import amendatory_paragraphs
from parsers.errors import ParseError
from parsers.lifecycle import ChangeAction
from parsers.lists_common import SECTION_TABLES
from parsers.model import Action, FRDocument, ListKind, Operation, ReviewItem as ParserReview, ReviewReason
from parsers.section_amendments import interpret as interpret_clause, section_changes_from_tree
from parsers.sections_744 import SectionCountryList, parse_sections_744
from parsers.text import clip
from parsers.xmlsafe import parse_xml
from pipeline.derive.history import ListDelta, Prediction, ReviewItem as Held
from pipeline.derive.memberships import Held as Membership
from pipeline.derive.rows import ReviewItem
from pipeline.derive.units import (
    AnnouncedOnDesk,
    EcfrUnit,
    FrReading,
    Renderers,
    TrackedUnit,
    UnitInstruction,
    VersionSummary,
    XmlLoader,
)

State = frozenset[tuple[str, str]]

# An eCFR version that drops this many of a section's countries at once, or all of
# them, that no FR rule explains is held as suspect: the real lists have only grown
# (one country a rule) since the sections were written.
SUSPECT_REMOVALS = 3


def touches_part_744(doc: FRDocument, names: re.Pattern[str] | None = None) -> bool:
    """Does any instruction of the document sit in a REGTEXT of 15 CFR part 744 (and, given ``names``, does
    one of them name the unit)? Cheap: the parsed document is at hand, no XML is read again -- every run
    reads every stored rule, so a unit reads the XML only of the rules that can amend it."""
    return (any(i.part == "744" and i.title in (None, 15) for i in doc.instructions)
            and (names is None or any(names.search(i.text) for i in doc.instructions)))


def review_row(number: str, item: ParserReview) -> ReviewItem:
    """A parser's review item on an FR document as the review_items row."""
    return ReviewItem(number, item.instruction, item.text, item.detail or item.reason.description)


def per_instruction(doc: FRDocument, operations: Iterable[Operation]) -> tuple[UnitInstruction, ...]:
    """The operations grouped by the AMDPAR they came from, each with that document Instruction (its dates)."""
    by_index = {i.index: i for i in doc.instructions}
    grouped: dict[int, list[Operation]] = {}
    for op in operations:
        if op.instruction is not None and op.instruction in by_index:
            grouped.setdefault(op.instruction, []).append(op)
    return tuple(UnitInstruction(by_index[i], tuple(ops)) for i, ops in sorted(grouped.items()))


def version_problems(items: Iterable[ParserReview]) -> tuple[tuple[str, str], ...]:
    """(text, reason) of a version's parser problems: the sentence that says what, and the reason with the text."""
    return tuple((p.detail or p.reason.description,
                  p.reason.description + (f": {clip(p.text, 200)}" if p.text else "")) for p in items)


class SectionListChanges:
    """How FR operations move one section's country list."""

    corrections_take_own_date = True

    def __init__(self, section: str) -> None:
        self.section = section
        self.table = SECTION_TABLES[section]

    # -- state arithmetic ---------------------------------------------------
    def predict(self, state: State, operations: Iterable[Operation]) -> Prediction[ListDelta]:
        countries = {c for c, _ in state}
        held: list[Held] = []
        ops = [op for op in operations if op.table in (None, self.table)]
        i = 0
        while i < len(ops):
            op = ops[i]
            if op.review is not None or op.action is Action.UNRECOGNIZED or not op.country:
                held.append(Held(op, op.review or (ReviewReason.UNRECOGNIZED_WORDING if op.country
                                                   else ReviewReason.NO_COUNTRY)))
                i += 1
                continue
            if op.action is Action.REVISE_ENTRY:
                # one revised heading/paragraph (a): every country it lists, and the list is exactly those
                j = i
                while (j < len(ops) and ops[j].action is Action.REVISE_ENTRY and ops[j].instruction == op.instruction
                       and ops[j].text == op.text):
                    j += 1
                # (the same countries again is no news: sections are revised for their other words too)
                countries = {o.country for o in ops[i:j] if o.country}
                i = j
                continue
            if op.action is Action.ADD_ENTRY:
                if op.country in countries:
                    held.append(Held(op, ReviewReason.NO_EFFECT, f"§ {self.section} already names {op.country}"))
                countries.add(op.country)
            elif op.action is Action.REMOVE_ENTRY:
                if op.country not in countries:
                    held.append(Held(op, ReviewReason.NO_EFFECT, f"§ {self.section} does not name {op.country}"))
                countries.discard(op.country)
            else:
                held.append(Held(op, ReviewReason.UNRECOGNIZED_WORDING))
            i += 1
        after = frozenset((c, self.section) for c in countries)
        return Prediction(self.diff(state, after), tuple(held))

    def apply(self, state: State, operations: Iterable[Operation]) -> State:
        return self.apply_deltas(state, self.predict(state, operations).deltas)

    def diff(self, before: State, after: State) -> tuple[ListDelta, ...]:
        added = [ListDelta(c, ChangeAction.ADDED) for c, _ in after - before]
        removed = [ListDelta(c, ChangeAction.REMOVED) for c, _ in before - after]
        return tuple(sorted(added + removed, key=lambda d: (d.country, d.action.value)))

    def apply_deltas(self, state: State, deltas: Iterable[Any]) -> State:
        s = set(state)
        for d in deltas:
            if d.action is ChangeAction.ADDED:
                s.add((d.country, self.section))
            elif d.action is ChangeAction.REMOVED:
                s.discard((d.country, self.section))
        return frozenset(s)

    def shows(self, state: State, delta: Any) -> bool:
        held = (delta.country, self.section) in state
        return held if delta.action is ChangeAction.ADDED else not held

    def membership(self, entry: tuple[str, str]) -> Membership:
        return Membership(entry[0], None)

    # -- tables, baselines, screening --------------------------------------
    def table_of(self, entry: Any) -> str:
        return self.table

    def tables(self, state: State) -> frozenset[str]:
        """One table, held by every stored version (an empty list is still the section: "[Reserved]")."""
        return frozenset({self.table})

    def baseline_table(self, operation: Operation) -> str | None:
        return self.table

    def table_title(self, table: str) -> str:
        return f"§ {self.section}"

    def suspicion(self, expected: State, actual: State) -> str | None:
        removed = expected - actual
        if not removed:
            return None
        if not actual:
            return f"every country of § {self.section} disappears ({len(removed)}) and no FR rule explains it"
        if len(removed) >= SUSPECT_REMOVALS:
            return f"{len(removed)} countries leave § {self.section} at once and no FR rule explains them"
        return None


def section_unit(kind: ListKind, section: str, subject: str, unknown_name: str) -> TrackedUnit:
    """The tracked unit of one § 744 section's country list (``subject``: what the section is about, in its title)."""
    ecfr = EcfrUnit(15, "744", section=section)
    table = SECTION_TABLES[section]

    def parse_version(data: bytes, name: str) -> SectionCountryList:
        found = [s for s in parse_sections_744(data, name) if s.section == section]
        if not found:
            raise ParseError(name, f"§ {section} not found in the file")
        return found[0]

    def summarize(parsed: SectionCountryList) -> VersionSummary:
        return VersionSummary(frozenset((c, section) for c in parsed.countries),
                              problems=version_problems(parsed.problems))

    named = re.compile(r"\b744\." + section.split(".")[1] + r"\b")

    def interpret(doc: FRDocument, xml: XmlLoader) -> FrReading:
        if not touches_part_744(doc, named):
            return FrReading(())
        name = f"FR Doc. {doc.document_number}"
        mine = [c for c in section_changes_from_tree(parse_xml(xml(), name), name)
                if c.document_number == doc.document_number]
        if not mine:
            return FrReading(())
        ops = [op for op in mine[0].operations if op.table == table]
        return FrReading(per_instruction(doc, ops),
                         tuple(review_row(doc.document_number, r) for r in mine[0].review if r.table == table))

    def read_announcement(text: bytes) -> AnnouncedOnDesk:
        """Additions and removals of the section's countries in a public-inspection text's instructions.

        A revised heading or paragraph (a) is reprinted as plain text: its list is left to the published XML.
        """
        ops = [op for paragraph in amendatory_paragraphs(text)
               for op in interpret_clause(paragraph, (), title=15, part="744").operations
               if op.table == table and op.action in (Action.ADD_ENTRY, Action.REMOVE_ENTRY)]
        return AnnouncedOnDesk((), tuple(ops))

    return TrackedUnit(
        kind=kind, ecfr=ecfr, parse_version=parse_version, summarize=summarize, interpret=interpret,
        state_type=frozenset[tuple[str, str]], changes=SectionListChanges(section), memberships=True,
        announcements=read_announcement, unknown_name=unknown_name,
        renderers=Renderers(name=f"§ {section}", title=f"§ {section} ({subject})", slug=section.replace(".", "-"),
                            ecfr_label=f"§ {section}"))
