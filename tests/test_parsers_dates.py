"""Effective dates as DATES/EFFDATE paragraphs word them: pure text -> dates.

Each phrasing below is one that real rules print (relative dates, the
public-inspection placeholders, delay notices, per-instruction exceptions);
the delay notice FR Doc. 2016-08776 is read from ../shared/corpus in place.
"""
from __future__ import annotations

from datetime import date

import pytest

from parsers.dates import InstructionDate, match_instructions, parse_effective, read_effective
from parsers.fr_xml import parse_fr_xml
from parsers.model import DateChangeKind, EffectiveDateChange

PUB = date(2026, 1, 15)


@pytest.mark.parametrize("text, expected", [
    ("This rule is effective 30 days after publication.", date(2026, 2, 14)),
    ("This rule is effective 60 days after the date of publication in the Federal Register.", date(2026, 3, 16)),
    ("This rule is effective thirty days after its publication in the Federal Register.", date(2026, 2, 14)),
    ("This rule is effective [INSERT DATE OF PUBLICATION IN THE FEDERAL REGISTER].", PUB),
    ("This rule is effective [INSERT DATE 30 DAYS AFTER DATE OF PUBLICATION IN THE FEDERAL REGISTER].",
     date(2026, 2, 14)),
    ("Effective date: This rule is effective on the day following the end of the comment period. "
     "Comments: Comments must be received by February 17, 2026.", date(2026, 2, 18)),
    ("This rule is effective on the day following the end of the comment period. Comments must be received "
     "by [INSERT DATE 30 DAYS AFTER DATE OF PUBLICATION IN THE FEDERAL REGISTER].", date(2026, 2, 15)),
    # stated dates are kept as stated, also before publication
    ("This rule is effective February 3, 2026.", date(2026, 2, 3)),
    ("This rule is effective January 2, 2026.", date(2026, 1, 2)),
    ("Effective on publication.", PUB),
    ("Effective Date: November 15, 2011.", date(2011, 11, 15)),
])
def test_phrasings_relative_to_publication(text, expected):
    assert parse_effective(text, PUB)[0] == expected
    assert read_effective(text, PUB).date == expected


@pytest.mark.parametrize("text, days", [
    ("This rule is effective 30 days after publication.", 30),
    ("This rule is effective 60 days after the date of publication in the Federal Register.", 60),
    ("This rule is effective [INSERT DATE 30 DAYS AFTER DATE OF PUBLICATION IN THE FEDERAL REGISTER].", 30),
    ("This rule is effective [INSERT DATE OF PUBLICATION IN THE FEDERAL REGISTER].", 0),
    ("Effective on publication.", 0),
])
def test_relative_dates_without_a_known_publication_date_stay_relative(text, days):
    stated = read_effective(text, None)
    assert (stated.date, stated.days_after_publication, stated.problems) == (None, days, ())


def test_placeholder_for_publication_day_is_effective_on_publication():
    stated = read_effective("This rule is effective [INSERT DATE OF PUBLICATION IN THE FEDERAL REGISTER].", PUB)
    assert (stated.date, stated.on_publication) == (PUB, True)


def test_day_after_comment_period_without_a_stated_end_is_not_guessed():
    stated = read_effective("This rule is effective on the day following the end of the comment period.", PUB)
    assert (stated.date, stated.days_after_publication) == (None, None)
    assert len(stated.problems) == 1 and "comment period" in stated.problems[0]


def test_comment_deadline_alone_is_not_an_effective_date():
    assert read_effective("Comments must be received by March 1, 2026.", PUB).date is None


DELAY = ("The effective date of the final rule published January 5, 2026 (91 FR 123), FR Doc. 2026-00012, "
         "is delayed from February 3, 2026 to March 3, 2026.")


def test_delay_notice_moves_the_earlier_rule_and_keeps_its_own_date():
    stated = read_effective(DELAY + " This rule is effective January 20, 2026.", PUB)
    assert stated.date == date(2026, 1, 20)
    assert stated.changes == (EffectiveDateChange(
        DateChangeKind.DELAY, date(2026, 2, 3), date(2026, 3, 3), "2026-00012", "91 FR 123", date(2026, 1, 5),
        DELAY),)


def test_delay_notice_never_takes_the_earlier_rules_publication_date():
    assert parse_effective(DELAY, PUB) == (None, False)


def test_delay_indefinitely_has_no_new_date_and_says_so():
    stated = read_effective("The effective date of the final rule published January 5, 2026 (91 FR 123) is "
                            "delayed indefinitely.", PUB)
    (change,) = stated.changes
    assert (change.new_date, change.citation, change.published) == (None, "91 FR 123", date(2026, 1, 5))
    assert stated.problems and "new effective date" in stated.problems[0]


