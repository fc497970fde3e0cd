"""The § 744.21 / § 744.22 and Entity List units over rows, no database (issue 15).

Fixtures are the authored files of tests/fixtures (every entity "(SAMPLE)",
documents 2099-900nn); versions are built from their entries, so each test
says what the eCFR shows before and after.
"""
from __future__ import annotations

import dataclasses
import json

from parsers.fr_xml import parse_fr_xml
from parsers.lifecycle import ChangeAction, ChangeStatus, SourceRef
from parsers.model import EntityEntry, ListKind
from pipeline.derive.facts import UnitInputs, derive_facts, versions_of
from pipeline.derive.rows import Announcement, Rule, StoredDocument, Version
from pipeline.derive.rules import derive_rules
from pipeline.derive.units import REGISTRY, unit_of
from pipeline.derive.units.country_groups import UNIT as GROUPS
from pipeline.derive.units.entity_list import UNIT as EL, EntityListChanges, keyed
from pipeline.derive.units.section_744_21 import UNIT as S21
from pipeline.derive.units.section_744_22 import UNIT as S22
from tests.conftest import FIXTURES

PRC = "China (PRC)"
POLICY = "For all items subject to the EAR. (See § 744.11 of the EAR)"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def stored(*names: str, published: dict[str, str] | None = None) -> dict[str, StoredDocument]:
    """Parsed fixture documents as the store hands them to rule building, with their XML for the interpreters."""
    out = {}
    for name in names:
        [doc] = parse_fr_xml(fixture(name), name)
        day = (published or {}).get(doc.document_number) or (doc.effective_date.isoformat()
                                                               if doc.effective_date else None)
        out[doc.document_number] = StoredDocument(doc, day, None, doc.corrects, None, frozenset(),
                                                  frozenset(doc.cfr_parts))
    return out


def rules_of(unit, docs: dict[str, StoredDocument], files: dict[str, str]) -> list[Rule]:
    return derive_rules(docs, lambda number, s: unit.interpret(s.doc, lambda: fixture(files[number])))


def el_versions(*dated: tuple[str, list[EntityEntry]]) -> list[Version]:
    return [Version(day, keyed(entries)) for day, entries in dated]


def entry(dest: str, name: str, *, aliases=(), address="1 Invented Street, Sampletown.", policy="Policy of denial.",
          citations=("99 FR 00011, 1/5/99.",)) -> EntityEntry:
    return EntityEntry(dest, dest.upper(), name, tuple(aliases), address, POLICY, policy, tuple(citations))


def section(day: str, name: str, *countries: str) -> Version:
    return Version(day, frozenset((c, name) for c in countries))


def rows(changes):
    return [(c.list.value, c.country, c.entity, c.action.value, c.status.value, c.fr_document, c.effective_date,
             c.detail) for c in changes]


AVIONICS = entry("Russia", "Fictitious Avionics OOO (SAMPLE)", address="7 Placeholder Prospekt, Moscow, Russia.")
DRONES = entry("Iran", "Imaginary Drone Works (SAMPLE)", aliases=("IDW Sample.",),
               address="Unit 3, 4 Nowhere Boulevard, Tehran, Iran.", policy="Presumption of denial.")
MICROWAVE = entry("Armenia", "Sample Microwave Trading LLC (SAMPLE)", address="1 Invented Street, Yerevan, Armenia.",
                  policy="Presumption of denial.")


# ---------------------------------------------------------------- the registry

def test_the_three_lists_are_registered_units_with_their_kinds():
    assert [u.kind for u in REGISTRY][2:] == [ListKind.SECTION_744_21, ListKind.SECTION_744_22, ListKind.ENTITY_LIST]
    assert unit_of("744.21") is S21 and unit_of("entity_list") is EL
    assert (S21.ecfr.section, S22.ecfr.section, EL.ecfr.appendix) == ("744.21", "744.22", "Supplement No. 4 to Part 744")
    assert S21.ecfr.path == "title-15/section-744.21"
    assert all(u.produces_changes and u.memberships for u in (S21, S22, EL))


