"""The digest's content: window rules, watchlists, both parts, goldens, escaping, the CLI.

Dates are frozen by passing ``today`` (the seeded data is the Cambodia story
as the real pipeline stores it, tests/seed.py). Goldens:
tests/fixtures/golden/digest.{txt,html}, the digest of the seeded database for
today=2026-02-24 and a window from 2026-02-01; regenerate with
``FRTRACK_REGEN_GOLDEN=1 python -m pytest tests/test_digest.py -k golden`` and
read the diff (tests/fixtures/README.md, "The test seed").
"""
from __future__ import annotations

import email
import email.policy
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from lxml import etree

from parsers.lifecycle import ChangeStatus
from pipeline.config import Digest, Recipient, Settings
from pipeline.publish import mail
from pipeline.publish.digest import PLACEHOLDER, Window, build_digest, digest_command, render_digest, write_demo_digest
from store.db import open_db
from tests.seed import run_offline

GOLDEN = Path(__file__).parent / "fixtures" / "golden"
CAMBODIA = ("Cambodia: removed from D:5 (U.S. Arms Embargoed Countries), effective 2026-02-03, "
            "FR Doc. 2026-02262")
# the document's html_url as the federalregister.gov API gives it (tests/seed.py serves the API's form)
CAMBODIA_URL = ("https://www.federalregister.gov/documents/2026/02/04/2026-02262/"
                "conforming-change-to-the-export-administration-regulations-for-cambodia")
FEB8 = date(2026, 2, 8)        # default window 2026-02-01 .. 2026-02-07
FEB24 = date(2026, 2, 24)
WIDE = Window.for_run(FEB24, 7, since=date(2026, 2, 1))   # 2026-02-01 .. 2026-02-23
XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def html_text(html: str) -> str:
    """The HTML part's visible text, whitespace collapsed (what a reader sees)."""
    root = etree.fromstring(html.encode("utf-8"), XML)
    return " ".join("".join(root.itertext()).split())


def summaries(data) -> list[str]:
    return [c.headline for c in data.changes]


# --- window rules -----------------------------------------------------------------

def test_default_window_is_the_seven_days_before_today():
    w = Window.for_run(FEB8)
    assert (w.start, w.end) == (date(2026, 2, 1), date(2026, 2, 7))
    assert w.contains("2026-02-07T23:59:00+00:00") and not w.contains("2026-02-08")


def test_window_holds_changes_effective_in_it_and_lists_later_ones_as_pending(seeded_db):
    data = build_digest(seeded_db, Settings(), Window.for_run(FEB8), FEB8)
    assert summaries(data) == ["Cambodia removed from D:5"]
    assert [c.facts for c in data.changes] == [CAMBODIA]
    # effective after today: pending, in effective-date order, not counted as this week's news
    assert [c.headline for c in data.pending] == ["Venezuela added to E:2", "Laos added to D:5"]
    assert data.subject == "frtrack: 1 country-group change — Cambodia removed from D:5"


def test_wide_window_groups_changes_by_status_in_lifecycle_order(seeded_db):
    data = build_digest(seeded_db, Settings(), WIDE, FEB24)
    assert [(st, [c.country for c in lines]) for st, _, lines in data.by_status] == [
        (ChangeStatus.CONFIRMED, ["Cambodia"]), (ChangeStatus.CONTRADICTED, ["Venezuela"])]
    assert data.subject == "frtrack: 2 country-group changes — Cambodia removed from D:5, +1 more"
    assert [c.headline for c in data.pending] == ["Laos added to D:5"]
    # Cyprus: BIS took it out of D:5 in 2024, 126.1 keeps it; Cambodia's divergence closed on 2026-02-03
    assert [d.facts for d in data.divergences] == [
        "Cyprus: in ITAR § 126.1, not in EAR D:5 since 2024-05-30 (BIS (EAR) moved first)"]
    # 2026-02262 and 2099-90102 are cited by a listed change; the SAMPLE rule frtrack cannot read is not
    assert [d.document_number for d in data.documents] == ["2099-90101"]
    assert [(h.source, h.failing) for h in data.health] == [
        ("ecfr", True), ("federal_register", False), ("public_inspection", False)]


