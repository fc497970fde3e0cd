"""Issue 15 on the site: every list on the timeline and in the exports, a country page with its
§ 744.21 / § 744.22 status, Entity List entries and divergences, each with its history; and a
re-render that renders only the pages whose inputs changed (no browser; see test_site_browser)."""
from __future__ import annotations

import csv
import json
import os
from datetime import date
from pathlib import Path

import pytest
from lxml import etree, html

from pipeline.publish.site import MANIFEST, ROW_CACHE, render_site
from store import queries as q
from tests.seed import entity_detail, insert_change, insert_membership

TODAY = date(2026, 2, 24)
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def site(lists_db, tmp_path) -> Path:
    out = tmp_path / "site"
    render_site(lists_db, out, today=TODAY)
    return out


def page(site: Path, rel: str):
    return html.parse(str(site / rel)).getroot()


def text(el) -> str:
    return " ".join(el.text_content().split())


def test_timeline_rows_and_filter_index_carry_the_list_and_entity(site, lists_db):
    doc = page(site, "index.html")
    rows = doc.xpath("//table[@id='timeline']/tbody/tr")
    assert len(rows) == len(q.list_changes(lists_db, list_kind=None)) == 11
    index = json.loads(doc.get_element_by_id("changes-index").text)
    assert index == [[r.get("data-country"), r.get("data-group"), r.get("data-status"), r.get("data-effective"),
                      r.get("data-list"), r.get("data-entity")] for r in rows]
    assert ["China", "", "published", "2026-02-17", "entity_list", "Example Precision Optics Co., Ltd."] in index
    assert ["Cambodia", "", "confirmed", "2021-12-09", "744.21", ""] in index
    assert doc.xpath("//select[@id='f-list']/option/@value") == ["", "country_groups", "744.21", "744.22",
                                                                 "entity_list"]
    assert doc.xpath("//label[@for='f-entity']") and doc.xpath("//input[@id='f-entity']")
    revised = [r for r in rows if r.get("data-entity") == "Example Precision Optics Co., Ltd."][0]
    cells = [text(td) for td in revised.xpath("td")]
    assert cells[:5] == ["2026-02-17", "China", "Entity List", "Example Precision Optics Co., Ltd.",
                         "revised in Entity List address, citations"]
    section = [r for r in rows if r.get("data-list") == "744.21"][0]
    assert [text(td) for td in section.xpath("td")][2:5] == ["§ 744.21", "—", "added to § 744.21"]


def test_country_page_has_every_list_each_with_its_document(site):
    doc = page(site, "country/cambodia.html")
    groups = [text(li) for li in doc.xpath("//ul[@class='groups']/li")]
    assert groups == ["D:1 National Security since 2021-01-04 (eCFR version 2021-01-04)"]
    s21 = doc.xpath("//section[h2[@id='sec-744-21']]")[0]
    assert text(s21.xpath(".//p[contains(@class,'status-line')]")[0]) == \
        "Listed: § 744.21 names Cambodia since 2021-12-09 (FR Doc. 2021-26633)."
    assert s21.xpath(".//p[contains(@class,'status-line')]//a/@href") == ["../doc/2021-26633.html"]
    assert [r.get("data-list") for r in s21.xpath(".//table[contains(@class,'changes')]/tbody/tr")] == ["744.21"]
    s22 = doc.xpath("//section[h2[@id='sec-744-22']]")[0]
    assert text(s22.xpath(".//p[contains(@class,'status-line')]")[0]) == \
        "Listed: § 744.22 names Cambodia since 2021-01-04 (eCFR version 2021-01-04 of § 744.22)."
    entries = doc.xpath("//table[@class='entities']/tbody/tr")
    assert len(entries) == 1
    cells = [text(c) for c in entries[0].xpath("th|td")]
    assert cells[0] == "Sample Khmer Trading Co., Ltd. a.k.a. SKT Sample"
    assert "Street 000, Sample Quarter, Phnom Penh." in cells[1] and "Presumption of denial." in cells[1]
    assert cells[2:4] == ["2026-02-17", "FR Doc. 2099-90104"]
    assert cells[4] == "2026-02-17: added, published, FR Doc. 2099-90104"
    divs = [text(li) for li in doc.xpath("//ul[@class='divergences']/li")]
    assert len(divs) == 1 and "from 2025-11-07 (FR Doc. 2025-19822) to 2026-02-03 (FR Doc. 2026-02262)" in divs[0]
    history = doc.xpath("//section[h2[@id='hist-h']]//tbody/tr")
    assert [(r.get("data-list"), r.get("data-effective")) for r in history] == [
        ("entity_list", "2026-02-17"), ("country_groups", "2026-02-03"), ("744.21", "2021-12-09"),
        ("country_groups", "2021-12-09")]


