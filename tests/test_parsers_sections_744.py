"""§ 744.21 / § 744.22 country lists: eCFR versions and FR amendatory instructions (issue 15)."""
from __future__ import annotations

from datetime import date

import pytest

from parsers.errors import ParseError
from parsers.fr_xml import parse_fr_xml
from parsers.lists_common import normalize_instruction
from parsers.model import Action, Operation, ReviewReason
from parsers.section_amendments import SectionListing, SectionReprint, interpret, parse_section_changes
from parsers.sections_744 import countries_in_text, parse_sections_744, section_delta, section_list_from_text
from parsers.text import split_lettered
from tests.conftest import FIXTURES

PRC = "China (PRC)"
T21, T22 = "15 CFR 744.21", "15 CFR 744.22"


def sections(name):
    return {s.section: s for s in parse_sections_744((FIXTURES / name).read_bytes(), name)}


def changes(name):
    return parse_section_changes((FIXTURES / name).read_bytes(), name)


def ops(result):
    return [(o.action, o.table, o.country) for o in result.operations]


# ------------------------------------------------------------ eCFR versions

def test_744_21_and_22_before_cambodia():
    found = sections("ecfr_744_2021-12-08_before_cambodia.xml")
    assert set(found) == {"744.21", "744.22"}
    s21 = found["744.21"]
    assert s21.table == T21
    assert s21.countries == ("Burma", PRC, "Russia", "Venezuela")
    assert s21.heading_countries == s21.paragraph_a_countries == s21.countries
    assert s21.problems == ()
    assert s21.version_date == date(2021, 12, 8)
    # "the People's Republic of China" is printed, "China (PRC)" is the identity
    assert "the People's Republic of China" in s21.printed or "People's Republic of China" in s21.printed


def test_744_22_names_its_countries_in_paragraph_a_only_and_refers_to_groups():
    s22 = sections("ecfr_744_2021-12-08_before_cambodia.xml")["744.22"]
    assert s22.heading_countries == ()          # the real heading names no country
    assert s22.countries == ("Burma", PRC, "Russia", "Venezuela")
    assert s22.groups == ("E:1", "E:2")         # "a country listed in Country Groups E:1 or E:2"
    assert s22.problems == ()                    # not a disagreement: 744.22's heading never lists countries


def test_744_after_nicaragua_joined():
    found = sections("ecfr_744_2024-03-15_nicaragua_added.xml")
    expected = ("Belarus", "Burma", "Cambodia", PRC, "Nicaragua", "Russia", "Venezuela")
    assert found["744.21"].countries == expected
    assert found["744.22"].countries == expected
    assert found["744.21"].problems == found["744.22"].problems == ()


def test_disagreement_and_unknown_name_are_problems_never_dropped():
    s21 = sections("ecfr_744_2099-01-05_disagreeing.xml")["744.21"]
    reasons = " | ".join(p.detail for p in s21.problems)
    assert {p.reason for p in s21.problems} == {ReviewReason.PLACES_DISAGREE, ReviewReason.UNKNOWN_COUNTRY}
    assert "Cambodia" in reasons and "heading" in reasons            # (a) names it, the heading does not
    assert "Freedonia" in reasons                                     # resolves to no country
    assert "Freedonia" not in s21.countries
    assert "Cambodia" in s21.countries                                # union of heading and (a), kept
    assert len(s21.problems) == 2


def test_other_sections_and_paragraphs_are_ignored():
    # § 744.20 (a) names Iran and Cuba, § 744.21 (b) repeats the list: neither counts.
    found = sections("ecfr_744_2024-03-15_nicaragua_added.xml")
    assert "Iran" not in found["744.21"].countries and "Cuba" not in found["744.21"].countries


def test_a_file_without_the_sections_is_refused():
    name = "ecfr_supp1_2024-04-04_cyprus_removed.xml"
    with pytest.raises(ParseError, match="744.21"):
        parse_sections_744((FIXTURES / name).read_bytes(), name)