def test_an_ecfr_change_without_its_rule_is_listed_as_unattributed(seeded_db):
    # the seed leaves out Belarus's rule 2022-04819: the eCFR of 2022-03-02 shows the change alone
    day = date(2022, 3, 16)
    data = build_digest(seeded_db, Settings(), Window.for_run(day), day)
    assert [(st, [c.headline for c in lines]) for st, _, lines in data.by_status] == [
        (ChangeStatus.UNATTRIBUTED, ["Belarus removed from A:4"])]
    r = render_digest(data, PLACEHOLDER)
    line = ("- Belarus: removed from A:4 (Nuclear Suppliers Group), effective 2022-03-02, "
            "seen in the eCFR of 2022-03-02\n")
    assert "== Country Groups ==\nIn the eCFR with no FR document found:\n" + line in r.text
    assert line[2:-1] in html_text(r.html)


def test_a_change_touched_in_the_window_is_included_whatever_its_effective_date(seeded_db):
    # Venezuela's change took effect 02-20 and was moved to contradicted by the run of 02-23 (updated_at):
    # the week 02-22..02-28 holds it for that move, though its effective date lies before the window
    data = build_digest(seeded_db, Settings(), Window(date(2026, 2, 22), date(2026, 2, 28)), date(2026, 3, 1))
    assert summaries(data) == ["Venezuela added to E:2", "Laos added to D:5"]
    assert data.pending == ()
    # ... and the week of its effective date holds it too; the week after 02-28 does not: touched before it
    before = build_digest(seeded_db, Settings(), Window(date(2026, 2, 14), date(2026, 2, 20)), date(2026, 2, 21))
    assert summaries(before) == ["Venezuela added to E:2"]
    after = build_digest(seeded_db, Settings(), Window(date(2026, 3, 3), date(2026, 3, 9)), date(2026, 3, 10))
    assert summaries(after) == [] and after.pending == ()


def test_sources_that_never_succeeded_say_so_in_the_health_part(tmp_path):
    run_offline(tmp_path / "offline.db")
    db = open_db(tmp_path / "offline.db")
    day = date(2026, 2, 25)
    r = render_digest(build_digest(db, Settings(), Window.for_run(day), day), PLACEHOLDER)
    db.close()
    assert ("== Source health ==\n- ecfr: FAILING — never succeeded; last error: not tried: 127.0.0.1:9 refused 1"
            " attempt by federal_register earlier in this run\n- federal_register: FAILING — never succeeded; last"
            " error: connection refused by 127.0.0.1:9\n") in r.text
    assert "federal_register: FAILING — never succeeded; last error: connection refused by 127.0.0.1:9" in html_text(r.html)


def test_empty_week_says_so(seeded_db):
    day = date(2026, 1, 10)
    data = build_digest(seeded_db, Settings(), Window.for_run(day), day)
    assert data.is_empty and data.count == 0
    assert data.subject == "frtrack: no changes (week of 2026-01-03)"
    r = render_digest(data, PLACEHOLDER)
    quiet = ("No changes in this window in any list (Country Groups none, § 744.21 not tracked,"
             " § 744.22 not tracked, Entity List not tracked).")
    assert quiet in r.text and quiet in html_text(r.html)
    # every list has its section: a stored list says it had no change, a list with nothing stored that it
    # is not tracked (never "no change": nothing is known of it)
    assert "\n== Country Groups ==\nNo change in this window.\n" in r.text
    for name, title in (("§ 744.21", "§ 744.21 (military end use / end user)"),
                        ("§ 744.22", "§ 744.22 (military-intelligence end use / end user)"),
                        ("Entity List", "Entity List")):
        line = f"{name}: not tracked in this database (no version stored)"
        assert f"\n== {title} ==\n{line}\n" in r.text, title
        assert line in html_text(r.html)
    assert html_text(r.html).count("No change in this window.") == 1


