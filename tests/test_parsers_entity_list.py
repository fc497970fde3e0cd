"""The Entity List (Supplement No. 4 to part 744): eCFR versions and FR rules (issue 15)."""
from __future__ import annotations

import re
from datetime import date

import pytest

from parsers.entity_list import (
    EntityEntry,
    EntityList,
    EntityListDelta,
    EntryField,
    changed_fields,
    entity_cell,
    entity_list_delta,
    interpret,
    name_key,
    parse_entity_list,
    parse_entity_list_changes,
    reprinted_entries,
    summary_counts,
)
from parsers.errors import ParseError
from parsers.model import ENTITY_LIST_TABLE, Action, ReviewReason
from parsers.xmlsafe import parse_xml
from tests.conftest import FIXTURES

PRC = "China (PRC)"
LIC = "For all items subject to the EAR. (See § 744.11 of the EAR)"


def supplement(name) -> EntityList:
    return parse_entity_list((FIXTURES / name).read_bytes(), name)


def doc_changes(name, current=None):
    [doc] = parse_entity_list_changes((FIXTURES / name).read_bytes(), name, current=current)
    return doc


def ops(doc):
    return [(o.action, o.country, o.entity) for o in doc.operations]


# ------------------------------------------------------------ eCFR versions

@pytest.mark.parametrize("name", ["ecfr_supp4_2099-06-08_gpotbl.xml", "ecfr_supp4_2099-06-08_gpo_table.xml"])
def test_supplement_read_in_full(name):
    table = supplement(name)
    assert table.version_date == date(2099, 6, 8)
    assert table.problems == ()
    assert [(e.destination, e.name) for e in table.entries] == [
        ("Armenia", "Sample Microwave Trading LLC (SAMPLE)"),
        (PRC, "Example Photonics Co., Ltd. (SAMPLE)"),
        (PRC, "Sample Quantum Devices Company Limited (SAMPLE)"),      # country cell spans its rows
        ("Iran", "Imaginary Drone Works (SAMPLE)"),
        ("Russia", "Fictitious Avionics OOO (SAMPLE)"),
        ("Russia", "Sample Microwave Trading LLC (SAMPLE)"),
    ]
    photonics = table.entries[1]
    assert photonics == EntityEntry(
        destination=PRC, destination_printed="CHINA, PEOPLE'S REPUBLIC OF",
        name="Example Photonics Co., Ltd. (SAMPLE)",
        aliases=("Example Optoelectronics (SAMPLE)", "EP Sample Lasers"),
        address="Room 101, Building 9, No. 1 Imaginary Road, Sampletown, Exampleshire, China.",
        license_requirement=LIC, review_policy="Presumption of denial.",
        citations=("99 FR 00001, 1/2/99",), footnotes=("1",))
    quantum = table.entries[2]
    assert quantum.aliases == () and quantum.address == "No. 2 Fictional Avenue, Sampletown, China."
    assert quantum.citations == ("99 FR 00001, 1/2/99", "99 FR 00021, 3/4/99")
    assert quantum.review_policy.startswith("Case-by-case review")


def test_both_layouts_parse_to_the_same_entries():
    assert supplement("ecfr_supp4_2099-06-08_gpotbl.xml").entries == \
        supplement("ecfr_supp4_2099-06-08_gpo_table.xml").entries


def test_entries_are_keyed_by_destination_and_entity():
    table = supplement("ecfr_supp4_2099-06-08_gpotbl.xml")
    index = table.index()
    assert len(index) == 6
    # the same entity under two destinations is two entries
    assert ("Armenia", name_key("Sample Microwave Trading LLC (SAMPLE)")) in index
    assert ("Russia", name_key("Sample Microwave Trading LLC (SAMPLE)")) in index
    assert table.find("China", "EXAMPLE PHOTONICS CO LTD (SAMPLE)").name == "Example Photonics Co., Ltd. (SAMPLE)"
    assert table.find(PRC, "EP Sample Lasers").name == "Example Photonics Co., Ltd. (SAMPLE)"   # by a.k.a.
    assert table.find("Iran", "Example Photonics Co., Ltd. (SAMPLE)") is None
    assert [e.name for e in table.under("Russia")] == ["Fictitious Avionics OOO (SAMPLE)",
                                                      "Sample Microwave Trading LLC (SAMPLE)"]