@pytest.mark.parametrize("text, countries, unknown", [
    ("in Belarus, Burma, Cambodia, the People's Republic of China, Nicaragua, Russia, or Venezuela.",
     ("Belarus", "Burma", "Cambodia", PRC, "Nicaragua", "Russia", "Venezuela"), ()),
    ("listed in supplement no. 2 to part 744 to the People's Republic of China (China), Russia, or Venezuela without a license",
     (PRC, "Russia", "Venezuela"), ()),
    ("in China, Russia, or Venezuela.", (PRC, "Russia", "Venezuela"), ()),
    ("in Burma, Freedonia, Russia, or Venezuela.", ("Burma", "Russia", "Venezuela"), ("Freedonia",)),
    ("in Burma, Russia, or Ruritania.", ("Burma", "Russia"), ("Ruritania",)),
    ("in Korea, North, Russia, or Venezuela.", ("Korea, North", "Russia", "Venezuela"), ()),
    ("you may not export any item subject to the EAR without a license", (), ()),
])
def test_countries_in_text(text, countries, unknown):
    scan = countries_in_text(text)
    assert scan.countries == countries
    assert scan.unknown == unknown


def test_section_list_from_text_sorts_and_dedupes():
    result = section_list_from_text(
        "744.21", "§ 744.21 Restrictions on certain 'military end use' or 'military end user' in Russia or Belarus.",
        "(a) General prohibition. ... to Belarus or Russia without a license ... in Belarus or Russia.")
    assert result.countries == ("Belarus", "Russia") and result.problems == ()


# ------------------------------------------------------- FR instructions

def test_quote_styles_normalize_to_one():
    for text in ("adding the word “Nicaragua,” after the words “People's Republic of China,”",
                 "adding the word ‘‘Nicaragua,’’ after the words ‘‘People’s Republic of China,’’",
                 "adding the word ‘Nicaragua,’ after the words ‘People’s Republic of China,’"):
        assert normalize_instruction(text) == "adding the word \"Nicaragua,\" after the words \"People's Republic of China,\""


def test_lettered_and_roman_parts():
    header, parts = split_lettered("Amend supplement no. 4 to part 744: a. Under IRAN: i. Adding X; and ii. Removing Y; "
                                   "and b. Under RUSSIA, removing Z.")
    assert header == "Amend supplement no. 4 to part 744:"
    assert parts == ["Under IRAN: Adding X", "Under IRAN: Removing Y", "Under RUSSIA, removing Z."]


def test_add_word_in_heading_and_paragraph_a():
    result = interpret("2. Section 744.21 is amended by adding the word “Nicaragua,” after the words "
                       "“People's Republic of China,” in the section heading and in paragraph (a).", title=15, part="744")
    assert ops(result) == [(Action.ADD_ENTRY, T21, "Nicaragua")]
    assert result.review == ()


def test_remove_word_gpo_quotes():
    result = interpret("Section 744.21 is amended by removing the word ‘‘Cambodia,’’ from the heading and paragraph (a).",
                       part="744")
    assert ops(result) == [(Action.REMOVE_ENTRY, T21, "Cambodia")]


def test_several_countries_in_one_quoted_phrase():
    result = interpret("Section 744.21 is amended by adding the words “Belarus, Burma,” before the words "
                       "“the People's Republic of China” in the section heading and in paragraph (a).", part="744")
    assert ops(result) == [(Action.ADD_ENTRY, T21, "Belarus"), (Action.ADD_ENTRY, T21, "Burma")]


def test_words_replaced_in_their_place():
    result = interpret("Section 744.22 is amended by removing the words “Burma, the People's Republic of China (China),” "
                       "and adding in their place the words “Burma, Cambodia, the People's Republic of China (China),” "
                       "in paragraph (a).", part="744")
    assert ops(result) == [(Action.ADD_ENTRY, T22, "Cambodia")]


