"""Issue 13: the demo's site in a real headless Chromium says what is real and marks the samples.

A reader sees the disclosure box on every page, a visible "sample" mark on
each sample event's row, and document pages that say how many instructions
are held for review and which agency issued the document, by name.
"""
from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from pipeline.demo.run import run_demo
from tests.plugins.browser import console_errors

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    report = run_demo(tmp_path_factory.mktemp("demo") / "out")
    assert report.ok, report.summary()
    return report.site_index.parent


def test_disclosure_and_sample_marks_are_visible(page, demo_site):
    page.get(demo_site.joinpath("index.html").as_uri())
    assert console_errors(page) == []
    box = page.find_element(By.CSS_SELECTOR, "aside.disclosure")
    assert box.is_displayed()
    assert "Demo data: what is real and what is illustrative" in box.text
    assert "FR Doc. 2026-02262, RIN 0694-AK41" in box.text and "FR Doc. 2099-90001" in box.text
    marked = [r for r in page.find_elements(By.CSS_SELECTOR, "#timeline tbody tr")
              if r.find_elements(By.CSS_SELECTOR, ".sample")]
    # the timeline holds every list: the SAMPLE Entity List addition under Cambodia is marked too
    assert sorted(" ".join(filter(None, (r.get_attribute("data-country"), r.get_attribute("data-group"),
                                         r.get_attribute("data-entity")))) for r in marked) == [
        "Cambodia SAMPLE Phnom Penh Example Trading Co. (fictional)", "Sudan B", "Sudan E:1", "Venezuela D:2"]
    assert all(r.find_element(By.CSS_SELECTOR, ".sample").is_displayed() for r in marked)
    rows = page.find_elements(By.CSS_SELECTOR, "#timeline tbody tr")
    assert page.find_element(By.ID, "filter-count").text == f"{len(rows)} changes"
    assert sum(1 for r in rows if r.get_attribute("data-list") == "country_groups") == 10


def test_disclosure_is_one_line_on_other_pages_and_opens_on_click(page, demo_site):
    page.get(demo_site.joinpath("divergences.html").as_uri())
    box = page.find_element(By.CSS_SELECTOR, "aside.disclosure")
    assert box.find_element(By.CSS_SELECTOR, "summary").is_displayed()
    assert "FR Doc. 2099-90001" not in box.text          # collapsed: the lists are not shown
    box.find_element(By.CSS_SELECTOR, "summary").click()
    assert "FR Doc. 2099-90001" in box.text


def test_document_page_reads_as_english(page, demo_site):
    page.get(demo_site.joinpath("doc", "2099-90002.html").as_uri())
    terms = {dt.text: dd.text for dt, dd in zip(page.find_elements(By.CSS_SELECTOR, "dl.meta dt"),
                                                page.find_elements(By.CSS_SELECTOR, "dl.meta dd"), strict=True)}
    assert terms["Parsing"] == "1 instruction held for review (see below)"
    assert terms["Agencies"] == "Industry and Security Bureau"
    assert page.find_element(By.CSS_SELECTOR, "p.lede .sample").is_displayed()