def test_correction_of_an_effective_date():
    stated = read_effective("The effective date of FR Doc. 2026-00012 is corrected from February 3, 2026 "
                            "to February 10, 2026.", PUB)
    assert [(c.kind, c.document_number, c.old_date, c.new_date) for c in stated.changes] == [
        (DateChangeKind.CORRECTION, "2026-00012", date(2026, 2, 3), date(2026, 2, 10))]


def test_real_delay_notice_2016_08776(corpus):
    path = corpus / "fr_xml" / "FR-2016-04-15.fedreg-api-core-fixture.xml"
    if not path.exists():
        pytest.skip(f"{path} absent")
    (doc,) = [d for d in parse_fr_xml(path.read_bytes(), path.name) if d.document_number == "2016-08776"]
    # Its DATES text: "The effective date of the interim final rule published March 1, 2016
    # (81 FR 10477) is delayed from April 15, 2016 to May 16, 2016."
    assert doc.effective_date is None   # not the earlier rule's publication date (2016-03-01)
    assert [(c.kind, c.citation, c.published, c.old_date, c.new_date, c.document_number)
            for c in doc.effective_date_changes] == [
        (DateChangeKind.DELAY, "81 FR 10477", date(2016, 3, 1), date(2016, 4, 15), date(2016, 5, 16), None)]


SUPP = ("This rule is effective March 15, 2026, except for the amendment to supplement no. 1 to part 740 "
        "(amendatory instruction 3), which is effective February 3, 2026.")


def test_exception_for_a_numbered_and_named_instruction():
    stated = read_effective(SUPP, PUB)
    assert stated.date == date(2026, 3, 15)
    assert stated.exceptions == (InstructionDate((3,), "supplement no. 1 to part 740", date(2026, 2, 3), None,
                                                 stated.exceptions[0].text),)


def test_exception_with_an_interval():
    stated = read_effective("This rule is effective March 15, 2026, except for amendatory instruction 11, which is "
                            "effective from March 15, 2026 through September 15, 2026.", PUB)
    assert (stated.date, stated.until) == (date(2026, 3, 15), None)
    (exc,) = stated.exceptions
    assert (exc.numbers, exc.names, exc.date, exc.until) == ((11,), None, date(2026, 3, 15), date(2026, 9, 15))


def test_several_exceptions_and_instruction_ranges():
    stated = read_effective("This rule is effective March 15, 2026, except for amendatory instructions 3 through 5, "
                            "which are effective February 3, 2026, and amendatory instruction 8, which is effective "
                            "April 1, 2026.", PUB)
    assert [(e.numbers, e.date) for e in stated.exceptions] == [
        ((3, 4, 5), date(2026, 2, 3)), ((8,), date(2026, 4, 1))]
    assert stated.date == date(2026, 3, 15)


def test_exception_named_only():
    stated = read_effective("This rule is effective March 15, 2026, except that the amendments to supplement no. 1 "
                            "to part 740 are effective February 3, 2026.", PUB)
    assert [(e.numbers, e.names, e.date) for e in stated.exceptions] == [
        ((), "supplement no. 1 to part 740", date(2026, 2, 3))]


def test_document_interval():
    stated = read_effective("This rule is effective from March 15, 2026 through September 15, 2026.", PUB)
    assert (stated.date, stated.until) == (date(2026, 3, 15), date(2026, 9, 15))


INSTRUCTIONS = [
    (1, "1. The authority citation for part 740 continues to read as follows:"),
    (2, "2. Section 740.2 is amended by revising paragraph (a)(12)."),
    (3, "3. Supplement No. 1 to part 740 is amended by:"),
    (3, "a. Removing the entry for \u201cCyprus\u201d from Country Group D; and"),
    (4, "4. Section 740.20 is amended by revising paragraph (b)."),
]


def test_matching_by_number_covers_the_lettered_parts():
    exc = InstructionDate((3,), None, date(2026, 2, 3), None, "")
    assert match_instructions(exc, INSTRUCTIONS) == (2, 3)


def test_matching_by_name_covers_the_header_and_its_parts_and_not_a_longer_section():
    assert match_instructions(InstructionDate((), "supplement no. 1 to part 740", None, None, ""),
                              INSTRUCTIONS) == (2, 3)
    assert match_instructions(InstructionDate((), "\u00a7 740.2", None, None, ""), INSTRUCTIONS) == (1,)


def test_unmatched_exception_matches_nothing():
    assert match_instructions(InstructionDate((11,), None, None, None, ""), INSTRUCTIONS) == ()


