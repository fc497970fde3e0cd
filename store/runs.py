"""The run log: ``runs``, each source's fetch in a run (``source_fetches``) and the desk ``polls``.

A run row is written first (``running``) and finished last, so a process that
died leaves a ``running`` row behind for the next run to mark ``interrupted``.
Timestamps come from the database's clock (``store.db.utcnow``) unless the
caller has a moment of its own (a poll stamps its rows with its pinned clock).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database
from sqlite_utils.db import Table

from parsers.errors import StoreError
from store.db import utcnow
from store.enums import FetchStatus, PollStatus, RunStatus, Source


def start_run(db: Database, *, today: str, trigger: str, pid: int | None) -> int:
    """A new ``running`` run believing it is ``today``; returns its id."""
    with db.atomic():
        table = db.table("runs").insert({"started_at": utcnow(db), "status": RunStatus.RUNNING.value, "trigger": trigger,
                                   "today": today, "pid": pid})
    return _new_id(table)


def _new_id(table: Table) -> int:
    """The id the insert just gave (sqlite-utils types ``last_pk`` as anything or None)."""
    if table.last_pk is None:
        raise StoreError(f"inserting into {table.name} gave no row id")
    return int(table.last_pk)


def finish_run(db: Database, run_id: int, status: RunStatus, error: str | None) -> None:
    with db.atomic():
        db.table("runs").update(run_id, {"finished_at": utcnow(db), "status": status.value, "error": error})


def running_runs(db: Database, *, pid: int | None = None) -> list[int]:
    """Ids of the runs still ``running`` (only those of process ``pid`` when given), oldest first."""
    where = "status = ?"
    args: list[str | int] = [RunStatus.RUNNING.value]
    if pid is not None:
        where, args = where + " AND pid = ?", [*args, pid]
    return [r[0] for r in db.execute(f"SELECT id FROM runs WHERE {where} ORDER BY id", args).fetchall()]


def interrupt_runs(db: Database, run_ids: list[int], note: str) -> None:
    """Mark still-``running`` runs ``interrupted``, adding ``note`` to any error they already recorded."""
    now = utcnow(db)
    with db.atomic():
        for run_id in run_ids:
            db.execute(
                "UPDATE runs SET status = ?, finished_at = COALESCE(finished_at, ?),"
                " error = CASE WHEN error IS NULL OR error = '' THEN ? ELSE error || '; ' || ? END"
                " WHERE id = ? AND status = ?",
                [RunStatus.INTERRUPTED.value, now, note, note, run_id, RunStatus.RUNNING.value])


def fail_runs(db: Database, run_ids: list[int], error: str) -> None:
    """Mark runs ``failed`` with ``error`` (a job raised before its run could finish its own row)."""
    now = utcnow(db)
    with db.atomic():
        for run_id in run_ids:
            db.table("runs").update(run_id, {"status": RunStatus.FAILED.value, "finished_at": now, "error": error})


def record_source_fetch(db: Database, *, run_id: int, source: Source, ok: bool, started_at: str, requests: int,
                        new_items: int, error: str | None) -> None:
    """What one source did in run ``run_id``, finished now (``frtrack status`` reads its health from these)."""
    with db.atomic():
        db.table("source_fetches").insert({"run_id": run_id, "source": source.value,
                                     "status": (FetchStatus.OK if ok else FetchStatus.FAILED).value,
                                     "started_at": started_at, "finished_at": utcnow(db), "requests": requests,
                                     "new_items": new_items, "error": error})


def start_poll(db: Database, started_at: str) -> int:
    """A new ``running`` poll; returns its id."""
    with db.atomic():
        table = db.table("polls").insert({"started_at": started_at, "status": PollStatus.RUNNING.value})
    return _new_id(table)


def link_poll_run(db: Database, poll_id: int, run_id: int) -> None:
    """The run a changed poll derived under."""
    with db.atomic():
        db.table("polls").update(poll_id, {"run_id": run_id})


@dataclass(frozen=True)
class PollResult:
    """How a poll ended: the counts ``frtrack status`` shows."""

    finished_at: str
    status: PollStatus
    requests: int
    new_documents: int
    withdrawn: int
    alerts_sent: int
    alerts_failed: int
    note: str | None
    error: str | None


def finish_poll(db: Database, poll_id: int, result: PollResult) -> None:
    with db.atomic():
        db.table("polls").update(poll_id, {
            "finished_at": result.finished_at, "status": result.status.value, "requests": result.requests,
            "new_documents": result.new_documents, "withdrawn": result.withdrawn,
            "alerts_sent": result.alerts_sent, "alerts_failed": result.alerts_failed, "note": result.note,
            "error": result.error})
