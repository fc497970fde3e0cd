"""Issue 12: facts are exact or held for review — divergence kinds, baselines, suspect versions, withdrawals.

Pure tests call the derivation functions on typed inputs (eCFR versions as
states, rules as operations); the stored tests go through ``derive`` on a real
SQLite file with the bundled timeline, as tests/test_engine.py does.
"""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

from parsers.lifecycle import ChangeAction, ChangeStatus, DivergenceKind, DivergenceSide
from parsers.model import Action, Entry, Operation
from pipeline.demo.data.load import load_stage_direct
from pipeline.demo.data.timeline import build_timeline
from pipeline.engine import (
    SUSPECT_REMOVALS,
    Accepted,
    Divergence,
    Rule,
    Version,
    derive,
    derive_changes,
    derive_divergences,
    screen_versions,
    unresolved_itar_names,
    unresolved_names,
)
from store import queries as q
from store.blobs import put_blob
from store.db import open_db

TIMELINE = build_timeline()
DAYS = [s.today.isoformat() for s in TIMELINE]
D_CODES = ("D:1", "D:2", "D:3", "D:4", "D:5")


def v(day: str, *pairs: tuple[str, str], columns: tuple[str, ...] | None = None) -> Version:
    codes = sorted({g for _, g in pairs}) if columns is None else columns
    return Version(day, frozenset(pairs), (), tuple((c, c, f"Country Group {c.split(':')[0]}") for c in codes))


def itar(day: str, *names: str) -> Version:
    return Version(day, frozenset((n, "126.1") for n in names))


def d_row(country: str, *held: str) -> Entry:
    return Entry(country, country, tuple((c, c in held) for c in D_CODES))


def revise(country: str, *held: str) -> Operation:
    return Operation(Action.REVISE_ENTRY, "Country Group D", country, (d_row(country, *held),),
                     text=f"Supplement No. 1 to part 740 is amended by revising the entry for “{country}” in "
                          f"“Country Group D” to read as follows:")


def rule(number: str, effective: str, *ops: Operation) -> Rule:
    return Rule(number=number, effective=effective, published=effective, corrects=None, operations=ops,
                instructions=((0, ops[0].text, ops),))


def d5(country: str, start: str, end: str | None = None, opened="ecfr:2021-01-04", closed=None) -> tuple:
    return (country, "D:5", start, end, opened, closed)


# ---------------------------------------------------------------- divergences (pure)

BASE = [d5("Cuba", "2021-01-04"), d5("Iran", "2021-01-04"), ("Cuba", "E:1", "2021-01-04", None, "ecfr:2021-01-04", None)]


def test_a_difference_present_at_the_first_compared_date_is_standing_not_an_alert():
    out = derive_divergences(BASE, [itar("2021-01-04", "Cuba", "Iran", "Cyprus")], today="2026-01-01")
    assert out == [Divergence("Cyprus", DivergenceSide.ITAR_ONLY, DivergenceKind.STANDING, "unknown",
                              "2021-01-04", None, "ecfr:2021-01-04", None)]


def test_first_compared_date_is_when_both_lists_exist():
    """126.1 known from 2020, the EAR only from 2021: 2021-01-04 is the first compared date, no 2020 alerts."""
    out = derive_divergences(BASE, [itar("2020-06-01", "Cuba", "Iran", "Cyprus")], today="2026-01-01")
    assert [(d.country, d.kind, d.since) for d in out] == [("Cyprus", DivergenceKind.STANDING, "2021-01-04")]


def test_a_new_difference_opens_then_closes():
    ms = BASE + [d5("Cambodia", "2021-12-09", "2026-02-03", "fr:2021-26633", "fr:2026-02262")]
    versions = [itar("2021-01-04", "Cuba", "Iran"), itar("2021-12-09", "Cuba", "Iran", "Cambodia"),
                itar("2025-11-07", "Cuba", "Iran")]
    open_ = derive_divergences([*BASE, d5("Cambodia", "2021-12-09", None, "fr:2021-26633")], versions,
                               today="2026-01-10")
    assert open_ == [Divergence("Cambodia", DivergenceSide.EAR_ONLY, DivergenceKind.OPEN, "itar", "2025-11-07",
                                None, "ecfr:2025-11-07", None)]
    closed = derive_divergences(ms, versions, today="2026-02-09")
    assert closed == [Divergence("Cambodia", DivergenceSide.EAR_ONLY, DivergenceKind.CLOSED, "itar", "2025-11-07",
                                 "2026-02-03", "ecfr:2025-11-07", "fr:2026-02262")]
    # published, not yet in effect: still open today, with the day it will close
    before = derive_divergences(ms, versions, today="2026-02-02")
    assert [(d.kind, d.until) for d in before] == [(DivergenceKind.OPEN, "2026-02-03")]


