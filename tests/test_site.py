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
    # the same day `groups --as-of` calls the data's end: the last clean run (2026-02-24's eCFR fetch failed)
    assert as_of == "2026-02-23"
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
    assert len(rows) == len(changes) == 9
    dates = [r.get("data-effective") for r in rows]
    assert dates == sorted(dates, reverse=True)                       # newest first
    assert doc.get_element_by_id("filters").get("hidden") is not None   # JS unhides it
    index = json.loads(doc.get_element_by_id("changes-index").text)
    assert index == [[r.get("data-country"), r.get("data-group"), r.get("data-status"), r.get("data-effective"),
                      r.get("data-list"), r.get("data-entity")] for r in rows]
    assert index[0] == ["Laos", "D:5", "announced", "2026-03-02", "country_groups", ""]
    assert index[-1] == ["Cambodia", "D:5", "confirmed", "2021-12-09", "country_groups", ""]


def test_matrix_pages_per_ecfr_version_with_columns_in_order(site, seeded_db):
    versions = q.ecfr_version_dates(seeded_db)
    assert sorted(p.stem for p in (site / "matrix").glob("*.html")) == versions
    assert versions == ["2021-01-04", "2021-12-09", "2022-03-02", "2024-03-15", "2024-05-30", "2026-02-03",
                        "2026-02-20"]

    def d5_column(day: str) -> dict[str, str]:
        doc = html.parse(str(site / "matrix" / f"{day}.html")).getroot()
        heads = doc.xpath("//table[@id='matrix']/thead/tr/th/@data-group")
        assert heads == sorted(heads, key=group_sort_key) and heads[0] == "A:1" and heads[-1] == "E:2"
        d5 = heads.index("D:5") + 1
        return {r.xpath("string(th/a)"): r.xpath(f"string(td[{d5}])") for r in doc.xpath("//table[@id='matrix']/tbody/tr")}

    # 2024-03-15: Nicaragua joined D:5 (2024-05696); Cyprus left it only on 2024-05-30 (2024-10280)
    assert {c: d5_column("2024-03-15")[c] for c in ("Nicaragua", "Cambodia", "Cyprus")} == {
        "Nicaragua": "X", "Cambodia": "X", "Cyprus": "X"}
    assert {c: d5_column("2024-05-30")[c] for c in ("Nicaragua", "Cambodia", "Cyprus")} == {
        "Nicaragua": "X", "Cambodia": "X", "Cyprus": ""}


def test_sweep_of_intervals_matches_the_store_point_in_time_query(seeded_db):
    from pipeline.publish.site import memberships_on_dates
    seeded_db.execute("INSERT INTO memberships (country, group_code, valid_from, valid_to, opened_by_document)"
                      " VALUES ('Cambodia', 'D:5', '2027-01-01', NULL, '2024-05696')")   # re-joins later
    seeded_db.conn.commit()
    dates = q.ecfr_version_dates(seeded_db) + ["2020-01-01", "2023-06-01", "2026-02-03", "2026-02-02",
                                               "2026-12-31", "2027-01-01", "2030-01-01"]
    swept = memberships_on_dates(q.membership_intervals(seeded_db), dates)
    for d in dates:
        assert swept[d] == q.memberships_as_of(seeded_db, d), d


def test_matrix_shows_footnote_markers_and_notes_from_table_events(seeded_db, tmp_path):
    # The seed's tables print Iraq³ and Cyprus¹ in Country Group D with their notes; Cyprus's row (and
    # its marker) leaves Country Group D on 2024-05-30, the note stays: the engine's table events say so.
    assert [tuple(r) for r in seeded_db.execute(
        "SELECT ecfr_version, subject, before, after FROM table_events"
        " WHERE kind = 'footnote_changed' AND subject LIKE '%(D)' ORDER BY id")] == [
        ("2021-01-04", "Cyprus (D)", None, "1"), ("2021-01-04", "Iraq (D)", None, "3"),
        ("2021-01-04", "Russia (D)", None, "2"), ("2024-05-30", "Cyprus (D)", "1", None)]
    render_site(seeded_db, tmp_path / "s", today=TODAY)
    before = html.parse(str(tmp_path / "s" / "matrix" / "2024-03-15.html")).getroot()
    after = html.parse(str(tmp_path / "s" / "matrix" / "2024-05-30.html")).getroot()
    for page in (before, after):
        assert page.xpath("string(//tr[th/a='Iraq']/th/sup)") == "3"
        assert page.xpath("//tr[th/a='Iraq']/th/sup/a/@href") == ["#note-D-3"]
        assert page.xpath("string(//dl[@class='notes']/dt[@id='note-D-3'])") == "Country Group D, note 3"
        assert page.xpath("string(//dl[@class='notes']/dd[preceding-sibling::dt[1][@id='note-D-3']])") == (
            "See § 746.3 of the EAR for additional license requirements for Iraq.")
        assert not page.xpath("//tr[th/a='Cambodia']/th/sup")
    assert before.xpath("string(//tr[th/a='Cyprus']/th/sup)") == "1"
    assert after.xpath("//tr[th/a='Cyprus']") and not after.xpath("//tr[th/a='Cyprus']/th/sup")
    for ref, target, fragment in _internal_links(tmp_path / "s" / "matrix" / "2024-03-15.html"):
        assert target.is_file(), ref
        assert not fragment or html.parse(str(target)).getroot().get_element_by_id(fragment) is not None, ref