# ---------------------------------------------------------------- § 744.21 / § 744.22

def test_a_section_version_is_the_set_of_countries_it_names():
    data = fixture("ecfr_744_2021-12-08_before_cambodia.xml")
    s21 = S21.summarize(S21.parse_version(data, "fixture"))
    s22 = S22.summarize(S22.parse_version(data, "fixture"))
    assert s21.state == {(c, "744.21") for c in ("Burma", PRC, "Russia", "Venezuela")} and s21.problems == ()
    assert {c for c, _ in s22.state} == {"Burma", PRC, "Russia", "Venezuela"}


def test_a_section_version_whose_places_disagree_is_a_review_item_at_the_first_version():
    bad = S21.summarize(S21.parse_version(fixture("ecfr_744_2099-01-05_disagreeing.xml"), "fixture"))
    assert len(bad.problems) == 2
    versions = versions_of([("2099-01-05", bad), ("2099-02-01", bad)])
    derived = derive_facts([UnitInputs(S21, versions)], today="2099-03-01")
    texts = [r.text for r in derived.review]
    assert len(texts) == 2 and all(t.startswith("15 CFR 744.21 as of 2099-01-05: ") for t in texts)
    assert any("Freedonia" in t for t in texts) and any("heading" in t for t in texts)
    assert {r.document for r in derived.review} == {"ecfr:2099-01-05"}     # not again for the next version


def test_one_rule_moves_a_country_between_groups_and_into_both_sections():
    """2099-90006: Nicaragua into Country Group D, § 744.21 and § 744.22 -- and an Entity List entry -- one document."""
    files = {"2099-90006": "fr_2099-90006_nicaragua_groups_and_744.xml"}
    docs = stored(*files.values())
    base = ["Belarus", "Burma", "Cambodia", PRC, "Russia", "Venezuela"]
    d_base = {("Cuba", "D:1"), ("Nicaragua", "B")}
    inputs = [
        UnitInputs(GROUPS, [Version("2099-05-01", frozenset(d_base)),
                            Version("2099-05-06", frozenset(d_base | {("Nicaragua", "D:1"), ("Nicaragua", "D:5")}))],
                   rules_of(GROUPS, docs, files)),
        UnitInputs(S21, [section("2099-05-01", "744.21", *base), section("2099-05-06", "744.21", *base, "Nicaragua")],
                   rules_of(S21, docs, files)),
        UnitInputs(S22, [section("2099-05-01", "744.22", *base)], rules_of(S22, docs, files)),
        UnitInputs(EL, el_versions(("2099-05-01", [AVIONICS])), rules_of(EL, docs, files)),
    ]
    derived = derive_facts(inputs, today="2099-05-10")
    sections = [r for r in rows(derived.changes) if r[0] in ("744.21", "744.22")]
    assert sections == [
        ("744.21", "Nicaragua", None, "added", "confirmed", "2099-90006", "2099-05-06", None),
        ("744.22", "Nicaragua", None, "added", "in_effect", "2099-90006", "2099-05-06", None),
    ]
    keys = {c.key for c in derived.changes if c.country == "Nicaragua"}
    assert "744.21|Nicaragua|added|fr:2099-90006" in keys and "Nicaragua|D:5|added|fr:2099-90006" in keys
    groups = {(c.group, c.action.value, c.fr_document) for c in derived.changes if c.list is ListKind.COUNTRY_GROUPS}
    assert ("D:5", "added", "2099-90006") in groups
    assert [(c.country, c.entity, c.fr_document) for c in derived.changes if c.list is ListKind.ENTITY_LIST] == [
        ("Nicaragua", "Example Harbor Services S.A. (SAMPLE)", "2099-90006")]
    m21 = [m for m in derived.memberships if m.list is ListKind.SECTION_744_21 and m.country == "Nicaragua"]
    assert [(m.group, m.valid_from, m.valid_to, m.opened_by) for m in m21] == [
        (None, "2099-05-06", None, SourceRef.fr("2099-90006"))]