def test_a_divergence_that_begins_after_today_is_pending_with_its_start_date():
    ms = BASE + [d5("Cyprus", "2021-01-04", "2026-05-30", closed="fr:2026-11111")]
    versions = [itar("2021-01-04", "Cuba", "Iran", "Cyprus")]
    out = derive_divergences(ms, versions, today="2026-05-10")
    assert out == [Divergence("Cyprus", DivergenceSide.ITAR_ONLY, DivergenceKind.PENDING, "ear", "2026-05-30",
                              None, "fr:2026-11111", None)]
    assert derive_divergences(ms, versions, today="2026-05-30")[0].kind is DivergenceKind.OPEN


def test_divergences_compare_country_identities_not_spellings():
    ms = [d5("Korea, North", "2021-01-04"), d5("Burma", "2021-01-04"), d5("Cuba", "2021-01-04")]
    out = derive_divergences(ms, [itar("2021-01-04", "North Korea.", "Burma.", "Cuba.")], today="2026-01-01")
    assert out == []


def test_real_2026_spellings_of_both_lists_give_no_false_divergence():
    """The eCFR D table's 2026 names against 126.1's printed ones (trailing periods, other word order)."""
    ear = ["China (PRC)", "Congo (Democratic Republic of)", "South Sudan, Republic of", "Korea, North", "Burma",
           "Cuba"]
    printed_126_1 = ["China.", "Democratic Republic of Congo", "South Sudan", "North Korea.", "Burma.", "Cuba.",
                     "Ethiopia."]
    out = derive_divergences([d5(c, "2026-01-05") for c in ear], [itar("2026-01-05", *printed_126_1)],
                             today="2026-02-01")
    assert [(d.country, d.side, d.kind) for d in out] == [
        ("Ethiopia", DivergenceSide.ITAR_ONLY, DivergenceKind.STANDING)]   # the one real difference


def test_a_126_1_name_that_resolves_to_no_country_is_named_for_review():
    assert unresolved_itar_names([itar("2026-01-05", "Cuba.", "Atlantis."), itar("2026-02-01", "Atlantis.")]) == [
        ("2026-01-05", "Atlantis.")]


def test_a_country_group_row_that_resolves_to_no_country_is_named_for_review():
    versions = [v("2026-01-05", ("Cuba", "E:1"), ("Atlantis", "D:5"), ("Atlantis", "D:1")),
                v("2026-02-01", ("Atlantis", "D:5"), ("Freedonia", "B"))]
    assert unresolved_names(versions) == [("2026-01-05", "Atlantis"), ("2026-02-01", "Freedonia")]


# ---------------------------------------------------------------- no baseline (pure)

def test_a_rule_with_no_ecfr_baseline_is_a_review_item_not_a_delta():
    facts, review = derive_changes([], [rule("2026-02262", "2026-02-03", revise("Cambodia", "D:1"))], [],
                                   "2026-02-04")
    assert facts == []
    assert [(r[0], r[1], r[3]) for r in review] == [
        ("2026-02262", 0, "no eCFR version of Country Group D on or before 2026-02-02 to apply this rule to: "
                          "its delta cannot be computed yet")]


def test_a_baseline_missing_the_rules_table_is_no_baseline():
    versions = [v("2026-01-05", ("Cambodia", "B"), ("Cuba", "B"))]
    facts, review = derive_changes(versions, [rule("2026-02262", "2026-02-03", revise("Cambodia", "D:1"))], [],
                                   "2026-02-04")
    assert facts == [] and len(review) == 1


def test_a_rule_with_a_baseline_still_predicts_the_exact_delta():
    versions = [v("2026-01-05", ("Cambodia", "D:1"), ("Cambodia", "D:5"), ("Cuba", "D:1"))]
    facts, review = derive_changes(versions, [rule("2026-02262", "2026-02-03", revise("Cambodia", "D:1"))], [],
                                   "2026-02-04")
    assert [(f.country, f.group, f.action, f.status) for f in facts] == [
        ("Cambodia", "D:5", ChangeAction.REMOVED, ChangeStatus.IN_EFFECT)]
    assert review == []


