"""Issue 15 on the site: every list on the timeline and in the exports, a country page with its
§ 744.21 / § 744.22 status, Entity List entries and divergences, each with its history; and a
re-render that renders only the pages whose inputs changed (no browser; see test_site_browser)."""
from __future__ import annotations

import csv
import dataclasses
import json
import os
from datetime import date
from pathlib import Path

import pytest
from lxml import etree, html

from parsers.lifecycle import ChangeAction, ChangeStatus
from parsers.model import ListKind, name_key
from pipeline.publish.site import MANIFEST, ROW_CACHE, render_site
from store import derived, queries as q

TODAY = date(2099, 4, 9)          # the lists world's last run (tests/test_e2e_lists.py, built by the pipeline)
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
    assert ["Iran", "", "confirmed", "2099-03-02", "entity_list", "Imaginary Drone Works (SAMPLE)"] in index
    assert ["Nicaragua", "", "confirmed", "2099-04-06", "744.21", ""] in index
    assert ["Nicaragua", "D:5", "confirmed", "2099-04-06", "country_groups", ""] in index
    assert doc.xpath("//select[@id='f-list']/option/@value") == ["", "country_groups", "744.21", "744.22",
                                                                 "entity_list"]
    assert doc.xpath("//label[@for='f-entity']") and doc.xpath("//input[@id='f-entity']")
    revised = [r for r in rows if r.get("data-entity") == "Imaginary Drone Works (SAMPLE)"][0]
    cells = [text(td) for td in revised.xpath("td")]
    assert cells[:5] == ["2099-03-02", "Iran", "Entity List", "Imaginary Drone Works (SAMPLE)",
                         "revised in Entity List aliases, license review policy, citations"]
    section = [r for r in rows if r.get("data-list") == "744.21"][0]
    assert [text(td) for td in section.xpath("td")][2:5] == ["§ 744.21", "—", "added to § 744.21"]


def test_country_page_has_every_list_each_with_its_document(site):
    doc = page(site, "country/nicaragua.html")
    groups = [text(li) for li in doc.xpath("//ul[@class='groups']/li")]
    assert "D:5 U.S. Arms Embargoed Countries since 2099-04-06 (FR Doc. 2099-90016)" in groups
    s21 = doc.xpath("//section[h2[@id='sec-744-21']]")[0]
    assert text(s21.xpath(".//p[contains(@class,'status-line')]")[0]) == \
        "Listed: § 744.21 names Nicaragua since 2099-04-06 (FR Doc. 2099-90016)."
    assert s21.xpath(".//p[contains(@class,'status-line')]//a/@href") == ["../doc/2099-90016.html"]
    assert [r.get("data-list") for r in s21.xpath(".//table[contains(@class,'changes')]/tbody/tr")] == ["744.21"]
    assert "No Entity List entry is under Nicaragua today." in text(doc)
    assert "None recorded for Nicaragua." in text(doc.xpath("//section[h2[@id='div-h']]")[0])
    history = doc.xpath("//section[h2[@id='hist-h']]//tbody/tr")
    assert sorted((r.get("data-list"), r.get("data-group")) for r in history) == [
        ("744.21", ""), ("744.22", ""), ("country_groups", "B"), ("country_groups", "D:1"), ("country_groups", "D:5")]
    russia = page(site, "country/russia.html")
    s22 = russia.xpath("//section[h2[@id='sec-744-22']]")[0]
    assert text(s22.xpath(".//p[contains(@class,'status-line')]")[0]) == \
        "Listed: § 744.22 names Russia since 2099-01-05 (eCFR version 2099-01-05 of § 744.22)."
    iran = page(site, "country/iran.html")
    assert text(iran.xpath("//section[h2[@id='sec-744-21']]//p")[0]) == "Not listed: § 744.21 does not name Iran."