def test_a_section_rule_without_a_baseline_version_is_held_and_a_revision_lists_exactly_the_reprint():
    files = {"2099-90007": "fr_2099-90007_744_sections.xml"}
    docs = stored(*files.values())
    held = derive_facts([UnitInputs(S22, [], rules_of(S22, docs, files))], today="2099-06-01")
    assert held.changes == [] and any("no eCFR version of § 744.22" in r.reason for r in held.review)
    before = section("2099-01-05", "744.22", "Belarus", "Burma", "Cambodia", PRC, "Russia", "Venezuela")
    derived = derive_facts([UnitInputs(S22, [before], rules_of(S22, docs, files))], today="2099-06-01")
    # the reprinted paragraph (a) lists five countries: Cambodia, not among them, leaves
    assert [(c.country, c.action.value) for c in derived.changes] == [("Cambodia", "removed")]
    removal = derive_facts([UnitInputs(S21, [section("2099-01-05", "744.21", "Burma", "Cambodia")],
                                       rules_of(S21, docs, files))], today="2099-06-01")
    assert [(c.country, c.action.value, c.status.value) for c in removal.changes] == [
        ("Cambodia", "removed", "in_effect")]


def test_a_section_country_added_on_public_inspection_is_announced():
    text = (b"BILLING CODE 3510-33-P\n\nSUMMARY: SAMPLE.\n\nDATES: This rule is effective May 6, 2099.\n\n"
            b"    3. Section 744.21 is amended by adding the word \"Nicaragua,\" after the words \"People's Republic of"
            b" China,\" in the section heading and in paragraph (a).\n\n[FR Doc. 2099-90006 Filed 5-5-99; 8:45 am]\n")
    said = S21.announcements(text)
    assert [(o.action.value, o.country) for o in said.operations] == [("add_entry", "Nicaragua")]
    derived = derive_facts([UnitInputs(S21, [section("2099-05-01", "744.21", "Burma", PRC)], [],
                                       [Announcement("2099-90006", "2099-05-06", said.stated, said.operations)])],
                           today="2099-05-05")
    assert rows(derived.changes) == [("744.21", "Nicaragua", None, "added", "announced", "2099-90006", "2099-05-06",
                                      None)]
    assert derived.memberships == [m for m in derived.memberships if m.country != "Nicaragua"]


# ---------------------------------------------------------------- the Entity List: versions

def test_an_entity_list_version_keys_every_entry_by_destination_and_name():
    summary = EL.summarize(EL.parse_version(fixture("ecfr_supp4_2099-06-08_gpotbl.xml"), "fixture"))
    keys = sorted((d, k) for d, k, _ in summary.state)
    assert keys == [("Armenia", "sample microwave trading llc sample"), (PRC, "example photonics co ltd sample"),
                    (PRC, "sample quantum devices co ltd sample"), ("Iran", "imaginary drone works sample"),
                    ("Russia", "fictitious avionics ooo sample"), ("Russia", "sample microwave trading llc sample")]
    same_name = keyed([AVIONICS, dataclasses.replace(AVIONICS, address="8 Other Street, Moscow.")])
    assert sorted(k for _, k, _ in same_name) == ["fictitious avionics ooo sample", "fictitious avionics ooo sample #2"]


