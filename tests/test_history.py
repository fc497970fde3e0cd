"""Pure change arithmetic: predicted deltas from operations, observed deltas from states."""
from __future__ import annotations

from parsers.model import Action, Column, CountryGroupTable, Entry, GroupTable, Operation
from pipeline.history import Delta, diff_states, predict, table_events
from store.enums import ChangeAction, TableEventKind

D = ("D:1", "D:2", "D:3", "D:4", "D:5")


def row(country: str, *marked: str, codes=D) -> Entry:
    return Entry(country, country, tuple((c, c in marked) for c in codes))


def op(action: Action, country: str | None, *entries: Entry, table: str | None = "Country Group D") -> Operation:
    return Operation(action, table, country, tuple(entries), text="test")


STATE = frozenset({("Cambodia", "D:1"), ("Cambodia", "D:5"), ("Cambodia", "B"), ("Cyprus", "D:5"),
                   ("Cyprus", "A:3"), ("Sudan", "E:1")})


def test_revised_row_dropping_d5_is_exactly_one_removal():
    deltas, skipped = predict(STATE, [op(Action.REVISE_ENTRY, "Cambodia", row("Cambodia", "D:1"))])
    assert deltas == (Delta("Cambodia", "D:5", ChangeAction.REMOVED),)
    assert skipped == ()


def test_reprinted_unchanged_row_is_no_change():
    deltas, _ = predict(STATE, [op(Action.REVISE_ENTRY, "Cambodia", row("Cambodia", "D:1", "D:5"))])
    assert deltas == ()


def test_remove_entry_clears_only_that_table():
    deltas, _ = predict(STATE, [op(Action.REMOVE_ENTRY, "Cyprus")])
    assert deltas == (Delta("Cyprus", "D:5", ChangeAction.REMOVED),)   # A:3 stays


def test_add_entry_and_b_list():
    deltas, _ = predict(STATE, [op(Action.ADD_ENTRY, "Nicaragua", row("Nicaragua", "D:5")),
                                op(Action.ADD_ENTRY, "Canada", table="Country Group B")])
    assert deltas == (Delta("Canada", "B", ChangeAction.ADDED), Delta("Nicaragua", "D:5", ChangeAction.ADDED))


def test_revise_table_replaces_whole_table():
    e = ("E:1", "E:2")
    deltas, _ = predict(STATE, [op(Action.REVISE_TABLE, None, row("Cuba", "E:1", "E:2", codes=e),
                                   row("Iran", "E:1", codes=e), table="Country Group E")])
    assert deltas == (Delta("Cuba", "E:1", ChangeAction.ADDED), Delta("Cuba", "E:2", ChangeAction.ADDED),
                      Delta("Iran", "E:1", ChangeAction.ADDED), Delta("Sudan", "E:1", ChangeAction.REMOVED))


def test_unrecognized_and_tableless_operations_are_returned_not_dropped():
    odd = Operation(Action.UNRECOGNIZED, "Country Group D", None, (), text="transferring Somalia to D:6")
    vague = Operation(Action.REVISE_ENTRY, None, "Chad", (), text="revising the entry for Chad")
    deltas, skipped = predict(STATE, [odd, vague])
    assert deltas == () and skipped == (odd, vague)


def test_amend_text_changes_no_membership():
    deltas, skipped = predict(STATE, [op(Action.AMEND_TEXT, None)])
    assert deltas == () and skipped == ()


def test_diff_states_sorted():
    after = (STATE - {("Cambodia", "D:5")}) | {("Nicaragua", "D:5")}
    assert diff_states(STATE, after) == (Delta("Cambodia", "D:5", ChangeAction.REMOVED),
                                         Delta("Nicaragua", "D:5", ChangeAction.ADDED))


def test_table_events_column_rename_and_footnote():
    def table(name: str, footnotes: tuple[str, ...]) -> CountryGroupTable:
        g = GroupTable("Country Group D", (Column("D:5", name),),
                       (Entry("Iraq", "Iraq 3", (("D:5", True),), footnotes),))
        return CountryGroupTable((g,))
    events = table_events(table("U.S. Arms Embargoed Countries", ("3",)), table("Arms Embargoed", ()))
    kinds = [(e.kind, e.subject, e.before, e.after) for e in events]
    assert (TableEventKind.COLUMN_RENAMED, "D:5", "U.S. Arms Embargoed Countries", "Arms Embargoed") in kinds
    assert (TableEventKind.FOOTNOTE_CHANGED, "Iraq (D)", "3", None) in kinds
