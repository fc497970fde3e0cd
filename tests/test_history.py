"""Pure change arithmetic: predicted deltas from operations, observed deltas from states."""
from __future__ import annotations

from parsers.lifecycle import ChangeAction, TableEventKind
from parsers.model import Action, Column, CountryGroupTable, Entry, GroupTable, Operation, ReviewReason
from pipeline.derive.history import Delta, diff_states, predict, predict_detailed, table_events

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


# -- issue 12: marks, review items, nothing applied that is not exact -------------------------------
def mark(action: Action, country: str, column: str) -> Operation:
    return Operation(action, "Country Group D", country, text="test", column=column)


def test_remove_mark_takes_out_one_column_only():
    deltas, skipped = predict(STATE, [mark(Action.REMOVE_MARK, "Cambodia", "D:5")])
    assert deltas == (Delta("Cambodia", "D:5", ChangeAction.REMOVED),) and skipped == ()


def test_add_mark_puts_in_one_column():
    deltas, _ = predict(STATE, [mark(Action.ADD_MARK, "Nicaragua", "D:5"), mark(Action.ADD_MARK, "Nicaragua", "D:1")])
    assert deltas == (Delta("Nicaragua", "D:1", ChangeAction.ADDED), Delta("Nicaragua", "D:5", ChangeAction.ADDED))


def test_revise_table_without_rows_never_empties_the_table():
    empty = Operation(Action.REVISE_TABLE, "Country Group D", None, (), text="revising Country Group D")
    deltas, skipped = predict(STATE, [empty])
    assert deltas == () and skipped == (empty,)


def test_operation_held_for_review_is_not_applied():
    held = Operation(Action.REMOVE_ENTRY, "Country Group D", "Atlantis", text="t",
                     review=ReviewReason.UNKNOWN_COUNTRY)
    deltas, skipped = predict(STATE | {("Atlantis", "D:5")}, [held])
    assert deltas == () and skipped == (held,)


def test_prediction_gives_a_reason_for_every_review_item():
    empty = Operation(Action.REVISE_TABLE, "Country Group D", None, (), text="revising Country Group D")
    gone = mark(Action.REMOVE_MARK, "Cuba", "D:5")    # Cuba is not in D:5 in STATE
    add = Operation(Action.ADD_ENTRY, "Country Group D", "Chad", text="t", review=ReviewReason.ROW_NOT_REPRINTED)
    result = predict_detailed(STATE, [empty, gone, add, mark(Action.REMOVE_MARK, "Cambodia", "D:5")])
    assert result.deltas == (Delta("Cambodia", "D:5", ChangeAction.REMOVED),)
    assert [(r.operation, r.reason) for r in result.review] == [
        (empty, ReviewReason.TABLE_NOT_REPRINTED), (gone, ReviewReason.NO_EFFECT), (add, ReviewReason.ROW_NOT_REPRINTED)]


def test_operations_match_the_state_by_country_identity():
    # The state spells a country as its table prints it; the operation may carry another spelling.
    deltas, _ = predict(frozenset({("Burma", "D:5")}), [mark(Action.REMOVE_MARK, "Myanmar", "D:5")])
    assert deltas == (Delta("Burma", "D:5", ChangeAction.REMOVED),)


def test_an_entry_whose_country_does_not_resolve_is_never_added():
    atlantis = op(Action.ADD_ENTRY, "Atlantis", row("Atlantis", "D:1"))
    table = op(Action.REVISE_TABLE, None, row("Cambodia", "D:1", "D:5"), row("Atlantis", "D:1"))
    spot = mark(Action.ADD_MARK, "Atlantis", "D:5")
    result = predict_detailed(STATE, [atlantis, table, spot])
    assert result.deltas == ()
    assert [r.reason for r in result.review] == [ReviewReason.UNKNOWN_COUNTRY] * 3


def test_an_entry_added_for_a_country_the_table_has_is_held_not_a_revision():
    # "adding an entry for Myanmar" when Burma has D:3 and D:4: applying it would silently drop those marks
    state = frozenset({("Burma", "D:3"), ("Burma", "D:4"), ("Cambodia", "B")})
    added = op(Action.ADD_ENTRY, "Myanmar", row("Myanmar", "D:1", "D:5"))
    b_again = op(Action.ADD_ENTRY, "Cambodia", table="Country Group B")
    result = predict_detailed(state, [added, b_again])
    assert result.deltas == ()
    assert [r.reason for r in result.review] == [ReviewReason.ALREADY_PRESENT] * 2


def test_an_entry_revised_for_a_country_the_table_lacks_is_held_not_an_addition():
    result = predict_detailed(STATE, [op(Action.REVISE_ENTRY, "Nicaragua", row("Nicaragua", "D:1"))])
    assert result.deltas == ()
    assert [r.reason for r in result.review] == [ReviewReason.NOT_PRESENT]