def test_real_row_markup_from_the_corpus_patch(corpus):
    """The real 2024 Title 15 XML fix (a diff, read in place): its '+' side is one Entity List row."""
    patch = (corpus / "ecfr_xml" / "ecfr-xml-corrections_15-011-backport-tr-fix.patch.txt").read_text()
    # The new side of the hunk (context and '+' lines): the end of one row and the whole row the fix creates.
    new_side = "\n".join(line[1:] for line in patch.splitlines()
                         if line[:1] in (" ", "+") and not line.startswith("+++"))
    xml = ("<DIV9 N=\"Supplement No. 4 to Part 744\" TYPE=\"SUPPLEMENT\"><TABLE class=\"gpo_table\"><THEAD><TR>"
           "<TH>Country</TH><TH>Entity</TH><TH>License requirement</TH><TH>License review policy</TH>"
           "<TH>Federal Register citation</TH></TR></THEAD><TBODY><TR><TD class=\"left\">PAKISTAN</TD>"
           "<TD>Placeholder (SAMPLE), Karachi, Pakistan.</TD><TD>x</TD><TD>y</TD>"
           + new_side + "</TBODY></TABLE></DIV9>").encode()
    table = parse_entity_list(xml, "patch-row")
    zaheer = table.entries[1]
    assert zaheer.destination == "Pakistan"              # an empty first cell continues the destination
    assert zaheer.name == "Zaheer & Sons"
    assert zaheer.aliases == ("Zaheer Sons",)
    assert zaheer.address == "Suite 2, 3rd Floor, Nadir House, I.I. Chundrigar Road, Karachi, Pakistan."
    assert zaheer.license_requirement == LIC
    assert zaheer.review_policy == "Presumption of denial"
    assert zaheer.citations == ("89 FR 84462, 10/23/24",)


def test_a_row_before_any_destination_and_an_unknown_destination_are_problems():
    xml = (b"<DIV9 N=\"Supplement No. 4 to Part 744\"><TABLE class=\"gpotbl_table\"><TR><TH>Country</TH><TH>Entity</TH>"
           b"<TH>License requirement</TH><TH>License review policy</TH><TH>Federal Register citation</TH></TR>"
           b"<TR><TD/><TD>Orphan Example Ltd. (SAMPLE), Nowhere.</TD><TD>a</TD><TD>b</TD><TD>99 FR 00001, 1/2/99.</TD></TR>"
           b"<TR><TD>FREEDONIA</TD><TD>Example Freedonia Works (SAMPLE), Fredville.</TD><TD>a</TD><TD>b</TD>"
           b"<TD>99 FR 00001, 1/2/99.</TD></TR></TABLE></DIV9>")
    table = parse_entity_list(xml, "bad")
    reasons = " | ".join(p.detail for p in table.problems)
    assert "no destination" in reasons and "FREEDONIA" in reasons
    assert [p.reason for p in table.problems] == [ReviewReason.NO_DESTINATION, ReviewReason.UNKNOWN_COUNTRY]
    assert [e.destination for e in table.entries] == ["FREEDONIA"]     # kept under its printed name


def test_a_file_without_the_entity_list_is_refused():
    name = "ecfr_supp1_2024-04-04_cyprus_removed.xml"
    with pytest.raises(ParseError, match="Entity List"):
        parse_entity_list((FIXTURES / name).read_bytes(), name)


# ---------------------------------------------------------- name matching