UNREAD = ("Supplement No. 1 to part 740 is amended by transferring the entry for \"Somalia\" from "
          "\"Country Group D\" to a new Country Group D:6.")


def test_review_items_and_other_documents_of_the_window_are_listed(seeded_db):
    # the seed's SAMPLE 2099-90101 (2026-02-11) has wording frtrack cannot read: a review item, and a
    # document no change cites; two more documents of the week are added here: one on part 744, one
    # from an agency nobody watches
    _insert_doc(seeded_db, "2099-90201", "SAMPLE: Entity List Additions", "2026-02-12", parts=[744])
    _insert_doc(seeded_db, "2099-90202", "SAMPLE: Unrelated Commerce Notice", "2026-02-12",
                agencies=["census-bureau"], parts=[30])
    day = date(2026, 2, 15)
    data = build_digest(seeded_db, Settings(), Window.for_run(day), day)
    assert summaries(data) == ["Cambodia removed from D:5"]     # moved to confirmed by the run of 02-09
    assert [(r.document_number, r.text, r.reason) for r in data.review] == [
        ("2099-90101", UNREAD, "unrecognized amendment wording")]
    # the Census notice is not a watched agency
    assert [d.document_number for d in data.documents] == ["2099-90101", "2099-90201"]
    r = render_digest(data, PLACEHOLDER)
    for text in (r.text, html_text(r.html)):
        assert ("2026-02-11 Rule: SAMPLE (invented for frtrack's tests, not a real FR document): Country Group D "
                "Reorganization, FR Doc. 2099-90101") in text
        assert "2026-02-12 Rule: SAMPLE: Entity List Additions, FR Doc. 2099-90201" in text
        assert UNREAD in text
    # the week before holds neither: the document and its review item are of 2026-02-11
    quiet = build_digest(seeded_db, Settings(), Window.for_run(FEB8), FEB8)
    assert quiet.review == () and quiet.documents == ()


# --- watchlists ---------------------------------------------------------------------

def test_watchlists_narrow_each_part_of_the_digest(seeded_db):
    _insert_doc(seeded_db, "2099-90201", "SAMPLE: Entity List Additions", "2026-02-06", parts=[744],
                doc_type="Rule")
    _insert_doc(seeded_db, "2099-90203", "SAMPLE: Request for comments on licensing", "2026-02-10", parts=[740],
                doc_type="Proposed Rule")
    full = build_digest(seeded_db, Settings(), WIDE, FEB24)
    venezuela = full.for_recipient(Recipient("a@example.com", countries=("venezuela",)))
    assert summaries(venezuela) == ["Venezuela added to E:2"] and venezuela.divergences == ()
    assert venezuela.subject == "frtrack: 1 country-group change — Venezuela added to E:2"
    d5 = full.for_recipient(Recipient("b@example.com", groups=("d:5",)))
    assert summaries(d5) == ["Cambodia removed from D:5"]
    assert [c.country for c in d5.pending] == ["Laos"] and [v.country for v in d5.divergences] == ["Cyprus"]
    cyprus = full.for_recipient(Recipient("g@example.com", countries=("Cyprus",)))
    assert cyprus.count == 0 and [v.country for v in cyprus.divergences] == ["Cyprus"]
    part744 = full.for_recipient(Recipient("c@example.com", cfr_parts=("744",)))
    assert [d.document_number for d in part744.documents] == ["2099-90201"]
    prorule = full.for_recipient(Recipient("d@example.com", document_types=("PRORULE",)))
    assert [d.document_number for d in prorule.documents] == ["2099-90203"]
    nothing = full.for_recipient(Recipient("e@example.com", countries=("Canada",)))
    assert nothing.count == 0 and nothing.subject.startswith("frtrack: no changes")
    assert full.for_recipient(Recipient("f@example.com")) == full


# --- both parts -------------------------------------------------------------------------

