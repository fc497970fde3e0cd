"""Issue 13: what the site, the digest and the CLI summaries say reads as English.

Document pages name the instructions held for review instead of "Parsing ok",
show the agency's name rather than its API slug; quotes cut short end with an
ellipsis; counts agree with their nouns; divergences read as sentences; and
``site --out`` deletes only files an earlier render wrote.
"""
from __future__ import annotations

import re
from datetime import date

import pytest

from pipeline.demo.run import run_demo
from pipeline.publish.site import render_site
from pipeline.publish.wording import agency_name, clip, divergence_sentence, plural
from pipeline.run import RunReport

TODAY = date(2026, 2, 24)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    report = run_demo(tmp_path_factory.mktemp("demo") / "out")
    assert report.ok, report.summary()
    return report


def _dd(html: str, term: str) -> str:
    m = re.search(rf"<dt>{term}</dt><dd>(.*?)</dd>", html, re.S)
    assert m, term
    return re.sub(r"<[^>]+>", "", m.group(1)).strip()


def test_document_with_unread_wording_says_how_many_instructions_wait_for_review(demo):
    page = (demo.site_index.parent / "doc" / "2099-90002.html").read_text(encoding="utf-8")
    assert _dd(page, "Parsing") == "1 instruction held for review (see below)"
    assert "Instructions needing review" in page
    clean = (demo.site_index.parent / "doc" / "2026-02262.html").read_text(encoding="utf-8")
    assert _dd(clean, "Parsing") == "ok"
    listing = (demo.site_index.parent / "documents.html").read_text(encoding="utf-8")
    row = re.search(r"FR Doc\. 2099-90002</a>.*?</tr>", listing, re.S).group(0)
    assert "1 instruction held for review" in row and ">ok<" not in row


def test_document_page_names_the_agency(demo):
    page = (demo.site_index.parent / "doc" / "2026-02262.html").read_text(encoding="utf-8")
    assert _dd(page, "Agencies") == "Industry and Security Bureau"
    state = (demo.site_index.parent / "doc" / "2025-19822.html").read_text(encoding="utf-8")
    assert _dd(state, "Agencies") == "State Department"
    assert "industry-and-security-bureau" not in page.split("<dt>Agencies</dt>")[1].split("</dd>")[0]


def test_words_and_counts():
    assert plural(1, "review item") == "1 review item"
    assert plural(2, "review item") == "2 review items"
    assert plural(0, "country-group change") == "0 country-group changes"
    assert plural(1, "D:5 / ITAR 126.1 divergence") == "1 D:5 / ITAR 126.1 divergence"
    assert plural(3, "entry") == "3 entries" and plural(2, "country") == "2 countries"
    assert agency_name("industry-and-security-bureau") == "Industry and Security Bureau"
    assert agency_name("census-bureau") == "Census Bureau"
    assert divergence_sentence("ear_only", "itar") == "in D:5 but not in 126.1; State changed 126.1 first"
    assert divergence_sentence("itar_only", "ear") == "in 126.1 but not in D:5; BIS changed D:5 first"


def test_clipped_quotes_end_with_an_ellipsis_at_a_word():
    text = 'Supplement No. 1 to part 740 is amended by transferring the entry for "Somalia" from "Country Group D"'
    short = clip(text, 60)
    assert short.endswith("…") and len(short) <= 60 and text.startswith(short[:-1])
    assert short[:-1] == short[:-1].rstrip() and text[len(short) - 1] == " "   # cut at a word boundary
    assert clip("short text", 60) == "short text"


def test_demo_summary_reads_as_english(demo):
    text = demo.summary()
    assert "1 D:5 / ITAR 126.1 divergences" not in text and "1 country-group changes" not in text
    assert "ear only" not in text and "moved first:" not in text
    assert "Cambodia: in D:5 but not in 126.1; State changed 126.1 first; from 2025-11-07 to 2026-02-03" in text
    assert "Cyprus: in 126.1 but not in D:5; BIS changed D:5 first; since 2024-05-30, still open" in text
    [review] = demo.review
    assert review.endswith("…") and len(review) < 130