@pytest.mark.parametrize("a, b", [
    ("Example Photonics Co., Ltd. (SAMPLE)", "EXAMPLE PHOTONICS CO. LTD. (SAMPLE)"),
    ("Example Photonics Co., Ltd. (SAMPLE)", "Example Photonics Company Limited (SAMPLE)"),
    ("Example Photonics Co., Ltd.", "Example Photonics Co Ltd"),
    ("Zaheer & Sons", "Zaheer and Sons"),
    ("Société Exemple S.A.", "Societe Exemple SA"),
    ("Sample Corporation", "Sample Corp."),
    ("The Example Institute", "Example Institute"),
])
def test_names_that_are_one_entity(a, b):
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize("a, b", [
    ("Example Photonics Co., Ltd.", "Example Photonic Co., Ltd."),
    ("Sample Quantum Devices", "Sample Quantum Devices Shenzhen"),
])
def test_names_that_are_not(a, b):
    assert name_key(a) != name_key(b)


@pytest.mark.parametrize("lines, name, aliases, address", [
    (["Example Photonics Co., Ltd. (SAMPLE), a.k.a., the following two aliases:", "—Example Optoelectronics; and",
      "—EP Lasers.", "", "Room 1, Sampletown, China."],
     "Example Photonics Co., Ltd. (SAMPLE)", ("Example Optoelectronics", "EP Lasers"), "Room 1, Sampletown, China."),
    (["Sample Quantum Devices Company Limited, No. 2 Fictional Avenue, Sampletown, China."],
     "Sample Quantum Devices Company Limited", (), "No. 2 Fictional Avenue, Sampletown, China."),
    (["Ivan Examplov, 5 Sample Street, Moscow, Russia."], "Ivan Examplov", (), "5 Sample Street, Moscow, Russia."),
    (["Example Co., Ltd. Shenzhen Branch (SAMPLE), 5 Sample Road, Shenzhen, China."],
     "Example Co., Ltd. Shenzhen Branch (SAMPLE)", (), "5 Sample Road, Shenzhen, China."),
    (["Example Works, a.k.a., the following one alias: —EW Sample. Unit 3, Tehran, Iran."],
     "Example Works", ("EW Sample",), "Unit 3, Tehran, Iran."),
    (["Sample Institute of Optics (SAMPLE), a.k.a., the following alias:", "—SIO.", "12 Road, City, China."],
     "Sample Institute of Optics (SAMPLE)", ("SIO",), "12 Road, City, China."),
])
def test_entity_cell(lines, name, aliases, address):
    assert entity_cell(lines) == (name, aliases, address)


def test_changed_fields():
    base = supplement("ecfr_supp4_2099-06-08_gpotbl.xml").entries[3]
    assert changed_fields(base, base) == frozenset()
    moved = EntityEntry(**{**base.__dict__, "review_policy": "Policy of denial.",
                           "aliases": base.aliases + ("IDW Sample Aerospace",)})
    assert changed_fields(base, moved) == frozenset({EntryField.REVIEW_POLICY, EntryField.ALIASES})


# ------------------------------------------------------------- FR rules

def test_reprinted_rows_country_headers_entities_and_stars():
    root = parse_xml((FIXTURES / "fr_el_2099-90001_add.xml").read_bytes(), "add")
    [table] = root.iter("GPOTABLE")
    rows = reprinted_entries(table)
    assert [(e.destination, e.name) for e in rows] == [
        (PRC, "Example Photonics Co., Ltd. (SAMPLE)"), (PRC, "Sample Quantum Devices Company Limited (SAMPLE)"),
        ("Iran", "Placeholder Logistics FZE (SAMPLE)"), ("Russia", "Placeholder Logistics FZE (SAMPLE)")]
    assert rows[0].aliases == ("Example Optoelectronics (SAMPLE)", "EP Sample Lasers")
    assert rows[0].citations == ("99 FR 00001, 1/2/99",)


def test_rule_adding_entries_under_three_destinations():
    doc = doc_changes("fr_el_2099-90001_add.xml")
    assert doc.document_number == "2099-90001"
    assert ops(doc) == [
        (Action.ADD_ENTRY, PRC, "Example Photonics Co., Ltd. (SAMPLE)"),
        (Action.ADD_ENTRY, PRC, "Sample Quantum Devices Company Limited (SAMPLE)"),
        (Action.ADD_ENTRY, "Iran", "Placeholder Logistics FZE (SAMPLE)"),
        (Action.ADD_ENTRY, "Russia", "Placeholder Logistics FZE (SAMPLE)"),
    ]
    assert all(o.table == ENTITY_LIST_TABLE and o.entity_entry is not None for o in doc.operations)
    assert doc.operations[3].entity_entry.review_policy == "Policy of denial."
    assert doc.summary.entities_added == 3 and doc.summary.entries_added == 4
    assert doc.review == ()