def _rule_xml(dates: str) -> bytes:
    """An invented BIS rule: § 740.2, then Supplement No. 1 with a lettered part in its own AMDPAR."""
    return f"""<RULE><PREAMB><AGENCY>DEPARTMENT OF COMMERCE</AGENCY><CFR>15 CFR Part 740</CFR>
<SUBJECT>Invented Rule for Date Tests</SUBJECT><DATES><HD SOURCE="HED">DATES:</HD><P>{dates}</P></DATES></PREAMB>
<SUPLINF><REGTEXT TITLE="15" PART="740">
<AMDPAR>1. The authority citation for part 740 continues to read as follows:</AMDPAR>
<AMDPAR>2. Section 740.2 is amended by revising paragraph (a)(12).</AMDPAR>
<AMDPAR>3. Supplement No. 1 to part 740 is amended by:</AMDPAR>
<AMDPAR>a. Removing the entry for \u201cCyprus\u201d from Country Group D; and</AMDPAR>
<AMDPAR>b. Removing the entry for \u201cMalta\u201d from Country Group D.</AMDPAR>
</REGTEXT></SUPLINF><FRDOC>[FR Doc. 2026-99901 Filed 1-14-26; 8:45 am]</FRDOC></RULE>""".encode()


def instruction_dates(doc):
    return [(i.number, i.effective_date, i.effective_until) for i in doc.instructions]


def test_exception_attaches_to_the_instruction_and_its_lettered_parts():
    (doc,) = parse_fr_xml(_rule_xml(SUPP), "x")
    assert doc.effective_date == date(2026, 3, 15)
    feb3 = date(2026, 2, 3)
    assert instruction_dates(doc) == [(1, None, None), (2, None, None), (3, feb3, None), (3, feb3, None),
                                      (3, feb3, None)]
    assert doc.effective_problems == ()


def test_exception_by_name_only_attaches_to_the_supplement():
    (doc,) = parse_fr_xml(_rule_xml("This rule is effective March 15, 2026, except that the amendments to "
                                    "supplement no. 1 to part 740 are effective February 3, 2026."), "x")
    assert [d for _n, d, _u in instruction_dates(doc)] == [None, None] + [date(2026, 2, 3)] * 3


def test_exception_interval_on_instruction():
    (doc,) = parse_fr_xml(_rule_xml("This rule is effective March 15, 2026, except for amendatory instruction 2, "
                                    "which is effective from March 15, 2026 through September 15, 2026."), "x")
    assert instruction_dates(doc)[1] == (2, date(2026, 3, 15), date(2026, 9, 15))


def test_exception_naming_a_missing_instruction_is_a_problem():
    (doc,) = parse_fr_xml(_rule_xml("This rule is effective March 15, 2026, except for amendatory instruction 11, "
                                    "which is effective February 3, 2026."), "x")
    assert all(d is None for _n, d, _u in instruction_dates(doc))
    assert len(doc.effective_problems) == 1 and "names no instruction" in doc.effective_problems[0]


def test_relative_date_in_a_single_document_without_publication_date():
    (doc,) = parse_fr_xml(_rule_xml("This rule is effective 30 days after publication."), "x")
    assert (doc.effective_date, doc.effective_days_after_publication) == (None, 30)
    (doc,) = parse_fr_xml(_rule_xml("This rule is effective 30 days after publication."), "x",
                          publication_date=PUB)
    assert doc.effective_date == date(2026, 2, 14)


def test_a_minimum_of_n_days_is_not_an_exact_date():
    # Real wording (FR Doc. 2024-02813, FERC system of records notice, in ../shared/corpus).
    stated = read_effective("If no public comment is received, the modified system of records will become effective "
                            "a minimum of 30 days after date of publication in the Federal Register.", PUB)
    assert (stated.date, stated.days_after_publication) == (None, None)
    assert "not an exact date" in stated.problems[0]


def test_dates_section_of_public_inspection_text():
    from parsers.dates import dates_section
    text = ("AGENCY: Bureau of Industry and Security, Commerce.\nACTION: Final rule.\nSUMMARY: BIS amends the EAR.\n"
            "DATES: This rule is effective [INSERT DATE OF PUBLICATION IN THE FEDERAL REGISTER].\n"
            "FOR FURTHER INFORMATION CONTACT: Invented Office.\n")
    assert dates_section(text) == "This rule is effective [INSERT DATE OF PUBLICATION IN THE FEDERAL REGISTER]."
    assert dates_section("SUMMARY: nothing about dates.") is None


