"""Country names and dates as the EAR and the Federal Register print them."""
from __future__ import annotations

from datetime import date

import pytest

from parsers.countries import ear_name, normalize_country, split_country
from parsers.dates import parse_effective, parse_fr_date
from parsers.text import split_footnotes
from parsers.xmlsafe import parse_xml


@pytest.mark.parametrize("printed, expected", [
    ("Iraq 3", ("Iraq", ("3",))),
    ("Iraq3", ("Iraq", ("3",))),
    ("Korea, North 1 2", ("Korea, North", ("1", "2"))),
    ("Congo (Democratic Republic of the) 4", ("Congo (Democratic Republic of the)", ("4",))),
    ("  Saint Vincent\u00a0and  the\nGrenadines ", ("Saint Vincent and the Grenadines", ())),
    ("C\u00f4te d\u2019Ivoire", ("C\u00f4te d'Ivoire", ())),
    ("Guinea\u2013Bissau", ("Guinea-Bissau", ())),
    ("Korea , South", ("Korea, South", ())),
    ("Cyprus *", ("Cyprus", ("*",))),
])
def test_split_country(printed, expected):
    assert split_country(printed) == expected


def test_footnote_elements_are_markers_not_name():
    el = parse_xml(b"<ENT>Iraq<SU>3</SU></ENT>", "t")
    assert split_footnotes(el) == ("Iraq", ("3",))
    el = parse_xml(b"<TD>Korea, North<sup>1</sup><sup>2</sup></TD>", "t")
    assert split_footnotes(el) == ("Korea, North", ("1", "2"))


def test_itar_spellings_map_to_ear_names():
    assert ear_name("North Korea") == "Korea, North"
    assert ear_name("Democratic Republic of the Congo") == "Congo (Democratic Republic of)"
    assert normalize_country("Burma") == ear_name("Burma") == "Burma"


@pytest.mark.parametrize("text, published, expected", [
    ("This rule is effective February 3, 2026.", date(2026, 2, 4), (date(2026, 2, 3), False)),
    ("Effective Date: November 15, 2011.", None, (date(2011, 11, 15), False)),
    ("Effective date: This rule is effective on March 2, 2022. Comments must be received by April 18, 2022.",
     None, (date(2022, 3, 2), False)),
    ("This rule is effective February 3, 2026, through May 4, 2026.", None, (date(2026, 2, 3), False)),
    ("Effective from Feb. 3, 2026 until June 1, 2026.", None, (date(2026, 2, 3), False)),
    ("This rule is effective on publication.", date(2024, 4, 4), (date(2024, 4, 4), True)),
    ("This rule is effective upon publication in the Federal Register.", None, (None, True)),
    ("Effective on the date of publication.", date(2021, 1, 19), (date(2021, 1, 19), True)),
    ("Comments must be received by March 28, 2024.", None, (None, False)),
    ("", None, (None, False)),
    (None, None, (None, False)),
])
def test_parse_effective(text, published, expected):
    assert parse_effective(text, published) == expected


def test_effective_before_publication_is_kept_as_stated():
    effective, _ = parse_effective("This rule is effective February 3, 2026.", date(2026, 2, 4))
    assert effective < date(2026, 2, 4)


@pytest.mark.parametrize("text, expected", [
    ("Monday, February 12, 2024", date(2024, 2, 12)),
    ("Dec. 29, 2022(fm)", date(2022, 12, 29)),
    ("Sept. 30, 1993", date(1993, 9, 30)),
    ("2026-02-03", date(2026, 2, 3)),
    ("February 30, 2024", None),
    ("no date here", None),
])
def test_parse_fr_date(text, expected):
    assert parse_fr_date(text) == expected


# -- lettered sub-instructions: one splitter for every interpreter (issue 14 de-duplication) --------

def test_split_lettered_is_shared_by_every_interpreter():
    from parsers import amendments, entity_list, section_amendments
    from parsers.text import split_lettered
    assert amendments.split_lettered is section_amendments.split_lettered is entity_list.split_lettered \
        is split_lettered


@pytest.mark.parametrize("text, expected", [
    ('Amend supplement no. 1 to part 740 by: a. Removing the entry for "Cyprus"; and b. Adding "Nicaragua".',
     ("Amend supplement no. 1 to part 740 by:", ['Removing the entry for "Cyprus"', 'Adding "Nicaragua".'])),
    # roman items inside a lettered part carry the part's lead-in
    ("Amend supplement no. 4 to part 744: a. Under IRAN: i. Adding X; and ii. Removing Y; and b. Under RUSSIA, removing Z.",
     ("Amend supplement no. 4 to part 744:", ["Under IRAN: Adding X", "Under IRAN: Removing Y", "Under RUSSIA, removing Z."])),
    # parenthesized letters
    ("Amend § 744.21 by: (a) Adding X; and (b) Removing Y.", ("Amend § 744.21 by:", ["Adding X", "Removing Y."])),
    # one lettered part whose siblings are in the next AMDPARs
    ("Supplement no. 4 to part 744 is amended: a. Under IRAN, removing X.",
     ("Supplement no. 4 to part 744 is amended:", ["Under IRAN, removing X."])),
    # letters out of order, initials and abbreviations never split
    ("Supplement No. 1 to part 740 is amended by revising the heading [D:5] U.S. Arms Embargoed.",
     ("", ["Supplement No. 1 to part 740 is amended by revising the heading [D:5] U.S. Arms Embargoed."])),
    ("Revise the entry for b. Example (SAMPLE).", ("", ["Revise the entry for b. Example (SAMPLE)."])),
])
def test_split_lettered(text, expected):
    from parsers.text import split_lettered
    assert split_lettered(text) == expected


def test_first_descendant_is_the_first_in_document_order():
    from parsers.text import first_descendant
    root = parse_xml(b"<R><A><D>1</D></A><D>2</D><B><D>3</D></B></R>", "t")
    assert first_descendant(root, "D").text == "1"
    assert first_descendant(root, "R") is root
    assert first_descendant(root, "X") is None
    assert first_descendant(root.find("B"), "D").text == "3"