def test_both_parts_carry_the_cambodia_line(seeded_db):
    r = render_digest(build_digest(seeded_db, Settings(), Window.for_run(FEB8), FEB8), PLACEHOLDER)
    assert f"- {CAMBODIA}\n  {CAMBODIA_URL}\n" in r.text
    assert CAMBODIA in html_text(r.html)
    assert f'<a href="{CAMBODIA_URL}"' in r.html


@pytest.mark.parametrize("part", ["txt", "html"])
def test_golden(seeded_db, part):
    r = render_digest(build_digest(seeded_db, Settings(), WIDE, FEB24), PLACEHOLDER)
    got = r.text if part == "txt" else r.html
    path = GOLDEN / f"digest.{part}"
    if os.environ.get("FRTRACK_REGEN_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8"), f"{path} differs; FRTRACK_REGEN_GOLDEN=1 rewrites it"


# --- the other lists (issue 15), over the lists world (tests/test_e2e_lists.py, built by the pipeline) ----------

LISTS_WINDOW = Window(date(2099, 2, 1), date(2099, 3, 8))
LISTS_TODAY = date(2099, 3, 9)


@pytest.mark.parametrize("part", ["txt", "html"])
def test_golden_with_every_list(lists_db, part):
    r = render_digest(build_digest(lists_db, Settings(), LISTS_WINDOW, LISTS_TODAY), PLACEHOLDER)
    got = r.text if part == "txt" else r.html
    path = GOLDEN / f"digest_lists.{part}"
    if os.environ.get("FRTRACK_REGEN_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8"), f"{path} differs; FRTRACK_REGEN_GOLDEN=1 rewrites it"


def _sections(text: str) -> dict[str, str]:
    return {part.split(" ==\n", 1)[0]: part.split(" ==\n", 1)[1] for part in text.split("\n== ")[1:]}


def test_a_section_per_list_and_no_change_where_a_list_was_quiet(lists_db):
    data = build_digest(lists_db, Settings(), LISTS_WINDOW, LISTS_TODAY)
    assert [(lst, n) for lst, _, n, _ in data.by_list] == [
        ("country_groups", 0), ("744.21", 0), ("744.22", 0), ("entity_list", 6)]
    assert data.subject == ("frtrack: 6 Entity List changes — Entity List: Example Photonics Co., Ltd. (SAMPLE)"
                            " (China (PRC)) added, +5 more")
    titled = _sections(render_digest(data, PLACEHOLDER).text)
    for quiet in ("Country Groups", "§ 744.21 (military end use / end user)",
                  "§ 744.22 (military-intelligence end use / end user)"):
        assert titled[quiet].startswith("No change in this window."), quiet
    assert titled["Entity List"].splitlines()[:2] == [
        "Confirmed by the eCFR:",
        "- China (PRC): Entity List entry \u201cExample Photonics Co., Ltd. (SAMPLE)\u201d added, effective 2099-02-09,"
        " FR Doc. 2099-90011"]
    assert ("- Iran: Entity List entry \u201cImaginary Drone Works (SAMPLE)\u201d revised (aliases, license review"
            " policy, citations), effective 2099-03-02, FR Doc. 2099-90013") in titled["Entity List"]
    assert ("- Russia: Entity List entry \u201cSample Microwave Trading LLC (SAMPLE)\u201d added (moved from Armenia),"
            " effective 2099-03-02, FR Doc. 2099-90014") in titled["Entity List"]


def test_sections_and_groups_of_one_rule_each_in_their_list(lists_db):
    window = Window(date(2099, 4, 1), date(2099, 4, 8))
    data = build_digest(lists_db, Settings(), window, date(2099, 4, 9))
    assert [(lst, n) for lst, _, n, _ in data.by_list] == [
        ("country_groups", 3), ("744.21", 1), ("744.22", 1), ("entity_list", 0)]
    assert data.subject == ("frtrack: 5 changes (Country Groups 3, § 744.21 1, § 744.22 1) — Nicaragua removed"
                            " from B, +4 more")
    titled = _sections(render_digest(data, PLACEHOLDER).text)
    assert titled["§ 744.21 (military end use / end user)"].splitlines()[:2] == [
        "Confirmed by the eCFR:",
        "- Nicaragua: added to § 744.21 (military end use / end user), effective 2099-04-06, FR Doc. 2099-90016"]
    assert titled["Entity List"].startswith("No change in this window.")


