"""The rendered site as files: links, structure, feeds, escaping and write-if-changed (no browser)."""
from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import etree, html

from pipeline.publish.feeds import entry_id
from pipeline.publish.site import render_site
from pipeline.publish.slugs import country_slugs, doc_slug, group_sort_key
from store import queries as q

TODAY = date(2026, 2, 24)
ATOM = "{http://www.w3.org/2005/Atom}"
XSS = "<script>alert(1)</script>"


@pytest.fixture
def site(seeded_db, tmp_path) -> Path:
    out = tmp_path / "site"
    render_site(seeded_db, out, today=TODAY)
    return out


def _pages(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def _internal_links(page: Path) -> list[tuple[str, Path, str]]:
    """(href, resolved file, fragment) of every local href/src of a page."""
    doc = html.parse(str(page)).getroot()
    out = []
    for el, attr in [(e, "href") for e in doc.iter("a", "link")] + [(e, "src") for e in doc.iter("script", "img")]:
        ref = el.get(attr)
        if ref is None:
            continue
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc:
            assert parts.scheme in ("http", "https", "mailto"), f"{page}: odd link {ref}"
            continue
        target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
        out.append((ref, target, parts.fragment))
    return out


def test_every_internal_link_resolves_and_every_page_is_reachable_from_index(site):
    root = site.resolve()
    pages = {p.resolve() for p in _pages(site)}
    assert len(pages) >= 30
    for page in pages:
        for ref, target, fragment in _internal_links(page):
            assert target.is_file(), f"{page.relative_to(root)}: broken link {ref}"
            assert root in target.parents, f"{page.relative_to(root)}: {ref} leaves the site folder"
            if fragment:
                assert html.parse(str(target)).getroot().get_element_by_id(fragment) is not None, ref
    seen, todo = set(), [root / "index.html"]
    while todo:
        p = todo.pop()
        if p in seen or p.suffix != ".html":
            continue
        seen.add(p)
        todo.extend(t for _, t, _ in _internal_links(p))
    assert pages - seen == set(), f"unreachable from index.html: {sorted(str(p.relative_to(root)) for p in pages - seen)}"


def test_pages_are_semantic_stamped_and_self_contained(site, seeded_db):
    as_of = q.data_as_of(seeded_db)
    assert as_of == "2026-02-24"          # the same day `groups --as-of` calls the data's end
    for page in _pages(site):
        doc = html.parse(str(page)).getroot()
        name = page.relative_to(site)
        assert doc.get("lang") == "en", name
        assert doc.xpath("//meta[@name='viewport']/@content") == ["width=device-width, initial-scale=1"], name
        assert len(doc.xpath("//h1")) == 1, name
        assert doc.xpath("//main") and doc.xpath("//nav[@aria-label]"), name
        assert doc.xpath("string(//*[@class='as-of'])") == as_of, name
        assert doc.xpath("string(//*[@class='generated'])") == "2026-02-24", name
        for th in doc.xpath("//thead//th"):
            assert th.get("scope") == "col", name
        for th in doc.xpath("//tbody//th"):
            assert th.get("scope") == "row", name
        for control in doc.xpath("//input | //select"):
            assert doc.xpath(f"//label[@for='{control.get('id')}']"), f"{name}: unlabelled {control.get('id')}"
        assert not doc.xpath("//script[@src][contains(@src, '//')] | //link[contains(@href, '//')][@rel='stylesheet']")
        assert not doc.xpath("//*[@style]"), f"{name}: inline style"
    css = (site / "assets" / "site.css").read_text()
    assert "@media print" in css and "@media (max-width" in css
    assert "url(" not in css and "@import" not in css


def test_index_without_javascript_has_the_full_timeline_and_a_matching_index(site, seeded_db):
    doc = html.parse(str(site / "index.html")).getroot()
    rows = doc.xpath("//table[@id='timeline']/tbody/tr")
    changes = q.list_changes(seeded_db)
    assert len(rows) == len(changes) == 7
    dates = [r.get("data-effective") for r in rows]
    assert dates == sorted(dates, reverse=True)                       # newest first
    assert doc.get_element_by_id("filters").get("hidden") is not None   # JS unhides it
    index = json.loads(doc.get_element_by_id("changes-index").text)
    assert index == [[r.get("data-country"), r.get("data-group"), r.get("data-status"), r.get("data-effective")]
                     for r in rows]
    assert index[0] == ["Haiti", "D:5", "announced", "2026-03-02"]


def test_matrix_pages_per_ecfr_version_with_columns_in_order(site, seeded_db):
    versions = q.ecfr_version_dates(seeded_db)
    assert sorted(p.stem for p in (site / "matrix").glob("*.html")) == versions
    doc = html.parse(str(site / "matrix" / "2024-03-28.html")).getroot()
    heads = doc.xpath("//table[@id='matrix']/thead/tr/th/@data-group")
    assert heads == sorted(heads, key=group_sort_key) and heads[0] == "A:1" and heads[-1] == "E:2"
    d5 = heads.index("D:5") + 1
    held = {r.xpath("string(th)"): r.xpath(f"string(td[{d5}])") for r in doc.xpath("//table[@id='matrix']/tbody/tr")}
    assert held["Nicaragua"] == "X" and held["Cambodia"] == "X" and held["Cyprus"] == ""


def test_sweep_of_intervals_matches_the_store_point_in_time_query(seeded_db):
    from pipeline.publish.site import memberships_on_dates
    seeded_db.execute("INSERT INTO memberships (country, grp, valid_from, valid_to, opened_by)"
                      " VALUES ('Cambodia', 'D:5', '2027-01-01', NULL, 'fr:x')")   # re-joins later
    seeded_db.conn.commit()
    dates = q.ecfr_version_dates(seeded_db) + ["2020-01-01", "2023-06-01", "2026-02-03", "2026-02-02",
                                               "2026-12-31", "2027-01-01", "2030-01-01"]
    swept = memberships_on_dates(q.membership_intervals(seeded_db), dates)
    for d in dates:
        assert swept[d] == q.memberships_as_of(seeded_db, d), d


def test_matrix_shows_footnote_markers_and_notes_from_table_events(seeded_db, tmp_path):
    seeded_db.execute("INSERT INTO table_events (unit, ecfr_version, kind, subject, before, after) VALUES"
                      " ('15 CFR Supplement No. 1 to Part 740', '2021-12-09', 'footnote_changed', 'Cambodia (D)', NULL, '3')")
    seeded_db.execute("INSERT INTO table_events (unit, ecfr_version, kind, subject, before, after) VALUES"
                      " ('15 CFR Supplement No. 1 to Part 740', '2021-12-09', 'note_changed', 'D/3', NULL, 'See § 744.21.')")
    seeded_db.conn.commit()
    render_site(seeded_db, tmp_path / "s", today=TODAY)
    new = html.parse(str(tmp_path / "s" / "matrix" / "2021-12-09.html")).getroot()
    old = html.parse(str(tmp_path / "s" / "matrix" / "2021-01-04.html")).getroot()
    assert new.xpath("string(//tr[th/a='Cambodia']/th/sup)") == "3"
    assert new.xpath("//tr[th/a='Cambodia']/th/sup/a/@href") == ["#note-D-3"]
    assert new.xpath("string(//dl[@class='notes']/dt[@id='note-D-3'])") == "Country Group D, note 3"
    assert new.xpath("string(//dl[@class='notes']/dd)") == "See § 744.21."
    assert old.xpath("//tr[th/a='Cambodia']") and not old.xpath("//tr[th/a='Cambodia']/th/sup")
    assert not old.xpath("//dl[@class='notes']")
    for ref, target, fragment in _internal_links(tmp_path / "s" / "matrix" / "2021-12-09.html"):
        assert target.is_file(), ref
        assert not fragment or html.parse(str(target)).getroot().get_element_by_id(fragment) is not None, ref


def test_document_page_links_to_federal_register_and_ecfr(site):
    doc = html.parse(str(site / "doc" / "2026-02262.html")).getroot()
    hrefs = doc.xpath("//section//ul[@class='links']//a/@href")
    assert "https://www.federalregister.gov/d/2026-02262" in hrefs
    assert ("https://www.ecfr.gov/on/2026-02-03/title-15/part-740/appendix-Supplement%20No.%201%20to%20Part%20740"
            in hrefs)
    rows = doc.xpath("//table[contains(@class,'changes')]/tbody/tr")
    assert [(r.get("data-country"), r.get("data-group"), r.get("data-status")) for r in rows] == [
        ("Cambodia", "D:5", "confirmed")]
    assert "removed from D:5: confirmed (2026-02-24)" in " ".join(doc.xpath("string(//ul[@class='history'])").split())


def test_divergences_and_health_pages(site):
    div = html.parse(str(site / "divergences.html")).getroot()
    open_rows = div.xpath("//section[h2='Open divergences']//tbody/tr")
    past_rows = div.xpath("//section[h2='Past divergences']//tbody/tr")
    assert [r.xpath("string(th)") for r in open_rows] == ["Haiti"]
    assert [r.xpath("string(th)") for r in past_rows] == ["Cambodia"]
    assert "2025-11-07" in past_rows[0].text_content() and "FR Doc. 2026-02262" in past_rows[0].text_content()
    health = html.parse(str(site / "health.html")).getroot()
    failing = health.xpath("//tr[@class='failing']")
    assert [r.xpath("string(th)") for r in failing] == ["ecfr"]
    assert "HTTP 503: title 15 is processing" in failing[0].text_content()


def test_atom_feed_is_valid_and_ids_are_stable_across_renders(seeded_db_path, tmp_path):
    from store.db import open_db
    feeds = []
    for i in range(2):                       # two separate runs over the same database file
        db = open_db(seeded_db_path)
        render_site(db, tmp_path / f"out{i}", today=date(2026, 2, 24 + i))
        db.close()
        feeds.append(etree.parse(str(tmp_path / f"out{i}" / "feed.atom")).getroot())
    root = feeds[0]
    assert root.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{tag}").text, tag
    assert {link.get("rel") for link in root.findall(f"{ATOM}link")} == {"self", "alternate"}
    assert root.find(f"{ATOM}author/{ATOM}name").text == "frtrack"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 7
    for e in entries:
        for tag in ("id", "title", "updated"):
            assert e.find(f"{ATOM}{tag}").text, tag
        assert e.find(f"{ATOM}link").get("href").endswith(".html")
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == len(ids)
    assert "tag:frtrack,2026:change/cambodia/d5/removed/2026-02-03/2026-02262" in ids
    assert ids == [e.find(f"{ATOM}id").text for e in feeds[1].findall(f"{ATOM}entry")]
    assert etree.tostring(feeds[0]) == etree.tostring(feeds[1])   # nothing in the feed depends on the run day


def test_json_and_csv_exports_match_the_store(site, seeded_db):
    changes = q.list_changes(seeded_db)
    data = json.loads((site / "changes.json").read_text())
    assert data == [q.change_json(c) for c in changes]
    with open(site / "changes.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["country"] for r in rows] == [c["country"] for c in changes]
    assert rows[3] == {"country": "Cambodia", "group": "D:5", "action": "removed", "effective_date": "2026-02-03",
                       "status": "confirmed", "fr_document": "2026-02262", "citation": "",
                       "publication_date": "2026-02-04", "ecfr_version": "2026-02-05"}


def test_hostile_text_is_escaped_in_html_json_index_and_atom(seeded_db, tmp_path):
    seeded_db.execute(
        "INSERT INTO fr_documents (document_number, doc_type, title, publication_date, effective_date, citation,"
        " parse_status) VALUES ('2026-09999', 'Rule', ?, '2026-02-10', '2026-02-10', '91 FR 9999', 'ok')", [XSS])
    seeded_db.execute(
        "INSERT INTO changes (key, country, grp, action, effective_date, status, fr_document, created_at,"
        " updated_at) VALUES ('evil|E:1|added|fr:2026-09999', ?, 'E:1', 'added', '2026-02-10', 'published',"
        " '2026-09999', ?, ?)",
        ["Evil</script><script>alert(2)</script>", "2026-02-24T12:00:00+00:00", "2026-02-24T12:00:00+00:00"])
    seeded_db.conn.commit()
    out = tmp_path / "s"
    render_site(seeded_db, out, today=TODAY)
    for rel in ("index.html", "doc/2026-09999.html", "documents.html"):
        text = (out / rel).read_text()
        assert XSS not in text and "alert(2)</script>" not in text, rel
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, rel
        # exactly the scripts we wrote, nothing injected
        assert len(html.parse(str(out / rel)).getroot().xpath("//script")) == (2 if rel == "index.html" else 0), rel
    index = html.parse(str(out / "index.html")).getroot()
    rows = json.loads(index.get_element_by_id("changes-index").text)
    assert ["Evil</script><script>alert(2)</script>", "E:1", "published", "2026-02-10"] in rows
    raw = (out / "feed.atom").read_bytes()
    assert b"<script>" not in raw
    feed = etree.fromstring(raw)
    summaries = [s.text for s in feed.iter(f"{ATOM}summary")]
    assert any(XSS in s for s in summaries)


def test_rows_stay_with_their_change_when_data_holds_the_row_separator(seeded_db, tmp_path):
    seeded_db.execute("UPDATE fr_documents SET title = 'A\x1eB' WHERE document_number = '2099-90101'")
    seeded_db.conn.commit()
    render_site(seeded_db, tmp_path / "s", today=TODAY)
    doc = html.parse(str(tmp_path / "s" / "country" / "cambodia.html")).getroot()
    rows = doc.xpath("//table[contains(@class,'changes')]/tbody/tr")
    assert [(r.get("data-country"), r.get("data-effective")) for r in rows] == [
        ("Cambodia", "2026-02-03"), ("Cambodia", "2021-12-09")]


def test_rerender_writes_only_changed_files(seeded_db, tmp_path):
    out = tmp_path / "s"
    first = render_site(seeded_db, out, today=TODAY)
    assert first.unchanged == 0 and len(first.written) == first.files
    assert first.summary().startswith(f"wrote {first.pages} pages to {out}/ (index: {out / 'index.html'})")
    again = render_site(seeded_db, out, today=TODAY)
    assert again.written == [] and again.unchanged == first.files
    # One new change attributed to a stored document: data_as_of does not move.
    seeded_db.execute("INSERT INTO changes (key, country, grp, action, effective_date, status, fr_document,"
                      " created_at, updated_at) VALUES ('Cambodia|A:6|added|fr:2099-90101', 'Cambodia', 'A:6', 'added',"
                      " '2024-03-28', 'published',"
                      " '2099-90101', '2026-02-24T13:00:00+00:00', '2026-02-24T13:00:00+00:00')")
    seeded_db.conn.commit()
    after = render_site(seeded_db, out, today=TODAY)
    assert sorted(after.written) == ["changes.csv", "changes.json", "country/cambodia.html",
                                     "doc/2099-90101.html", "documents.html", "feed.atom",
                                     "group/a6.html", "index.html"]
    assert after.unchanged == first.files - 8 and after.removed == []


def test_rerender_removes_pages_no_longer_produced(seeded_db, tmp_path):
    out = tmp_path / "s"
    render_site(seeded_db, out, today=TODAY)
    (out / "notes.html").write_text("the user's own file")          # outside the folders the site owns
    seeded_db.execute("DELETE FROM change_status_log WHERE change_id IN (SELECT id FROM changes WHERE country = 'Venezuela')")
    seeded_db.execute("DELETE FROM changes WHERE country = 'Venezuela'")
    seeded_db.conn.commit()
    report = render_site(seeded_db, out, today=TODAY)
    assert report.removed == ["country/venezuela.html"]
    assert not (out / "country" / "venezuela.html").exists() and (out / "notes.html").exists()
    assert "1 stale page removed" in report.summary()


def test_slugs_are_stable_and_unique():
    slugs = country_slugs(["Korea, North", "Congo (Democratic Republic of the)", "Côte d'Ivoire", "Cote d'Ivoire"])
    assert slugs["Korea, North"] == "korea-north"
    assert slugs["Congo (Democratic Republic of the)"] == "congo-democratic-republic-of-the"
    assert slugs["Côte d'Ivoire"] != slugs["Cote d'Ivoire"]
    assert slugs == country_slugs(reversed(list(slugs)))        # order-independent
    assert country_slugs(["Korea, North"])["Korea, North"] == "korea-north"
    assert doc_slug("C1-2020-04178") == "C1-2020-04178"
    assert sorted(["E:2", "B", "A:10", "D:5", "A:2"], key=group_sort_key) == ["A:2", "A:10", "B", "D:5", "E:2"]
    assert entry_id({"country": "Korea, North", "group": "D:5", "action": "added", "effective_date": None,
                     "fr_document": None, "ecfr_version": "2024-01-02"}) == \
        "tag:frtrack,2026:change/korea-north/d5/added/undated/ecfr-2024-01-02"