def test_entity_entries_with_their_fields_and_history(site):
    iran = page(site, "country/iran.html")
    [entry] = iran.xpath("//table[@class='entities']/tbody/tr")
    cells = [text(c) for c in entry.xpath("th|td")]
    assert cells[0] == "Imaginary Drone Works (SAMPLE) a.k.a. IDW Sample; Drone Sample Works (SAMPLE)"
    assert "Unit 3, 4 Nowhere Boulevard, Tehran, Iran." in cells[1] and "Review policy: Policy of denial." in cells[1]
    assert cells[2:5] == ["2099-01-05", "FR Doc. 2099-90013",
                          "2099-03-02: revised (aliases, license review policy, citations), confirmed, FR Doc. 2099-90013"]
    assert entry.xpath(".//a/@href") == ["../doc/2099-90013.html", "../doc/2099-90013.html"]
    russia = page(site, "country/russia.html")
    [moved] = russia.xpath("//table[@class='entities']/tbody/tr")
    assert [text(c) for c in moved.xpath("th|td")][2:5] == [
        "2099-03-02", "FR Doc. 2099-90014", "2099-03-02: added (moved from Armenia), confirmed, FR Doc. 2099-90014"]
    assert [r.get("data-entity") for r in russia.xpath("//section[h2[@id='hist-h']]//tbody/tr")] == [
        "Sample Microwave Trading LLC (SAMPLE)", "Fictitious Avionics OOO (SAMPLE)"]
    china = page(site, "country/china-prc.html")
    [photonics] = china.xpath("//table[@class='entities']/tbody/tr")
    assert "734.9(e)" in text(photonics)                            # as the correction printed it
    assert "2099-02-09: revised (license requirement), confirmed, FR Doc. 2099-90011" in text(photonics)
    armenia = page(site, "country/armenia.html")
    assert "No Entity List entry is under Armenia today." in text(armenia)


def test_lists_page_names_each_sections_countries_and_the_entity_list_by_destination(site):
    doc = page(site, "lists.html")
    s21 = doc.xpath("//section[h2[@id='l-744-21']]//li")
    assert [text(li) for li in s21] == [
        "Burma since 2099-01-05 (eCFR version 2099-01-05 of § 744.21)",
        "China (PRC) since 2099-01-05 (eCFR version 2099-01-05 of § 744.21)",
        "Nicaragua since 2099-04-06 (FR Doc. 2099-90016)",
        "Russia since 2099-01-05 (eCFR version 2099-01-05 of § 744.21)",
        "Venezuela since 2099-01-05 (eCFR version 2099-01-05 of § 744.21)"]
    el = doc.xpath("//section[h2[@id='l-entity-list']]")[0]
    assert "3 entries in force today under 3 destinations." in text(el)
    assert el.xpath(".//li/a/@href") == ["country/china-prc.html#ent-h", "country/iran.html#ent-h",
                                         "country/russia.html#ent-h"]
    countries = page(site, "countries.html")
    assert [text(td) for td in countries.xpath("//tr[th/a='Russia']/td")][1:] == ["§ 744.21, § 744.22", "1"]
    assert [text(td) for td in countries.xpath("//tr[th/a='Iran']/td")][1:] == ["neither", "1"]


def test_exports_carry_the_list_and_entity(site, lists_db):
    data = json.loads((site / "changes.json").read_text())
    assert data == [q.change_json(c) for c in q.list_changes(lists_db, list_kind=None)]
    assert {r["list"] for r in data} == {"country_groups", "744.21", "744.22", "entity_list"}
    with open(site / "changes.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["country", "group", "action", "effective_date", "status", "fr_document", "citation",
                             "publication_date", "ecfr_version", "list", "entity", "detail"]
    moved = [r for r in rows if r["entity"] == "Sample Microwave Trading LLC (SAMPLE)"]
    assert [(r["country"], r["action"], r["detail"]) for r in moved] == [
        ("Armenia", "removed", '{"moved_to":"Russia"}'), ("Russia", "added", '{"moved_from":"Armenia"}')]
    feed = etree.parse(str(site / "feed.atom")).getroot()
    entries = {e.find(f"{ATOM}id").text: e for e in feed.iter(f"{ATOM}entry")}
    el = entries["tag:frtrack,2026:change/iran/entity-list/imaginary-drone-works-sample/revised/2099-03-02/2099-90013"]
    assert el.find(f"{ATOM}title").text == "Entity List: Imaginary Drone Works (SAMPLE) (Iran) revised (2099-03-02)"
    assert [(c.get("scheme"), c.get("term")) for c in el.findall(f"{ATOM}category")] == [
        ("tag:frtrack,2026:list", "entity_list")]
    cg = entries["tag:frtrack,2026:change/nicaragua/d5/added/2099-04-06/2099-90016"]       # ids as before
    assert [(c.get("scheme"), c.get("term")) for c in cg.findall(f"{ATOM}category")] == [
        (None, "D:5"), ("tag:frtrack,2026:list", "country_groups")]
    assert "tag:frtrack,2026:change/nicaragua/744-21/added/2099-04-06/2099-90016" in entries