def test_lettered_sub_instructions_and_both_sections():
    result = interpret("Amend § 744.21 by: a. Adding the word “Cambodia,” after the word “Burma,” in the section heading "
                       "and in paragraph (a); and b. Removing the word “Venezuela” from paragraph (e)(3).", part="744")
    assert ops(result) == [(Action.ADD_ENTRY, T21, "Cambodia")]
    both = interpret("Sections 744.21 and 744.22 are amended by adding the word “Nicaragua,” after the word “China,” "
                     "in the headings and in paragraphs (a).", part="744")
    assert ops(both) == [(Action.ADD_ENTRY, T21, "Nicaragua"), (Action.ADD_ENTRY, T22, "Nicaragua")]


def test_revision_reads_the_reprinted_text():
    reprint = (SectionReprint(section="744.21",
                              heading="Restrictions on certain 'military end use' or 'military end user' in Belarus, "
                                      "Burma, the People's Republic of China, Russia, or Venezuela.",
                              paragraphs=("(a) General prohibition. ... to Belarus, Burma, the People's Republic of China "
                                          "(China), Russia, or Venezuela without a license ... in Belarus, Burma, China, "
                                          "Russia, or Venezuela.",)),)
    result = interpret("Section 744.21 is amended by revising the section heading and paragraph (a) to read as follows:",
                       reprint, part="744")
    expected = ("Belarus", "Burma", PRC, "Russia", "Venezuela")
    assert [o.country for o in result.operations] == list(expected)
    assert {o.action for o in result.operations} == {Action.REVISE_ENTRY}
    assert result.listings == (SectionListing(table=T21, countries=expected, instruction=None),)
    assert result.review == ()


def test_revision_without_its_reprint_is_a_review_item():
    result = interpret("Section 744.21 is amended by revising paragraph (a) to read as follows:", (), part="744")
    assert result.operations == () and result.listings == ()
    assert len(result.review) == 1 and "reprint" in result.review[0].detail
    assert result.review[0].reason is ReviewReason.TEXT_NOT_REPRINTED


def test_revision_whose_heading_and_paragraph_disagree_is_a_review_item():
    reprint = (SectionReprint(section="744.21",
                              heading="Restrictions on certain 'military end use' or 'military end user' in Burma or Russia.",
                              paragraphs=("(a) General prohibition. ... to Burma, Cambodia, or Russia without a license",)),)
    result = interpret("Section 744.21 is amended by revising the section heading and paragraph (a) to read as follows:",
                       reprint, part="744")
    assert any("Cambodia" in r.detail and r.reason is ReviewReason.PLACES_DISAGREE for r in result.review)


@pytest.mark.parametrize("text", [
    "Section 744.21 is amended by revising paragraph (b) to read as follows:",
    "Section 744.21 is amended by adding the word “Nicaragua,” after the word “China,” in paragraphs (b) and (e)(3).",
    "Section 744.11 is amended by removing the word “Cambodia” from paragraph (a).",
    "Supplement no. 1 to part 740 is amended by removing the entry for “Cambodia” from Country Group D.",
    "The authority citation for part 744 continues to read as follows:",
])
def test_negatives_produce_nothing(text):
    result = interpret(text, part="744")
    assert result.operations == () and result.listings == () and result.review == ()


def test_other_titles_and_parts_produce_nothing():
    text = "Section 744.21 is amended by adding the word “Nicaragua,” after the word “China,” in paragraph (a)."
    assert interpret(text, title=22, part="744").operations == ()
    assert interpret(text, title=15, part="740").operations == ()


@pytest.mark.parametrize("text, detail, reason", [
    ("Section 744.21 is amended by adding the word “Freedonia,” after the word “Burma,” in the section heading "
     "and in paragraph (a).",
     "Freedonia", ReviewReason.UNKNOWN_COUNTRY),
    ("Section 744.21 is amended by adding the word “Nicaragua,” after the word “China,”.", "does not say where",
     ReviewReason.NO_LOCATION),
    ("Section 744.21 is amended by adding the word “Nicaragua,” after the word “China,” in the section heading.",
     "heading", ReviewReason.PARTIAL_CHANGE),
    ("Section 744.21 is amended by redesignating the countries in paragraph (a).", "not understood",
     ReviewReason.UNRECOGNIZED_WORDING),
])
def test_inexact_wording_is_a_review_item_not_a_guess(text, detail, reason):
    result = interpret(text, part="744")
    assert result.operations == ()
    assert len(result.review) == 1 and detail in result.review[0].detail
    assert result.review[0].reason is reason
    assert result.review[0].text and result.review[0].table == T21