def test_revised_and_removed_entries_with_their_history(site):
    china = page(site, "country/china.html")
    [entry] = china.xpath("//table[@class='entities']/tbody/tr")
    cells = [text(c) for c in entry.xpath("th|td")]
    assert "No. 2 Sample Road, Exampletown." in cells[1]        # the revised address, as in force
    assert cells[2:5] == ["2021-01-04", "FR Doc. 2099-90104",
                          "2026-02-17: revised (address, citations), published, FR Doc. 2099-90104"]
    russia = page(site, "country/russia.html")
    assert not russia.xpath("//table[@class='entities']")
    assert "No Entity List entry is under Russia today." in text(russia)
    assert [r.get("data-entity") for r in russia.xpath("//section[h2[@id='hist-h']]//tbody/tr")] == [
        "Fictional Avionics LLC"]


def test_lists_page_names_each_sections_countries_and_the_entity_list_by_destination(site):
    doc = page(site, "lists.html")
    s21 = doc.xpath("//section[h2[@id='l-744-21']]//li")
    assert [text(li) for li in s21] == [
        "Cambodia since 2021-12-09 (FR Doc. 2021-26633)", "China since 2021-01-04 (eCFR version 2021-01-04 of § 744.21)",
        "Russia since 2021-01-04 (eCFR version 2021-01-04 of § 744.21)",
        "Venezuela since 2021-01-04 (eCFR version 2021-01-04 of § 744.21)"]
    el = doc.xpath("//section[h2[@id='l-entity-list']]")[0]
    assert "2 entries in force today under 2 destinations." in text(el)
    assert el.xpath(".//li/a/@href") == ["country/cambodia.html#ent-h", "country/china.html#ent-h"]
    countries = page(site, "countries.html")
    row = countries.xpath("//tr[th/a='Cambodia']/td")
    assert [text(td) for td in row] == ["D:1", "§ 744.21, § 744.22", "1"]


def test_exports_carry_the_list_and_entity(site, lists_db):
    data = json.loads((site / "changes.json").read_text())
    assert data == [q.change_json(c) for c in q.list_changes(lists_db, list_kind=None)]
    assert {r["list"] for r in data} == {"country_groups", "744.21", "entity_list"}
    with open(site / "changes.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["country", "group", "action", "effective_date", "status", "fr_document", "citation",
                             "publication_date", "ecfr_version", "list", "entity", "detail"]
    revised = [r for r in rows if r["action"] == "revised"][0]
    assert (revised["list"], revised["entity"]) == ("entity_list", "Example Precision Optics Co., Ltd.")
    assert json.loads(revised["detail"])["fields"]["address"]["after"] == "No. 2 Sample Road, Exampletown."
    feed = etree.parse(str(site / "feed.atom")).getroot()
    entries = {e.find(f"{ATOM}id").text: e for e in feed.iter(f"{ATOM}entry")}
    el = entries["tag:frtrack,2026:change/china/entity-list/example-precision-optics-co-ltd/revised/2026-02-17/"
                 "2099-90104"]
    assert el.find(f"{ATOM}title").text == "Entity List: Example Precision Optics Co., Ltd. (China) revised (2026-02-17)"
    assert [(c.get("scheme"), c.get("term")) for c in el.findall(f"{ATOM}category")] == [
        ("tag:frtrack,2026:list", "entity_list")]
    cg = entries["tag:frtrack,2026:change/cambodia/d5/removed/2026-02-03/2026-02262"]     # ids as before
    assert [(c.get("scheme"), c.get("term")) for c in cg.findall(f"{ATOM}category")] == [
        (None, "D:5"), ("tag:frtrack,2026:list", "country_groups")]
    assert "tag:frtrack,2026:change/cambodia/744-21/added/2021-12-09/2021-26633" in entries


