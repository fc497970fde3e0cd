"""The rendered site in a real headless Chromium: loads clean, filters, and shows the Cambodia story."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from pipeline.publish.site import render_site
from store import queries as q
from tests.plugins.browser import console_errors, requested_urls

pytestmark = pytest.mark.browser
TODAY = date(2026, 2, 24)


@pytest.fixture
def site(seeded_db, tmp_path) -> Path:
    out = tmp_path / "site"
    render_site(seeded_db, out, today=TODAY)
    return out


def _visible_rows(driver) -> list[tuple[str, str, str]]:
    """(effective, country, group) of the timeline rows the filter left visible."""
    rows = driver.find_elements(By.CSS_SELECTOR, "#timeline tbody tr")
    return [(r.get_attribute("data-effective"), r.get_attribute("data-country"), r.get_attribute("data-group"))
            for r in rows if r.is_displayed()]


def _expected(changes) -> list[tuple[str, str, str]]:
    newest = sorted(changes, key=lambda c: (c["effective_date"] or "9999-99-99", c["id"]), reverse=True)
    return [(c["effective_date"] or "", c["country"], c["group"]) for c in newest]


def _assert_clean_load(driver, site_root: str) -> None:
    assert driver.find_element(By.TAG_NAME, "h1").text == "Export-control list changes"
    # filter.js ran: it unhides the form and writes the count.
    assert driver.find_element(By.ID, "filters").is_displayed()
    assert driver.execute_script("return document.styleSheets.length") >= 1
    errors = console_errors(driver)
    assert errors == [], errors
    urls = requested_urls(driver)
    assert any(u.endswith("assets/filter.js") for u in urls), urls
    # data: URLs are inline bytes, not requests (Chromium's own date-picker icon is one).
    outside = [u for u in urls if not u.startswith(site_root) and not u.startswith("data:")]
    assert outside == [], f"requests left the site folder: {outside}"


def test_index_over_file_loads_without_errors_or_outside_requests(page, site):
    page.get(site.joinpath("index.html").as_uri())
    _assert_clean_load(page, site.as_uri() + "/")
    assert page.find_element(By.ID, "filter-count").text == "9 changes"


def test_index_over_local_http_server_loads_clean(page, site, static_server):
    base = static_server(site)
    page.get(base + "index.html")
    _assert_clean_load(page, base)


def test_filter_by_country_shows_exactly_its_rows(page, site, seeded_db):
    page.get(site.joinpath("index.html").as_uri())
    page.find_element(By.ID, "f-country").send_keys("Cambodia")
    expected = _expected(q.list_changes(seeded_db, country="Cambodia"))
    assert expected == [("2026-02-03", "Cambodia", "D:5"), ("2021-12-09", "Cambodia", "D:5")]
    WebDriverWait(page, 5).until(lambda d: _visible_rows(d) == expected)
    assert page.find_element(By.ID, "filter-count").text == "2 of 9 changes shown"


def test_filter_by_group_shows_exactly_its_rows(page, site, seeded_db):
    page.get(site.joinpath("index.html").as_uri())
    page.find_element(By.ID, "f-group").send_keys("D:5")
    expected = _expected(q.list_changes(seeded_db, group="D:5"))
    assert {c for _, c, _ in expected} == {"Cambodia", "Nicaragua", "Cyprus", "Laos"}
    WebDriverWait(page, 5).until(lambda d: _visible_rows(d) == expected)
    assert all(g == "D:5" for _, _, g in _visible_rows(page))


def test_filter_by_status_and_date_range_then_clear(page, site, seeded_db):
    page.get(site.joinpath("index.html").as_uri())
    Select(page.find_element(By.ID, "f-status")).select_by_value("confirmed")
    page.execute_script("var f = document.getElementById('f-from'); f.value = '2024-01-01';"
                        " f.dispatchEvent(new Event('input', {bubbles: true}));")
    expected = [r for r in _expected(q.list_changes(seeded_db, since="2024-01-01"))]
    confirmed = {(c["effective_date"], c["country"], c["group"])
                 for c in q.list_changes(seeded_db, since="2024-01-01") if c["status"] == "confirmed"}
    expected = [r for r in expected if r in confirmed]
    # Nicaragua's three moves of 2024-03-15, Cyprus out of D:5, Cambodia out of D:5 (not Venezuela: contradicted)
    assert expected == [("2026-02-03", "Cambodia", "D:5"), ("2024-05-30", "Cyprus", "D:5"),
                        ("2024-03-15", "Nicaragua", "D:5"), ("2024-03-15", "Nicaragua", "D:1"),
                        ("2024-03-15", "Nicaragua", "B")]
    WebDriverWait(page, 5).until(lambda d: _visible_rows(d) == expected)
    page.find_element(By.CSS_SELECTOR, "#filters button[type=reset]").click()
    WebDriverWait(page, 5).until(lambda d: len(_visible_rows(d)) == 9)


@pytest.fixture
def lists_site(lists_db, tmp_path) -> Path:
    """The site of the lists world (tests/test_e2e_lists.py, built by the pipeline) on its last run's day."""
    out = tmp_path / "lists-site"
    render_site(lists_db, out, today=date(2099, 4, 9))
    return out