def test_paragraph_a_alone_is_an_operation_with_a_note():
    result = interpret("Section 744.22 is amended by adding the word “Nicaragua,” after the words "
                       "“People's Republic of China (China),” in paragraph (a).", part="744")
    assert ops(result) == [(Action.ADD_ENTRY, T22, "Nicaragua")]
    assert result.review == ()      # § 744.22's heading names no country, so (a) alone is complete


def test_paragraph_a_alone_on_744_21_is_flagged():
    result = interpret("Section 744.21 is amended by adding the word “Nicaragua,” after the words "
                       "“People's Republic of China (China),” in paragraph (a).", part="744")
    assert ops(result) == [(Action.ADD_ENTRY, T21, "Nicaragua")]
    assert len(result.review) == 1 and "heading" in result.review[0].detail
    assert result.review[0].reason is ReviewReason.PARTIAL_CHANGE


# ------------------------------------------------------- whole documents

def test_one_rule_moves_groups_and_adds_to_744_21_and_744_22():
    [doc] = changes("fr_2099-90006_nicaragua_groups_and_744.xml")
    assert doc.document_number == "2099-90006"
    assert ops(doc) == [(Action.ADD_ENTRY, T21, "Nicaragua"), (Action.ADD_ENTRY, T22, "Nicaragua")]
    assert [o.instruction for o in doc.operations] == [1, 2]
    assert doc.review == ()
    # the Country Group fact of the same document, from the existing parser
    [fr] = parse_fr_xml((FIXTURES / "fr_2099-90006_nicaragua_groups_and_744.xml").read_bytes(), "x")
    group_ops = [(o.action.value, o.table, o.country) for i in fr.instructions for o in i.operations]
    assert group_ops == [("add_entry", "Country Group D", "Nicaragua")]


def test_document_with_removal_revision_and_negatives():
    [doc] = changes("fr_2099-90007_744_sections.xml")
    assert ops(doc) == [
        (Action.REMOVE_ENTRY, T21, "Cambodia"),
        *[(Action.REVISE_ENTRY, T22, c) for c in ("Belarus", "Burma", PRC, "Russia", "Venezuela")],
    ]
    assert doc.listings == (SectionListing(T22, ("Belarus", "Burma", PRC, "Russia", "Venezuela"), instruction=1),)
    assert doc.review == ()


def test_operations_are_frozen_and_carry_their_text():
    [doc] = changes("fr_2099-90006_nicaragua_groups_and_744.xml")
    op = doc.operations[0]
    assert isinstance(op, Operation) and op.instruction == 1
    assert "Nicaragua" in op.text and op.printed == "Nicaragua"
    with pytest.raises(AttributeError):
        op.country = "Cuba"


def test_operation_json_is_the_parse_contract():
    from parsers.detect import operation_json
    [doc] = changes("fr_2099-90006_nicaragua_groups_and_744.xml")
    assert [operation_json(o) for o in doc.operations] == [
        {"action": "add_entry", "table": "15 CFR 744.21", "country": "Nicaragua", "marks": None},
        {"action": "add_entry", "table": "15 CFR 744.22", "country": "Nicaragua", "marks": None},
    ]


def test_wherever_it_appears_and_alphabetical_order():
    result = interpret("Section 744.21 is amended by adding, in alphabetical order, the word “Nicaragua,” "
                       "wherever it appears.", part="744")
    assert ops(result) == [(Action.ADD_ENTRY, T21, "Nicaragua")] and result.review == ()