# ---------------------------------------------------------------- suspect versions (pure)

COUNTRIES = [f"Country{i:02d}" for i in range(20)]   # invented names


def full(day: str, drop: set[tuple[str, str]] = frozenset(), codes=("A:1", "D:1", "D:2", "B")) -> Version:
    pairs = {(c, g) for c in COUNTRIES for g in codes} - set(drop)
    return v(day, *sorted(pairs), columns=tuple(g for g in codes if any(p[1] == g for p in pairs)))


def test_a_version_that_loses_a_whole_table_is_suspect_and_the_next_compares_with_the_last_trusted():
    v0 = full("2024-01-02")
    v1 = full("2024-02-01", drop={(c, g) for c in COUNTRIES for g in ("D:1", "D:2")})   # Country Group D gone
    v2 = full("2024-03-01", drop={("Country03", "A:1")})
    trusted, suspects, _accepted = screen_versions([v0, v1, v2], [])
    assert [t.date for t in trusted] == ["2024-01-02", "2024-03-01"]
    assert [(s[0], s[1]) for s in suspects] == [
        ("2024-02-01", "the whole of Country Group D disappears (40 memberships) and no FR rule explains it")]
    facts, _ = derive_changes(trusted, [], [], "2024-03-05")
    assert [(f.country, f.group, f.action, f.status, f.ecfr_version) for f in facts] == [
        ("Country03", "A:1", ChangeAction.REMOVED, ChangeStatus.UNATTRIBUTED, "2024-03-01")]


def test_a_version_that_loses_a_whole_column_is_suspect():
    v1 = full("2024-02-01", drop={(c, "D:2") for c in COUNTRIES})
    trusted, suspects, _accepted = screen_versions([full("2024-01-02"), v1], [])
    assert [t.date for t in trusted] == ["2024-01-02"]
    assert suspects[0][1] == "column D:2 disappears (20 memberships) and no FR rule explains it"


def test_many_unexplained_removals_at_once_are_suspect_at_the_documented_threshold():
    many = {(c, "A:1") for c in COUNTRIES[:SUSPECT_REMOVALS]}
    fewer = {(c, "A:1") for c in COUNTRIES[:SUSPECT_REMOVALS - 1]}
    assert screen_versions([full("2024-01-02"), full("2024-02-01", drop=many)], [])[1][0][1] == (
        f"{SUSPECT_REMOVALS} memberships removed at once and no FR rule explains them")
    assert screen_versions([full("2024-01-02"), full("2024-02-01", drop=fewer)], [])[1] == []


def test_removals_a_rule_explains_are_not_suspect():
    gone = {(c, "D:2") for c in COUNTRIES}
    ops = tuple(Operation(Action.REVISE_ENTRY, "Country Group D", c,
                          (Entry(c, c, (("D:1", True), ("D:2", False))),), text="revise") for c in COUNTRIES)
    r = Rule(number="2024-01234", effective="2024-02-01", published="2024-02-01", corrects=None,
             operations=ops, instructions=((0, "revise", ops),))
    trusted, suspects, _accepted = screen_versions([full("2024-01-02"), full("2024-02-01", drop=gone)], [r])
    assert suspects == [] and len(trusted) == 2


# ---------------------------------------------------------------- re-baselining a suspect version (pure)

TWELVE = {(c, "A:1") for c in COUNTRIES[:12]}


def test_a_suspect_version_the_next_version_shows_again_is_accepted_and_later_removals_are_reported():
    """The freeze: a real 12-removal version (its rule held for review) must not make every later one suspect."""
    v0 = full("2024-01-02")
    v1 = full("2024-02-01", drop=TWELVE)
    v2 = full("2024-03-01", drop=TWELVE)                                   # the next version agrees with v1
    v3 = full("2024-04-01", drop=TWELVE | {("Country15", "D:1")})          # one genuine later removal
    screened = screen_versions([v0, v1, v2, v3], [])
    assert [t.date for t in screened.trusted] == ["2024-01-02", "2024-02-01", "2024-03-01", "2024-04-01"]
    assert screened.suspects == []
    assert screened.accepted == [Accepted("2024-02-01", "12 memberships removed at once and no FR rule explains them",
                                          "2024-01-02", "2024-03-01", ("A",))]
    facts, _ = derive_changes(screened.trusted, [], [], "2024-04-05")
    assert sorted((f.country, f.group, f.status, f.ecfr_version) for f in facts) == sorted(
        [(c, "A:1", ChangeStatus.UNATTRIBUTED, "2024-02-01") for c, _ in TWELVE]
        + [("Country15", "D:1", ChangeStatus.UNATTRIBUTED, "2024-04-01")])


