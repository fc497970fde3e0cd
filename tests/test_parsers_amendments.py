"""Each pass of the amendment interpreter alone, then the chain, on BIS-style sentences."""
from __future__ import annotations

import pytest

from parsers.amendments import (
    attach_entries,
    classify,
    column_code,
    find_countries,
    find_table,
    interpret,
    is_tracked,
    normalize,
    split_clauses,
    split_lettered,
)
from parsers.countries import canonical_name
from parsers.model import Action, Entry, Operation, ReprintedTable, ReviewReason

CAMBODIA = ("Supplement No. 1 to part 740 is amended by revising the entry for \u201cCambodia\u201d in "
            "\u201cCountry Group D\u201d to read as follows:")
SUDAN = "In Supplement No. 1 to part 740, Country Group E is amended by removing the entry for \u201cSudan\u201d."
LETTERED = ("Amend supplement no. 1 to part 740 by: a. Removing the entry for \u201cCyprus\u201d from "
            "\u201cCountry Group D\u201d; and b. Adding in alphabetical order an entry for \u201cNicaragua\u201d "
            "to \u201cCountry Group D\u201d.")
RUSSIA_YEMEN = ("3. Supplement No. 1 to part 740 is amended by revising the entries for \u201cRussia\u201d and "
                "\u201cYemen\u201d in Country Group D to read as follows:")
TABLE_A = "Supplement No. 1 to part 740 is amended by revising Country Group A to read as follows:"
D_HEADS = ("Country", "[D:1] National Security", "[D:2] Nuclear", "[D:3] Chemical & Biological",
           "[D:4] Missile Technology", "[D:5] U.S. Arms Embargoed Countries")
D_TABLE = ReprintedTable("Country Group D", D_HEADS, (
    ("Cambodia", "X", "", "", "", ""),
    ("Russia", "X", "X", "X", "X", "X"),
    ("Yemen 2", "X", "", "X", "X", "X"),
))


def d_marks(*marked):
    return tuple((f"D:{n}", n in marked) for n in range(1, 6))


# -- pass 1 -------------------------------------------------------------------
def test_normalize_straightens_quotes_and_drops_numbering():
    assert normalize("3.  Revise \u201cCambodia\u201d\n in \u2018x\u2019") == 'Revise "Cambodia" in "x"'


@pytest.mark.parametrize("text, part, tracked", [
    (CAMBODIA, "740", True),
    ("Amend supplement no. 1 to part 740 by revising Country Group A", None, True),
    ("In Country Group D, revise the entry for Iraq.", "740", True),
    ("The authority citation for part 740 continues to read as follows:", "740", False),
    ("Section 740.2 is amended by revising paragraph (a)(12).", "740", False),
    ("Table 52.385 is amended by adding a sixth entry for “Ohio”.", "52", False),
])
def test_is_tracked(text, part, tracked):
    assert is_tracked(normalize(text), part) is tracked


# -- pass 2 -------------------------------------------------------------------
def test_split_lettered():
    header, parts = split_lettered(normalize(LETTERED))
    assert header == "Amend supplement no. 1 to part 740 by:"
    assert parts == ['Removing the entry for "Cyprus" from "Country Group D"',
                     'Adding in alphabetical order an entry for "Nicaragua" to "Country Group D".']


def test_split_lettered_ignores_abbreviations():
    text = normalize("Supplement No. 1 to part 740 is amended by revising the heading [D:5] U.S. Arms Embargoed.")
    assert split_lettered(text) == ("", [text])


def test_split_clauses_on_several_verbs():
    text = normalize("Supplement No. 1 to part 740 is amended by removing the entry for \u201cCyprus\u201d from "
                     "Country Group D and by adding an entry for \u201cNicaragua\u201d; and revising footnote 1.")
    assert split_clauses(text)[1] == [
        'Supplement No. 1 to part 740 is amended by removing the entry for "Cyprus" from Country Group D',
        'adding an entry for "Nicaragua"',
        "revising footnote 1.",
    ]


