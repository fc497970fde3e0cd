"""The whole derivation over rows, no database: units in, changes, memberships, divergences and review out."""
from __future__ import annotations

from datetime import date

from parsers.announcement import Announced
from parsers.lifecycle import ChangeAction, ChangeStatus, DivergenceKind, DivergenceSide, SourceRef, TableEventKind
from parsers.model import Action, Entry, FRDocument, Instruction, Operation
from pipeline.derive.facts import UnitInputs, derive_facts, known_until, versions_of
from pipeline.derive.history import TableSummary
from pipeline.derive.memberships import derive_memberships
from pipeline.derive.rows import Announcement, Change, Membership, ReviewItem, Rule, StoredDocument, Version
from pipeline.derive.rules import announced_effective, derive_rules
from pipeline.derive.units import FrReading, UnitInstruction, VersionSummary
from pipeline.derive.units.country_groups import UNIT as GROUPS, CountryGroupChanges
from pipeline.derive.units.itar_126_1 import UNIT as ITAR

D_CODES = ("D:1", "D:5")


def d_row(country: str, *held: str) -> Entry:
    return Entry(country, country, tuple((c, c in held) for c in D_CODES))


def revise(country: str, *held: str) -> Operation:
    return Operation(Action.REVISE_ENTRY, "Country Group D", country, (d_row(country, *held),), text=f"revise {country}")


def groups(day: str, *pairs: tuple[str, str]) -> Version:
    return Version(day, frozenset(pairs))


def itar(day: str, *names: str) -> Version:
    return Version(day, frozenset((n, "126.1") for n in names))


BASE = (("Cambodia", "D:1"), ("Cambodia", "D:5"), ("Cuba", "D:1"), ("Cuba", "D:5"))


# ---------------------------------------------------------------- the whole derivation

def test_a_rule_confirmed_by_the_next_version_closes_a_membership_and_a_divergence():
    rule = Rule("2026-02262", "2026-02-03", "2026-02-04", None, (revise("Cambodia", "D:1"),),
                ((0, "revise Cambodia", (revise("Cambodia", "D:1"),)),))
    cg = UnitInputs(GROUPS, [groups("2026-01-05", *BASE), groups("2026-02-09", *BASE[:1], *BASE[2:])], [rule])
    derived = derive_facts([cg, UnitInputs(ITAR, [itar("2026-01-05", "Cuba")])], today="2026-02-10")
    [c] = derived.changes
    assert (c.key, c.status, c.ecfr_version) == ("Cambodia|D:5|removed|fr:2026-02262", ChangeStatus.CONFIRMED,
                                                 "2026-02-09")
    closed = [m for m in derived.memberships if m.country == "Cambodia" and m.group == "D:5"]
    assert closed == [Membership("Cambodia", "D:5", "2026-01-05", "2026-02-03", SourceRef.ecfr("2026-01-05"),
                                 SourceRef.fr("2026-02262"))]
    [d] = derived.divergences
    assert (d.country, d.side, d.kind, d.until, d.closed_by) == (
        "Cambodia", DivergenceSide.EAR_ONLY, DivergenceKind.STANDING, "2026-02-03", "fr:2026-02262")
    assert derived.review == [] and derived.open_divergences == 0


def test_without_126_1_versions_no_divergence_is_derived():
    derived = derive_facts([UnitInputs(GROUPS, [groups("2026-01-05", *BASE)]), UnitInputs(ITAR, [])],
                           today="2026-02-10")
    assert derived.divergences == [] and len(derived.memberships) == 4


def test_review_items_come_in_the_order_they_are_stored():
    """Rule review first, then suspect versions, then names no country has (126.1's, then the table's)."""
    countries = ["Austria", "Belgium", "Canada", "Denmark", "Estonia", "Finland", "France", "Germany", "Greece",
                 "Hungary", "Iceland", "Ireland"]
    full = groups("2024-01-02", *((c, "A:1") for c in countries), ("Atlantis", "A:2"))
    broken = groups("2024-02-01", ("Atlantis", "A:2"))
    held = Rule("2024-00001", "", None, None, (), (), review=(ReviewItem("2024-00001", None, "DATES", "why"),))
    derived = derive_facts([UnitInputs(GROUPS, [full, broken], [held]),
                            UnitInputs(ITAR, [itar("2024-01-02", "Freedonia.")])], today="2024-03-01")
    assert [(r.document, r.text.split(" as of ")[0]) for r in derived.review] == [
        ("2024-00001", "DATES"), ("ecfr:2024-02-01", "15 CFR Supplement No. 1 to Part 740"),
        ("ecfr:2024-01-02", "22 CFR 126.1"), ("ecfr:2024-01-02", "15 CFR Supplement No. 1 to Part 740")]
    assert [u.suspects[0].date for u in derived.units if u.suspects] == ["2024-02-01"]