def test_a_country_watchlist_covers_every_list_and_groups_only_country_groups(lists_db):
    full = build_digest(lists_db, Settings(), Window(date(2099, 2, 1), date(2099, 4, 8)), date(2099, 4, 9))
    russia = full.for_recipient(Recipient("a@example.com", countries=("Russia",)))
    assert summaries(russia) == ["Entity List: Fictitious Avionics OOO (SAMPLE) (Russia) removed",
                                 "Entity List: Sample Microwave Trading LLC (SAMPLE) (Russia) added"]
    nicaragua = full.for_recipient(Recipient("b@example.com", countries=("Nicaragua",)))
    assert summaries(nicaragua) == ["Nicaragua removed from B", "Nicaragua added to D:1", "Nicaragua added to D:5",
                                    "Nicaragua added to § 744.21", "Nicaragua added to § 744.22"]
    # groups alone watch Country Groups; beside countries they narrow only the Country Group changes
    d5 = full.for_recipient(Recipient("c@example.com", groups=("D:5",)))
    assert summaries(d5) == ["Nicaragua added to D:5"]
    both = full.for_recipient(Recipient("d@example.com", countries=("Nicaragua",), groups=("D:5",)))
    assert summaries(both) == ["Nicaragua added to D:5", "Nicaragua added to § 744.21", "Nicaragua added to § 744.22"]


def test_html_is_well_formed_and_self_contained(seeded_db):
    _insert_doc(seeded_db, "2099-90201", "SAMPLE: Entity List Additions", "2026-02-06", parts=[744])
    site = "https://frtrack.example.org/"
    settings = Settings(digest=Digest(site_url=site))
    html = render_digest(build_digest(seeded_db, settings, WIDE, FEB24), PLACEHOLDER).html
    root = etree.fromstring(html.encode("utf-8"), XML)      # strict XML: raises on any malformation
    ns = "{http://www.w3.org/1999/xhtml}"
    tags = {el.tag.replace(ns, "") for el in root.iter() if isinstance(el.tag, str)}
    assert not tags & {"script", "img", "link", "style", "iframe", "object", "embed", "form", "base"}
    assert root.find(f".//{ns}meta[@name='color-scheme']").get("content") == "light dark"
    hrefs = []
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        assert "src" not in el.attrib and "background" not in el.attrib
        assert "url(" not in el.get("style", "")
        assert not any(k.lower().startswith("on") for k in el.attrib)
        if "href" in el.attrib:
            hrefs.append(el.get("href"))
    allowed = ("https://www.federalregister.gov/", "https://www.ecfr.gov/", site)
    assert hrefs and all(h.startswith(allowed) for h in hrefs), hrefs
    assert site in hrefs
    # phone-readable: one column capped in width
    assert "max-width:640px" in html


def test_hostile_titles_are_escaped_and_cannot_inject_headers(seeded_db):
    evil_title = "<script>alert(1)</script> Export rule\r\nBcc: victim@example.net"
    _insert_doc(seeded_db, "2099-90600", evil_title, "2026-02-05")
    with seeded_db.atomic():
        seeded_db.execute("INSERT INTO changes (change_key, country, group_code, action, effective_date, status,"
                          " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                          ["evil|D:5|added|ecfr:2026-02-01", "Aland\r\nBcc: victim@example.net", "D:5", "added",
                                                      "2026-02-01", "unattributed", "2026-02-05", "2026-02-05"])
    data = build_digest(seeded_db, Settings(), Window.for_run(FEB8), FEB8)
    r = render_digest(data, PLACEHOLDER)
    assert "<script" not in r.html and "&lt;script&gt;alert(1)&lt;/script&gt; Export rule Bcc:" in r.html
    etree.fromstring(r.html.encode("utf-8"), XML)
    assert "<script>alert(1)</script> Export rule Bcc: victim@example.net, FR Doc. 2099-90600" in r.text
    msg = mail.build_message(Settings(), PLACEHOLDER, r)
    raw = msg.as_bytes()
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    assert parsed["Bcc"] is None
    assert parsed["Subject"] == "frtrack: 2 country-group changes — Aland Bcc: victim@example.net added to D:5, +1 more"
    head = raw.split(b"\n\n", 1)[0]
    assert not any(line.lower().startswith(b"bcc") for line in head.splitlines())