def _visible_lists(driver) -> list[tuple[str, str, str]]:
    """(country, list, entity) of the timeline rows the filter left visible."""
    rows = driver.find_elements(By.CSS_SELECTOR, "#timeline tbody tr")
    return [(r.get_attribute("data-country"), r.get_attribute("data-list"), r.get_attribute("data-entity"))
            for r in rows if r.is_displayed()]


def test_filter_by_list_then_by_entity_name_as_typed(page, lists_site, lists_db):
    page.get(lists_site.joinpath("index.html").as_uri())
    total = len(q.list_changes(lists_db, list_kind=None))
    assert page.find_element(By.ID, "filter-count").text == f"{total} changes"
    Select(page.find_element(By.ID, "f-list")).select_by_value("entity_list")
    WebDriverWait(page, 5).until(lambda d: sorted(_visible_lists(d)) == [
        ("Armenia", "entity_list", "Sample Microwave Trading LLC (SAMPLE)"),
        ("China (PRC)", "entity_list", "Example Photonics Co., Ltd. (SAMPLE)"),
        ("China (PRC)", "entity_list", "Example Photonics Co., Ltd. (SAMPLE)"),
        ("Iran", "entity_list", "Imaginary Drone Works (SAMPLE)"),
        ("Russia", "entity_list", "Fictitious Avionics OOO (SAMPLE)"),
        ("Russia", "entity_list", "Sample Microwave Trading LLC (SAMPLE)")])
    # the name as a person types it: case, punctuation and "Company Limited" for "Co., Ltd." do not matter
    page.find_element(By.ID, "f-entity").send_keys("EXAMPLE photonics company limited")
    WebDriverWait(page, 5).until(lambda d: _visible_lists(d) == [
        ("China (PRC)", "entity_list", "Example Photonics Co., Ltd. (SAMPLE)")] * 2)
    assert page.find_element(By.ID, "filter-count").text == f"2 of {total} changes shown"
    page.find_element(By.CSS_SELECTOR, "#filters button[type=reset]").click()
    Select(page.find_element(By.ID, "f-list")).select_by_value("744.21")
    WebDriverWait(page, 5).until(lambda d: _visible_lists(d) == [("Nicaragua", "744.21", "")])
    assert console_errors(page) == []


def test_country_page_shows_every_list_with_its_documents(page, lists_site):
    page.get(lists_site.joinpath("country", "nicaragua.html").as_uri())
    section = page.find_element(By.ID, "sec-744-21").find_element(By.XPATH, "..")
    assert "Listed: § 744.21 names Nicaragua since 2099-04-06 (FR Doc. 2099-90016)" in section.text
    page.get(lists_site.joinpath("country", "iran.html").as_uri())
    entry = page.find_element(By.CSS_SELECTOR, "table.entities tbody tr")
    assert entry.find_element(By.TAG_NAME, "th").text.startswith("Imaginary Drone Works (SAMPLE)")
    link = entry.find_element(By.LINK_TEXT, "FR Doc. 2099-90013")
    assert link.get_attribute("href") == lists_site.joinpath("doc", "2099-90013.html").as_uri()
    assert console_errors(page) == []


def test_country_page_shows_d5_removal_with_fr_citation(page, site):
    page.get(site.joinpath("country", "cambodia.html").as_uri())
    assert page.find_element(By.TAG_NAME, "h1").text == "Cambodia"
    current = [li.text.split()[0] for li in page.find_elements(By.CSS_SELECTOR, "ul.groups li")]
    assert current == ["B", "D:1", "D:3"]
    rows = page.find_elements(By.CSS_SELECTOR, "table.changes tbody tr")
    removal = [r for r in rows if r.get_attribute("data-effective") == "2026-02-03"]
    assert len(removal) == 1
    text = removal[0].text
    assert "removed from D:5" in text and "FR Doc. 2026-02262" in text
    link = removal[0].find_element(By.LINK_TEXT, "FR Doc. 2026-02262")
    assert link.get_attribute("href") == site.joinpath("doc", "2026-02262.html").as_uri()
    assert console_errors(page) == []