def test_until_the_next_version_agrees_a_suspect_version_stays_suspect():
    """A single suspect version confirms nothing; acceptance waits for the next version."""
    screened = screen_versions([full("2024-01-02"), full("2024-02-01", drop=TWELVE)], [])
    assert [t.date for t in screened.trusted] == ["2024-01-02"]
    assert [s[0] for s in screened.suspects] == ["2024-02-01"] and screened.accepted == []


def test_a_glitch_the_next_version_undoes_stays_suspect_and_shows_nothing():
    v0, v2 = full("2024-01-02"), full("2024-03-01")
    screened = screen_versions([v0, full("2024-02-01", drop=TWELVE), v2], [])
    assert [t.date for t in screened.trusted] == ["2024-01-02", "2024-03-01"]
    assert [(s[0], s[2]) for s in screened.suspects] == [("2024-02-01", "2024-01-02")]
    assert screened.accepted == []
    assert derive_changes(screened.trusted, [], [], "2024-03-05")[0] == []


def test_a_next_version_that_differs_on_the_affected_table_confirms_nothing_but_may_be_confirmed_itself():
    """v2 removes one more A:1 mark: it does not show v1 again; v3 = v2 then accepts v2, dated v2."""
    more = TWELVE | {("Country15", "A:1")}
    versions = [full("2024-01-02"), full("2024-02-01", drop=TWELVE), full("2024-03-01", drop=more),
                full("2024-04-01", drop=more)]
    screened = screen_versions(versions, [])
    assert [s[0] for s in screened.suspects] == ["2024-02-01"]
    assert [(a[0], a[2], a[3]) for a in screened.accepted] == [("2024-03-01", "2024-01-02", "2024-04-01")]
    facts, _ = derive_changes(screened.trusted, [], [], "2024-04-05")
    assert {(f.country, f.ecfr_version) for f in facts} == {(c, "2024-03-01") for c, _ in more}


def test_an_accepted_version_confirms_the_rules_that_explain_part_of_it_and_a_rule_between_counts():
    """Deltas of an accepted version go the normal way: attributed where a rule explains them."""
    part = {(c, "D:2") for c in COUNTRIES[:3]}
    ops = tuple(Operation(Action.REVISE_ENTRY, "Country Group D", c,
                          (Entry(c, c, (("D:1", True), ("D:2", False))),), text="revise") for c, _ in sorted(part))
    explained = Rule(number="2024-01234", effective="2024-02-01", published="2024-02-01", corrects=None,
                     operations=ops, instructions=((0, "revise", ops),))
    later = rule("2024-05678", "2024-02-15", Operation(
        Action.REVISE_ENTRY, "Country Group D", "Country19",
        (Entry("Country19", "Country19", (("D:1", False), ("D:2", True))),), text="revise"))
    v1 = full("2024-02-01", drop=TWELVE | part)
    v2 = full("2024-03-01", drop=TWELVE | part | {("Country19", "D:1")})   # v1 again, after the rule between
    screened = screen_versions([full("2024-01-02"), v1, v2], [explained, later])
    assert [a[0] for a in screened.accepted] == ["2024-02-01"] and screened.suspects == []
    facts, _ = derive_changes(screened.trusted, [explained, later], [], "2024-03-05")
    by_status = sorted((f.country, f.group, f.status.value, f.fr_document) for f in facts)
    assert by_status == sorted([(c, "A:1", "unattributed", None) for c, _ in TWELVE]
                               + [(c, "D:2", "confirmed", "2024-01234") for c, _ in part]
                               + [("Country19", "D:1", "confirmed", "2024-05678")])


# ---------------------------------------------------------------- stored: withdrawn, suspect, kinds

def play(db, upto: int | None = None):
    for stage in TIMELINE[: (upto + 1) if upto is not None else None]:
        load_stage_direct(db, stage)
        derive(db, today=stage.today, run_id=None)


BELARUS_CONFIRMED = DAYS.index("2022-03-15")   # 2022-04819 published, then the eCFR of 2022-03-02