# --- rendering only what changed ----------------------------------------------------------------

def test_rerender_renders_only_the_pages_a_new_entity_touches(lists_db, tmp_path):
    out = tmp_path / "s"
    first = render_site(lists_db, out, today=TODAY)
    assert sorted(first.rendered) == sorted(first.written) and first.unchanged == 0
    again = render_site(lists_db, out, today=TODAY)
    assert again.rendered == [] and again.written == [] and again.unchanged == first.files
    with lists_db.atomic():
        insert_change(lists_db, "Cambodia", None, "added", "2026-02-17", "published", "2099-90104",
                      list_kind="entity_list", entity="Second Sample Co.", entity_key="second sample co",
                      created="2026-02-24T13:00:00+00:00")
        insert_membership(lists_db, "Cambodia", None, "2026-02-17", None, "fr:2099-90104", list_kind="entity_list",
                          entity="Second Sample Co.", entity_key="second sample co",
                          detail=entity_detail("Second Sample Co.", "1 Example Street, Phnom Penh."))
    after = render_site(lists_db, out, today=TODAY)
    assert sorted(after.rendered) == ["changes.csv", "changes.json", "countries.html", "country/cambodia.html",
                                      "doc/2099-90104.html", "documents.html", "feed.atom", "index.html", "lists.html"]
    assert sorted(after.written) == sorted(after.rendered)
    assert "Second Sample Co." in (out / "country" / "cambodia.html").read_text()
    # a fresh render of the same data gives the same bytes: skipping never leaves a stale page
    fresh = tmp_path / "fresh"
    render_site(lists_db, fresh, today=TODAY)
    for rel in json.loads((out / MANIFEST).read_text())["files"]:
        assert (out / rel).read_bytes() == (fresh / rel).read_bytes(), rel


def test_a_file_changed_on_disk_or_a_lost_manifest_is_rendered_again(lists_db, tmp_path):
    out = tmp_path / "s"
    render_site(lists_db, out, today=TODAY)
    page_path = out / "country" / "china.html"
    good = page_path.read_bytes()
    page_path.write_bytes(good.replace(b"Exampletown", b"Elsewhere"))
    os.utime(page_path, ns=(1, 1))
    report = render_site(lists_db, out, today=TODAY)
    assert report.rendered == ["country/china.html"] and page_path.read_bytes() == good
    # an older frtrack's manifest (a bare list of files) has no fingerprints: everything is rendered, nothing lost
    (out / MANIFEST).write_text(json.dumps(json.loads((out / MANIFEST).read_text())["files"]))
    report = render_site(lists_db, out, today=TODAY)
    assert len(report.rendered) == report.files and report.written == []
    # a damaged row cache only costs rendering the rows again
    (out / ROW_CACHE).write_bytes(b"\x00not a cache")
    (out / MANIFEST).unlink()
    render_site(lists_db, out, today=TODAY)
    assert page_path.read_bytes() == good


def test_a_new_day_or_new_data_changes_the_fingerprints(lists_db, tmp_path):
    out = tmp_path / "s"
    render_site(lists_db, out, today=TODAY)
    nextday = render_site(lists_db, out, today=date(2026, 2, 25))
    assert "index.html" in nextday.written and "matrix/2021-01-04.html" in nextday.written   # the stamp moved
    lists_db.execute("UPDATE fr_documents SET title = 'Renamed' WHERE document_number = '2021-26633'")
    lists_db.conn.commit()
    renamed = render_site(lists_db, out, today=date(2026, 2, 25))
    assert {"doc/2021-26633.html", "documents.html", "index.html", "country/cambodia.html"} <= set(renamed.rendered)
    assert "matrix/2021-01-04.html" not in renamed.rendered
