"""Synth writers round-trip through the parsers; fixtures match their recipe."""
from __future__ import annotations

from datetime import date

from hypothesis import given, settings, strategies as st

from parsers.ecfr_groups import parse_country_groups
from parsers.fr_xml import parse_fr_xml
from parsers.model import Action, CountryGroupTable, Note
from pipeline.demo.synth import COLUMN_NAMES, default_country_groups, ecfr_supplement_xml, fr_rule_xml, group_table
from tests.conftest import FIXTURES
from tests.fixtures.generate import build

# Canonical names (parsers.countries): what a parsed row is stored under.
NAMES = ("Afghanistan", "Bosnia & Herzegovina", "Burma", "Cambodia", "China (PRC)", "Cote d'Ivoire",
         "Congo (Democratic Republic of)", "Congo (Republic of the)", "Cuba", "Guinea-Bissau", "Iran",
         "Iraq", "Korea, North", "Korea, South", "Micronesia, Federated States of", "Nicaragua", "Russia",
         "Saint Vincent and the Grenadines", "Sao Tome and Principe", "Syria", "Venezuela", "Yemen")
LETTER_COLUMNS = {"A": 6, "D": 5, "E": 2}
# Rows every drawn table carries besides the drawn ones: the parser refuses a
# supplement with fewer rows than a real one prints (ecfr_groups.MIN_ROWS).
PADDING = {"A": ("Australia", "Austria", "Belgium", "Canada", "Denmark", "Finland", "France", "Germany", "Greece",
                 "Hungary"),
           "D": ("Armenia", "Azerbaijan", "Bahrain", "Egypt", "Georgia", "Jordan", "Kazakhstan", "Kuwait", "Laos",
                 "Macau"),
           "E": ("Libya", "Sudan")}
B_PADDING = ("Albania", "Algeria", "Andorra", "Angola", "Argentina", "Armenia", "Australia", "Austria", "Bahrain",
             "Bangladesh", "Belgium", "Belize", "Benin", "Bhutan", "Bolivia", "Botswana", "Brazil", "Brunei",
             "Bulgaria", "Burundi")


@st.composite
def tables(draw):
    groups = []
    for letter, width in LETTER_COLUMNS.items():
        members = draw(st.dictionaries(st.sampled_from(NAMES), st.sets(st.integers(1, width), min_size=1),
                                       max_size=8))
        members.update({name: {1} for name in PADDING[letter]})
        footnotes = {(f"Country Group {letter}", c): (str(draw(st.integers(1, 9))),)
                     for c in members if draw(st.booleans())}
        notes = tuple(Note(f"Country Group {letter}", str(i), f"Note {i} text.")
                      for i in range(1, draw(st.integers(0, 2)) + 1))
        groups.append(group_table(f"Country Group {letter}", letter,
                                  {c: " ".join(map(str, sorted(s))) for c, s in members.items()},
                                  footnotes, notes))
    b_list = tuple(sorted(draw(st.sets(st.sampled_from(NAMES), max_size=12)) | set(B_PADDING)))
    notes = tuple(n for g in groups for n in g.notes)
    return CountryGroupTable(tables=tuple(groups), b_list=b_list, b_printed=b_list, notes=notes)


@settings(max_examples=60, deadline=None)
@given(tables(), st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)))
def test_random_table_round_trips(table, day):
    parsed = parse_country_groups(ecfr_supplement_xml(table, day), "random.xml")
    assert parsed.memberships() == table.memberships()
    assert parsed.b_list == table.b_list
    assert parsed.version_date == day
    assert parsed.notes == table.notes
    assert [(t.title, t.columns) for t in parsed.tables] == [(t.title, t.columns) for t in table.tables]
    assert [r for t in parsed.tables for r in t.rows] == [r for t in table.tables for r in t.rows]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(NAMES), st.sets(st.sampled_from(("D:1", "D:2", "D:3", "D:4", "D:5")))),
                min_size=1, max_size=4, unique_by=lambda t: t[0]))
def test_random_reprinted_rows_round_trip_through_fr_xml(rows):
    codes = ("D:1", "D:2", "D:3", "D:4", "D:5")
    names = [c for c, _ in rows]
    quoted = " and ".join(f"\u201c{n}\u201d" for n in names)
    text = f"Supplement No. 1 to part 740 is amended by revising the entries for {quoted} in Country Group D:"
    data = fr_rule_xml("2026-00001", date(2026, 1, 2), "Effective on publication.", "0694-AA00", "Test",
                       [(text, (codes, [(c, {k: k in on for k in codes}) for c, on in rows]))])
    (doc,) = parse_fr_xml(data, "random-rule.xml")
    ops = doc.instructions[1].operations
    assert [(o.action, o.country, o.marks) for o in ops] == [
        (Action.REVISE_ENTRY, c, {k: k in on for k in codes}) for c, on in rows]


def test_default_country_groups_is_realistic():
    table = default_country_groups()
    assert table.columns()["D:5"] == "U.S. Arms Embargoed Countries" == COLUMN_NAMES["D:5"]
    cambodia = {g for c, g in table.memberships() if c == "Cambodia"}
    assert cambodia == {"B", "D:1"}
    countries = {c for c, _ in table.memberships()}
    assert len(countries) >= 40
    assert {"Burma", "China", "Russia", "Iran", "Korea, North", "Cuba", "Syria", "Venezuela", "Nicaragua",
            "Cyprus", "Belarus", "India", "Sudan", "Yemen", "Iraq"} <= countries
    iraq = next(r for t in table.tables for r in t.rows if r.country == "Iraq")
    assert iraq.footnotes == ("3",) and iraq.printed == "Iraq 3"


def test_writers_are_deterministic():
    table = default_country_groups()
    assert ecfr_supplement_xml(table) == ecfr_supplement_xml(table)


def test_fixture_files_match_their_recipe():
    for filename, data in build().items():
        assert (FIXTURES / filename).read_bytes() == data, f"{filename}: run python -m tests.fixtures.generate"