def _belarus(db):
    return [r for r in q.list_changes(db, country="Belarus") if r["fr_document"] == "2022-04819"]


def test_a_change_no_longer_derived_is_withdrawn_keeps_its_log_and_comes_back(tmp_path):
    db = open_db(tmp_path / "t.db")
    play(db, upto=BELARUS_CONFIRMED)
    today = TIMELINE[BELARUS_CONFIRMED].today
    [belarus] = _belarus(db)
    assert belarus["status"] == "confirmed"
    good = db.execute("SELECT xml_sha256 FROM fr_documents WHERE document_number = '2022-04819'").fetchone()[0]
    # a parser fix now reads the rule as making no table change (simulated: its stored XML has no instruction)
    empty = put_blob(db, b'<RULE><PREAMB><SUBJECT>Belarus</SUBJECT></PREAMB><FRDOC>[FR Doc. 2022-04819 Filed]</FRDOC></RULE>')
    db.execute("UPDATE fr_documents SET xml_sha256 = ? WHERE document_number = '2022-04819'", [empty])
    derive(db, today=today, run_id=None, everything=True)
    [withdrawn] = _belarus(db)
    assert withdrawn["id"] == belarus["id"] and withdrawn["status"] == "withdrawn"
    history = [h["status"] for h in q.status_history(db, belarus["id"])]
    assert history[-2:] == ["confirmed", "withdrawn"]
    # excluded from memberships: the eCFR diff now stands alone, unattributed
    assert [(r["status"], r["fr_document"]) for r in q.list_changes(db, country="Belarus")] == [
        ("withdrawn", "2022-04819"), ("unattributed", None)]
    assert "A:4" not in q.groups_as_of(db, "Belarus", "2022-06-01")
    db.execute("UPDATE fr_documents SET xml_sha256 = ? WHERE document_number = '2022-04819'", [good])
    derive(db, today=today, run_id=None, everything=True)
    [back] = _belarus(db)
    assert back["id"] == belarus["id"] and back["status"] == "confirmed"
    assert [h["status"] for h in q.status_history(db, belarus["id"])] == history + ["confirmed"]
    # the unattributed reading of the same eCFR diff is now explained: withdrawn in its turn
    assert [r["status"] for r in q.list_changes(db, country="Belarus")] == ["confirmed", "withdrawn"]
    db.close()


def _stage_without_d(stage):
    """The stage's supplement versions with no D:5 mark left in Country Group D (a broken rendering).

    The whole column is blanked, not the table emptied: a version printing no D rows
    at all is refused by the parser (parsers.ecfr_groups.MIN_ROWS), never read.
    """
    from pipeline.demo import synth
    from pipeline.demo.data.timeline import _row
    out = []
    for day, _xml in stage.ecfr_supplement:
        t = synth.default_country_groups()
        for row in [r for tbl in t.tables if tbl.title == "Country Group D" for r in tbl.rows]:
            t = _row(t, "Country Group D", row.country, {c: m and c != "D:5" for c, m in row.marks})
        out.append((day, synth.ecfr_supplement_xml(replace(t, version_date=day), day)))
    return replace(stage, ecfr_supplement=tuple(out))


def test_a_suspect_version_is_held_for_review_and_publishes_no_removals(tmp_path):
    db = open_db(tmp_path / "t.db")
    play(db, upto=3)
    broken = _stage_without_d(TIMELINE[4])   # the 2021-12-09 version prints no Country Group D rows
    load_stage_direct(db, broken)
    derive(db, today=broken.today, run_id=None)
    assert [r for r in q.list_changes(db) if r["status"] == "unattributed" and r["ecfr_version"] == "2021-12-09"] == []
    assert [(r["document_number"], r["subject"]) for r in q.review_items(db) if r["subject"] == "ecfr_version"] == [
        ("ecfr:2021-12-09", "ecfr_version")]
    assert db.execute("SELECT date, suspect IS NOT NULL FROM ecfr_versions WHERE kind = 'country_groups'"
                      " ORDER BY date").fetchall() == [("2021-01-04", 0), ("2021-01-19", 0), ("2021-12-09", 1)]
    cambodia = [r for r in q.list_changes(db, country="Cambodia") if r["group"] == "D:5"]
    assert [r["status"] for r in cambodia] == ["in_effect"]   # a suspect version confirms nothing
    assert "D:1" in q.groups_as_of(db, "Cuba", "2022-01-01")
    db.close()


