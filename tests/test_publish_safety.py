"""Issue 12 in what goes out: withdrawn changes, divergence kinds and suspect eCFR versions.

The seeded database (tests/seed.py) gets one row of each new kind, written as
the engine writes them; the digest, ``frtrack status``, ``frtrack divergences``
and the site must each show it for what it is.
"""
from __future__ import annotations

import json
from datetime import UTC, date

import pytest
from click.testing import CliRunner
from lxml import html

from pipeline.cli import cli
from pipeline.config import Settings
from pipeline.publish.digest import PLACEHOLDER, Window, build_digest, render_digest
from pipeline.publish.site import render_site
from pipeline.status import build_status, format_status
from tests.test_digest import html_text

FEB24 = date(2026, 2, 24)
NOW = "2026-02-24T12:00:00+00:00"
SUSPECT = "the whole of Country Group D disappears (45 memberships) and no FR rule explains it"


@pytest.fixture
def db(seeded_db):
    with seeded_db.atomic():
        cur = seeded_db.execute(
            "INSERT INTO changes (key, country, grp, action, effective_date, status, fr_document, ecfr_version,"
            " created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            ["Cambodia|D:1|added|fr:2026-02262", "Cambodia", "D:1", "added", "2026-02-03", "withdrawn",
             "2026-02262", None, "2026-02-05T10:00:00+00:00", "2026-02-10T10:00:00+00:00"])
        for status, note in (("in_effect", None), ("withdrawn", "was in_effect; no longer derived")):
            seeded_db.execute("INSERT INTO change_status_log (change_id, status, at, note) VALUES (?,?,?,?)",
                              [cur.lastrowid, status, NOW, note])
        for row in (["Cyprus", "itar_only", "standing", "unknown", "2021-01-04", None, "ecfr:2021-01-04", None],
                    ["Nicaragua", "ear_only", "pending", "ear", "2026-03-15", None, "fr:2026-03001", None]):
            seeded_db.execute("INSERT INTO divergences (country, side, kind, moved_first, opened_on, closed_on,"
                              " opened_by, closed_by) VALUES (?,?,?,?,?,?,?,?)", row)
        seeded_db.execute("UPDATE ecfr_versions SET suspect = ? WHERE date = '2026-02-11'", [SUSPECT])
        seeded_db.execute("INSERT INTO review_items (document_number, instruction_index, text, reason, created_at,"
                          " subject) VALUES (?,?,?,?,?,?)",
                          ["ecfr:2026-02-11", None, "15 CFR Supplement No. 1 to Part 740 as of 2026-02-11",
                           f"held as a suspect version: {SUSPECT}", "2026-02-12T10:00:00+00:00", "ecfr_version"])
    return seeded_db


def test_digest_lists_withdrawn_changes_apart_and_does_not_count_them(db):
    data = build_digest(db, Settings(), Window.for_run(FEB24, 7, since=date(2026, 2, 1)), FEB24)
    assert [c.headline for c in data.withdrawn] == ["Cambodia added to D:1"]
    assert "Cambodia added to D:1" not in [c.headline for c in data.news]
    assert data.subject == "frtrack: 3 country-group changes — Cambodia removed from D:5, +2 more (1 withdrawn)"
    r = render_digest(data, PLACEHOLDER)
    for text in (r.text, html_text(r.html)):
        assert "Withdrawn (reported before, no longer derived from the sources)" in text
        assert "Cambodia: added to D:1" in text
    assert text.index("Withdrawn (reported") > text.index("In the eCFR with no FR document found")
    assert "Cambodia added to D:1" not in [c.headline for c in data.pending]


def test_digest_shows_open_pending_and_standing_divergences_apart_and_suspect_versions(db):
    data = build_digest(db, Settings(), Window.for_run(FEB24, 7, since=date(2026, 2, 1)), FEB24)
    r = render_digest(data, PLACEHOLDER)
    for text in (r.text, html_text(r.html)):
        assert "Open D:5 / ITAR 126.1 divergences" in text
        assert ("Pending D:5 / ITAR 126.1 divergences (begin on a future date)" in text and
                "Nicaragua: in EAR D:5 but not in ITAR 126.1 from 2026-03-15 (pending: begins when FR Doc. "
                "2026-03001 takes effect)" in text)
        assert ("Cyprus: in ITAR 126.1 but not in EAR D:5, standing since the first compared versions "
                "(2021-01-04)") in text
        assert f"eCFR version of 2026-02-11: {SUSPECT}" in text
    # the standing difference is not an open alert
    assert [d.country for d in data.divergences_of("open")] == ["Haiti"]
    # the eCFR review item is not "amendment wording"
    assert all(not rv.document_number.startswith("ecfr:") for rv in data.review)