def test_a_reserved_section_is_an_empty_list():
    xml = ("<DIV5 N=\"744\"><AMDDATE>Mar. 1, 2020</AMDDATE><DIV8 N=\"§ 744.22\" TYPE=\"SECTION\">"
           "<HEAD>§ 744.22   [Reserved]</HEAD></DIV8></DIV5>").encode()
    [s22] = parse_sections_744(xml, "reserved")
    assert (s22.section, s22.countries, s22.problems) == ("744.22", (), ())


def test_section_delta_between_versions():
    before = sections("ecfr_744_2021-12-08_before_cambodia.xml")["744.21"]
    after = sections("ecfr_744_2024-03-15_nicaragua_added.xml")["744.21"]
    assert section_delta(before, after) == (("Belarus", "Cambodia", "Nicaragua"), ())
    assert section_delta(after, before) == ((), ("Belarus", "Cambodia", "Nicaragua"))


def test_a_rewording_that_keeps_the_countries_changes_nothing():
    result = interpret("Section 744.21 is amended by removing the words “the People's Republic of China (China),” and "
                       "adding in their place the words “China,” in paragraph (a).", part="744")
    assert result.operations == () and result.review == ()
    odd = interpret("Section 744.21 is amended by adding the word “entirely” after the word “intended,” in paragraph (a).",
                    part="744")
    assert odd.operations == () and "name no country" in odd.review[0].detail
    assert odd.review[0].reason is ReviewReason.NO_COUNTRY


def test_versioner_section_alone_with_n_without_section_sign():
    """The versioner API answers a one-section request with the DIV8 as root and N="744.21"."""
    xml = ("<DIV8 N=\"744.21\" NODE=\"15:2.1.3.4.28.0.1.21\" TYPE=\"SECTION\"><HEAD>§ 744.21 Restrictions on certain "
           "'military end use' or 'military end user' in Burma, the People’s Republic of China, Russia, or Venezuela."
           "</HEAD><P>(a) <I>General prohibition.</I> ... to Burma, the People’s Republic of China (China), Russia, or "
           "Venezuela without a license ...</P><P>(b) ... in Cuba.</P></DIV8>").encode()
    [s21] = parse_sections_744(xml, "versioner")
    assert s21.countries == ("Burma", PRC, "Russia", "Venezuela") and s21.problems == ()


def test_single_quotes_inside_double_quotes_stay_apostrophes():
    text = normalize_instruction("adding the word “Nicaragua,” after the words “‘military end user’ in Belarus,”")
    assert text == "adding the word \"Nicaragua,\" after the words \"'military end user' in Belarus,\""


def test_a_subparagraph_of_a_is_not_the_list():
    """The list is in the heading and paragraph (a)'s own text; (a)(1) is another place, like (b) or (e)(3)."""
    reprint = (SectionReprint(section="744.21", heading=None,
                              paragraphs=("(a)(1) ... a destination in Country Group D:5 ...",)),)
    result = interpret("Section 744.21 is amended by revising paragraph (a)(1) to read as follows:", reprint,
                       part="744")
    assert (result.operations, result.listings, result.review) == ((), (), ())
    words = interpret("Section 744.21 is amended by adding the word “Nicaragua,” after the word “China,” in "
                      "paragraph (a)(2).", part="744")
    assert (words.operations, words.review) == ((), ())
    intro = interpret("Section 744.21 is amended by adding the word “Nicaragua,” after the word “China,” in the "
                      "section heading and in paragraph (a) introductory text.", part="744")
    assert ops(intro) == [(Action.ADD_ENTRY, T21, "Nicaragua")]


def test_a_revised_paragraph_a_naming_no_country_is_a_review_item_not_an_empty_list():
    reprint = (SectionReprint(section="744.22", heading=None,
                              paragraphs=("(a) General prohibition. ... to a destination listed in Country Group "
                                          "E:1 or E:2 ...",)),)
    result = interpret("Section 744.22 is amended by revising paragraph (a) to read as follows:", reprint, part="744")
    assert result.operations == () and result.listings == ()
    assert [r.reason for r in result.review] == [ReviewReason.NO_COUNTRY]