def test_summary_count_mismatch_is_a_review_item():
    data = (FIXTURES / "fr_el_2099-90001_add.xml").read_bytes().replace(
        b"adding three entities under four entries", b"adding twelve entities under fourteen entries")
    [doc] = parse_entity_list_changes(data, "mismatch")
    assert len(doc.operations) == 4
    reasons = [r.detail for r in doc.review]
    assert {r.reason for r in doc.review} == {ReviewReason.SUMMARY_MISMATCH}
    assert any("12 entities" in r and "3" in r for r in reasons)
    assert any("14 entries" in r and "4" in r for r in reasons)


@pytest.mark.parametrize("text, expected", [
    ("BIS amends the EAR by adding 12 entities under 14 entries to the Entity List.",
     {"entities_added": 12, "entries_added": 14}),
    ("by adding thirty-six entities to the Entity List. This rule also revises three entries on the Entity List",
     {"entities_added": 36, "entries_revised": 3}),
    ("This rule removes two entities from the Entity List.", {"entities_removed": 2}),
    ("This rule amends the EAR by removing one entity from the Entity List", {"entities_removed": 1}),
    ("The EAR are amended to revise the Country Group designations.", {}),
    ("This final rule also amends the EAR by adding five entities and eight addresses to the Entity List.",
     {"entities_added": 5, "addresses_added": 8}),
    ("This rule adds two entries to Country Group B.", {}),      # not an Entity List sentence
    # a correction's opening sentence counts what the corrected rule did, not what the correction does
    ("BIS is correcting a final rule that appeared in the Federal Register on February 3, 2099 (FR Doc. "
     "2099-90011), which added an entity to the Entity List. This correction revises one entry on the Entity List.",
     {"entries_revised": 1}),
])
def test_summary_counts(text, expected):
    counts = summary_counts(text)
    found = {k: v for k, v in counts.__dict__.items() if k != "text" and v is not None}
    assert found == expected


def test_rule_removing_an_entry():
    doc = doc_changes("fr_el_2099-90002_remove.xml")
    assert ops(doc) == [(Action.REMOVE_ENTRY, "Russia", "Fictitious Avionics OOO (SAMPLE)")]
    assert doc.operations[0].entity_entry is None
    assert doc.review == ()


def test_rule_revising_an_entry_says_what_changed_given_the_prior_version():
    before = supplement("ecfr_supp4_2099-06-08_gpotbl.xml")
    doc = doc_changes("fr_el_2099-90003_revise.xml", current=before)
    [op] = doc.operations
    assert (op.action, op.country, op.entity) == (Action.REVISE_ENTRY, "Iran", "Imaginary Drone Works (SAMPLE)")
    assert op.changed == frozenset({EntryField.ALIASES, EntryField.REVIEW_POLICY, EntryField.CITATIONS})
    assert op.entity_entry.aliases == ("IDW Sample", "IDW Sample Aerospace")
    assert doc.review == ()
    # without the prior version the change is unknown, not guessed
    assert doc_changes("fr_el_2099-90003_revise.xml").operations[0].changed is None


def test_rule_moving_an_entry_between_destinations():
    doc = doc_changes("fr_el_2099-90004_move.xml")
    assert ops(doc) == [
        (Action.REMOVE_ENTRY, "Armenia", "Sample Microwave Trading LLC (SAMPLE)"),
        (Action.ADD_ENTRY, "Russia", "Sample Microwave Trading LLC (SAMPLE)"),
    ]
    removal, addition = doc.operations
    assert removal.moved_to == "Russia" and addition.moved_from == "Armenia"
    assert doc.review == ()


