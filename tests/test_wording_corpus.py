"""The wording corpus: AMDPAR wordings, each with its exact expected effect.

Every row says where its wording comes from:
- ``real:<doc>``   the pattern of a real rule (DESIGN.md "Real Country Group rules"),
                   with the country and group that rule changed;
- ``corpus:<file>`` a real AMDPAR of ../shared/corpus/fr_xml, verbatim (negatives) or
                   adapted to Supplement No. 1 to part 740 (the same sentence shape);
- ``authored``     written for frtrack, for a wording or quote style the others lack.

An expected operation reads "action letter column country", "-" for none, and
"!reason" when it is held for review. Negatives expect nothing: no operation,
no review item. Then whole REGTEXTs (several AMDPARs read together) are
checked by the deltas they predict against a small table.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from lxml import etree

from parsers.amendments import interpret, interpret_sequence
from parsers.lifecycle import ChangeAction
from parsers.model import ReprintedTable
from pipeline.cli import cli
from pipeline.derive.history import predict_detailed

D_HEADS = ("Country", "[D:1] National Security", "[D:2] Nuclear", "[D:3] Chemical & Biological",
           "[D:4] Missile Technology", "[D:5] U.S. Arms Embargoed Countries")
A_HEADS = ("Country", "[A:1] Wassenaar Participating States", "[A:2] Missile Technology Control Regime",
           "[A:3] Australia Group", "[A:4] Nuclear Suppliers Group", "[A:5]", "[A:6]")
E_HEADS = ("Country", "[E:1] Terrorist supporting countries", "[E:2] Unilateral Embargo")


def d_table(*rows):
    return ReprintedTable("Country Group D", D_HEADS, tuple(rows))


TABLES = {
    "D_CAMBODIA_D1": (d_table(("Cambodia", "X", "", "", "", "")),),
    "D_CAMBODIA_D1_D5": (d_table(("Cambodia", "X", "", "", "", "X")),),
    "D_NICARAGUA": (d_table(("Nicaragua", "X", "", "", "", "X")),),
    "D_BELARUS": (d_table(("Belarus", "X", "X", "X", "X", "X")),),
    "D_RUSSIA_YEMEN": (d_table(("Russia", "X", "X", "X", "X", "X"), ("Yemen 2", "X", "", "X", "X", "X")),),
    "D_TWO_NEW": (d_table(("Nicaragua", "X", "", "", "", "X"), ("Venezuela", "X", "", "X", "X", "X")),),
    "A_TABLE": (ReprintedTable("Country Group A", A_HEADS, (
        ("Argentina", "X", "X", "X", "X", "", ""), ("Australia", "X", "X", "X", "X", "", ""),
        ("Austria", "X", "X", "X", "X", "", ""), ("Belgium", "X", "X", "X", "X", "", ""),
        ("Bulgaria", "X", "X", "X", "X", "", ""), ("Canada", "X", "X", "X", "X", "", ""),
        ("Croatia", "X", "", "X", "X", "", ""), ("Cyprus", "", "", "X", "X", "X", ""),
        ("India", "X", "X", "X", "", "X", ""), ("Japan", "X", "X", "X", "X", "X", ""))),),
    # a complete reprint is exact; these are not: rows elided, a name that is no country, too few rows
    "D_ELIDED": (ReprintedTable("Country Group D", D_HEADS, (("Cambodia", "X", "", "X", "", ""),), elided=True),),
    "D_ATLANTIS": (d_table(*[(n, "X", "", "", "", "") for n in (
        "Afghanistan", "Armenia", "Atlantis", "Belarus", "Burma", "Cambodia", "China", "Cuba", "Egypt", "Iran",
        "Iraq", "Libya")]),),
    "D_SHORT": (d_table(("Cambodia", "X", "", "X", "", ""), ("Cuba", "X", "", "", "", "X")),),
    "A_BELARUS": (ReprintedTable("Country Group A", A_HEADS, (("Belarus", "", "", "", "", "", ""),)),),
    "E_TABLE": (ReprintedTable("Country Group E", E_HEADS, (
        ("Cuba", "", "X"), ("Iran", "X", ""), ("Korea, North", "X", ""), ("Syria", "X", ""))),),
    "E_KOREA": (ReprintedTable("Country Group E", E_HEADS, (("Korea, North", "X", ""),)),),
}

S = "Supplement No. 1 to part 740 is amended by "

# (origin, REGTEXT PART, AMDPAR text, reprinted tables key or None, expected operations)
WORDINGS = [
    # -- real rules' patterns -----------------------------------------------------------------------
    ("real:2026-02262", "740", "2. Supplement No. 1 to part 740 is amended by revising the entry for \u201cCambodia\u201d "
     "in \u201cCountry Group D\u201d to read as follows:", "D_CAMBODIA_D1", ["revise_entry D - Cambodia"]),
    ("real:2021-26633", "740", "2. Supplement No. 1 to part 740 is amended by revising the entry for "
     "\u2018\u2018Cambodia\u2019\u2019 in Country Group D to read as follows:", "D_CAMBODIA_D1_D5",
     ["revise_entry D - Cambodia"]),
    ("real:2020-29037", "740", "2. In Supplement No. 1 to part 740, Country Group E is amended by removing the entry "
     "for \u201cSudan\u201d.", None, ["remove_entry E - Sudan"]),
    ("real:2020-29037", "740", "3. Supplement No. 1 to part 740 is amended by adding, in alphabetical order, "
     "\u2018\u2018Sudan\u2019\u2019 to Country Group B.", None, ["add_entry B - Sudan"]),
    ("real:2022-04819", "740", "2. Supplement No. 1 to part 740 is amended by: a. Removing the entry for "
     "\u201cBelarus\u201d from Country Group A; and b. Revising the entry for \u201cBelarus\u201d in Country Group D "
     "to read as follows:", "D_BELARUS", ["remove_entry A - Belarus", "revise_entry D - Belarus"]),
    ("real:2022-04819", "740", "2. Supplement No. 1 to part 740 is amended by removing the \u2018\u2018X\u2019\u2019 "
     "in the A:4 column of the entry for \u2018\u2018Belarus\u2019\u2019.", None, ["remove_mark A A:4 Belarus"]),
    ("real:2024-05696", "740", "2. Amend supplement no. 1 to part 740 by: a. Removing \u201cNicaragua\u201d from "
     "Country Group B; and b. Adding in alphabetical order an entry for \u201cNicaragua\u201d to "
     "\u201cCountry Group D\u201d to read as follows:", "D_NICARAGUA",
     ["remove_entry B - Nicaragua", "add_entry D - Nicaragua"]),
    ("real:2024-05696", "740", S + "adding an \u201cX\u201d in the Country Group D:5 column of the entry for "
     "\u201cNicaragua\u201d.", None, ["add_mark D D:5 Nicaragua"]),
    ("real:2024-10280", "740", S + "removing the \u201cX\u201d from the D:5 column for Cyprus.", None,
     ["remove_mark D D:5 Cyprus"]),
    ("real:2024-10280", "740", S + "removing \u2018Cyprus\u2019 from Country Group D:5.", None,
     ["remove_mark D D:5 Cyprus"]),
    ("real:2026-02262", "740", S + "removing \u201cCambodia\u201d from Country Group D:5.", None,
     ["remove_mark D D:5 Cambodia"]),
    ("real:2020-02941", "740", "3. Supplement No. 1 to part 740 is amended by revising the entries for "
     "\u201cRussia\u201d and \u201cYemen\u201d in Country Group D to read as follows:", "D_RUSSIA_YEMEN",
     ["revise_entry D - Russia", "revise_entry D - Yemen"]),
    ("real:2020-04178", "740", "In FR Doc. 2020\u201302941, published on February 24, 2020, on page 10275, in "
     "Supplement No. 1 to part 740, Country Group B is amended by removing \u201cYemen\u201d.", None,
     ["remove_entry B - Yemen"]),
    ("real:2018-16691", "740", "2. Supplement No. 1 to part 740 is amended by revising Country Group A to read as "
     "follows:", "A_TABLE", ["revise_table A - -"]),
    ("real:2026-14132", "740", S + "removing the \u201cX\u201d from the D:3 and D:4 columns of the entry for "
     "\u201cUnited Arab Emirates\u201d and adding an \u201cX\u201d in the A:5 column of the entry for "
     "\u201cUnited Arab Emirates\u201d.", None,
     ["remove_mark D D:3 United Arab Emirates", "remove_mark D D:4 United Arab Emirates",
      "add_mark A A:5 United Arab Emirates"]),
    # -- corpus sentence shapes adapted to the supplement ---------------------------------------------
    ("corpus:FR-2024-02-12.gpo-bulk.xml (Table 52.385, 'adding a sixth entry for ... before the entry for')", "740",
     "3. In Supplement No. 1 to part 740 amended Country Group D by adding an entry for \u201cNicaragua\u201d "
     "before the entry for \u201cNiger\u201d to read as follows:", "D_NICARAGUA", ["add_entry D - Nicaragua"]),
    ("corpus:FR-2024-02-12.gpo-bulk.xml ('removing the 15 entries under ... and adding 17 new entries in their place')",
     "740", S + "removing the entries for \u201cRussia\u201d and \u201cYemen\u201d in Country Group D and adding in "
     "their place the following entries:", "D_RUSSIA_YEMEN",
     ["remove_entry D - Russia", "remove_entry D - Yemen", "add_entry D - Russia", "add_entry D - Yemen"]),
    ("corpus:FR-2016-04-15 fixture ('removing the words ... and adding in their place the words ...')", "740",
     "In Supplement No. 1 to part 740, Country Group D is amended by removing the words \u201cand Cambodia\u201d "
     "from footnote 1 and adding in their place the words \u201cand Burma\u201d.", None,
     ["amend_text D - -", "amend_text D - -"]),
    ("corpus:FR-2024-02-12.gpo-bulk.xml ('b. In table 1 to paragraph (b), removing the 8 entries under')", "740",
     "b. In Country Group E of supplement no. 1 to part 740, removing the entries for \u201cIran\u201d and "
     "\u201cSyria\u201d.", None, ["remove_entry E - Iran", "remove_entry E - Syria"]),
    ("corpus:FR-2024-02-12.gpo-bulk.xml ('add alphabetically definitions for ...')", "740",
     "2. In supplement no. 1 to part 740, add alphabetically entries for \u201cBelize\u201d and \u201cChad\u201d "
     "to Country Group B.", None, ["add_entry B - Belize", "add_entry B - Chad"]),
    # -- authored: quote styles ----------------------------------------------------------------------
    ("authored", "740", S + "removing the entry for \u2018Cyprus\u2019 from Country Group D.", None,
     ["remove_entry D - Cyprus"]),
    ("authored", "740", S + "removing the entry for 'Cuba' from Country Group E.", None, ["remove_entry E - Cuba"]),
    ("authored", "740", S + "removing the entry for ''Iran'' from Country Group E.", None, ["remove_entry E - Iran"]),
    ("authored", "740", S + "removing the entry for \"Belarus\" from Country Group A.", None,
     ["remove_entry A - Belarus"]),
    ("authored", "740", S + "removing the entry for \u2018\u2018Cyprus\u201d from Country Group D.", None,
     ["remove_entry D - Cyprus"]),
    ("authored", "740", S + "removing \u2018Cote d\u2019Ivoire\u2019 from Country Group B.", None,
     ["remove_entry B - Cote d'Ivoire"]),
    # -- authored: marks in one column ---------------------------------------------------------------
    ("authored", "740", S + "removing the \u2018\u2018X\u2019\u2019 in the \u201cD:5\u201d column of the entry for "
     "\u2018Cyprus\u2019.", None, ["remove_mark D D:5 Cyprus"]),
    ("authored", "740", S + "adding \u201cBelarus\u201d to Country Groups D:1 and D:5.", None,
     ["add_mark D D:1 Belarus", "add_mark D D:5 Belarus"]),
    ("authored", "740", S + "removing \u201cRussia\u201d and \u201cBelarus\u201d from Country Group A:1.", None,
     ["remove_mark A A:1 Russia", "remove_mark A A:1 Belarus"]),
    ("authored", "740", S + "adding \u201cCambodia\u201d to Country Group D:5 and removing \u201cCyprus\u201d from "
     "Country Group D:5.", None, ["add_mark D D:5 Cambodia", "remove_mark D D:5 Cyprus"]),
    ("authored", "740", S + "removing \u201cCyprus\u201d, \u201cMalta\u201d and \u201cGreece\u201d from Country "
     "Group D:5.", None, ["remove_mark D D:5 Cyprus", "remove_mark D D:5 Malta", "remove_mark D D:5 Greece"]),
    ("authored", "740", S + "removing the entry for \u201cCambodia\u201d from Country Group D:5.", None,
     ["remove_mark D D:5 Cambodia"]),
    ("authored", "740", S + "adding an entry for \u201cNicaragua\u201d to Country Groups D:1 and D:5.", None,
     ["add_mark D D:1 Nicaragua", "add_mark D D:5 Nicaragua"]),
    ("authored", "740", S + "removing the X in the column D:5 for Cambodia.", None, ["remove_mark D D:5 Cambodia"]),
    ("authored", "740", S + "removing the \u201cX\u201ds for \u2018\u2018Cuba\u2019\u2019 in Country Group E.", None,
     ["unrecognized E - - !no_column"]),      # marks named, column not: held, not guessed
    # -- authored: lists, several names, in-its-place ---------------------------------------------------
    ("authored", "740", S + "removing the following entries from Country Group D: a. \u201cCyprus\u201d; and "
     "b. \u201cMalta\u201d.", None, ["remove_entry D - Cyprus", "remove_entry D - Malta"]),
    ("authored", "740", S + "removing the following entries from Country Group D: \u201cCyprus\u201d and "
     "\u201cMalta\u201d.", None, ["remove_entry D - Cyprus", "remove_entry D - Malta"]),
    ("authored", "740", S + "removing the entries for \u201cRussia\u201d and \u201cYemen\u201d from Country Group D.",
     None, ["remove_entry D - Russia", "remove_entry D - Yemen"]),
    ("authored", "740", S + "removing the entry for \u201cCambodia\u201d from Country Group D and adding in its place "
     "the following entry:", "D_CAMBODIA_D1", ["remove_entry D - Cambodia", "add_entry D - Cambodia"]),
    ("authored", "740", "Amend Supplement No. 1 to part 740 by adding in alphabetical order the following entries to "
     "Country Group D to read as follows:", "D_TWO_NEW", ["add_entry D - Nicaragua", "add_entry D - Venezuela"]),
    # -- authored: entries, B list, unquoted -----------------------------------------------------------
    ("authored", "740", S + "revising the entry for \u201cKorea, North\u201d in Country Group E to read as follows:",
     "E_KOREA", ["revise_entry E - Korea, North"]),
    ("authored", "740", "In Supplement No. 1 to part 740, correct the entry for \u2018Yemen\u2019 in Country Group D to "
     "read as follows:", "D_RUSSIA_YEMEN", ["revise_entry D - Yemen"]),
    ("authored", "740", S + "revising the entry for \u201cCambodia\u201d to read as follows:", "D_CAMBODIA_D1",
     ["revise_entry D - Cambodia"]),
    ("authored", "740", "In Supplement No. 1 to part 740, in Country Group E, the entry for \u201cKorea, North\u201d is "
     "revised to read as follows:", "E_KOREA", ["revise_entry E - Korea, North"]),
    ("authored", "740", S + "removing the entry for \u201cIraq 3\u201d from Country Group D.", None,
     ["remove_entry D - Iraq"]),
    ("authored", "740", "In supplement no. 1 to part 740, revise the entry for \u201cBelarus\u201d in Country Group A "
     "to read as follows:", "A_BELARUS", ["revise_entry A - Belarus"]),
    ("authored", "740", S + "removing Nicaragua from Country Group B.", None, ["remove_entry B - Nicaragua"]),
    ("authored", "740", S + "adding, in alphabetical order, Bosnia and Herzegovina to Country Group B.", None,
     ["add_entry B - Bosnia & Herzegovina"]),      # the canonical (EAR) name
    ("authored", "740", S + "removing \u2018\u2018Yemen\u2019\u2019 from Country Group B.", None,
     ["remove_entry B - Yemen"]),
    ("authored", "740", "Supplement No. 1 to this part is amended by removing the entry for \u201cSudan\u201d from "
     "Country Group E.", None, ["remove_entry E - Sudan"]),
    ("authored", "740", S + "revising Country Group E to read as follows:", "E_TABLE", ["revise_table E - -"]),
    ("authored", "740", "In Supplement No. 1 to part 740, revise footnote 2 to Country Group E.", None,
     ["amend_text E - -"]),
    ("authored", "740", "Amend part 740 by: a. Revising \u00a7 740.2(a)(12); and b. In supplement no. 1 to part 740, "
     "removing the entry for \u201cSudan\u201d from Country Group E.", None, ["remove_entry E - Sudan"]),
    ("authored", "740", "Amend part 740 by: a. Revising \u00a7 740.2(a)(12); and b. Removing the entry for "
     "\u201cSudan\u201d from Country Group E.", None, ["remove_entry E - Sudan !no_unit"]),   # "part 740" names no unit
    ("authored", "740", "Amend Supplement No. 1 to part 740 by: a. Removing \u201cCuba\u201d from Country Group "
     "E:2; and b. Revising \u00a7 740.2(a)(12) to refer to Country Group E:1.", None, ["remove_mark E E:2 Cuba"]),
    # -- authored: the text decides, not the REGTEXT PART --------------------------------------------
    ("authored", "738", S + "removing the entry for \u201cSudan\u201d from Country Group E.", None,
     ["remove_entry E - Sudan"]),
    ("authored", None, S + "removing \u2018\u2018Cambodia\u2019\u2019 from Country Group D:5.", None,
     ["remove_mark D D:5 Cambodia"]),
    # -- authored: held for review, never applied ----------------------------------------------------
    ("authored", "740", S + "revising Country Group D to read as follows:", None,
     ["revise_table D - - !table_not_reprinted"]),
    ("authored", "740", S + "adding, in alphabetical order, an entry for \u201cNicaragua\u201d to Country Group D.",
     None, ["add_entry D - Nicaragua !row_not_reprinted"]),
    ("authored", "740", S + "revising the entry for \u201cChad\u201d in Country Group D to read as follows:",
     "D_CAMBODIA_D1", ["revise_entry D - Chad !row_not_reprinted"]),
    ("authored", "740", S + "transposing Country Group B.", None, ["unrecognized B - - !unrecognized_wording"]),
    ("authored", "740", S + "moving \u201cCambodia\u201d from Country Group D:5 to Country Group D:4.", None,
     ["unrecognized D - - !unrecognized_wording"]),
    ("authored", "740", S + "revising the Country Group B list.", None, ["unrecognized B - - !unrecognized_wording"]),
    ("authored", "740", S + "revising the entry in Country Group D.", None, ["unrecognized D - - !no_country"]),
    ("authored", "740", "2. Supplement No. 1 to part 740 is amended by:", None,
     ["unrecognized - - - !unrecognized_wording"]),
    # -- reviewer's probes (issue 12): each name with its own column, case, whole clauses held ------------
    ("authored", "740", S + "removing \u201cCambodia\u201d from Country Group D:5 and \u201cBurma\u201d from Country "
     "Group D:1.", None, ["remove_mark D D:5 Cambodia", "remove_mark D D:1 Burma"]),
    ("authored", "740", S + "removing \u201cCambodia\u201d from Country Groups D:1 and D:5 and \u201cBurma\u201d from "
     "Country Group D:1.", None, ["remove_mark D D:1 Cambodia", "remove_mark D D:5 Cambodia",
                                 "remove_mark D D:1 Burma"]),
    ("authored", "740", S + "removing \u201cCambodia\u201d and \u201cBurma\u201d from Country Groups D:1 and D:5.",
     None, ["remove_mark D - - !names_not_paired"]),          # "respectively"? both from both? not certain
    ("authored", "740", S + "removing \u201cCambodia\u201d from Country Group D and \u201cCuba\u201d from Country "
     "Group E.", None, ["remove_entry D - Cambodia", "remove_entry E - Cuba"]),
    ("authored", "740", S + "removing \u201cCambodia\u201d from country group d:5.", None,
     ["remove_mark D D:5 Cambodia"]),
    ("authored", "740", S + "removing the \u201cX\u201d from the d:3 column for Cambodia.", None,
     ["remove_mark D D:3 Cambodia"]),
    ("authored", "740", "In Supplement No. 1 to part 740, revise Country Group D to read as follows:", "D_ELIDED",
     ["revise_table D - - !table_incomplete"]),
    ("authored", "740", "Amend Supplement No. 1 to part 740 by revising Country Group D to read as follows:", "D_ATLANTIS",
     ["revise_table D - - !unknown_country"]),
    ("authored", "740", "2. In Supplement No. 1 to part 740, Country Group D is revised to read as follows:", "D_SHORT",
     ["revise_table D - - !table_incomplete"]),
    ("authored", "740", S + "removing Burma, Cambodia and Korea, North from Country Group D:5.", None,
     ["remove_mark D D:5 - !unknown_country"]),              # "Burma, Cambodia" is no country: the whole clause waits
    ("authored", "740", S + "removing \u201cCambodia\u201d and \u201cAtlantis\u201d from Country Group D:5.", None,
     ["remove_mark D D:5 - !unknown_country"]),
    ("authored", "740", "3. By removing \u201cCambodia\u201d from Country Group D:5.", None,
     ["remove_mark D D:5 Cambodia !no_unit"]),               # no unit named: the supplement would be a guess
]

# (origin, REGTEXT TITLE, REGTEXT PART, AMDPAR text): each must give no operation and no review item.
NEGATIVES = [
    ("corpus:2011-29462.xml", 37, "1", "1. The authority citation for 37 CFR part 1 continues to read as follows:"),
    ("corpus:04-16753.xml", 37, "1", "2. Section 1.23 is amended by revising paragraph (b) to read as follows:"),
    ("corpus:FR-2024-02-12.gpo-bulk.xml", 40, "52", "3. In \u00a7 52.385 amended Table 52.385 by adding a sixth entry "
     "for \u201c22a\u2013174\u20131\u201d before the entry for \u201c22a\u2013174\u20132\u201d to read as follows:"),
    ("corpus:FR-2024-02-12.gpo-bulk.xml", 50, "13", "i. Removing the 15 entries under \u201cBald and Golden Eagle "
     "Protection Act\u201d and adding 17 new entries in their place; and"),
    ("corpus:2016-13878.xml", 27, "478", "a. In paragraph (e) by removing the words \u201cManufacturer and/or "
     "Importer\u201d in the associated table and adding in their place the words \u201cManufacturer and importer "
     "(if any)\u201d; and"),
    ("real:2026-02262", 15, "740", "1. The authority citation for part 740 continues to read as follows:"),
    ("real:2021-26633 (\u00a7 744.21 in the same rule)", 15, "744", "3. Section 744.21 is amended by revising the "
     "section heading and paragraph (a)(1) to add Cambodia, to read as follows:"),
    ("authored", 15, "740", "Section 740.2 is amended by revising paragraph (a)(12) to read as follows:"),
    ("authored", 15, "740", "Amend \u00a7 740.17 by revising paragraph (b)(2)(viii) to read as follows:"),
    ("authored", 15, "740", "In \u00a7 740.9, revise paragraph (a)(2)(viii) by removing the words \u201cCountry Group "
     "D:5\u201d and adding in their place the words \u201cCountry Group E:1 or E:2\u201d."),
    ("authored", 15, "740", "In \u00a7 740.2, paragraph (a)(12) is amended by removing \u201cCambodia\u201d from the "
     "list of Country Group D:5 destinations."),
    ("authored", 15, "740", "In \u00a7 740.2, revise paragraph (a)(12) to read \u201cany destination in Country Group "
     "E:1 or E:2 of Supplement No. 1 to part 740\u201d."),
    ("authored", 15, "740", "Section 740.17 is amended by revising paragraph (b)(2)(viii), which refers to Country Group "
     "E:1 or E:2."),
    ("authored", 15, "740", "In \u00a7 740.21, revise paragraph (a) by removing the words \u201cCountry Group D:1\u201d "
     "and adding in their place the words \u201cCountry Group D:1 or D:5\u201d."),
    ("authored", 15, "740", "Amend \u00a7 740.11 by adding paragraph (b)(2)(iv) to read as follows:"),
    ("authored", 15, "740", "The authority citation for 15 CFR part 740 is revised to read as follows:"),
    ("authored", 15, "738", "Supplement No. 1 to part 738 is amended by revising the entry for \u201cCambodia\u201d to "
     "read as follows:"),
    ("authored", 15, "740", "In supplement no. 1 to part 742, revise the entry for \u201cCambodia\u201d in the table "
     "to read as follows:"),
    ("authored", 15, "744", "Supplement No. 4 to part 744 is amended by adding under Cambodia, in alphabetical order, "
     "one entity."),
    ("authored", 15, "742", "Section 742.4 is amended by revising paragraph (b)(7), which refers to Country Group D:5."),
    ("authored", 22, "126", "Section 126.1 is amended by removing \u201cCambodia\u201d from paragraph (d)(2) and "
     "removing and reserving paragraph (o)."),
    ("real:2024-05696 (preamble sentence set as an AMDPAR in a daily issue)", None, None,
     "For the reasons stated in the preamble, part 740 of the Export Administration Regulations (15 CFR parts 730 "
     "through 774) is amended as follows:"),
]


def render(op) -> str:
    letter = op.table.split()[-1] if op.table else "-"
    line = f"{op.action.value} {letter} {op.column or '-'} {op.country or '-'}"
    return line + (f" !{op.review.value}" if op.review else "")


def test_the_corpus_is_big_enough():
    assert len(WORDINGS) + len(NEGATIVES) >= 60 and len(NEGATIVES) >= 15
    assert len({text for _o, _p, text, _t, _e in WORDINGS}) == len(WORDINGS)


@pytest.mark.parametrize("origin, part, text, tables, expected", WORDINGS,
                         ids=[f"{i}-{w[0].split(' ')[0]}" for i, w in enumerate(WORDINGS)])
def test_wording(origin, part, text, tables, expected):
    result = interpret(text, TABLES[tables] if tables else (), title=15, part=part)
    assert [render(op) for op in result] == expected
    for op in result:
        # names never keep quote marks (an apostrophe inside a name, as in d'Ivoire, is no quote)
        assert op.country is None or not (set(op.country) & set("\"\u2018\u2019\u201c\u201d")
                                          or op.country.startswith("'") or op.country.endswith("'")), op.country


@pytest.mark.parametrize("origin, title, part, text", NEGATIVES,
                         ids=[f"{i}-{n[0].split(' ')[0]}" for i, n in enumerate(NEGATIVES)])
def test_negative_wording_gives_nothing(origin, title, part, text):
    assert interpret(text, (), title=title, part=part) == ()
    # the text decides: even inside a REGTEXT of 15 CFR part 740, none of these amends the supplement
    assert interpret(text, (), title=15, part="740") == ()


# -- whole REGTEXTs: the deltas they predict against a small table ---------------------------------
STATE = frozenset({("Cambodia", "D:1"), ("Cambodia", "D:3"), ("Cambodia", "D:5"), ("Cyprus", "D:5"),
                   ("Malta", "D:5"), ("Nicaragua", "B"), ("Belarus", "A:4"), ("Belarus", "D:1"),
                   ("United Arab Emirates", "D:3"), ("United Arab Emirates", "D:4"), ("Sudan", "E:1")})
NICARAGUA = TABLES["D_NICARAGUA"]

REGTEXTS = [
    ("real:2024-05696 + 2024-10280 (header with lettered AMDPARs)", "740", [
        ("2. Supplement No. 1 to part 740 is amended by:", ()),
        ("a. Removing \u201cNicaragua\u201d from Country Group B;", ()),
        ("b. Removing \u201cCyprus\u201d from Country Group D:5; and", ()),
        ("c. Adding, in alphabetical order, an entry for \u201cNicaragua\u201d to read as follows:", NICARAGUA)],
     {("Nicaragua", "B", "removed"), ("Cyprus", "D:5", "removed"), ("Nicaragua", "D:1", "added"),
      ("Nicaragua", "D:5", "added")}, []),
    ("authored (a sentence continued in the next AMDPAR)", "740", [
        ("2. Supplement No. 1 to part 740 is amended by removing the entry for \u201cCyprus\u201d in Country Group D "
         "and", ()),
        ("by adding, in alphabetical order, an entry for \u201cNicaragua\u201d to read as follows:", NICARAGUA)],
     {("Cyprus", "D:5", "removed"), ("Nicaragua", "D:1", "added"), ("Nicaragua", "D:5", "added")}, []),
    ("authored (list of entries across AMDPARs)", "740", [
        ("2. Supplement No. 1 to part 740 is amended by removing the following entries from Country Group D:", ()),
        ("a. \u2018\u2018Cyprus\u2019\u2019; and", ()), ("b. \u2018\u2018Malta\u2019\u2019.", ())],
     {("Cyprus", "D:5", "removed"), ("Malta", "D:5", "removed")}, []),
    ("real:2026-14132 (GPO's REGTEXT PART is wrong: 738)", "738", [
        ("4. Supplement No. 1 to part 740 is amended by removing the \u2018\u2018X\u2019\u2019 from the D:3 and D:4 "
         "columns of the entry for \u2018\u2018United Arab Emirates\u2019\u2019.", ())],
     {("United Arab Emirates", "D:3", "removed"), ("United Arab Emirates", "D:4", "removed")}, []),
    ("authored (part 740 sections mentioning Country Groups)", "740", [
        ("2. Section 740.2 is amended by:", ()),
        ("a. Revising paragraph (a)(12) to refer to Country Group E:1 or E:2; and", ()),
        ("b. Removing \u201cCambodia\u201d from the Country Group D:5 list in paragraph (a)(13).", ()),
        ("3. Amend \u00a7 740.17 by revising paragraph (b)(2)(viii) to read as follows:", ())], set(), []),
    ("authored (whole-table revision without the table, a removal that changes nothing)", "740", [
        ("2. Supplement No. 1 to part 740 is amended by revising Country Group D to read as follows:", ()),
        ("3. Supplement No. 1 to part 740 is amended by removing \u201cCuba\u201d from Country Group D:4.", ())],
     set(), ["table_not_reprinted", "no_effect"]),
    ("real:2026-02262 + 2022-04819 (roman items under a lettered header)", "740", [
        ("2. Supplement No. 1 to part 740 is amended by:", ()),
        ("a. In Country Group A:", ()),
        ("i. Removing the \u2018\u2018X\u2019\u2019 in the A:4 column of the entry for \u2018\u2018Belarus\u2019\u2019; "
         "and", ()),
        ("ii. Adding \u2018\u2018Cambodia\u2019\u2019 to Country Group A:5.", ()),
        ("b. In Country Group D, removing \u2018\u2018Cambodia\u2019\u2019 from Country Group D:5.", ())],
     {("Belarus", "A:4", "removed"), ("Cambodia", "A:5", "added"), ("Cambodia", "D:5", "removed")}, []),
    ("authored (an entry added for a country the table has: held, never a silent revision)", "740", [
        ("2. Supplement No. 1 to part 740 is amended by adding, in alphabetical order, an entry for "
         "\u201cCambodia\u201d in Country Group D to read as follows:", TABLES["D_CAMBODIA_D1"])],
     set(), ["already_present"]),
    ("authored (an entry revised for a country the table lacks)", "740", [
        ("2. Supplement No. 1 to part 740 is amended by revising the entry for \u201cNicaragua\u201d in Country "
         "Group D to read as follows:", NICARAGUA)], set(), ["not_present"]),
    ("authored (a header naming the supplement gives its unit to an unnamed lettered part)", "740", [
        ("2. Supplement No. 1 to part 740 is amended by:", ()),
        ("a. By removing \u201cCyprus\u201d from Country Group D:5.", ())], {("Cyprus", "D:5", "removed")}, []),
    ("authored (no unit named: held, not guessed)", "740", [
        ("2. Section 740.17 is amended by revising paragraph (b)(2)(viii) to read: \u201c(viii) \u2026 Country "
         "Group E:1 or E:2 \u2026\u201d; and", ()),
        ("3. By removing \u201cCambodia\u201d from Country Group D:5.", ())], set(), ["no_unit"]),
]


@pytest.mark.parametrize("origin, part, amdpars, deltas, review", REGTEXTS, ids=[r[0] for r in REGTEXTS])
def test_regtext_predicts_exact_deltas(origin, part, amdpars, deltas, review):
    operations = [op for ops in interpret_sequence(amdpars, title=15, part=part) for op in ops]
    result = predict_detailed(STATE, operations)
    assert {(d.country, d.group, d.action.value) for d in result.deltas} == deltas
    assert [r.reason.value for r in result.review] == review
    assert all(d.action in (ChangeAction.ADDED, ChangeAction.REMOVED) for d in result.deltas)


# -- the real FR XML files: every AMDPAR an instruction, none a table operation ------------------------
def test_parse_json_of_every_real_fr_file_has_no_table_operation(corpus):
    files = sorted((corpus / "fr_xml").glob("*.xml"))
    if not files:
        pytest.skip(f"no FR XML files in {corpus / 'fr_xml'}")
    runner = CliRunner()
    for path in files:
        result = runner.invoke(cli, ["parse", str(path), "--json"])
        assert result.exit_code == 0, (path.name, result.output)
        data = json.loads(result.output)
        instructions = [i for d in data["documents"] for i in d["instructions"]]
        assert len(instructions) == sum(1 for _ in etree.parse(str(path)).getroot().iter("AMDPAR")), path.name
        assert [i["text"] for i in instructions if i["operations"]] == [], path.name