def test_split_clauses_keeps_two_countries_of_one_verb_together():
    assert len(split_clauses(normalize(RUSSIA_YEMEN))[1]) == 1


# -- pass 3 -------------------------------------------------------------------
@pytest.mark.parametrize("clause, action", [
    (CAMBODIA, Action.REVISE_ENTRY),
    (SUDAN, Action.REMOVE_ENTRY),
    ('Adding in alphabetical order an entry for "Nicaragua" to "Country Group D".', Action.ADD_ENTRY),
    (TABLE_A, Action.REVISE_TABLE),
    ('by removing the words "Country Group D:5" from footnote 2', Action.AMEND_TEXT),
    ('Supplement No. 1 to part 740 is amended by revising footnote 3 to Country Group D.', Action.AMEND_TEXT),
    ('by adding, in alphabetical order, "Montenegro" to Country Group B', Action.ADD_ENTRY),
    ('in Country Group D, the entry for "Yemen" is corrected to read as follows:', Action.REVISE_ENTRY),
    ("Supplement No. 1 to part 740 is amended as follows:", None),
    ("by reordering Country Group B", None),
])
def test_classify(clause, action):
    assert classify(normalize(clause)) is action


# -- pass 4 -------------------------------------------------------------------
def test_find_table_and_countries():
    assert find_table('to "Country Group D:5"') == "Country Group D"
    assert find_table("in country group e") == "Country Group E"
    assert find_table("in § 740.2") is None
    assert find_countries(normalize(RUSSIA_YEMEN)) == ("Russia", "Yemen")
    assert find_countries('removing the entry for "Iraq 3" from "Country Group D"') == ("Iraq",)
    assert find_countries("revising the entry for Cambodia in Country Group D") == ("Cambodia",)
    assert find_countries("revising the entries for Russia and Yemen in Country Group D") == ("Russia", "Yemen")
    assert find_countries('revising the entry for "Korea, North" in Country Group E') == ("Korea, North",)


# -- pass 5 -------------------------------------------------------------------
@pytest.mark.parametrize("head, code", [
    ("[D:5] U.S. Arms Embargoed Countries", "D:5"),
    ("Country Group D:5", "D:5"),
    ("[ A : 1 ] Wassenaar Participating States 1", "A:1"),
    ("Country", None),
])
def test_column_code(head, code):
    assert column_code(head) == code


def test_attach_entries_reads_marks_from_column_heads():
    assert attach_entries(Action.REVISE_ENTRY, "Country Group D", "Yemen", (D_TABLE,)) == (
        Entry("Yemen", "Yemen 2", d_marks(1, 3, 4, 5), ("2",)),)
    assert attach_entries(Action.REVISE_ENTRY, "Country Group E", "Yemen", (D_TABLE,)) == ()
    assert len(attach_entries(Action.REVISE_TABLE, "Country Group D", None, (D_TABLE,))) == 3


def test_attach_entries_without_coded_heads_uses_printed_order():
    table = ReprintedTable("Country Group E", ("Country", "Terrorist supporting", "Unilateral embargo"),
                           (("Cuba", "X", "X"),))
    assert attach_entries(Action.ADD_ENTRY, "Country Group E", "Cuba", (table,)) == (
        Entry("Cuba", "Cuba", (("E:1", True), ("E:2", True))),)


# -- the chain ------------------------------------------------------------------
def ops(text, tables=(), **kw):
    kw.setdefault("title", 15)
    kw.setdefault("part", "740")
    return interpret(text, tables, **kw)


def test_revise_one_entry_with_reprinted_row():
    assert ops(CAMBODIA, (D_TABLE,)) == (Operation(
        Action.REVISE_ENTRY, "Country Group D", "Cambodia", (Entry("Cambodia", "Cambodia", d_marks(1)),),
        text=normalize(CAMBODIA), printed="Cambodia"),)


def test_remove_entry():
    (op,) = ops(SUDAN)
    assert (op.action, op.table, op.country, op.entries, op.marks) == (
        Action.REMOVE_ENTRY, "Country Group E", "Sudan", (), None)