# --- rendering only what changed ----------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class _Change:
    """A change record as the derivation hands it to store.derived (its ChangeRecord protocol)."""

    key: str
    country: str
    entity: str
    entity_key: str
    effective_date: str
    fr_document: str
    group: str | None = None
    action: ChangeAction = ChangeAction.ADDED
    status: ChangeStatus = ChangeStatus.CONFIRMED
    ecfr_version: str | None = None
    corrected_by: tuple[str, ...] = ()
    list: ListKind = ListKind.ENTITY_LIST
    detail: str | None = None


def add_entity(db, country: str, name: str, day: str, doc: str) -> None:
    """One more Entity List addition and its interval, written as the engine writes them."""
    key = name_key(name)
    with db.atomic():
        cid = derived.insert_change(db, _Change(f"entity_list|{country}|{key}|added|fr:{doc}", country, name, key,
                                                day, doc), "2099-04-09T16:00:00+00:00")
        derived.log_status(db, cid, ChangeStatus.CONFIRMED, None, at="2099-04-09T16:00:00+00:00", run_id=None)
        db.execute("INSERT INTO memberships (list, country, entity, entity_key, detail, valid_from, opened_by_document)"
                   " VALUES ('entity_list', ?, ?, ?, ?, ?, ?)",
                   [country, name, key, json.dumps({"name": name, "aliases": [], "address": "1 Sample Street."}),
                    day, doc])


def test_rerender_renders_only_the_pages_a_new_entity_touches(lists_db, tmp_path):
    out = tmp_path / "s"
    first = render_site(lists_db, out, today=TODAY)
    assert sorted(first.rendered) == sorted(first.written) and first.unchanged == 0
    again = render_site(lists_db, out, today=TODAY)
    assert again.rendered == [] and again.written == [] and again.unchanged == first.files
    # one more Entity List entry under Iran, as the engine writes it (store.derived), attributed to 2099-90013
    add_entity(lists_db, "Iran", "Second Sample Works (SAMPLE)", "2099-03-02", "2099-90013")
    after = render_site(lists_db, out, today=TODAY)
    assert sorted(after.rendered) == ["changes.csv", "changes.json", "countries.html", "country/iran.html",
                                      "doc/2099-90013.html", "documents.html", "feed.atom", "index.html", "lists.html"]
    assert sorted(after.written) == sorted(after.rendered)
    assert "Second Sample Works (SAMPLE)" in (out / "country" / "iran.html").read_text()
    # a fresh render of the same data gives the same bytes: skipping never leaves a stale page
    fresh = tmp_path / "fresh"
    render_site(lists_db, fresh, today=TODAY)
    for rel in json.loads((out / MANIFEST).read_text())["files"]:
        assert (out / rel).read_bytes() == (fresh / rel).read_bytes(), rel


def test_a_file_changed_on_disk_or_a_lost_manifest_is_rendered_again(lists_db, tmp_path):
    out = tmp_path / "s"
    render_site(lists_db, out, today=TODAY)
    page_path = out / "country" / "iran.html"
    good = page_path.read_bytes()
    page_path.write_bytes(good.replace(b"Tehran", b"Elsewhere"))
    os.utime(page_path, ns=(1, 1))
    report = render_site(lists_db, out, today=TODAY)
    assert report.rendered == ["country/iran.html"] and page_path.read_bytes() == good
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
    nextday = render_site(lists_db, out, today=date(2099, 4, 10))
    assert "index.html" in nextday.written and "matrix/2099-01-05.html" in nextday.written   # the stamp moved
    lists_db.execute("UPDATE fr_documents SET title = 'Renamed' WHERE document_number = '2099-90016'")
    lists_db.conn.commit()
    renamed = render_site(lists_db, out, today=date(2099, 4, 10))
    assert {"doc/2099-90016.html", "documents.html", "index.html", "country/nicaragua.html"} <= set(renamed.rendered)
    assert "matrix/2099-01-05.html" not in renamed.rendered and "country/iran.html" not in renamed.rendered
