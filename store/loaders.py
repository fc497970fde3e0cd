"""What the derivation reads from the store: raw documents to parse, and the derived rows held so far.

Each function is one query; rows come back as small typed records (the
derivation's own row types live above the store, in ``pipeline.derive``).
Orders are part of the contract: the engine relies on them for stable ids.
"""
from __future__ import annotations

import json
from typing import Any, NamedTuple

from sqlite_utils import Database

from parsers.lifecycle import ChangeStatus
from store.enums import FetchStatus, ParseStatus


class FrXml(NamedTuple):
    """A stored FR document's XML to parse."""

    document_number: str
    xml_sha256: str
    publication_date: str | None


class EcfrXml(NamedTuple):
    """A stored eCFR version's XML to parse."""

    id: int
    unit: str
    kind: str
    date: str
    xml_sha256: str


class ParsedVersion(NamedTuple):
    """A parsed eCFR version of one kind."""

    unit: str
    date: str
    xml_sha256: str


class FrFacts(NamedTuple):
    """A parsed FR document's XML and the API facts that rule building reads."""

    document_number: str
    xml_sha256: str
    publication_date: str | None
    effective_on: str | None
    correction_of: str | None
    citation: str | None
    agencies: tuple[Any, ...]            # decoded JSON list
    cfr_references: tuple[Any, ...]      # decoded JSON list of {title, part}


class DeskText(NamedTuple):
    """A public-inspection filing's raw text (not withdrawn from the desk)."""

    document_number: str
    publication_date: str | None      # scheduled
    text_sha256: str


class ChangeRow(NamedTuple):
    """A ``changes`` row as stored."""

    id: int
    key: str
    country: str
    group: str
    action: str
    effective_date: str | None
    status: ChangeStatus
    fr_document: str | None
    ecfr_version: str | None
    corrected_by: tuple[str, ...]


class ReviewRow(NamedTuple):
    id: int
    document_number: str
    instruction_index: int | None
    text: str
    reason: str


class VersionFlag(NamedTuple):
    """An eCFR version row and the suspect reason it holds."""

    id: int
    date: str
    suspect: str | None


def _json_list(text: str | None) -> tuple[Any, ...]:
    value = json.loads(text or "[]")
    return tuple(value) if isinstance(value, list) else ()


def fr_xml_to_parse(db: Database, *, everything: bool = False) -> list[FrXml]:
    """FR documents with stored XML not parsed yet (all of them for a reparse)."""
    where = "" if everything else f" AND parse_status = '{ParseStatus.PENDING.value}'"
    return [FrXml(*r) for r in db.execute(
        "SELECT document_number, xml_sha256, publication_date FROM fr_documents WHERE xml_sha256 IS NOT NULL"
        + where).fetchall()]


def ecfr_xml_to_parse(db: Database, *, everything: bool = False) -> list[EcfrXml]:
    """eCFR versions with stored XML not parsed yet (all of them for a reparse)."""
    where = "" if everything else f" AND parse_status = '{ParseStatus.PENDING.value}'"
    return [EcfrXml(*r) for r in db.execute(
        "SELECT id, unit, kind, date, xml_sha256 FROM ecfr_versions WHERE xml_sha256 IS NOT NULL" + where).fetchall()]


def parsed_versions(db: Database, kind: str) -> list[ParsedVersion]:
    """The parsed versions of one kind, oldest first."""
    return [ParsedVersion(*r) for r in db.execute(
        "SELECT unit, date, xml_sha256 FROM ecfr_versions WHERE kind = ? AND parse_status = ? ORDER BY date, id",
        [kind, ParseStatus.OK.value]).fetchall()]


def parsed_fr_documents(db: Database) -> list[FrFacts]:
    """The parsed FR documents with stored XML, in storage order."""
    return [FrFacts(r["document_number"], r["xml_sha256"], r["publication_date"], r["effective_on"],
                    r["correction_of"], r["citation"], _json_list(r["agencies"]), _json_list(r["cfr_references"]))
            for r in db.execute_returning_dicts(
                "SELECT document_number, xml_sha256, publication_date, effective_on, correction_of, citation,"
                " agencies, cfr_references FROM fr_documents WHERE parse_status = ? AND xml_sha256 IS NOT NULL",
                [ParseStatus.OK.value])]


def last_good_fetch_day(db: Database, source: str) -> str | None:
    """The date of the last run in which ``source`` was fetched successfully."""
    row = db.execute("SELECT MAX(r.today) FROM source_fetches f JOIN runs r ON r.id = f.run_id"
                     " WHERE f.source = ? AND f.status = ?", [source, FetchStatus.OK.value]).fetchone()
    return row[0] if row else None


def desk_texts(db: Database) -> list[DeskText]:
    """Public-inspection filings with their raw text, by document number; a filing withdrawn
    before publication announces nothing and is left out."""
    return [DeskText(*r) for r in db.execute(
        "SELECT document_number, publication_date, text_sha256 FROM public_inspection"
        " WHERE text_sha256 IS NOT NULL AND withdrawn_at IS NULL ORDER BY document_number").fetchall()]


def stored_changes(db: Database) -> list[ChangeRow]:
    """Every ``changes`` row, in id order."""
    return [ChangeRow(r["id"], r["key"], r["country"], r["grp"], r["action"], r["effective_date"],
                      ChangeStatus(r["status"]), r["fr_document"], r["ecfr_version"],
                      tuple(json.loads(r["corrected_by"])) if r["corrected_by"] else ())
            for r in db.execute_returning_dicts("SELECT * FROM changes ORDER BY id")]


def fr_document_numbers(db: Database) -> set[str]:
    return {n for (n,) in db.execute("SELECT document_number FROM fr_documents").fetchall()}


def status_log_notes(db: Database) -> dict[int, frozenset[str]]:
    """change id -> the notes its status log holds."""
    notes: dict[int, set[str]] = {}
    for change_id, note in db.execute("SELECT change_id, note FROM change_status_log WHERE note IS NOT NULL"):
        notes.setdefault(change_id, set()).add(note)
    return {k: frozenset(v) for k, v in notes.items()}


def held_review_items(db: Database) -> list[ReviewRow]:
    return [ReviewRow(*r) for r in db.execute(
        "SELECT id, document_number, instruction_index, text, reason FROM review_items ORDER BY id").fetchall()]


def version_flags(db: Database, kind: str) -> list[VersionFlag]:
    """Every eCFR version row of one kind with its suspect reason, in id order."""
    return [VersionFlag(*r) for r in db.execute(
        "SELECT id, date, suspect FROM ecfr_versions WHERE kind = ? ORDER BY id", [kind]).fetchall()]
