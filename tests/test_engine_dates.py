"""Effective dates in the engine: per-instruction dates, the API's effective_on, delay notices.

Each stage is stored as the fetchers store it (``load_stage_direct``: the raw
XML blob plus the API's row) and derived by ``derive()`` on a real SQLite
file. The rules are invented (document numbers 2026-9xxxx, citations 91 FR
2xxx) in the GPO format that ``pipeline.demo.synth`` writes.
"""
from __future__ import annotations

from datetime import date

from pipeline.demo import synth
from pipeline.demo.data.load import load_stage_direct
from pipeline.demo.data.timeline import BIS, D_CODES, Doc, Stage
from pipeline.engine import derive
from store import queries as q
from store.db import open_db

BASE = Stage(date(2026, 1, 6), ((date(2026, 1, 5), synth.ecfr_supplement_xml(synth.default_country_groups(),
                                                                              date(2026, 1, 5))),))
SUDAN = ("Supplement No. 1 to part 740 is amended by removing the entry for \u201cSudan\u201d from "
         "\u201cCountry Group E\u201d.", None)
CAMBODIA = ("Supplement No. 1 to part 740 is amended by revising the entry for \u201cCambodia\u201d in "
            "\u201cCountry Group D\u201d to read as follows:",
            (D_CODES, [("Cambodia", {c: c in ("D:1", "D:5") for c in D_CODES})]))


def rule(number: str, pub: date, api_effective: date, dates: str, instructions, page: int,
         action: str = "Final rule.") -> Doc:
    xml = synth.fr_rule_xml(number, pub, dates, "0694-ZZ99", f"Invented Rule {number}", instructions, page=page,
                            action=action)
    return Doc(number, BIS, f"Invented Rule {number}", pub, api_effective, f"91 FR {page}", xml, 740, "0694-ZZ99")


def run(db, *stages: Stage):
    for stage in stages:
        load_stage_direct(db, stage)
        derive(db, today=stage.today, run_id=None)


def changes(db):
    return [(r["country"], r["group"], r["action"], r["effective_date"], r["status"], r["fr_document"])
            for r in q.list_changes(db)]


def review(db):
    return [(i["document_number"], i["instruction_index"], i["reason"]) for i in q.review_items(db)]


def test_per_instruction_date_splits_the_rule_and_keeps_one_document(tmp_path):
    db = open_db(tmp_path / "t.db")
    doc = rule("2026-90001", date(2026, 1, 15), date(2026, 3, 15),
               "This rule is effective March 15, 2026, except for amendatory instruction 3, which is effective "
               "February 3, 2026.", [SUDAN, CAMBODIA], 2001)
    run(db, BASE, Stage(date(2026, 2, 4), documents=(doc,)))
    assert changes(db) == [
        ("Cambodia", "D:5", "added", "2026-02-03", "in_effect", "2026-90001"),
        ("Sudan", "E:1", "removed", "2026-03-15", "published", "2026-90001")]
    keys = [k for (k,) in db.execute("SELECT change_key FROM changes ORDER BY change_key").fetchall()]
    assert keys == ["Cambodia|D:5|added|fr:2026-90001", "Sudan|E:1|removed|fr:2026-90001"]
    # The API has one date for the document: the instruction's own date disagrees with it, openly.
    assert review(db) == [("2026-90001", 2, "the DATES text makes this instruction effective 2026-02-03, but "
                                            "federalregister.gov's effective_on is 2026-03-15; the text's date is kept")]


def test_text_and_api_disagree_text_wins_and_a_review_item_says_so(tmp_path):
    db = open_db(tmp_path / "t.db")
    doc = rule("2026-90002", date(2026, 1, 15), date(2026, 2, 17), "This rule is effective February 10, 2026.",
               [SUDAN], 2002)
    run(db, BASE, Stage(date(2026, 2, 11), documents=(doc,)))
    assert changes(db) == [("Sudan", "E:1", "removed", "2026-02-10", "in_effect", "2026-90002")]
    assert review(db) == [("2026-90002", None, "the DATES text makes the document effective 2026-02-10, but "
                                               "federalregister.gov's effective_on is 2026-02-17; the text's date is kept")]