def test_columns_and_table_events_carry_the_unit_and_the_latest_version():
    summary = TableSummary((("D:5", "U.S. Arms Embargoed Countries"),), (), (("D/1", "a note"),))
    later = TableSummary((("D:5", "Arms Embargoed"),), (), (("D/1", "a note"),))
    versions = versions_of([("2026-01-05", VersionSummary(frozenset(BASE), summary,
                                                           (("D:5", "U.S. Arms Embargoed Countries", "Country Group D"),))),
                            ("2026-02-09", VersionSummary(frozenset(BASE), later,
                                                           (("D:5", "Arms Embargoed", "Country Group D"),)))])
    derived = derive_facts([UnitInputs(GROUPS, versions)], today="2026-02-10")
    assert [(c.code, c.name, c.as_of) for c in derived.columns] == [("D:5", "Arms Embargoed", "2026-02-09")]
    assert [(e.unit, e.ecfr_version, e.kind, e.subject) for e in derived.table_events] == [
        ("15 CFR Supplement No. 1 to Part 740", "2026-01-05", TableEventKind.NOTE_CHANGED, "D/1"),
        ("15 CFR Supplement No. 1 to Part 740", "2026-02-09", TableEventKind.COLUMN_RENAMED, "D:5")]


def test_126_1_is_known_until_its_last_read_even_when_its_newest_version_is_older():
    assert known_until([itar("2025-11-07")], "2026-02-09") == "2026-02-09"
    assert known_until([itar("2025-11-07")], None) == "2025-11-07"
    assert known_until([], "2026-02-09") is None


# ---------------------------------------------------------------- announcements

def test_an_announced_change_not_yet_published_is_announced_with_its_stated_date():
    said = Announcement("2026-02262", "2026-02-03",
                        (Announced("Cambodia", "D:5", "removed", "removes Cambodia from Country Group D:5"),), ())
    derived = derive_facts([UnitInputs(GROUPS, [groups("2026-01-05", *BASE)], [], [said])], today="2026-02-02")
    [c] = derived.changes
    assert (c.status, c.effective_date, c.fr_document, c.note) == (
        ChangeStatus.ANNOUNCED, "2026-02-03", "2026-02262", "removes Cambodia from Country Group D:5")
    assert derive_memberships([groups("2026-01-05", *BASE)], [c]) == derived.memberships   # announced: not applied


def test_the_date_an_announcement_states_or_its_scheduled_day():
    assert announced_effective(b"DATES: This rule is effective February 3, 2026.", "2026-02-04") == "2026-02-03"
    assert announced_effective(b"SUMMARY: nothing about dates", "2026-02-04") == "2026-02-04"
    assert announced_effective(b"DATES: This rule is effective [INSERT DATE 30 DAYS AFTER DATE OF PUBLICATION"
                               b" IN THE FEDERAL REGISTER].", None) is None


# ---------------------------------------------------------------- rules

def _doc(*instructions: Instruction, effective: date | None = date(2026, 2, 3)) -> FRDocument:
    return FRDocument("2026-02262", "RULE", effective_date=effective, instructions=instructions,
                      dates_text="DATES: effective February 3, 2026")