@pytest.mark.parametrize("text, expected", [
    ("The effective date of the rule amending 15 CFR part 740 published on January 5, 2026, at 91 FR 123, is "
     "delayed until March 3, 2026.", (None, date(2026, 3, 3), None, "91 FR 123", date(2026, 1, 5))),
    ("The effective date for the final rule published January 5, 2026 (91 FR 123), is further delayed to "
     "April 1, 2026.", (None, date(2026, 4, 1), None, "91 FR 123", date(2026, 1, 5))),
    ("As of January 20, 2026, the effective date of FR Doc. 2026-00012 is delayed from February 3, 2026 to "
     "March 3, 2026.", (date(2026, 2, 3), date(2026, 3, 3), "2026-00012", None, None)),
])
def test_delay_wordings(text, expected):
    (change,) = read_effective(text, PUB).changes
    assert (change.old_date, change.new_date, change.document_number, change.citation, change.published) == expected
    assert read_effective(text, PUB).date is None


def test_correction_body_fixing_another_rules_dates_section():
    xml = """<RULE><PREAMB><AGENCY>DEPARTMENT OF COMMERCE</AGENCY><CFR>15 CFR Part 740</CFR>
<SUBJECT>Invented Rule; Correction</SUBJECT><ACT><HD SOURCE="HED">ACTION:</HD><P>Final rule; correction.</P></ACT>
<DATES><HD SOURCE="HED">DATES:</HD><P>Effective January 28, 2026.</P></DATES></PREAMB>
<SUPLINF><P>In rule FR Doc. 2026-00012, appearing on page 123 in the Federal Register of Tuesday, January 20, 2026,
the following correction is made: On page 123, in the first column, in the DATES section, correct
\u201cFebruary 3, 2026\u201d to read \u201cMarch 3, 2026\u201d.</P></SUPLINF>
<FRDOC>[FR Doc. 2026-99902 Filed 1-27-26; 8:45 am]</FRDOC></RULE>""".encode()
    (doc,) = parse_fr_xml(xml, "x")
    assert (doc.corrects, doc.effective_date) == ("2026-00012", date(2026, 1, 28))
    assert [(c.kind, c.document_number, c.old_date, c.new_date) for c in doc.effective_date_changes] == [
        (DateChangeKind.CORRECTION, "2026-00012", date(2026, 2, 3), date(2026, 3, 3))]


def test_correction_saying_the_effective_date_is_corrected():
    (change,) = read_effective("In FR Doc. 2026-00012, published January 20, 2026, the effective date is corrected "
                               "from February 3, 2026 to March 3, 2026.", PUB).changes
    assert (change.kind, change.document_number, change.published, change.old_date, change.new_date) == (
        DateChangeKind.CORRECTION, "2026-00012", date(2026, 1, 20), date(2026, 2, 3), date(2026, 3, 3))


def test_real_comment_period_wording_2016_08636(corpus):
    path = corpus / "fr_xml" / "FR-2016-04-15.fedreg-api-core-fixture.xml"
    if not path.exists():
        pytest.skip(f"{path} absent")
    docs = {d.document_number: d for d in parse_fr_xml(path.read_bytes(), path.name)}
    # "Comments will be accepted on or before May 16, 2016. This proposed action will be effective
    # the day following the end of the comment period unless comments are received ..."
    assert (docs["2016-08636"].effective_date, docs["2016-08636"].effective_problems) == (date(2016, 5, 17), ())
    assert docs["2016-08707"].effective_date == date(2016, 5, 17)   # "the date following the end ..."
    # "FHFA will publish a new notice if the effective date is delayed ..." delays nothing.
    assert (docs["2016-08652"].effective_date, docs["2016-08652"].effective_date_changes) == (date(2016, 5, 25), ())


def test_real_interval_2024_02795(corpus):
    path = corpus / "fr_xml" / "FR-2024-02-12.gpo-bulk.xml"
    if not path.exists():
        pytest.skip(f"{path} absent")
    (doc,) = [d for d in parse_fr_xml(path.read_bytes(), path.name) if d.document_number == "2024-02795"]
    assert (doc.dates_text, doc.effective_date, doc.effective_until) == (
        "Effective February 9, 2024, through December 31, 2024.", date(2024, 2, 9), date(2024, 12, 31))


def test_parse_text_output_names_the_move(corpus):
    from parsers.detect import parse_file, to_text
    path = corpus / "fr_xml" / "FR-2016-04-15.fedreg-api-core-fixture.xml"
    if not path.exists():
        pytest.skip(f"{path} absent")
    text = to_text(*parse_file(path.read_bytes(), path.name))
    assert ("FR Doc. 2016-08776 (RULE) 81 FR 22183 published 2016-04-15 effective -: Title Evidence for Trust Land "
            "Acquisitions\n  delay: effective date of 81 FR 10477 moves from 2016-04-15 to 2016-05-16\n") in text