def _supplement_without(marks: set[tuple[str, str]], day: date) -> bytes:
    """The synthesized supplement with the given (country, A column) marks blanked."""
    from pipeline.demo import synth
    from pipeline.demo.data.timeline import _row
    t = synth.default_country_groups()
    for row in [r for tbl in t.tables if tbl.title == "Country Group A" for r in tbl.rows]:
        if any((row.country, c) in marks for c, _m in row.marks):
            t = _row(t, "Country Group A", row.country, {c: m and (row.country, c) not in marks for c, m in row.marks})
    return synth.ecfr_supplement_xml(replace(t, version_date=day), day)


def test_stored_suspect_version_is_accepted_when_the_next_version_shows_it_again(tmp_path):
    """Through derive(): v1 held, then accepted once v2 agrees; v3's one removal is reported, unattributed."""
    from pipeline.demo import synth
    from pipeline.demo.data.timeline import Stage
    a_rows = [r for t in synth.default_country_groups().tables if t.title == "Country Group A" for r in t.rows]
    twelve = {(r.country, "A:1") for r in a_rows if dict(r.marks)["A:1"] and sum(m for _c, m in r.marks) > 1}
    twelve = set(sorted(twelve)[:12])
    one_more = next((r.country, "A:2") for r in a_rows if dict(r.marks).get("A:2") and (r.country, "A:1") not in twelve)
    days = [date(2024, 1, 2), date(2024, 2, 1), date(2024, 3, 1), date(2024, 4, 1)]
    drops = [set(), twelve, twelve, twelve | {one_more}]
    db = open_db(tmp_path / "t.db")

    def stage(i: int) -> None:
        load_stage_direct(db, Stage(today=days[i], ecfr_supplement=((days[i], _supplement_without(drops[i], days[i])),)))
        derive(db, today=days[i], run_id=None)

    def suspect_flags():
        return db.execute("SELECT date, suspect IS NOT NULL FROM ecfr_versions ORDER BY date").fetchall()

    stage(0)
    stage(1)
    assert suspect_flags() == [("2024-01-02", 0), ("2024-02-01", 1)]
    assert [r for r in q.list_changes(db) if r["status"] == "unattributed"] == []
    stage(2)
    assert suspect_flags() == [("2024-01-02", 0), ("2024-02-01", 0), ("2024-03-01", 0)]
    [item] = [r for r in q.review_items(db) if r["subject"] == "ecfr_version"]
    assert item["document_number"] == "ecfr:2024-02-01"
    assert item["reason"] == ("accepted as of 2024-02-01: it was held as suspect (12 memberships removed at once and"
                              " no FR rule explains them) and the next version (2024-03-01) shows Country Group A"
                              " again as it does; its changes are reported as of 2024-02-01, attributed to an FR rule"
                              " where one explains them, else unattributed")
    stage(3)
    changes = [(r["country"], r["group"], r["status"], r["ecfr_version"]) for r in q.list_changes(db)]
    assert sorted(changes) == sorted([(c, g, "unattributed", "2024-02-01") for c, g in twelve]
                                     + [(*one_more, "unattributed", "2024-04-01")])
    assert "A:1" not in q.groups_as_of(db, sorted(twelve)[0][0], "2024-02-15")
    db.close()


def test_stored_divergences_carry_their_kind_and_the_cli_lists_them(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import cli
    db = open_db(tmp_path / "t.db")
    play(db)
    # Cyprus: BIS took it out of D:5 (2024-10280) while 126.1 keeps it in (d)(2), paragraph (r), as the real one does
    assert [(d["country"], d["kind"], d["opened_on"], d["closed_on"]) for d in q.divergences(db)] == [
        ("Cyprus", "open", "2024-05-30", None), ("Cambodia", "closed", "2025-11-07", "2026-02-03")]
    db.close()
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "t.db"), "divergences", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [
        {"country": "Cyprus", "side": "itar_only", "kind": "open", "since": "2024-05-30", "until": None,
         "opened_by": "fr:2024-10280", "closed_by": None},
        {"country": "Cambodia", "side": "ear_only", "kind": "closed", "since": "2025-11-07", "until": "2026-02-03",
         "opened_by": "ecfr:2025-11-07", "closed_by": "fr:2026-02262"}]
    text = CliRunner().invoke(cli, ["--db", str(tmp_path / "t.db"), "divergences"])
    assert text.exit_code == 0, text.output
    assert ("Cambodia: in D:5 but not in 126.1 from 2025-11-07 to 2026-02-03 (State moved first:"
            " 126.1 version of 2025-11-07; closed by FR Doc. 2026-02262)") in text.output