def test_versions_differ_by_additions_removals_revisions_and_moves():
    model = EntityListChanges()
    moved = dataclasses.replace(MICROWAVE, destination="Russia", destination_printed="RUSSIA")
    revised = dataclasses.replace(DRONES, aliases=("IDW Sample.", "Drone Sample Works."), review_policy="Policy of denial.")
    deltas = model.diff(keyed([AVIONICS, DRONES, MICROWAVE]), keyed([revised, moved]))
    got = [(d.country, d.entity, d.action.value, json.loads(d.detail) if d.detail else None) for d in deltas]
    assert got == [
        ("Armenia", "Sample Microwave Trading LLC (SAMPLE)", "removed", {"moved_to": "Russia"}),
        ("Iran", "Imaginary Drone Works (SAMPLE)", "revised", {"fields": {
            "aliases": {"before": ["IDW Sample."], "after": ["IDW Sample.", "Drone Sample Works."]},
            "review_policy": {"before": "Presumption of denial.", "after": "Policy of denial."}}}),
        ("Russia", "Fictitious Avionics OOO (SAMPLE)", "removed", None),
        ("Russia", "Sample Microwave Trading LLC (SAMPLE)", "added", {"moved_from": "Armenia"}),
    ]
    assert model.apply_deltas(keyed([AVIONICS, DRONES, MICROWAVE]), deltas) == keyed([revised, moved])


# ---------------------------------------------------------------- the Entity List: FR rules

def el_facts(files: dict[str, str], versions: list[Version], today: str, published=None, announced=()):
    docs = stored(*files.values(), published=published)
    return derive_facts([UnitInputs(EL, versions, rules_of(EL, docs, files), list(announced))], today=today)


def test_an_addition_is_predicted_then_confirmed_by_the_next_version():
    files = {"2099-90001": "fr_el_2099-90001_add.xml"}
    after = EL.summarize(EL.parse_version(fixture("ecfr_supp4_2099-06-08_gpotbl.xml"), "fixture")).state
    before = frozenset(e for e in after if e[0] == "Russia" and e[1].startswith("fictitious"))
    published = el_facts(files, [Version("2099-01-01", before)], today="2099-01-01")
    assert {(c.country, c.status.value) for c in published.changes} == {
        (PRC, "published"), ("Iran", "published"), ("Russia", "published")}
    # the next version prints the Chinese entries (Iran's and Russia's new entry are not in this excerpt)
    confirmed = el_facts(files, [Version("2099-01-01", before), Version("2099-01-02", before | {
        e for e in after if e[0] == PRC})], today="2099-01-03")
    got = sorted((c.country, c.entity, c.status.value, c.ecfr_version) for c in confirmed.changes)
    assert got == [
        (PRC, "Example Photonics Co., Ltd. (SAMPLE)", "confirmed", "2099-01-02"),
        (PRC, "Sample Quantum Devices Company Limited (SAMPLE)", "confirmed", "2099-01-02"),
        ("Iran", "Placeholder Logistics FZE (SAMPLE)", "contradicted", "2099-01-02"),
        ("Russia", "Placeholder Logistics FZE (SAMPLE)", "contradicted", "2099-01-02"),
    ]
    c = next(c for c in confirmed.changes if c.entity.startswith("Example Photonics"))
    assert c.key == "entity_list|China (PRC)|example photonics co ltd sample|added|fr:2099-90001"
    assert c.entity_key == "example photonics co ltd sample" and c.detail is None
    m = next(m for m in confirmed.memberships if m.entity_key == c.entity_key)
    assert (m.list, m.country, m.entity, m.valid_from, m.opened_by) == (
        ListKind.ENTITY_LIST, PRC, "Example Photonics Co., Ltd. (SAMPLE)", "2099-01-02", SourceRef.fr("2099-90001"))
    assert json.loads(m.detail)["aliases"] == ["Example Optoelectronics (SAMPLE)", "EP Sample Lasers"]
    # a published count the instructions do not make is a review item; these agree
    assert not [r for r in confirmed.review if "summary" in r.reason]


def test_a_removal_and_a_removal_of_an_entity_not_listed():
    files = {"2099-90002": "fr_el_2099-90002_remove.xml"}
    gone = el_facts(files, el_versions(("2099-01-05", [AVIONICS, DRONES]), ("2099-02-03", [DRONES])), today="2099-02-04")
    assert rows(gone.changes) == [("entity_list", "Russia", "Fictitious Avionics OOO (SAMPLE)", "removed", "confirmed",
                                   "2099-90002", "2099-02-03", None)]
    [m] = [m for m in gone.memberships if m.country == "Russia"]
    assert (m.valid_from, m.valid_to, m.closed_by) == ("2099-01-05", "2099-02-03", SourceRef.fr("2099-90002"))
    missing = el_facts(files, el_versions(("2099-01-05", [DRONES])), today="2099-02-04")
    assert missing.changes == []
    [item] = missing.review
    assert (item.document, item.instruction) == ("2099-90002", 1)
    assert item.reason == "'Fictitious Avionics OOO (SAMPLE)' is not on the Entity List under Russia"