def run_without_api_date(db, doc: Doc, today: date) -> None:
    """Store ``doc`` as federalregister.gov serves a rule with an empty effective_on, and derive.

    load_stage_direct always writes the API's effective_on, so it is emptied after storing.
    """
    load_stage_direct(db, BASE)
    load_stage_direct(db, Stage(today, documents=(doc,)))
    db.execute("UPDATE fr_documents SET effective_on = NULL WHERE document_number = ?", [doc.number])
    derive(db, today=today, run_id=None)


def test_relative_date_is_counted_from_the_stored_publication_date(tmp_path):
    db = open_db(tmp_path / "t.db")
    doc = rule("2026-90005", date(2026, 1, 15), date(2026, 2, 14), "This rule is effective 30 days after "
               "publication.", [SUDAN], 2005)
    run_without_api_date(db, doc, date(2026, 1, 16))
    assert changes(db) == [("Sudan", "E:1", "removed", "2026-02-14", "published", "2026-90005")]
    assert db.execute("SELECT effective_date FROM fr_documents WHERE document_number = '2026-90005'").fetchone() == (
        "2026-02-14",)
    assert review(db) == []


COMMENT_END = "This rule is effective on the day following the end of the comment period."


def test_unknown_comment_period_end_gets_no_guessed_date(tmp_path):
    db = open_db(tmp_path / "t.db")
    doc = rule("2026-90006", date(2026, 1, 15), date(2026, 1, 15), COMMENT_END, [SUDAN], 2006)
    run_without_api_date(db, doc, date(2026, 1, 16))
    assert changes(db) == []   # not the publication date
    assert review(db) == [("2026-90006", None, "effective date: effective on the day following the end of the "
                                               "comment period, but the DATES text states no end of the comment period")]


def test_unknown_comment_period_end_with_an_api_date_uses_it_openly(tmp_path):
    db = open_db(tmp_path / "t.db")
    doc = rule("2026-90006", date(2026, 1, 15), date(2026, 2, 20), COMMENT_END, [SUDAN], 2006)
    run(db, BASE, Stage(date(2026, 1, 16), documents=(doc,)))
    assert changes(db) == [("Sudan", "E:1", "removed", "2026-02-20", "published", "2026-90006")]
    ((_n, _i, reason),) = review(db)
    assert reason.endswith("; federalregister.gov's effective_on 2026-02-20 is used")


DELAYED = rule("2026-90003", date(2026, 1, 20), date(2026, 2, 3), "This rule is effective February 3, 2026.",
               [SUDAN], 2003)
NOTICE = rule("2026-90004", date(2026, 1, 30), date(2026, 1, 30),
              "The effective date of the final rule published January 20, 2026 (91 FR 2003) is delayed from "
              "February 3, 2026 to March 3, 2026.", [], 2404, action="Final rule; delay of effective date.")
MOVED = "effective date moved from 2026-02-03 to 2026-03-03 by FR Doc. 2026-90004"


def test_delay_notice_moves_the_stored_rules_change_and_keeps_its_history(tmp_path):
    db = open_db(tmp_path / "t.db")
    run(db, BASE, Stage(date(2026, 1, 21), documents=(DELAYED,)))
    assert changes(db) == [("Sudan", "E:1", "removed", "2026-02-03", "published", "2026-90003")]
    run(db, Stage(date(2026, 1, 31), documents=(NOTICE,)))
    assert changes(db) == [("Sudan", "E:1", "removed", "2026-03-03", "published", "2026-90003")]
    cid = q.list_changes(db)[0]["id"]
    assert [(h["status"], h["note"]) for h in q.status_history(db, cid)] == [("published", None), ("published", MOVED)]
    # Past the old date the change is not in effect; past the new one it is.
    run(db, Stage(date(2026, 2, 4)))
    assert changes(db)[0][3:5] == ("2026-03-03", "published")
    run(db, Stage(date(2026, 3, 4)))
    assert changes(db)[0][3:5] == ("2026-03-03", "in_effect")
    assert [h["note"] for h in q.status_history(db, cid)] == [None, MOVED, "was published"]   # logged once
    assert review(db) == []