def _matrix_cell(driver, country: str, group: str) -> str:
    heads = [th.get_attribute("data-group") for th in driver.find_elements(By.CSS_SELECTOR, "#matrix thead th")]
    col = heads.index(group)
    for row in driver.find_elements(By.CSS_SELECTOR, "#matrix tbody tr"):
        if row.find_element(By.CSS_SELECTOR, "th a").text == country:     # the name, without footnote marks
            return row.find_elements(By.CSS_SELECTOR, "th, td")[col].text
    raise AssertionError(f"{country} not in the matrix")


def test_as_of_matrix_for_a_2023_date_marks_cambodia_in_d5(page, site, seeded_db):
    in_force = [d for d in q.ecfr_version_dates(seeded_db) if d <= "2023-06-01"][-1]
    assert in_force == "2022-03-02"          # the version that took Belarus out of A:4
    page.get(site.joinpath("index.html").as_uri())
    page.find_element(By.LINK_TEXT, "Matrix").click()
    page.find_element(By.LINK_TEXT, in_force).click()
    assert page.current_url == site.joinpath("matrix", f"{in_force}.html").as_uri()
    assert _matrix_cell(page, "Cambodia", "D:5") == "X"
    assert _matrix_cell(page, "Cambodia", "D:1") == "X"
    assert _matrix_cell(page, "Cyprus", "D:5") == "X"          # left in 2024
    assert _matrix_cell(page, "Nicaragua", "B") == "X"         # moved from B to D:1 and D:5 in 2024
    assert _matrix_cell(page, "Nicaragua", "D:5") == ""
    assert _matrix_cell(page, "Belarus", "A:4") == ""
    page.get(site.joinpath("matrix.html").as_uri())       # today: Cambodia has left D:5
    assert _matrix_cell(page, "Cambodia", "D:5") == ""
    assert _matrix_cell(page, "Cambodia", "D:1") == "X"


def test_every_page_loads_without_console_errors_or_outside_requests(page, site):
    root = site.as_uri() + "/"
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 30
    for p in pages:
        page.get(p.as_uri())
        assert page.find_element(By.TAG_NAME, "h1").text, p
        assert console_errors(page) == [], p
        outside = [u for u in requested_urls(page) if not u.startswith(root) and not u.startswith("data:")]
        assert outside == [], f"{p}: {outside}"


def test_phone_width_has_no_sideways_scroll_and_print_hides_navigation(page, site):
    try:
        page.set_window_size(390, 900)
        for rel in ("index.html", "country/cambodia.html", "doc/2026-02262.html", "lists.html"):
            page.get(site.joinpath(rel).as_uri())
            widths = page.execute_script("return [document.documentElement.scrollWidth, window.innerWidth]")
            assert widths[0] <= widths[1], f"{rel}: page is {widths[0]}px wide in a {widths[1]}px viewport"
        page.get(site.joinpath("index.html").as_uri())
        assert page.find_element(By.CSS_SELECTOR, "header nav").is_displayed()
        page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
        assert not page.find_element(By.CSS_SELECTOR, "header nav").is_displayed()
        assert not page.find_element(By.ID, "filters").is_displayed()
        assert page.find_element(By.ID, "timeline").is_displayed()
    finally:
        page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
        page.set_window_size(1280, 900)


def test_missing_browser_skips_with_reason_or_fails_when_required(tmp_path):
    """The rule for machines without Chromium, run in a child pytest with a browser path that does not exist."""
    import os
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[1]
    probe = tmp_path / "test_probe.py"
    probe.write_text("def test_needs_browser(browser):\n    pass\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRTRACK_")}
    env.update(PYTHONPATH=str(repo), FRTRACK_CHROMIUM=str(tmp_path / "no-chromium"))
    cmd = [sys.executable, "-m", "pytest", "-p", "tests.plugins.browser", "-rs", "-q", "-p", "no:cacheprovider",
           str(probe)]
    skipped = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert skipped.returncode == 0, skipped.stdout + skipped.stderr
    assert "1 skipped" in skipped.stdout and "no-chromium not found" in skipped.stdout
    required = subprocess.run(cmd, cwd=tmp_path, env=dict(env, FRTRACK_REQUIRE_BROWSER="1"),
                              capture_output=True, text=True, timeout=120)
    assert required.returncode == 1, required.stdout + required.stderr
    assert "FRTRACK_REQUIRE_BROWSER=1 but" in required.stdout and "no-chromium not found" in required.stdout