def test_correction_revises_and_names_the_corrected_document():
    before = parse_entity_list_changes((FIXTURES / "fr_el_2099-90001_add.xml").read_bytes(), "add")[0]
    doc = doc_changes("fr_el_2099-90005_correction.xml")
    assert doc.corrects == "2099-90001"
    [op] = doc.operations
    assert (op.action, op.country, op.entity) == (Action.REVISE_ENTRY, PRC, "Example Photonics Co., Ltd. (SAMPLE)")
    assert op.corrects == "2099-90001"
    assert changed_fields(before.operations[0].entity_entry, op.entity_entry) == frozenset({EntryField.LICENSE_REQUIREMENT})


def test_one_rule_changing_groups_sections_and_entity_list():
    doc = doc_changes("fr_2099-90006_nicaragua_groups_and_744.xml")
    assert ops(doc) == [(Action.ADD_ENTRY, "Nicaragua", "Example Harbor Services S.A. (SAMPLE)")]
    assert doc.operations[0].instruction == 4
    assert doc.summary.entities_added == 1 and doc.summary.entries_added == 1 and doc.review == ()


@pytest.mark.parametrize("text, expected", [
    ("Supplement No. 4 to part 744 is amended by removing under the destination of Iran the entry for “Example Co. (SAMPLE)”.",
     [(Action.REMOVE_ENTRY, "Iran", "Example Co. (SAMPLE)")]),
    ("Amend supplement no. 4 to part 744 by removing under RUSSIA, the entries for “Alpha Example (SAMPLE)” and "
     "“Beta Example (SAMPLE)”.",
     [(Action.REMOVE_ENTRY, "Russia", "Alpha Example (SAMPLE)"), (Action.REMOVE_ENTRY, "Russia", "Beta Example (SAMPLE)")]),
    ("Supplement no. 4 to part 744 is amended: a. Under IRAN, by removing the entry for ‘‘Gamma Example (SAMPLE)’’; and "
     "b. Under CUBA, by removing the entry for ‘‘Delta Example (SAMPLE)’’.",
     [(Action.REMOVE_ENTRY, "Iran", "Gamma Example (SAMPLE)"), (Action.REMOVE_ENTRY, "Cuba", "Delta Example (SAMPLE)")]),
])
def test_removal_wordings(text, expected):
    result = interpret(text, (), title=15, part="744")
    assert [(o.action, o.country, o.entity) for o in result.operations] == expected
    assert result.review == ()


@pytest.mark.parametrize("text, detail, reason", [
    ("Supplement No. 4 to part 744 is amended by removing the entry for “Example Co. (SAMPLE)”.", "destination",
     ReviewReason.NO_DESTINATION),
    ("Supplement No. 4 to part 744 is amended by removing under FREEDONIA the entry for “Example Co. (SAMPLE)”.",
     "FREEDONIA", ReviewReason.UNKNOWN_COUNTRY),
    ("Supplement No. 4 to part 744 is amended by adding under IRAN, in alphabetical order, an entry for "
     "“Example Co. (SAMPLE)”.", "reprinted", ReviewReason.ROW_NOT_REPRINTED),
    ("Supplement No. 4 to part 744 is amended by reorganizing the entries under IRAN.", "not understood",
     ReviewReason.UNRECOGNIZED_WORDING),
    ("Supplement No. 4 to part 744 is amended by removing under IRAN the entry for Example Co.", "names no entity",
     ReviewReason.NO_ENTITY),
])
def test_inexact_entity_list_wording_is_a_review_item(text, detail, reason):
    result = interpret(text, (), title=15, part="744")
    assert result.operations == ()
    assert [r.reason for r in result.review] == [reason], result.review
    assert detail in result.review[0].detail and result.review[0].table == ENTITY_LIST_TABLE