def test_instructions_with_their_own_dates_make_one_rule_per_date():
    a, b = revise("Cambodia", "D:1"), revise("Cuba", "D:1")
    doc = _doc(Instruction(0, 15, "740", "first", operations=(a,)),
               Instruction(1, 15, "740", "second", operations=(b,), effective_date=date(2026, 3, 1)))
    stored = {doc.document_number: StoredDocument(doc, "2026-02-04", "2026-02-03", None, None, frozenset(),
                                                  frozenset())}
    rules = derive_rules(stored, lambda _n, s: GROUPS.interpret(s.doc, lambda: b""))
    assert [(r.effective, r.operations) for r in rules] == [("2026-02-03", (a,)), ("2026-03-01", (b,))]
    assert rules[1].review == ()   # the document's date review travels with its first rule only
    [item] = rules[0].review
    assert item.instruction == 1 and "effective 2026-03-01, but federalregister.gov's effective_on is 2026-02-03" \
        in item.reason


def test_a_rule_without_any_date_is_held_for_review_not_dated_by_publication():
    doc = FRDocument("2026-02262", "RULE", instructions=(Instruction(0, 15, "740", "x", operations=(revise("Cuba"),)),),
                     dates_text="DATES: effective upon a date to be announced", effective_problems=("no date",))
    stored = {"2026-02262": StoredDocument(doc, "2026-02-04", None, None, None, frozenset(), frozenset())}
    [rule] = derive_rules(stored, lambda _n, s: FrReading(tuple(UnitInstruction(i, i.operations)
                                                                for i in s.doc.instructions)))
    assert rule.effective == "" and rule.operations == ()
    assert [i.reason for i in rule.review] == ["effective date: no date"]


def test_an_interpreters_own_review_items_reach_the_rules_review():
    """A §744.21 or Entity List interpreter raises items itself (a summary count its instructions miss)."""
    doc = _doc(Instruction(0, 15, "744", "x"))
    stored = {"2026-02262": StoredDocument(doc, "2026-02-04", None, None, None, frozenset(), frozenset())}
    said = ReviewItem("2026-02262", None, "adding 12 entities", "the summary counts 12 entities; 11 were read")
    with_ops = FrReading((UnitInstruction(doc.instructions[0], (revise("Cuba"),)),), (said,))
    assert derive_rules(stored, lambda _n, _s: with_ops)[0].review[-1] == said
    [only] = derive_rules(stored, lambda _n, _s: FrReading((), (said,)))
    assert (only.operations, only.review) == ((), (said,))


def test_instructions_on_other_parts_make_no_country_group_rule():
    doc = _doc(Instruction(0, 15, "744", "entity list", operations=(revise("Cuba"),)))
    stored = {"2026-02262": StoredDocument(doc, "2026-02-04", None, None, None, frozenset(), frozenset())}
    assert derive_rules(stored, lambda _n, s: GROUPS.interpret(s.doc, lambda: b"")) == []


# ---------------------------------------------------------------- the Country Group change model

def test_suspicion_names_a_lost_table_a_lost_column_or_many_removals():
    model = CountryGroupChanges()
    before = frozenset({("Cuba", "D:1"), ("Cuba", "E:1"), ("Iran", "E:1")})
    assert model.suspicion(before, frozenset({("Cuba", "D:1")})) == (
        "the whole of Country Group E disappears (2 memberships) and no FR rule explains it")
    assert model.suspicion(before | {("Cuba", "D:5")}, before) == "column D:5 disappears (1 memberships) and no FR" \
        " rule explains it"
    assert model.suspicion(before, before | {("Syria", "E:1")}) is None
    assert model.tables(before) == {"D", "E"} and model.table_title("B") == "Country Group B"
    assert model.baseline_table(revise("Cuba")) == "D"
    assert model.baseline_table(Operation(Action.AMEND_TEXT, "Country Group D", None)) is None


def test_membership_intervals_are_opened_and_closed_by_their_sources():
    facts = [Change("Cuba|D:5|removed|ecfr:2024-01-02", "Cuba", "D:5", ChangeAction.REMOVED, "2024-01-02",
                    ChangeStatus.UNATTRIBUTED, None, "2024-01-02"),
             Change("Iran|D:5|added|fr:2024-00002", "Iran", "D:5", ChangeAction.ADDED, "2024-03-01",
                    ChangeStatus.CONTRADICTED, "2024-00002", "2024-03-04")]
    rows = derive_memberships([groups("2023-12-01", ("Cuba", "D:5"))], facts)
    assert rows == [Membership("Cuba", "D:5", "2023-12-01", "2024-01-02", "ecfr:2023-12-01", "ecfr:2024-01-02")]