def test_a_revision_says_which_fields_changed_and_splits_the_interval():
    files = {"2099-90003": "fr_el_2099-90003_revise.xml"}
    derived = el_facts(files, el_versions(("2099-01-05", [DRONES])), today="2099-03-05")
    [c] = derived.changes
    assert (c.action, c.status, c.entity, c.key) == (ChangeAction.REVISED, ChangeStatus.IN_EFFECT,
                                                     "Imaginary Drone Works (SAMPLE)",
                                                     "entity_list|Iran|imaginary drone works sample|revised|fr:2099-90003")
    fields = json.loads(c.detail)["fields"]
    assert set(fields) == {"aliases", "review_policy", "citations"}
    assert fields["review_policy"]["before"] == "Presumption of denial."
    spans = [(m.valid_from, m.valid_to, m.opened_by, m.closed_by) for m in derived.memberships]
    assert spans == [("2099-01-05", "2099-03-04", "ecfr:2099-01-05", "fr:2099-90003"),
                     ("2099-03-04", None, "fr:2099-90003", None)]
    assert json.loads(derived.memberships[1].detail)["review_policy"] != "Presumption of denial."


def test_a_move_is_a_removal_and_an_addition_by_one_document_and_the_eCFR_confirms_both():
    files = {"2099-90004": "fr_el_2099-90004_move.xml"}
    moved = dataclasses.replace(MICROWAVE, destination="Russia", destination_printed="RUSSIA",
                                address="1 Invented Street, Yerevan, Armenia; and 9 Invented Lane, Moscow, Russia.",
                                review_policy="Policy of denial.")
    derived = el_facts(files, el_versions(("2099-01-05", [MICROWAVE]), ("2099-04-05", [moved])), today="2099-04-06")
    assert rows(derived.changes) == [
        ("entity_list", "Armenia", "Sample Microwave Trading LLC (SAMPLE)", "removed", "confirmed", "2099-90004",
         "2099-04-05", '{"moved_to": "Russia"}'),
        ("entity_list", "Russia", "Sample Microwave Trading LLC (SAMPLE)", "added", "confirmed", "2099-90004",
         "2099-04-05", '{"moved_from": "Armenia"}'),
    ]
    assert [(m.country, m.valid_from, m.valid_to) for m in derived.memberships] == [
        ("Armenia", "2099-01-05", "2099-04-05"), ("Russia", "2099-04-05", None)]


def test_a_correction_revises_what_the_corrected_rule_added_and_is_owned_by_it():
    files = {"2099-90001": "fr_el_2099-90001_add.xml", "2099-90005": "fr_el_2099-90005_correction.xml"}
    first = EL.summarize(EL.parse_version(fixture("ecfr_supp4_2099-06-08_gpotbl.xml"), "fixture")).state
    photonics = next(e for e in first if e[1].startswith("example photonics"))
    corrected = (photonics[0], photonics[1], dataclasses.replace(
        photonics[2], license_requirement="For all items subject to the EAR. (See §§ 734.9(e) and 744.11 of the EAR)"))
    # the correction is effective the day the rule was (retroactive), published three weeks later
    versions = [Version("2099-01-01", frozenset()), Version("2099-01-02", frozenset({photonics})),
                Version("2099-01-23", frozenset({corrected}))]
    derived = el_facts(files, versions, today="2099-01-24", published={"2099-90005": "2099-01-22"})
    fix = [c for c in derived.changes if c.action is ChangeAction.REVISED]
    assert [(c.entity, c.fr_document, c.corrected_by, c.status.value, c.ecfr_version, c.effective_date)
            for c in fix] == [("Example Photonics Co., Ltd. (SAMPLE)", "2099-90001", ("2099-90005",), "confirmed",
                               "2099-01-23", "2099-01-02")]
    assert set(json.loads(fix[0].detail)["fields"]) == {"license_requirement"}
    assert not [c for c in derived.changes if c.status is ChangeStatus.UNATTRIBUTED]


