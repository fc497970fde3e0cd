"""Context carried across the AMDPARs of one REGTEXT: headers with lettered parts, continued sentences."""
from __future__ import annotations

from parsers.fr_xml import parse_fr_xml
from parsers.model import Action, ReviewReason

D_ROW = """<GPOTABLE COLS="6"><TTITLE>Country Group D</TTITLE><BOXHD><CHED H="1">Country</CHED>
<CHED H="1">[D:1] National Security</CHED><CHED H="1">[D:2] Nuclear</CHED>
<CHED H="1">[D:3] Chemical &amp; Biological</CHED><CHED H="1">[D:4] Missile Technology</CHED>
<CHED H="1">[D:5] U.S. Arms Embargoed Countries</CHED></BOXHD>
<ROW><ENT>Nicaragua</ENT><ENT>X</ENT><ENT/><ENT/><ENT/><ENT>X</ENT></ROW></GPOTABLE>"""


def rule(*regtexts: str, part: str = "740") -> bytes:
    body = "".join(f'<REGTEXT TITLE="15" PART="{part}">{r}</REGTEXT>' for r in regtexts)
    return (f"<RULE><PREAMB><SUBJECT>Invented rule for tests</SUBJECT></PREAMB><SUPLINF>{body}</SUPLINF>"
            "<FRDOC>[FR Doc. 2099-00001 Filed 1-1-99; 8:45 am]</FRDOC></RULE>").encode()


def per_instruction(data: bytes):
    (doc,) = parse_fr_xml(data, "test.xml")
    return [[(o.action, o.table, o.column, o.country, o.review) for o in i.operations] for i in doc.instructions]


def test_header_with_lettered_parts_in_following_amdpars():
    data = rule("<AMDPAR>2. Supplement No. 1 to part 740 is amended by:</AMDPAR>"
                "<AMDPAR>a. Removing the entry for \u201cCyprus\u201d from Country Group D; and</AMDPAR>"
                "<AMDPAR>b. Adding in alphabetical order an entry for \u201cNicaragua\u201d to read as follows:</AMDPAR>"
                + D_ROW)
    assert per_instruction(data) == [
        [],
        [(Action.REMOVE_ENTRY, "Country Group D", None, "Cyprus", None)],
        [(Action.ADD_ENTRY, "Country Group D", None, "Nicaragua", None)],
    ]


def test_lettered_part_naming_no_table_inherits_nothing_wrong():
    data = rule("<AMDPAR>2. Supplement No. 1 to part 740 is amended by:</AMDPAR>"
                "<AMDPAR>a. Removing \u201cCambodia\u201d from Country Group D:5; and</AMDPAR>"
                "<AMDPAR>b. Removing the entry for \u201cSudan\u201d from Country Group E.</AMDPAR>")
    assert per_instruction(data) == [
        [], [(Action.REMOVE_MARK, "Country Group D", "D:5", "Cambodia", None)],
        [(Action.REMOVE_ENTRY, "Country Group E", None, "Sudan", None)]]


def test_sentence_continued_in_the_next_amdpar():
    data = rule("<AMDPAR>2. Supplement No. 1 to part 740 is amended by removing the entry for \u201cCyprus\u201d "
                "in Country Group D and</AMDPAR>"
                "<AMDPAR>by adding, in alphabetical order, an entry for \u201cNicaragua\u201d to read as follows:"
                "</AMDPAR>" + D_ROW)
    assert per_instruction(data) == [
        [(Action.REMOVE_ENTRY, "Country Group D", None, "Cyprus", None)],
        [(Action.ADD_ENTRY, "Country Group D", None, "Nicaragua", None)],
    ]
    (doc,) = parse_fr_xml(data, "test.xml")
    assert doc.instructions[1].operations[0].marks == {"D:1": True, "D:2": False, "D:3": False, "D:4": False,
                                                       "D:5": True}


def test_list_of_entries_across_amdpars():
    data = rule("<AMDPAR>2. Supplement No. 1 to part 740 is amended by removing the following entries from "
                "Country Group D:</AMDPAR><AMDPAR>a. \u201cCyprus\u201d; and</AMDPAR><AMDPAR>b. \u201cMalta\u201d."
                "</AMDPAR>")
    assert per_instruction(data) == [
        [], [(Action.REMOVE_ENTRY, "Country Group D", None, "Cyprus", None)],
        [(Action.REMOVE_ENTRY, "Country Group D", None, "Malta", None)]]


def test_header_of_another_section_gives_its_parts_no_operations():
    data = rule("<AMDPAR>3. Section 740.2 is amended by:</AMDPAR>"
                "<AMDPAR>a. Revising paragraph (a)(12) to refer to Country Group E:1 or E:2; and</AMDPAR>"
                "<AMDPAR>b. Removing \u201cCambodia\u201d from the Country Group D:5 list in paragraph (a)(13)."
                "</AMDPAR>"
                "<AMDPAR>4. Supplement No. 1 to part 740 is amended by removing \u201cCambodia\u201d from Country "
                "Group D:5.</AMDPAR>")
    assert per_instruction(data) == [[], [], [], [(Action.REMOVE_MARK, "Country Group D", "D:5", "Cambodia", None)]]


def test_wrong_regtext_part_the_text_decides():
    data = rule("<AMDPAR>2. Supplement No. 1 to part 740 is amended by removing the entry for \u201cSudan\u201d "
                "from Country Group E.</AMDPAR>", part="738")
    assert per_instruction(data) == [[(Action.REMOVE_ENTRY, "Country Group E", None, "Sudan", None)]]
    data = rule("<AMDPAR>2. Amend \u00a7 740.17 by revising paragraph (b)(2)(viii) to read as follows:</AMDPAR>"
                "<SECTION><P>(viii) Country Group E:1 or E:2 ...</P></SECTION>")
    assert per_instruction(data) == [[]]


def test_header_whose_parts_never_come_is_review():
    data = rule("<AMDPAR>2. Supplement No. 1 to part 740 is amended by:</AMDPAR>")
    assert per_instruction(data) == [[(Action.UNRECOGNIZED, None, None, None, ReviewReason.UNRECOGNIZED_WORDING)]]


def test_context_does_not_cross_regtexts():
    data = rule("<AMDPAR>2. Supplement No. 1 to part 740 is amended by:</AMDPAR>",
                "<AMDPAR>a. Removing the entry for \u201cCyprus\u201d from the table in paragraph (b).</AMDPAR>",
                part="742")
    assert per_instruction(data)[1] == []