def test_lettered_sub_instructions():
    assert [(o.action, o.table, o.country) for o in ops(LETTERED)] == [
        (Action.REMOVE_ENTRY, "Country Group D", "Cyprus"),
        (Action.ADD_ENTRY, "Country Group D", "Nicaragua"),
    ]


def test_several_countries_in_one_instruction():
    result = ops(RUSSIA_YEMEN, (D_TABLE,))
    assert [(o.action, o.country, o.marks) for o in result] == [
        (Action.REVISE_ENTRY, "Russia", dict(d_marks(1, 2, 3, 4, 5))),
        (Action.REVISE_ENTRY, "Yemen", dict(d_marks(1, 3, 4, 5))),
    ]


def test_revise_whole_table():
    a_table = ReprintedTable("Country Group A", ("Country", "[A:1] Wassenaar", "[A:5]"),
                             (("India", "X", "X"), ("Japan", "X", "X")))
    (op,) = ops(TABLE_A, (a_table,))
    assert op.action is Action.REVISE_TABLE and op.table == "Country Group A" and op.country is None
    assert op.entries == (Entry("India", "India", (("A:1", True), ("A:5", True))),
                          Entry("Japan", "Japan", (("A:1", True), ("A:5", True))))


def test_straight_quotes_and_em_dashes():
    text = ('Supplement No. 1 to part 740 is amended\u2014by removing the entry for "Cyprus" from '
            '"Country Group D"')
    assert [(o.action, o.country) for o in ops(text)] == [(Action.REMOVE_ENTRY, "Cyprus")]


def test_correcting_amendment_names_the_corrected_document():
    text = ("In FR Doc. 2020\u201328031, published on December 23, 2020, on page 83765, in Supplement No. 1 to "
            "part 740, correct the entry for \u201cYemen\u201d in Country Group D to read as follows:")
    (op,) = ops(text, (D_TABLE,))
    assert (op.action, op.country, op.corrects) == (Action.REVISE_ENTRY, "Yemen", "2020-28031")
    assert ops(CAMBODIA, corrects="2021-26633")[0].corrects == "2021-26633"


def test_unrecognized_wording_is_kept_not_dropped():
    (op,) = ops("Supplement No. 1 to part 740 is amended by transposing Country Group B.")
    assert op.action is Action.UNRECOGNIZED and op.table == "Country Group B"
    assert op.text == "Supplement No. 1 to part 740 is amended by transposing Country Group B."
    (op,) = ops("Supplement No. 1 to part 740 is amended by revising the entry in Country Group D.")
    assert op.action is Action.UNRECOGNIZED


def test_untracked_instructions_get_no_operations():
    assert ops("The authority citation for part 740 continues to read as follows:") == ()
    assert ops("Section 740.2 is amended by revising paragraph (a)(12).") == ()
    assert ops(CAMBODIA, title=37, part="1") == ()
    mixed = ("Amend part 740 by: a. Revising § 740.2(a)(12); and b. In supplement no. 1 to part 740, removing "
             "the entry for \u201cSudan\u201d from Country Group E.")
    assert [(o.action, o.country) for o in ops(mixed)] == [(Action.REMOVE_ENTRY, "Sudan")]


def test_words_only_amendment():
    (op,) = ops("In Supplement No. 1 to part 740, Country Group D is amended by removing the words "
                "\u201cand Cambodia\u201d from footnote 1.")
    assert (op.action, op.table) == (Action.AMEND_TEXT, "Country Group D")