def test_run_summary_counts_agree_with_their_nouns():
    text = RunReport(run_id=1, ok=True, changes=1, open_divergences=1).summary()
    assert "1 country-group change on record, 1 open D:5/126.1 divergence" in text


def test_rerender_deletes_only_files_it_wrote(seeded_db, tmp_path):
    out = tmp_path / "s"
    render_site(seeded_db, out, today=TODAY)
    (out / "country" / "my-notes.html").write_text("the user's own page")   # inside a folder the site uses
    (out / "doc" / "handmade.html").write_text("also the user's")
    (out / "CNAME").write_text("changes.example.org")
    # Laos is named only by the seed's announced SAMPLE change: without it, its page goes
    seeded_db.execute("DELETE FROM change_status_log WHERE change_id IN (SELECT id FROM changes WHERE country = 'Laos')")
    seeded_db.execute("DELETE FROM changes WHERE country = 'Laos'")
    seeded_db.conn.commit()
    report = render_site(seeded_db, out, today=TODAY)
    assert report.removed == ["country/laos.html"]
    for own in ("country/my-notes.html", "doc/handmade.html", "CNAME"):
        assert (out / own).exists(), own


def test_a_tampered_manifest_cannot_delete_outside_the_site(seeded_db, tmp_path):
    out = tmp_path / "s"
    render_site(seeded_db, out, today=TODAY)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (out / ".frtrack-site.json").write_text('["../victim.txt", "index.html"]')
    render_site(seeded_db, out, today=TODAY)
    assert victim.exists()


def test_sample_documents_link_to_no_federalregister_page(tmp_path):
    """A demo sample (2099-9000x) exists nowhere else: neither its page nor the digest links to federalregister.gov."""
    from pipeline.demo.run import run_demo
    report = run_demo(tmp_path / "out")
    assert report.ok, report.summary()
    site = report.site_index.parent
    sample_page = (site / "doc" / "2099-90002.html").read_text()
    assert "federalregister.gov" not in sample_page
    assert "This document on federalregister.gov" in (site / "doc" / "2026-02262.html").read_text()
    eml = (tmp_path / "out" / "digest.eml").read_bytes().decode("utf-8", "replace")
    import email
    msg = email.message_from_string(eml)
    text = "".join(p.get_payload(decode=True).decode() for p in msg.walk() if p.get_content_type() in
                   ("text/plain", "text/html"))
    assert "2099-90002" in text
    assert not any("2099-9000" in line and "federalregister.gov" in line for line in text.splitlines())


def test_a_render_never_overwrites_a_file_it_did_not_write_unless_forced(seeded_db, tmp_path):
    from parsers.errors import OutputConflictError
    out = tmp_path / "s"
    out.mkdir()
    (out / "index.html").write_text("the user's own front page")
    with pytest.raises(OutputConflictError, match=r"would overwrite index\.html.*--force"):
        render_site(seeded_db, out, today=TODAY)
    assert (out / "index.html").read_text() == "the user's own front page"
    render_site(seeded_db, out, today=TODAY, force=True)
    assert "the user's own front page" not in (out / "index.html").read_text()
    render_site(seeded_db, out, today=TODAY)          # now the manifest lists it: a plain re-render is fine


def test_site_command_refuses_to_overwrite_with_one_line_and_exit_1(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import cli
    db = tmp_path / "f.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", str(db), "init", "--path", str(tmp_path / "f.toml")]).exit_code == 0
    out = tmp_path / "public"
    out.mkdir()
    (out / "index.html").write_text("mine")
    result = runner.invoke(cli, ["--db", str(db), "--config", str(tmp_path / "f.toml"), "site", "--out", str(out)])
    assert result.exit_code == 1
    assert result.stderr.startswith("frtrack: error: ") and "index.html" in result.stderr and "--force" in result.stderr
    assert (out / "index.html").read_text() == "mine"
    forced = runner.invoke(cli, ["--db", str(db), "--config", str(tmp_path / "f.toml"), "site", "--out", str(out),
                                 "--force"])
    assert forced.exit_code == 0, forced.output
