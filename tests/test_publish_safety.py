"""Issue 12 in what goes out: withdrawn changes, divergence kinds and suspect eCFR versions.

The database is the seed plus one state of each kind, each produced by the
real pipeline from its real cause (``tests.seed.safety_stages``, SAMPLE
events): a change announced on public inspection that the published rule does
not make (withdrawn), an eCFR version without D:5 marks (suspect), a rule whose
D:5 removal takes effect after today (a pending divergence) and 126.1 first read
after BIS took Cyprus out of D:5 (a standing difference). The digest,
``frtrack status``, ``frtrack divergences`` and the site must each show it for
what it is.
"""
from __future__ import annotations

import json
from datetime import UTC, date, datetime

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
SUSPECT = "column D:5 disappears (23 memberships) and no FR rule explains it"
UNIT = "15 CFR Supplement No. 1 to Part 740"


@pytest.fixture
def db(safety_db):
    return safety_db


def test_digest_lists_withdrawn_changes_apart_and_does_not_count_them(db):
    data = build_digest(db, Settings(), Window.for_run(FEB24, 7, since=date(2026, 2, 1)), FEB24)
    assert [c.headline for c in data.withdrawn] == ["Egypt removed from D:3"]
    assert "Egypt removed from D:3" not in [c.headline for c in data.news]
    assert data.subject == "frtrack: 2 country-group changes — Cambodia removed from D:5, +1 more (1 withdrawn)"
    r = render_digest(data, PLACEHOLDER)
    for text in (r.text, html_text(r.html)):
        assert "Withdrawn (reported before, no longer derived from the sources)" in text
        assert "Egypt: removed from D:3 (Chemical & Biological), effective 2026-02-13" in text
    # why, in the review part: the published rule does not make the change its public-inspection text announced
    why = " (announced on public inspection, but the published rule does not make this change)"
    assert f'- FR Doc. 2099-90104: "removes Egypt from Country Group D:3"{why}\n' in r.text
    assert f"FR Doc. 2099-90104: \u201cremoves Egypt from Country Group D:3\u201d{why}" in html_text(r.html)
    assert text.index("Withdrawn (reported") > text.index("Contradicted by the eCFR")
    assert "Egypt removed from D:3" not in [c.headline for c in data.pending]


def test_digest_shows_pending_and_standing_divergences_apart_and_suspect_versions(db):
    data = build_digest(db, Settings(), Window.for_run(FEB24, 7, since=date(2026, 2, 1)), FEB24)
    r = render_digest(data, PLACEHOLDER)
    for text in (r.text, html_text(r.html)):
        assert ("Pending D:5 / ITAR 126.1 divergences (begin on a future date)" in text and
                "Somalia: in ITAR § 126.1, not in EAR D:5 from 2026-03-16 (pending: begins when FR Doc. "
                "2099-90105 takes effect)" in text)
        assert ("Cyprus: in ITAR § 126.1, not in EAR D:5, standing since the first compared versions "
                "(2024-05-31)") in text
        assert f"eCFR version of 2026-02-17: {SUSPECT}" in text
        # neither is an open alert, and Cambodia's divergence closed on 2026-02-03
        assert "Open D:5 / ITAR 126.1 divergences" not in text
    assert [d.country for d in data.divergences_of("open")] == []
    assert [d.country for d in data.divergences_of("pending")] == ["Somalia"]
    assert [d.country for d in data.divergences_of("standing")] == ["Cyprus"]
    # the eCFR review item is not "amendment wording"
    assert all(not rv.document_number.startswith("ecfr:") for rv in data.review)
    assert [rv.document_number for rv in data.review] == ["2099-90101", "2099-90104", "2099-90104"]


def test_status_shows_pending_standing_and_suspect_versions(db):
    report = build_status(db, now=datetime(2026, 2, 24, 18, tzinfo=UTC))
    assert [d["country"] for d in report["open_divergences"]] == []
    assert [d["country"] for d in report["pending_divergences"]] == ["Somalia"]
    assert [d["country"] for d in report["standing_divergences"]] == ["Cyprus"]
    assert report["suspect_versions"] == [{"unit": UNIT, "date": "2026-02-17", "reason": SUSPECT}]
    lines = format_status(report).splitlines()
    assert "  Somalia: itar_only from 2026-03-16 (pending)" in lines
    assert "  Cyprus: itar_only since 2024-05-31 (standing)" in lines
    assert f"  {UNIT} as of 2026-02-17: {SUSPECT}" in lines


def test_divergences_command_text_and_json(db, safety_db_path):
    out = CliRunner().invoke(cli, ["--db", str(safety_db_path), "divergences"])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines() == [
        "Pending (begin on a future date):",
        "  Somalia: in 126.1 but not in D:5 from 2026-03-16 (pending: begins when FR Doc. 2099-90105 takes effect)",
        "Standing (since the first compared versions):",
        "  Cyprus: in 126.1 but not in D:5, standing since the first compared versions (2024-05-31)",
        "Closed:",
        "  Cambodia: in D:5 but not in 126.1 from 2025-11-07 to 2026-02-03 (State moved first: 126.1 version of"
        " 2025-11-07; closed by FR Doc. 2026-02262)",
    ]
    rows = json.loads(CliRunner().invoke(cli, ["--db", str(safety_db_path), "divergences", "--json"]).output)
    assert [(r["country"], r["kind"], r["opened_by"], r["closed_by"]) for r in rows] == [
        ("Cyprus", "standing", "ecfr:2024-05-31", None), ("Cambodia", "closed", "ecfr:2025-11-07", "fr:2026-02262"),
        ("Somalia", "pending", "fr:2099-90105", None)]
    assert set(rows[0]) == {"country", "side", "kind", "since", "until", "opened_by", "closed_by"}


def test_the_main_seed_has_an_open_divergence_the_command_lists_first(seeded_db_path):
    out = CliRunner().invoke(cli, ["--db", str(seeded_db_path), "divergences"])
    assert out.exit_code == 0, out.output
    assert out.output.splitlines()[:2] == [
        "Open:", "  Cyprus: in 126.1 but not in D:5 from 2024-05-30 (BIS moved first: FR Doc. 2024-10280; still open)"]


def test_site_shows_withdrawn_changes_divergence_kinds_and_suspect_versions(db, tmp_path):
    out = tmp_path / "site"
    render_site(db, out, today=FEB24)
    country = html.parse(str(out / "country" / "egypt.html")).getroot()
    rows = country.xpath("//table[contains(@class,'changes')]/tbody/tr[@data-status='withdrawn']")
    assert [r.get("data-group") for r in rows] == ["D:3"]
    assert "withdrawn" in rows[0].text_content()
    div = html.parse(str(out / "divergences.html")).getroot()
    assert [r.xpath("string(th)") for r in div.xpath("//section[h2='Pending divergences']//tbody/tr")] == ["Somalia"]
    assert [r.xpath("string(th)") for r in div.xpath("//section[h2='Standing differences']//tbody/tr")] == ["Cyprus"]
    assert " ".join(div.xpath("string(//section[h2='Open divergences']//tbody)").split()) == "None."
    health = html.parse(str(out / "health.html")).getroot()
    suspect = " ".join(health.xpath("string(//section[h2='eCFR versions held as suspect'])").split())
    assert f"{UNIT} as of 2026-02-17: {SUSPECT}" in suspect
    assert "eCFR version 2026-02-17" in health.xpath("string(//section[h2='Instructions needing review'])")