def test_document_page_links_to_federal_register_and_ecfr(site):
    doc = html.parse(str(site / "doc" / "2026-02262.html")).getroot()
    hrefs = doc.xpath("//section//ul[@class='links']//a/@href")
    assert ("https://www.federalregister.gov/documents/2026/02/04/2026-02262/"
            "conforming-change-to-the-export-administration-regulations-for-cambodia") in hrefs
    assert ("https://www.ecfr.gov/on/2026-02-03/title-15/part-740/appendix-Supplement%20No.%201%20to%20Part%20740"
            in hrefs)
    rows = doc.xpath("//table[contains(@class,'changes')]/tbody/tr")
    assert [(r.get("data-country"), r.get("data-group"), r.get("data-status")) for r in rows] == [
        ("Cambodia", "D:5", "confirmed")]
    assert " ".join(doc.xpath("string(//ul[@class='history'])").split()) == (
        "Cambodia removed from D:5: announced (2026-02-03) → published (2026-02-04) → in_effect (2026-02-04)"
        " → confirmed (2026-02-09)")


def test_divergences_and_health_pages(site):
    div = html.parse(str(site / "divergences.html")).getroot()
    open_rows = div.xpath("//section[h2='Open divergences']//tbody/tr")
    past_rows = div.xpath("//section[h2='Past divergences']//tbody/tr")
    assert [r.xpath("string(th)") for r in open_rows] == ["Cyprus"]
    assert "2024-05-30" in open_rows[0].text_content() and "FR Doc. 2024-10280" in open_rows[0].text_content()
    assert [r.xpath("string(th)") for r in past_rows] == ["Cambodia"]
    # opened by State's 126.1 (the eCFR version of 2025-11-07), closed by BIS's conforming rule
    assert "eCFR version 2025-11-07" in past_rows[0].text_content()
    assert "FR Doc. 2026-02262" in past_rows[0].text_content()
    health = html.parse(str(site / "health.html")).getroot()
    failing = health.xpath("//tr[@class='failing']")
    assert [r.xpath("string(th)") for r in failing] == ["ecfr"]
    assert "connection refused by 127.0.0.1:9" in failing[0].text_content()
    assert "2026-02-23T15:00:00+00:00" in failing[0].text_content()     # its last success


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
    assert len(entries) == 9
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
    assert [r for r in rows if (r["country"], r["action"]) == ("Cambodia", "removed")] == [
        {"country": "Cambodia", "group": "D:5", "action": "removed", "effective_date": "2026-02-03",
         "status": "confirmed", "fr_document": "2026-02262", "citation": "", "publication_date": "2026-02-04",
         "ecfr_version": "2026-02-03", "list": "country_groups", "entity": "", "detail": ""}]


def test_hostile_text_is_escaped_in_html_json_index_and_atom(seeded_db, tmp_path):
    seeded_db.execute(
        "INSERT INTO fr_documents (document_number, doc_type, title, publication_date, effective_date, citation,"
        " parse_status) VALUES ('2099-99999', 'Rule', ?, '2026-02-10', '2026-02-10', '99 FR 9999', 'ok')", [XSS])
    seeded_db.execute(
        "INSERT INTO changes (change_key, country, group_code, action, effective_date, status, fr_document,"
        " created_at,"
        " updated_at) VALUES ('evil|E:1|added|fr:2099-99999', ?, 'E:1', 'added', '2026-02-10', 'published',"
        " '2099-99999', ?, ?)",
        ["Evil</script><script>alert(2)</script>", "2026-02-24T12:00:00+00:00", "2026-02-24T12:00:00+00:00"])
    seeded_db.conn.commit()
    out = tmp_path / "s"
    render_site(seeded_db, out, today=TODAY)
    for rel in ("index.html", "doc/2099-99999.html", "documents.html"):
        text = (out / rel).read_text()
        assert XSS not in text and "alert(2)</script>" not in text, rel
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text, rel
        # exactly the scripts we wrote, nothing injected
        assert len(html.parse(str(out / rel)).getroot().xpath("//script")) == (2 if rel == "index.html" else 0), rel
    index = html.parse(str(out / "index.html")).getroot()
    rows = json.loads(index.get_element_by_id("changes-index").text)
    assert ["Evil</script><script>alert(2)</script>", "E:1", "published", "2026-02-10", "country_groups", ""] in rows
    raw = (out / "feed.atom").read_bytes()
    assert b"<script>" not in raw
    feed = etree.fromstring(raw)
    summaries = [s.text for s in feed.iter(f"{ATOM}summary")]
    assert any(XSS in s for s in summaries)


def test_rows_stay_with_their_change_when_data_holds_the_row_separator(seeded_db, tmp_path):
    # Nicaragua's rule: its title is printed in three change rows of the index, none of them Cambodia's
    seeded_db.execute("UPDATE fr_documents SET title = 'A\x1eB' WHERE document_number = '2024-05696'")
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
    seeded_db.execute("INSERT INTO changes (change_key, country, group_code, action, effective_date, status,"
                      " fr_document,"
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
    # Laos is named only by the announced SAMPLE change: without it, no page for Laos
    seeded_db.execute("DELETE FROM change_status_log WHERE change_id IN (SELECT id FROM changes WHERE country = 'Laos')")
    seeded_db.execute("DELETE FROM changes WHERE country = 'Laos'")
    seeded_db.conn.commit()
    report = render_site(seeded_db, out, today=TODAY)
    assert report.removed == ["country/laos.html"]
    assert not (out / "country" / "laos.html").exists() and (out / "notes.html").exists()
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