@pytest.mark.parametrize("text, expected", [
    ("Supplement No. 1 to part 740 is amended by removing Cyprus from Country Group D.",
     [(Action.REMOVE_ENTRY, "Country Group D", "Cyprus")]),
    ("Supplement No. 1 to part 740 is amended by removing Cyprus from Country Group D:5.",
     [(Action.REMOVE_MARK, "Country Group D", "Cyprus")]),
    ("Supplement No. 1 to part 740 is amended by adding, in alphabetical order, Bosnia and Herzegovina to "
     "Country Group B.", [(Action.ADD_ENTRY, "Country Group B", "Bosnia & Herzegovina")]),
    ("Supplement No. 1 to part 740 is amended by revising the Country Group E table.",
     [(Action.REVISE_TABLE, "Country Group E", None)]),
    ("Supplement No. 1 to part 740 is amended by removing the entry for \u201cCambodia\u201d from Country Group D "
     "and adding in its place the following entry:",
     [(Action.REMOVE_ENTRY, "Country Group D", "Cambodia"), (Action.ADD_ENTRY, "Country Group D", "Cambodia")]),
])
def test_unquoted_and_in_its_place_wordings(text, expected):
    assert [(o.action, o.table, o.country) for o in ops(text)] == expected


def test_in_its_place_takes_the_reprinted_row():
    text = ("Supplement No. 1 to part 740 is amended by removing the entry for \u201cCambodia\u201d from Country "
            "Group D and adding in its place the following entry:")
    assert ops(text, (D_TABLE,))[1].marks == dict(d_marks(1))


def test_words_only_amendment_names_the_entry_not_the_words():
    (op,) = ops("In Supplement No. 1 to part 740, Country Group D is amended by removing the words "
                "\u201cD:5\u201d from the entry for \u201cIraq 3\u201d.")
    assert (op.action, op.table, op.country) == (Action.AMEND_TEXT, "Country Group D", "Iraq")


def test_table_taken_from_the_reprinted_row_when_the_sentence_names_none():
    (op,) = ops("Supplement No. 1 to part 740 is amended by revising the entry for \u201cCambodia\u201d to read "
                "as follows:", (D_TABLE,))
    assert (op.action, op.table, op.country, op.marks) == (
        Action.REVISE_ENTRY, "Country Group D", "Cambodia", dict(d_marks(1)))


# -- issue 12: wordings misread before ------------------------------------------
SUPP = "Supplement No. 1 to part 740 is amended by "


def summary(result):
    return [(o.action, o.table, o.column, o.country, o.review) for o in result]


@pytest.mark.parametrize("quoted", [
    "\u2018Cyprus\u2019", "\u2018\u2018Cyprus\u2019\u2019", "''Cyprus''", "'Cyprus'", '"Cyprus"',
    "\u201cCyprus\u201d", "\u2018\u2018Cyprus\u201d",
])
def test_any_quote_style_gives_the_bare_name(quoted):
    (op,) = ops(f"{SUPP}removing the entry for {quoted} from Country Group D.")
    assert (op.action, op.country, op.review) == (Action.REMOVE_ENTRY, "Cyprus", None)


def test_apostrophe_inside_a_name_is_not_a_quote():
    (op,) = ops(f"{SUPP}removing the entry for \u2018Cote d\u2019Ivoire\u2019 from Country Group B.")
    assert op.country == "Cote d'Ivoire"


def test_removing_a_country_from_one_column_removes_only_that_mark():
    assert summary(ops(f"{SUPP}removing \u201cCambodia\u201d from Country Group D:5.")) == [
        (Action.REMOVE_MARK, "Country Group D", "D:5", "Cambodia", None)]


@pytest.mark.parametrize("text, action, column, country", [
    (f"{SUPP}removing the \u201cX\u201d from the D:5 column for Cambodia.", "remove_mark", "D:5", "Cambodia"),
    (f"{SUPP}adding an \u201cX\u201d in the Country Group D:5 column of the entry for \u201cNicaragua\u201d.",
     "add_mark", "D:5", "Nicaragua"),
    (f"{SUPP}removing the \u2018\u2018X\u2019\u2019 in the \u201cD:5\u201d column of the entry for \u201cCyprus\u201d.",
     "remove_mark", "D:5", "Cyprus"),
])
def test_column_level_wordings_never_take_x_for_a_country(text, action, column, country):
    assert summary(ops(text)) == [(Action(action), "Country Group D", column, country, None)]