# ---------------------------------------------------------------- end to end: a failing eCFR source

def test_a_run_whose_ecfr_source_failed_derives_no_delta_without_a_baseline(tmp_path):
    """Issue 12: such a run recorded "Cambodia: added to D:1 [in_effect]" and the digest rendered it."""
    from pipeline.demo.data.replay_dir import write_replay_dir
    from pipeline.demo.replay import ReplayServer
    from pipeline.demo.run import demo_settings
    from pipeline.publish.digest import PLACEHOLDER, Window, build_digest, render_digest
    from pipeline.run import run_once

    db_path = tmp_path / "frtrack.db"
    published = DAYS.index("2026-02-04")   # every FR rule of the story is published
    stage = TIMELINE[published]
    with ReplayServer(write_replay_dir(TIMELINE, tmp_path / "replay")) as server:
        server.set_stage(published)
        settings = demo_settings(server.url)
        server.add_entry("/down/titles.json", fault={"kind": "status", "status": 500}, id="ecfr-down")
        down = replace(settings, sources=replace(settings.sources, ecfr_api_base=server.url + "/down", max_retries=0))
        failed = run_once(down, db_path, today=stage.today)
        assert not failed.ok and "ecfr" in failed.error
        db = open_db(db_path)
        assert q.list_changes(db) == []
        held = [r for r in q.review_items(db) if "no eCFR version" in r["reason"]]
        assert {r["document_number"] for r in held} == {"2021-26633", "2022-04819", "2099-90001", "2024-05696",
                                                        "2024-10280", "2026-02262", "2099-90003"}   # (Entity List)
        data = build_digest(db, settings, Window.for_run(stage.today, 7, since=date(2021, 1, 1)), stage.today)
        text = render_digest(data, PLACEHOLDER).text
        assert "added to D:1" not in text and "No changes in this window in any list" in text
        db.close()

        ok = run_once(settings, db_path, today=stage.today)   # the eCFR answers again
        assert ok.ok, ok.summary()
        db = open_db(db_path)
        rows = {(r["country"], r["group"], r["action"]): r["status"] for r in q.list_changes(db)}
        assert ("Cambodia", "D:1", "added") not in rows
        assert rows[("Cambodia", "D:5", "removed")] == "in_effect"
        assert not [r for r in q.review_items(db) if "no eCFR version" in r["reason"]]
        assert "withdrawn" not in rows.values()
        db.close()


def test_a_run_whose_ecfr_source_failed_raises_no_divergence_the_stored_126_1_cannot_support(tmp_path):
    """BIS moves Nicaragua the day State's 126.1 version appears; the eCFR is down that run.

    The stored 126.1 speaks only up to the last successful eCFR fetch: comparing
    the new D:5 with it would report two false divergences ("BIS moved first").
    """
    from pipeline.demo.data.replay_dir import write_replay_dir
    from pipeline.demo.replay import ReplayServer
    from pipeline.demo.run import demo_settings
    from pipeline.run import run_once

    db_path = tmp_path / "frtrack.db"
    with ReplayServer(write_replay_dir(TIMELINE, tmp_path / "replay")) as server:
        settings = demo_settings(server.url)
        nicaragua = DAYS.index("2024-03-18")
        for i in range(nicaragua):
            server.set_stage(i)
            assert run_once(settings, db_path, today=TIMELINE[i].today).ok
        server.set_stage(nicaragua)
        server.add_entry("/down/titles.json", fault={"kind": "status", "status": 500}, id="ecfr-down")
        down = replace(settings, sources=replace(settings.sources, ecfr_api_base=server.url + "/down", max_retries=0))
        failed = run_once(down, db_path, today=TIMELINE[nicaragua].today)
        assert not failed.ok
        db = open_db(db_path)
        assert {(r["country"], r["status"]) for r in q.list_changes(db, group="D:5")} >= {
            ("Nicaragua", "in_effect")}   # the FR facts stand
        assert q.divergences(db) == []
        db.close()
        assert run_once(settings, db_path, today=TIMELINE[nicaragua].today).ok   # 126.1 of 2024-03-15 agrees
        db = open_db(db_path)
        assert q.divergences(db) == []
        db.close()