def test_status_shows_pending_standing_and_suspect_versions(db):
    from datetime import datetime
    report = build_status(db, now=datetime(2026, 2, 24, 12, tzinfo=UTC))
    assert [d["country"] for d in report["open_divergences"]] == ["Haiti"]
    assert [d["country"] for d in report["pending_divergences"]] == ["Nicaragua"]
    assert [d["country"] for d in report["standing_divergences"]] == ["Cyprus"]
    assert report["suspect_versions"] == [{"unit": "15 CFR Supplement No. 1 to Part 740", "date": "2026-02-11",
                                           "reason": SUSPECT}]
    lines = format_status(report).splitlines()
    assert "  Nicaragua: ear_only from 2026-03-15 (pending)" in lines
    assert "  Cyprus: itar_only since 2021-01-04 (standing)" in lines
    assert f"  15 CFR Supplement No. 1 to Part 740 as of 2026-02-11: {SUSPECT}" in lines


def test_divergences_command_text_and_json(db, seeded_db_path):
    out = CliRunner().invoke(cli, ["--db", str(seeded_db_path), "divergences"])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines() == [
        "Open:",
        "  Haiti: in 126.1 but not in D:5 from 2026-02-18 (State moved first: 126.1 version of 2026-02-18; still open)",
        "Pending (begin on a future date):",
        "  Nicaragua: in D:5 but not in 126.1 from 2026-03-15 (pending: begins when FR Doc. 2026-03001 takes effect)",
        "Standing (since the first compared versions):",
        "  Cyprus: in 126.1 but not in D:5, standing since the first compared versions (2021-01-04)",
        "Closed:",
        "  Cambodia: in D:5 but not in 126.1 from 2025-11-07 to 2026-02-03 (State moved first: FR Doc. 2025-19822;"
        " closed by FR Doc. 2026-02262)",
    ]
    rows = json.loads(CliRunner().invoke(cli, ["--db", str(seeded_db_path), "divergences", "--json"]).output)
    assert [(r["country"], r["kind"]) for r in rows] == [
        ("Cyprus", "standing"), ("Cambodia", "closed"), ("Haiti", "open"), ("Nicaragua", "pending")]
    assert set(rows[0]) == {"country", "side", "kind", "since", "until", "opened_by", "closed_by"}


def test_site_shows_withdrawn_changes_divergence_kinds_and_suspect_versions(db, tmp_path):
    out = tmp_path / "site"
    render_site(db, out, today=FEB24)
    country = html.parse(str(out / "country" / "cambodia.html")).getroot()
    rows = country.xpath("//table[contains(@class,'changes')]/tbody/tr[@data-status='withdrawn']")
    assert [r.get("data-group") for r in rows] == ["D:1"]
    assert "withdrawn" in rows[0].text_content()
    div = html.parse(str(out / "divergences.html")).getroot()
    assert [r.xpath("string(th)") for r in div.xpath("//section[h2='Pending divergences']//tbody/tr")] == ["Nicaragua"]
    assert [r.xpath("string(th)") for r in div.xpath("//section[h2='Standing differences']//tbody/tr")] == ["Cyprus"]
    assert [r.xpath("string(th)") for r in div.xpath("//section[h2='Open divergences']//tbody/tr")] == ["Haiti"]
    health = html.parse(str(out / "health.html")).getroot()
    suspect = " ".join(health.xpath("string(//section[h2='eCFR versions held as suspect'])").split())
    assert f"15 CFR Supplement No. 1 to Part 740 as of 2026-02-11: {SUSPECT}" in suspect
    assert "eCFR version 2026-02-11" in health.xpath("string(//section[h2='Instructions needing review'])")