def test_delay_notice_stored_with_its_rule_in_one_run_logs_the_move_too(tmp_path):
    db = open_db(tmp_path / "t.db")
    run(db, BASE, Stage(date(2026, 1, 31), documents=(DELAYED, NOTICE)))
    assert changes(db) == [("Sudan", "E:1", "removed", "2026-03-03", "published", "2026-90003")]
    cid = q.list_changes(db)[0]["id"]
    assert [h["note"] for h in q.status_history(db, cid)] == [None, MOVED]
    derive(db, today=date(2026, 1, 31), run_id=None)   # a rerun adds nothing
    assert [h["note"] for h in q.status_history(db, cid)] == [None, MOVED]


def test_delay_notice_found_by_publication_date_part_and_agency(tmp_path):
    db = open_db(tmp_path / "t.db")
    notice = rule("2026-90007", date(2026, 1, 30), date(2026, 1, 30),
                  "The effective date of the final rule published January 20, 2026 is delayed from February 3, "
                  "2026 to March 3, 2026.", [], 2407, action="Final rule; delay of effective date.")
    run(db, BASE, Stage(date(2026, 1, 31), documents=(DELAYED, notice)))
    assert changes(db)[0][3] == "2026-03-03"


def test_delay_notice_for_a_rule_not_stored_is_a_review_item_on_the_notice(tmp_path):
    db = open_db(tmp_path / "t.db")
    run(db, BASE, Stage(date(2026, 1, 31), documents=(NOTICE,)))
    assert changes(db) == []
    assert review(db) == [("2026-90004", None, "moves the effective date of a rule frtrack has not stored "
                                               "(named by 91 FR 2003, published 2026-01-20)")]


def test_public_inspection_placeholder_date_is_counted_from_the_scheduled_publication(tmp_path):
    from pipeline.demo.data.timeline import PIDoc
    db = open_db(tmp_path / "t.db")
    text = ("SUMMARY: BIS removes Sudan from Country Group E:1.\n"
            "DATES: This rule is effective [INSERT DATE 30 DAYS AFTER DATE OF PUBLICATION IN THE FEDERAL "
            "REGISTER].\nFOR FURTHER INFORMATION CONTACT: Invented Office, (202) 555-0100.\n")
    pi = PIDoc("2026-90008", BIS, "Invented Rule 2026-90008", "2026-01-14T08:45:00-05:00", date(2026, 1, 15), text)
    run(db, BASE, Stage(date(2026, 1, 14), public_inspection=(pi,)))
    assert changes(db) == [("Sudan", "E:1", "removed", "2026-02-14", "announced", None)]


def test_reparse_after_a_delay_reproduces_the_moved_change_and_its_log(tmp_path):
    db = open_db(tmp_path / "t.db")
    run(db, BASE, Stage(date(2026, 1, 21), documents=(DELAYED,)), Stage(date(2026, 1, 31), documents=(NOTICE,)))
    def content():
        return (db.execute("SELECT change_key, effective_date, status FROM changes ORDER BY id").fetchall(),
                db.execute("SELECT change_id, status, note FROM change_status_log ORDER BY id").fetchall())
    before = content()
    db.execute("UPDATE fr_documents SET parse_status = 'pending'")
    derive(db, today=date(2026, 1, 31), run_id=None, everything=True)
    assert content() == before
    assert before[0] == [("Sudan|E:1|removed|fr:2026-90003", "2026-03-03", "published")]


def test_correction_of_the_dates_section_moves_the_corrected_rules_change(tmp_path):
    db = open_db(tmp_path / "t.db")
    fix = ("In rule FR Doc. 2026-90003, appearing on page 2003 in the Federal Register of Tuesday, January 20, "
           "2026, in the DATES section, correct \u201cFebruary 3, 2026\u201d to read \u201cMarch 3, 2026\u201d.")
    correction = rule("2026-90009", date(2026, 1, 28), date(2026, 1, 28), "Effective January 28, 2026.",
                      [(fix, None)], 2409, action="Final rule; correction.")
    run(db, BASE, Stage(date(2026, 1, 29), documents=(DELAYED, correction)))
    assert changes(db) == [("Sudan", "E:1", "removed", "2026-03-03", "published", "2026-90003")]
    cid = q.list_changes(db)[0]["id"]
    assert [h["note"] for h in q.status_history(db, cid)] == [
        None, "effective date moved from 2026-02-03 to 2026-03-03 by FR Doc. 2026-90009"]