def test_an_entity_added_on_public_inspection_is_announced_then_published():
    text = (b"SUMMARY: SAMPLE text.\n\nDATES: This rule is effective April 5, 2099.\n\n"
            b"    2. Supplement No. 4 to part 744 is amended by adding under RUSSIA, in alphabetical order, an entry"
            b" for \"Sample Microwave Trading LLC (SAMPLE)\" to read as follows:\n\n[FR Doc. 2099-90004 Filed]\n")
    said = EL.announcements(text)
    assert [(o.action.value, o.country, o.entity) for o in said.operations] == [
        ("add_entry", "Russia", "Sample Microwave Trading LLC (SAMPLE)")]
    desk = [Announcement("2099-90004", "2099-04-05", said.stated, said.operations)]
    announced = el_facts({}, el_versions(("2099-01-05", [AVIONICS])), today="2099-04-04", announced=desk)
    assert [(c.key, c.status.value, c.entity) for c in announced.changes] == [
        ("entity_list|Russia|sample microwave trading llc sample|added|fr:2099-90004", "announced",
         "Sample Microwave Trading LLC (SAMPLE)")]


def test_an_unattributed_entity_list_change_and_a_suspect_version():
    lots = [entry("Russia", f"Sample Entity {i} (SAMPLE)") for i in range(40)]
    derived = derive_facts([UnitInputs(EL, el_versions(("2099-01-05", lots + [DRONES]), ("2099-02-01", lots),
                                                       ("2099-03-01", [DRONES])))], today="2099-03-02")
    assert rows(derived.changes) == [("entity_list", "Iran", "Imaginary Drone Works (SAMPLE)", "removed",
                                      "unattributed", None, "2099-02-01", None)]
    [unit] = derived.units
    assert [s.date for s in unit.suspects] == ["2099-03-01"]
    assert "40 Entity List entries disappear at once" in unit.suspects[0].reason


def test_a_renaming_revision_is_one_change_though_the_eCFR_shows_a_name_leaving_and_one_arriving():
    from parsers.model import Action, Operation
    renamed = dataclasses.replace(DRONES, name="Imaginary Aerial Systems (SAMPLE)",
                                  aliases=("Imaginary Drone Works (SAMPLE).", "IDW Sample."))
    op = Operation(Action.REVISE_ENTRY, "Entity List", "Iran", text="revise", entity="Imaginary Drone Works (SAMPLE)",
                   entity_entry=renamed, instruction=1)
    rule = Rule("2099-90008", "2099-03-04", "2099-03-04", None, (op,), ((1, "revise", (op,)),))
    derived = derive_facts([UnitInputs(EL, el_versions(("2099-01-05", [DRONES]), ("2099-03-04", [renamed])), [rule])],
                           today="2099-03-05")
    [c] = derived.changes
    assert (c.action, c.status, c.entity, c.ecfr_version) == (ChangeAction.REVISED, ChangeStatus.CONFIRMED,
                                                              "Imaginary Drone Works (SAMPLE)", "2099-03-04")
    assert set(json.loads(c.detail)["fields"]) == {"name", "aliases"}
    assert [(m.entity, m.entity_key, m.valid_from, m.valid_to) for m in derived.memberships] == [
        ("Imaginary Aerial Systems (SAMPLE)", "imaginary aerial systems sample", "2099-03-04", None),
        ("Imaginary Drone Works (SAMPLE)", "imaginary drone works sample", "2099-01-05", "2099-03-04")]