def test_added_names_must_match_the_reprint():
    root = parse_xml((FIXTURES / "fr_el_2099-90001_add.xml").read_bytes(), "add")
    rows = reprinted_entries(next(root.iter("GPOTABLE")))
    result = interpret("Supplement No. 4 to part 744 is amended by adding under IRAN, in alphabetical order, an entry for "
                       "“Omega Example (SAMPLE)”.", rows, part="744")
    assert result.operations == ()
    assert any("Omega Example" in r.detail and r.reason is ReviewReason.ROW_NOT_REPRINTED for r in result.review)


@pytest.mark.parametrize("text", [
    "Section 744.21 is amended by adding the word “Nicaragua,” after the word “China,” in paragraph (a).",
    "Supplement No. 2 to part 744 is amended by revising the entry for ECCN 3A999.",
    "Supplement no. 1 to part 740 is amended by removing the entry for “Cambodia” from Country Group D.",
    "The authority citation for part 744 continues to read as follows:",
])
def test_entity_list_negatives_produce_nothing(text):
    result = interpret(text, (), part="744")
    assert result.operations == () and result.review == ()


def test_input_tree_is_not_modified():
    data = (FIXTURES / "fr_el_2099-90001_add.xml").read_bytes()
    root = parse_xml(data, "add")
    table = next(root.iter("GPOTABLE"))
    before = re.sub(rb"\s+", b"", __import__("lxml.etree", fromlist=["tostring"]).tostring(table))
    reprinted_entries(table)
    after = re.sub(rb"\s+", b"", __import__("lxml.etree", fromlist=["tostring"]).tostring(table))
    assert before == after


def test_operation_json_is_the_parse_contract():
    from parsers.detect import operation_json
    doc = doc_changes("fr_el_2099-90004_move.xml")
    assert [operation_json(o) for o in doc.operations] == [
        {"action": "remove_entry", "table": "Entity List", "country": "Armenia", "marks": None,
         "entity": "Sample Microwave Trading LLC (SAMPLE)", "moved_to": "Russia"},
        {"action": "add_entry", "table": "Entity List", "country": "Russia", "marks": None,
         "entity": "Sample Microwave Trading LLC (SAMPLE)", "moved_from": "Armenia"},
    ]
    revised = doc_changes("fr_el_2099-90003_revise.xml", current=supplement("ecfr_supp4_2099-06-08_gpotbl.xml"))
    assert operation_json(revised.operations[0])["changed"] == ["aliases", "citations", "review_policy"]


def test_roman_sub_instructions_carry_their_destination():
    result = interpret("Supplement no. 4 to part 744 is amended: a. Under CHINA, PEOPLE'S REPUBLIC OF: i. Removing the "
                       "entry for “Beta (SAMPLE)”; and ii. Removing the entry for “Gamma (SAMPLE)”; and b. Under KOREA, "
                       "NORTH, by removing the entry for “Delta (SAMPLE)”.", (), part="744")
    assert [(o.country, o.entity) for o in result.operations] == [
        (PRC, "Beta (SAMPLE)"), (PRC, "Gamma (SAMPLE)"), ("Korea, North", "Delta (SAMPLE)")]


def test_a_lettered_part_about_another_section_is_skipped():
    result = interpret("Part 744 is amended: a. In § 744.21, by removing the word “Cambodia,” from paragraph (a); and "
                       "b. In supplement no. 4 to part 744, by removing under IRAN the entry for “Eta (SAMPLE)”.", (),
                       part="744")
    assert [(o.action, o.country, o.entity) for o in result.operations] == [
        (Action.REMOVE_ENTRY, "Iran", "Eta (SAMPLE)")]


def test_revision_of_a_renamed_entity_pairs_the_one_reprinted_row():
    root = parse_xml((FIXTURES / "fr_el_2099-90003_revise.xml").read_bytes(), "rev")
    rows = reprinted_entries(next(root.iter("GPOTABLE")))
    result = interpret("Supplement No. 4 to part 744 is amended by revising under IRAN the entry for "
                       "“Imaginary Drone Workshop (SAMPLE)” to read as follows:", rows, part="744",
                       current=supplement("ecfr_supp4_2099-06-08_gpotbl.xml"))
    [op] = result.operations
    assert op.entity == "Imaginary Drone Workshop (SAMPLE)" and op.entity_entry.name == "Imaginary Drone Works (SAMPLE)"
    assert op.changed is None                                       # the old name is not on the list...
    assert [(r.reason, r.detail) for r in result.review] == [
        (ReviewReason.ENTITY_NOT_PRESENT, "'Imaginary Drone Workshop (SAMPLE)' is not on the Entity List under Iran")]


