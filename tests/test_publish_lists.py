"""What every output says of sample documents, untracked lists and the registered lists.

Over the demo database (built by the real pipeline from its replay data), rendered
again the way ``frtrack digest`` and ``frtrack site`` render any database: without
the demo's disclosure. A sample (fictional) document has no federalregister.gov
page, so no output links one; a list with no stored eCFR version is not "unchanged".
"""
from __future__ import annotations

import email
import re
import shutil
from datetime import date

import pytest
from click.testing import CliRunner

from parsers.model import ListKind
from pipeline.cli import cli
from pipeline.config import Settings
from pipeline.demo.run import run_demo
from pipeline.derive.units import REGISTRY
from pipeline.publish import wording
from pipeline.publish.digest import digest_command
from pipeline.publish.site import render_site
from store import queries
from store.db import open_db

SAMPLE_LINK = re.compile(r"federalregister\.gov/[^\s\"'<>]*2099-")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """A copy of the demo's database, as a user would point ``--db`` at it."""
    report = run_demo(tmp_path_factory.mktemp("demo") / "out")
    assert report.ok, report.summary()
    copy = tmp_path_factory.mktemp("copy") / "frtrack.db"
    shutil.copy(report.db_path, copy)
    return copy


def _digest_parts(db_path, out) -> str:
    db = open_db(db_path)
    try:
        report = digest_command(Settings(), db, since=date(2000, 1, 1), out=str(out), send=False,
                                today=date(2100, 1, 1))
    finally:
        db.close()
    assert report.written
    msg = email.message_from_bytes(report.written[0].read_bytes())
    return "\n".join(p.get_payload(decode=True).decode("utf-8") for p in msg.walk() if not p.is_multipart())


def test_digest_links_no_sample_document_without_the_disclosure(demo_db, tmp_path):
    text = _digest_parts(demo_db, tmp_path / "digest.eml")
    assert "2099-90003" in text                     # the sample document is there, named...
    assert not SAMPLE_LINK.search(text), SAMPLE_LINK.search(text).group(0)   # ...but not linked
    assert "federalregister.gov/d/2026-02262" in text or re.search(r"federalregister\.gov/[^\s\"'<>]*2026-02262", text)


def test_site_links_no_sample_document_without_the_disclosure(demo_db, tmp_path):
    db = open_db(demo_db)
    try:
        render_site(db, tmp_path / "site", today=date(2026, 2, 24), force=True)
    finally:
        db.close()
    found = {p.relative_to(tmp_path / "site").as_posix(): SAMPLE_LINK.search(p.read_text(encoding="utf-8"))
             for p in (tmp_path / "site").rglob("*") if p.is_file() and p.suffix in (".html", ".json", ".atom", ".xml")}
    assert found and not {k: m.group(0) for k, m in found.items() if m}
    real = (tmp_path / "site" / "doc" / "2026-02262.html").read_text(encoding="utf-8")
    assert re.search(r"federalregister\.gov/[^\s\"'<>]*2026-02262", real)


def test_sample_is_decided_from_the_title():
    assert queries.is_sample_title("SAMPLE (fictional, not a real FR document): Venezuela")
    assert queries.is_sample_title("SAMPLE (invented for frtrack's tests, not a real FR document): x")
    assert not queries.is_sample_title("Addition of Entities to the Entity List")
    assert not queries.is_sample_title(None)


def test_digest_says_a_list_with_no_stored_version_is_not_tracked(demo_db, tmp_path):
    text = _digest_parts(demo_db, tmp_path / "digest.eml")
    assert "\u00a7 744.22: not tracked in this database (no version stored)" in text
    section = text.split("\u00a7 744.22", 1)[1].split("\n\n", 1)[0]
    assert "No change" not in section


# --- the lists come from the registry ---------------------------------------------------------------

def test_every_unit_with_changes_has_a_name_a_slug_and_a_digest_section():
    from pipeline.publish import digest, site
    with_changes = tuple(u.kind.value for u in REGISTRY if u.changes is not None)
    assert wording.CHANGE_LISTS == with_changes == digest.LISTS == site.LISTS
    for u in REGISTRY:
        if u.changes is None:
            continue
        assert u.renderers.name and u.renderers.title and u.renderers.slug, u.kind
        assert wording.LIST_NAMES[u.kind.value] == u.renderers.name
        assert wording.LIST_TITLES[u.kind.value] == u.renderers.title
        assert wording.LIST_SLUGS[u.kind.value] == u.renderers.slug
    assert set(site.SECTIONS) == {"744.21", "744.22"}
    # the store orders by ListKind, the registry's order
    assert [k.value for k in ListKind if k.value in with_changes] == list(with_changes)


# --- frtrack changes --entity ---------------------------------------------------------------------

def _invoke(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_changes_entity_that_matches_nothing_on_record_is_a_usage_error(demo_db):
    result = _invoke("--db", str(demo_db), "changes", "--entity", "Huawei", "--json")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    err = result.stderr.strip()
    assert "\n" not in err and "Huawei" in err and "no Entity List entity" in err


def test_changes_entity_suggests_close_names(demo_db):
    result = _invoke("--db", str(demo_db), "changes", "--entity", "Example Avionix")
    assert result.exit_code == 2, result.output
    assert "did you mean 'SAMPLE Example Avionics OOO (fictional)'?" in result.stderr
    assert "\n" not in result.stderr.strip()


def test_changes_empty_entity_is_a_usage_error(demo_db):
    result = _invoke("--db", str(demo_db), "changes", "--entity", "")
    assert result.exit_code == 2 and "--entity" in result.stderr


def test_changes_entity_on_record_still_answers(demo_db):
    db = open_db(demo_db)
    try:
        name = queries.entity_names(db)[0]
    finally:
        db.close()
    result = _invoke("--db", str(demo_db), "changes", "--entity", name, "--json")
    assert result.exit_code == 0, result.output
