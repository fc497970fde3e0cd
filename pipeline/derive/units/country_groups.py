"""Country Groups: Supplement No. 1 to part 740 (15 CFR), the first tracked unit.

The state is the set of (country, column code) memberships, "B" for the
Country Group B list. FR instructions on 15 CFR 740 arrive already read by
``parsers.fr_xml`` (each Instruction carries its ``parsers.amendments``
operations); ``pipeline.derive.history`` arithmetic predicts their deltas. This
module is the worked example of ``pipeline.derive.units``: everything the
engine needs to know about the list is here.
"""
from __future__ import annotations

from collections.abc import Iterable

from parsers.announcement import announced_changes, announced_operations
from parsers.ecfr_groups import parse_country_groups
from parsers.model import Action, CfrPart, CountryGroupTable, FRDocument, GroupTableId, ListKind, Operation
from pipeline.derive.history import (
    Delta,
    Prediction,
    State,
    apply_deltas,
    apply_operations,
    diff_states,
    op_table,
    predict_detailed,
    summarize as summarize_table,
)
from pipeline.derive.rows import Column
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

ECFR = EcfrUnit(15, "740", appendix="Supplement No. 1 to Part 740")

# An eCFR version whose diff removes at least this many memberships at once that no
# FR rule explains is held as suspect. The largest real country-group changes move
# a handful of rows (Nicaragua B -> D:1, D:5; UAE out of D:3, D:4); ten memberships
# is more than two full D rows and well beyond any unannounced edit seen so far.
SUSPECT_REMOVALS = 10


def summarize(parsed: CountryGroupTable) -> VersionSummary:
    """The memberships, the table summary (columns, footnotes, notes) and the printed columns."""
    columns = tuple(Column(c.code, c.name, t.title) for t in parsed.tables for c in t.columns)
    if parsed.b_list:
        b = GroupTableId.B.title
        columns += (Column("B", b, b),)
    return VersionSummary(parsed.memberships(), summarize_table(parsed), columns)


def interpret(doc: FRDocument, _xml: XmlLoader) -> FrReading:
    """The document's instructions on 15 CFR 740 that make operations (parsers.fr_xml read them).

    An instruction names its part by its REGTEXT: one without a title amends nothing frtrack can place.
    """
    return FrReading(tuple(UnitInstruction(ins, ins.operations) for ins in doc.instructions
                           if ins.operations and ins.title is not None
                           and ECFR.cited_by((CfrPart(ins.title, ins.part or ""),))))


def read_announcement(text: bytes) -> AnnouncedOnDesk:
    """The moves a public-inspection preamble states, and its instructions' operations."""
    return AnnouncedOnDesk(tuple(announced_changes(text)), tuple(announced_operations(text)))


class CountryGroupChanges:
    """How FR operations move the Country Group memberships (``pipeline.derive.history``)."""

    def predict(self, state: State, operations: Iterable[Operation]) -> Prediction[Delta]:
        return predict_detailed(state, operations)

    def apply(self, state: State, operations: Iterable[Operation]) -> State:
        return apply_operations(state, operations)[0]

    def diff(self, before: State, after: State) -> tuple[Delta, ...]:
        return diff_states(before, after)

    def apply_deltas(self, state: State, deltas: Iterable[Delta]) -> State:
        return apply_deltas(state, deltas)

    def shows(self, state: State, delta: Delta) -> bool:
        return delta.applies_to(state)

    def table_of(self, entry: tuple[str, str]) -> str:
        table = GroupTableId.of_code(entry[1])
        return table.value if table else entry[1]

    def tables(self, state: State) -> frozenset[str]:
        return frozenset(self.table_of(m) for m in state)

    def baseline_table(self, operation: Operation) -> str | None:
        """The table letter whose stored version the operation applies to; text edits and unread ones need none."""
        if operation.action in (Action.UNRECOGNIZED, Action.AMEND_TEXT):
            return None
        table = op_table(operation)
        return table.value if table else None

    def table_title(self, table: str) -> str:
        found = GroupTableId.__members__.get(table)
        return found.title if found else f"Country Group {table}"

    def suspicion(self, expected: State, actual: State) -> str | None:
        """A whole table or column gone, or SUSPECT_REMOVALS memberships or more, that no rule explains."""
        removed = expected - actual
        if not removed:
            return None
        reasons = []
        gone_tables = sorted(self.tables(expected) - self.tables(actual))
        for t in gone_tables:
            n = sum(1 for m in removed if self.table_of(m) == t)
            reasons.append(f"the whole of {self.table_title(t)} disappears ({n} memberships)")
        held = {g for _, g in actual}
        for code in sorted({g for _, g in expected} - held):
            if self.table_of(("", code)) not in gone_tables:
                n = sum(1 for _, g in removed if g == code)
                reasons.append(f"column {code} disappears ({n} memberships)")
        if reasons:
            return "; ".join(reasons) + " and no FR rule explains it"
        if len(removed) >= SUSPECT_REMOVALS:
            return f"{len(removed)} memberships removed at once and no FR rule explains them"
        return None


UNIT: TrackedUnit = TrackedUnit(
    kind=ListKind.COUNTRY_GROUPS,
    ecfr=ECFR,
    parse_version=parse_country_groups,
    summarize=summarize,
    interpret=interpret,
    state_type=frozenset[tuple[str, str]],
    changes=CountryGroupChanges(),
    memberships=True,
    announcements=read_announcement,
    renderers=Renderers(name="Country Groups", title="Country Groups", slug="country-groups",
                        pages=(("matrix", "matrix.html"), ("groups", "groups.html"), ("group", "group.html")),
                        ecfr_label="Supplement No. 1 to part 740"),
    unknown_name="a row names no known country: kept under its printed name; check the spelling",
)