def test_delta_between_versions():
    before = supplement("ecfr_supp4_2099-06-08_gpotbl.xml")
    gone, *kept = before.entries
    iran = kept[2]
    renamed = EntityEntry(**{**iran.__dict__, "address": "Unit 4, 4 Nowhere Boulevard, Tehran, Iran."})
    extra = EntityEntry(destination="Cuba", destination_printed="CUBA", name="Sample Sugar Exports (SAMPLE)")
    after = EntityList(entries=tuple(e if e is not iran else renamed for e in kept) + (extra,))
    delta = entity_list_delta(before, after)
    assert delta.added == (extra,)
    assert delta.removed == (gone,)
    assert delta.revised == ((iran, renamed, frozenset({EntryField.ADDRESS})),)
    assert entity_list_delta(before, before) == EntityListDelta()


def test_documents_already_parsed_are_reused():
    from parsers.fr_xml import parse_fr_tree
    data = (FIXTURES / "fr_el_2099-90002_remove.xml").read_bytes()
    root = parse_xml(data, "rm")
    from parsers.entity_list import entity_list_changes_from_tree
    [doc] = entity_list_changes_from_tree(root, "rm", documents=parse_fr_tree(root, "rm"))
    assert doc == parse_entity_list_changes(data, "rm")[0]


def test_address_entries_in_the_summary_skip_the_entity_count():
    data = (FIXTURES / "fr_el_2099-90001_add.xml").read_bytes().replace(
        b"adding three entities under four entries", b"adding two entities and two addresses")
    [doc] = parse_entity_list_changes(data, "addresses")
    assert doc.summary.addresses_added == 2 and doc.review == ()


def test_column_heads_split_by_line_breaks_are_recognized():
    xml = (b"<DIV9><TABLE class=\"gpo_table\"><THEAD><TR><TH>Country</TH><TH>Entity</TH><TH>License<br/>requirement</TH>"
           b"<TH>License review<br/>policy</TH><TH>Federal Register<br/>citation</TH></TR></THEAD><TBODY><TR><TD>CUBA</TD>"
           b"<TD>Sample Sugar Exports (SAMPLE), 1 Calle Ejemplo, Havana.</TD><TD>a</TD><TD>b</TD>"
           b"<TD>99 FR 00001, 1/2/99.</TD></TR></TBODY></TABLE></DIV9>")
    [entry] = parse_entity_list(xml, "heads").entries
    assert (entry.destination, entry.name, entry.address) == ("Cuba", "Sample Sugar Exports (SAMPLE)",
                                                              "1 Calle Ejemplo, Havana.")


def test_real_fr_files_yield_no_list_changes(corpus):
    """Every real FR file of the corpus (daily issues and single documents, none from BIS): no operation,
    no review item -- and the walk lines up with parse_fr_xml document for document."""
    from parsers.section_amendments import parse_section_changes
    for path in sorted((corpus / "fr_xml").glob("*.xml")):
        data = path.read_bytes()
        entity_docs = parse_entity_list_changes(data, path.name)
        section_docs = parse_section_changes(data, path.name)
        assert len(entity_docs) == len(section_docs) > 0
        for doc in (*entity_docs, *section_docs):
            assert doc.operations == () and doc.review == (), (path.name, doc.document_number)


def test_every_review_reason_says_what_it_means():
    """The list parsers' review items share ReviewReason with Country Groups: each has its sentence."""
    from parsers.model import ReviewReason
    assert all(r.description for r in ReviewReason)
    assert ReviewReason.SUMMARY_MISMATCH.value == "summary_mismatch"
    assert ReviewReason.UNRECOGNIZED_WORDING.value == "unrecognized_wording"      # existing values unchanged
