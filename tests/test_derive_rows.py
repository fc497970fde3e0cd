"""The value types the derivation speaks: change keys, source references, table identity, CFR references."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from parsers.lifecycle import ChangeAction, ReviewSubject, SourceKind, SourceRef
from parsers.model import CfrPart, GroupTableId
from pipeline.derive.rows import Column, Membership, ReviewItem, Rule, RuleInstruction, Version, change_key
from pipeline.derive.units import in_cfr_ranges

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- change keys

def test_a_change_key_names_country_group_action_and_source():
    assert change_key("Cambodia", "D:5", ChangeAction.REMOVED, SourceRef.fr("2026-02262")) == \
        "Cambodia|D:5|removed|fr:2026-02262"
    assert change_key("Belarus", "A:4", "removed", SourceRef.ecfr("2022-03-02")) == "Belarus|A:4|removed|ecfr:2022-03-02"


def test_the_change_key_is_built_in_one_function_only():
    """No other module glues "...|fr:DOC" or "...|ecfr:DATE" onto a key (it was written four times)."""
    glued = re.compile(r"\|(?:fr|ecfr):\{|\|\{[^}]*\.value\}\|")
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "pipeline").rglob("*.py")
                 if glued.search(p.read_text()) and p.name != "rows.py"]
    assert offenders == []


# ---------------------------------------------------------------- source references

def test_a_source_reference_is_its_text_and_reads_back():
    ref = SourceRef.fr("2021-26633")
    assert ref == "fr:2021-26633" and isinstance(ref, str)
    assert (ref.kind, ref.value) == (SourceKind.FR, "2021-26633")
    back = SourceRef.parse("ecfr:2021-12-09")
    assert (back.kind, back.value) == (SourceKind.ECFR, "2021-12-09")
    assert SourceRef.of_change(None, "2024-04-05") == "ecfr:2024-04-05"
    assert SourceRef.of_change("2024-05696", "2024-04-05") == "fr:2024-05696"


@pytest.mark.parametrize("text", ["2026-02262", "", None, "pi:2026-02262", "fr"])
def test_text_that_is_no_source_reference_parses_to_none(text):
    assert SourceRef.parse(text) is None


def test_review_items_on_an_ecfr_version_say_so():
    assert ReviewItem.on_version("2026-02-09", "t", "r").subject is ReviewSubject.ECFR_VERSION
    assert ReviewItem("2026-02262", 0, "t", "r").subject is ReviewSubject.FR_DOCUMENT


# ---------------------------------------------------------------- table identity

def test_a_table_is_known_by_its_title_or_any_of_its_codes():
    assert GroupTableId.of_title("Country Group D") is GroupTableId.D
    assert GroupTableId.of_title(" country  group b ") is GroupTableId.B
    assert GroupTableId.of_code("D:5") is GroupTableId.D and GroupTableId.of_code("B") is GroupTableId.B
    assert GroupTableId.E.title == "Country Group E"


@pytest.mark.parametrize("text", [None, "", "Country Group C", "Supplement No. 1"])
def test_text_naming_no_table_has_no_table(text):
    assert GroupTableId.of_title(text) is None


def test_the_derivation_decodes_no_table_string_by_hand():
    """`table[-1]`, `.endswith(" B")` and `code.split(":")[0]` were the table type, written out each time."""
    hand = re.compile(r"""table\[-1\]|endswith\(["'] B["']\)|split\(["']:["']\)\[0\]""")
    offenders = [str(p.relative_to(ROOT)) for p in [*(ROOT / "pipeline" / "derive").rglob("*.py"),
                                                    ROOT / "pipeline" / "engine.py", ROOT / "pipeline/publish/site.py"]
                 if hand.search(p.read_text())]
    assert offenders == []


# ---------------------------------------------------------------- CFR references and ranges

@pytest.mark.parametrize("ref, part", [
    ({"title": 15, "part": 740}, CfrPart(15, "740")),
    ({"title": "15", "part": "740"}, CfrPart(15, "740")),
    ({"title": None, "part": 740}, CfrPart(None, "740")),
    ({"title": 15, "part": None}, None),
    ({"title": 15}, None),
    ("15 CFR 740", None),
])
def test_a_federal_register_cfr_reference_reads_as_title_and_part(ref, part):
    assert CfrPart.from_api(ref) == part


def test_a_reference_is_in_a_range_of_its_title():
    assert CfrPart(15, "740").within(15, 730, 774)
    assert CfrPart(15, "740.1").within(15, 740, 740)   # a section of the part
    assert not CfrPart(15, "800").within(15, 730, 774)
    assert not CfrPart(22, "740").within(15, 730, 774)
    assert CfrPart(None, "740").within(15, 730, 774)   # no title: not dropped from a watch
    assert not CfrPart(15, "Appendix").within(15, 730, 774)


def test_in_cfr_ranges_asks_every_reference_against_every_range():
    refs = CfrPart.from_api_list([{"title": 22, "part": 41}, {"title": 22, "part": 126}])
    assert in_cfr_ranges(refs, [(15, 730, 774), (22, 120, 130)])
    assert not in_cfr_ranges(refs, [(15, 730, 774)])
    assert not in_cfr_ranges((), [(15, 730, 774)])


# ---------------------------------------------------------------- rows from plain tuples

def test_rows_built_from_plain_tuples_are_read_by_name():
    v = Version("2026-01-05", frozenset(), (), (("D:5", "U.S. Arms Embargoed Countries", "Country Group D"),))
    assert v.columns[0].table == "Country Group D" and isinstance(v.columns[0], Column)
    r = Rule("2026-02262", "2026-02-03", None, None, (), ((3, "text", ()),))
    assert r.instructions == (RuleInstruction(3, "text", ()),) and r.instructions[0].position == 3
    m = Membership._make(("Cuba", "D:5", "2021-01-04", None, "ecfr:2021-01-04", None))
    assert (m.group, m.opened_by) == ("D:5", "ecfr:2021-01-04")