def test_one_mark_in_several_columns():
    text = (f"{SUPP}removing the \u201cX\u201d from the D:3 and D:4 columns of the entry for "
            "\u201cUnited Arab Emirates\u201d.")
    assert [(o.action, o.column, o.country) for o in ops(text)] == [
        (Action.REMOVE_MARK, "D:3", "United Arab Emirates"), (Action.REMOVE_MARK, "D:4", "United Arab Emirates")]


def test_removing_a_list_of_entries():
    text = (f"{SUPP}removing the following entries from Country Group D: a. \u201cCyprus\u201d; and "
            "b. \u201cMalta\u201d.")
    assert summary(ops(text)) == [(Action.REMOVE_ENTRY, "Country Group D", None, "Cyprus", None),
                                  (Action.REMOVE_ENTRY, "Country Group D", None, "Malta", None)]


@pytest.mark.parametrize("text", [
    "Section 740.2 is amended by revising paragraph (a)(12) to read as follows:",
    "Amend \u00a7 740.17 by revising paragraph (b)(2)(viii) to read as follows: \u201c\u2026 Country Group E:1 or "
    "E:2 \u2026\u201d",
    "In \u00a7 740.9, revise paragraph (a)(2)(viii) by removing the words \u201cCountry Group D:5\u201d and adding "
    "in their place the words \u201cCountry Group E:1 or E:2\u201d.",
    "In \u00a7 740.2, paragraph (a)(12) is amended by removing \u201cCambodia\u201d from the list of Country Group "
    "D:5 destinations.",
    "Section 740.17 is amended by revising paragraph (b)(2)(viii), which refers to Country Group E:1 or E:2.",
])
def test_other_sections_of_part_740_give_no_table_operations(text):
    assert ops(text) == ()


def test_the_supplement_named_decides_not_the_regtext_part():
    text = f"{SUPP}removing the entry for \u201cSudan\u201d from Country Group E."
    assert [(o.action, o.country) for o in ops(text, part="738")] == [(Action.REMOVE_ENTRY, "Sudan")]
    assert ops("Supplement No. 1 to part 738 is amended by revising the entry for \u201cCambodia\u201d.",
               part="740") == ()


def test_whole_table_revision_without_the_table_is_review_not_an_empty_table():
    (op,) = ops("Supplement No. 1 to part 740 is amended by revising Country Group D to read as follows:")
    assert (op.action, op.table, op.entries, op.review) == (
        Action.REVISE_TABLE, "Country Group D", (), ReviewReason.TABLE_NOT_REPRINTED)


def test_added_entry_without_its_row_is_review():
    (op,) = ops(f"{SUPP}adding, in alphabetical order, an entry for \u201cNicaragua\u201d to Country Group D.")
    assert (op.action, op.country, op.review) == (Action.ADD_ENTRY, "Nicaragua", ReviewReason.ROW_NOT_REPRINTED)
    (op,) = ops(CAMBODIA, (D_TABLE,))
    assert op.review is None
    (op,) = ops(RUSSIA_YEMEN.replace("Russia", "Chad"), (D_TABLE,))[:1]
    assert (op.country, op.review) == ("Chad", ReviewReason.ROW_NOT_REPRINTED)


def test_unrecognized_wording_has_its_reason():
    (op,) = ops("Supplement No. 1 to part 740 is amended by transposing Country Group B.")
    assert op.review is ReviewReason.UNRECOGNIZED_WORDING


def test_country_is_the_canonical_name_and_the_printed_form_is_kept():
    (op,) = ops(f"{SUPP}removing the entry for \u201cIraq 3\u201d from Country Group D.")
    assert (op.country, op.printed) == (canonical_name("Iraq 3"), "Iraq 3")


def test_name_resolving_to_no_country_is_review():
    (op,) = ops(f"{SUPP}removing the entry for \u201cAtlantis\u201d from Country Group D.")
    assert (op.action, op.country, op.review) == (Action.REMOVE_ENTRY, "Atlantis", ReviewReason.UNKNOWN_COUNTRY)