# --- entry points -------------------------------------------------------------------------

def test_out_without_recipients_writes_one_placeholder_message(seeded_db, tmp_path):
    report = digest_command(Settings(), seeded_db, since=None, out=str(tmp_path / "d.eml"), send=False, today=FEB8)
    assert report.ok and report.summary() == f"wrote {tmp_path / 'd.eml'} (1 message, 1 change)"
    msg = email.message_from_bytes((tmp_path / "d.eml").read_bytes(), policy=email.policy.default)
    assert msg["To"] == "frtrack user <digest@localhost>"
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert CAMBODIA in msg.get_body(("plain",)).get_content()
    # writing a file is not sending: the ledger stays empty
    assert seeded_db.execute("SELECT COUNT(*) FROM digests_sent").fetchone()[0] == 0


def test_out_with_recipients_writes_one_file_each_filtered(seeded_db, tmp_path):
    settings = Settings(recipients=(Recipient("a@example.com", countries=("Venezuela",)),
                                    Recipient("b@example.com", groups=("D:5",))))
    report = digest_command(settings, seeded_db, since=date(2026, 2, 1), out=str(tmp_path / "w.eml"), send=False,
                            today=FEB24)
    assert [p.name for p in report.written] == ["w-a@example.com.eml", "w-b@example.com.eml"]
    subjects = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["Subject"]
                for p in report.written]
    assert subjects == ["frtrack: 1 country-group change — Venezuela added to E:2",
                        "frtrack: 1 country-group change — Cambodia removed from D:5"]


def test_send_empty_false_writes_nothing_in_an_empty_week(seeded_db, tmp_path):
    settings = Settings(digest=Digest(send_empty=False))
    report = digest_command(settings, seeded_db, since=None, out=str(tmp_path / "e.eml"), send=False,
                            today=date(2026, 1, 10))
    assert report.ok and report.written == [] and not (tmp_path / "e.eml").exists()
    assert "send_empty = false" in report.summary()


def test_demo_digest(seeded_db, tmp_path):
    path = write_demo_digest(seeded_db, tmp_path / "demo" / "digest.eml", FEB8)
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert msg["Subject"] == "frtrack: 1 country-group change — Cambodia removed from D:5"
    assert CAMBODIA in html_text(msg.get_body(("html",)).get_content())


def test_cli_digest_out(seeded_db_path, tmp_path):
    env = {**os.environ, "FRTRACK_TODAY": "2026-02-08"}
    env.pop("FRTRACK_CONFIG", None)
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "--db", str(seeded_db_path), "digest",
                           "--out", "x.eml"], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "wrote x.eml (1 message, 1 change)"
    msg = email.message_from_bytes((tmp_path / "x.eml").read_bytes(), policy=email.policy.default)
    assert CAMBODIA in msg.get_body(("plain",)).get_content()


def _insert_doc(db, number: str, title: str, pub: str, *, agencies=("industry-and-security-bureau",),
                parts=(740,), doc_type: str = "Rule") -> None:
    with db.atomic():
        db.execute("INSERT INTO fr_documents (document_number, doc_type, title, publication_date, agencies,"
                   " cfr_references, parse_status, updated_at) VALUES (?,?,?,?,?,?,?,?)",
                   [number, doc_type, title, pub, json.dumps(list(agencies)),
                    json.dumps([{"title": 15, "part": p} for p in parts]), "ok", "2026-02-24T12:00:00+00:00"])
