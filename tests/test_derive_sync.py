"""Lifecycle steps and the sync plans: what a run writes, decided over rows without a database."""
from __future__ import annotations

from parsers.lifecycle import ChangeAction, ChangeStatus as S, SourceRef
from pipeline.derive.rows import Change, HeldReview, ReviewItem, StoredChange, StoredFlag, Suspect, change_key
from pipeline.derive.sync import LogEntry, lifecycle_steps, plan_change_sync, plan_review_sync, plan_suspect_flags

KEY = change_key("Cambodia", "D:5", ChangeAction.REMOVED, SourceRef.fr("2026-02262"))
DOCS = {"2026-02262"}


def change(status: S, *, fr: str | None = "2026-02262", moves: tuple[str, ...] = (), note: str = "") -> Change:
    return Change(KEY, "Cambodia", "D:5", ChangeAction.REMOVED, "2026-02-03", status, fr, None, note=note,
                  date_moves=moves)


def stored(status: S, id_: int = 7, key: str = KEY) -> StoredChange:
    return StoredChange(id_, key, "Cambodia", "D:5", "removed", "2026-02-03", status, "2026-02262", None, ())


# ---------------------------------------------------------------- lifecycle steps

def test_a_move_several_steps_ahead_logs_each_step_passed():
    assert lifecycle_steps(S.ANNOUNCED, S.IN_EFFECT) == [S.PUBLISHED, S.IN_EFFECT]
    assert lifecycle_steps(S.ANNOUNCED, S.CONFIRMED) == [S.PUBLISHED, S.IN_EFFECT, S.CONFIRMED]
    assert lifecycle_steps(S.PUBLISHED, S.CONTRADICTED) == [S.IN_EFFECT, S.CONTRADICTED]


def test_a_move_back_or_out_of_the_lifecycle_logs_only_the_new_status():
    assert lifecycle_steps(S.CONFIRMED, S.IN_EFFECT) == [S.IN_EFFECT]
    assert lifecycle_steps(S.WITHDRAWN, S.CONFIRMED) == [S.CONFIRMED]
    assert lifecycle_steps(S.PUBLISHED, S.UNATTRIBUTED) == [S.UNATTRIBUTED]
    assert lifecycle_steps(S.IN_EFFECT, S.IN_EFFECT) == [S.IN_EFFECT]


# ---------------------------------------------------------------- change sync

def test_a_new_change_is_inserted_with_one_log_row_and_a_summary_line():
    plan = plan_change_sync([], [change(S.ANNOUNCED, note="removes Cambodia")], DOCS, {})
    [w] = plan.writes
    assert w.change_id is None and w.log == (LogEntry(S.ANNOUNCED, "removes Cambodia"),)
    assert plan.moves == ["Cambodia removed D:5: announced"] and plan.withdrawals == ()


def test_an_announced_change_names_no_document_the_store_does_not_hold():
    [w] = plan_change_sync([], [change(S.ANNOUNCED)], set(), {}).writes
    assert w.record.fr_document is None


def test_a_status_move_rewrites_the_row_and_logs_every_step():
    [w] = plan_change_sync([stored(S.ANNOUNCED)], [change(S.IN_EFFECT)], DOCS, {}).writes
    assert (w.change_id, w.rewrite) == (7, True)
    assert w.log == (LogEntry(S.PUBLISHED, "was announced"), LogEntry(S.IN_EFFECT, "was announced"))
    assert w.move == "Cambodia removed D:5: announced -> in_effect"


def test_an_unchanged_change_writes_nothing():
    [w] = plan_change_sync([stored(S.CONFIRMED)], [change(S.CONFIRMED)], DOCS, {}).writes
    assert (w.rewrite, w.log, w.move) == (False, (), None)


def test_an_effective_date_move_is_logged_once():
    note = "effective date moved from 2026-02-03 to 2026-03-03 by FR Doc. 2026-09999"
    [first] = plan_change_sync([stored(S.PUBLISHED)], [change(S.PUBLISHED, moves=(note,))], DOCS, {}).writes
    assert first.log == (LogEntry(S.PUBLISHED, note),)
    [again] = plan_change_sync([stored(S.PUBLISHED)], [change(S.PUBLISHED, moves=(note,))], DOCS,
                               {7: frozenset({note})}).writes
    assert again.log == ()


def test_a_change_no_longer_derived_is_withdrawn_once_and_kept():
    gone = stored(S.CONFIRMED, id_=3, key="Belarus|A:4|removed|fr:2022-04819")
    plan = plan_change_sync([gone, stored(S.WITHDRAWN, id_=4, key="x|y|added|fr:z")], [], DOCS, {})
    [w] = plan.withdrawals
    assert w.change_id == 3
    assert w.log == LogEntry(S.WITHDRAWN, "was confirmed; no longer derived from the stored documents")
    assert plan.moves == ["Cambodia removed D:5: confirmed -> withdrawn"]


# ---------------------------------------------------------------- review sync

def test_review_items_new_changed_unchanged_duplicated_and_gone():
    held = [HeldReview(1, "2026-02262", 0, "same", "why"), HeldReview(2, "ecfr:2026-02-09", None, "v", "held"),
            HeldReview(3, "2020-00001", None, "old", "gone now")]
    items = [ReviewItem("2026-02262", 0, "same", "why"), ReviewItem.on_version("2026-02-09", "v", "accepted"),
             ReviewItem("2099-90002", 1, "new", "unrecognized"), ReviewItem("2099-90002", 1, "new", "other reason")]
    plan = plan_review_sync(items, held)
    assert [(w.item.document, w.held_id) for w in plan.writes] == [("ecfr:2026-02-09", 2), ("2099-90002", None)]
    assert plan.withdrawals == (3,)
    assert plan.lines == ("eCFR version 2026-02-09: v: accepted", "FR Doc. 2099-90002, instruction 2: unrecognized: new")


def test_a_withdrawn_review_item_derived_again_comes_back_under_its_id_and_is_news():
    held = [HeldReview(4, "2026-02262", 0, "back", "why", withdrawn=True),
            HeldReview(5, "2020-00001", None, "still gone", "why", withdrawn=True)]
    plan = plan_review_sync([ReviewItem("2026-02262", 0, "back", "why")], held)
    assert [(w.item.text, w.held_id) for w in plan.writes] == [("back", 4)]
    assert plan.withdrawals == ()            # withdrawn once, not again
    assert plan.lines == ("FR Doc. 2026-02262, instruction 1: why: back",)


# ---------------------------------------------------------------- suspect flags

def test_suspect_flags_change_only_where_the_derived_reason_differs():
    rows = [StoredFlag(1, "2024-01-02", None), StoredFlag(2, "2024-02-01", None), StoredFlag(3, "2024-03-01", "old")]
    flags = plan_suspect_flags(rows, [Suspect("2024-02-01", "12 memberships removed", "2024-01-02")])
    assert [(f.version_id, f.reason) for f in flags] == [(2, "12 memberships removed"), (3, None)]
