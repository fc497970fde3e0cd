"""Issue 13: the bundled sample teaches no invented fact as real.

Every FR document in the timeline is either one of the real country-group
rules listed in the design notes (number, citation, publication and effective
dates exactly as listed there; no citation where none is verified) or a
SAMPLE: a fictional-looking number (2099-9xxxx), "SAMPLE" in its title, and
a note in the disclosure the demo prints and renders.
"""
from __future__ import annotations

import re
from datetime import date

from pipeline.demo.data.timeline import DISCLOSURE, build_timeline
from pipeline.demo.run import run_demo

# From /work/shared/DESIGN.md, "Real Country Group rules" (2026-02262: 91 FR 5091 is marked unverified)
REAL = {
    "2021-26633": ("86 FR 70015", date(2021, 12, 9), date(2021, 12, 9)),
    "2021-26590": ("86 FR 70053", date(2021, 12, 9), date(2021, 12, 9)),
    "2022-04819": ("87 FR 13048", date(2022, 3, 8), date(2022, 3, 2)),
    "2024-05696": ("89 FR 18780", date(2024, 3, 15), date(2024, 3, 15)),
    "2024-05695": (None, date(2024, 3, 15), date(2024, 3, 15)),
    "2024-10280": ("89 FR 40369", date(2024, 5, 10), date(2024, 5, 30)),
    "2025-19822": (None, date(2025, 11, 7), date(2025, 11, 7)),
    "2026-02262": (None, date(2026, 2, 4), date(2026, 2, 3)),
}
SAMPLE_NUMBER = re.compile(r"2099-9\d{4}")


def _documents():
    return [d for s in build_timeline() for d in s.documents]


def test_every_document_is_real_as_listed_or_a_marked_sample():
    for d in _documents():
        if SAMPLE_NUMBER.fullmatch(d.number):
            assert d.title.startswith("SAMPLE") and d.citation is None, d.number
            assert DISCLOSURE.sample_note(f"fr:{d.number}"), d.number
            assert b"SAMPLE" in d.xml
        else:
            assert d.number in REAL, f"{d.number} is neither a listed real rule nor a marked sample"
            assert (d.citation, d.publication_date, d.effective_on) == REAL[d.number], d.number
    assert {d.number for d in _documents()} >= set(REAL)


def test_page_numbers_and_rins_are_only_the_real_ones():
    for d in _documents():
        pages = re.findall(rb'<PRTPAGE P="(\d+)"', d.xml)
        expected = [d.citation.split()[-1].encode()] if d.citation else []
        assert pages == expected, d.number
        rins = re.findall(rb"<RIN>RIN ([^<]+)</RIN>", d.xml)
        assert rins == ([b"0694-AK41"] if d.number == "2026-02262" else []), d.number
        assert d.rin in ("", "0694-AK41")


def test_public_inspection_and_ecfr_samples_are_disclosed():
    for s in build_timeline():
        for p in s.public_inspection:
            assert p.number in REAL
    eCFR = {day.isoformat() for s in build_timeline() for day, _ in s.ecfr_supplement}
    samples = {ref for ref, _ in DISCLOSURE.samples}
    assert {r.partition(":")[2] for r in samples if r.startswith("ecfr:")} <= eCFR
    assert {r.partition(":")[2] for r in samples if r.startswith("fr:")} == {
        d.number for d in _documents() if SAMPLE_NUMBER.fullmatch(d.number)}


def test_demo_summary_site_and_digest_say_what_is_illustrative(tmp_path):
    report = run_demo(tmp_path / "demo")
    text = report.summary()
    for heading in ("Real (document numbers, dates, citations and the moves they made):",
                    "Illustrative (written for the sample in the real formats):",
                    "Sample events (not real; marked SAMPLE):"):
        assert heading in text
    assert "91 FR 5123" not in text and "91 FR 5091" not in text
    samples = [c for c in report.changes if "2099-9" in c or "eCFR 2021-01-19" in c]
    assert samples and all(c.endswith("(SAMPLE)") for c in samples)
    assert not [c for c in report.changes if c.endswith("(SAMPLE)") and c not in samples]

    site = report.site_index.parent
    for page in ("index.html", "documents.html", "doc/2099-90001.html", "country/cambodia.html"):
        html = (site / page).read_text(encoding="utf-8")
        assert "Demo data: what is real and what is illustrative" in html, page
    index = (site / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<tr class="change.*?</tr>', index, re.S)
    marked = [r for r in rows if '<span class="sample"' in r]
    # the timeline holds every list: the SAMPLE Entity List addition (2099-90003) is marked too
    assert len(marked) == 4 and all("2099-9" in r or "eCFR version 2021-01-19" in r for r in marked)
    assert len([r for r in marked if 'data-list="entity_list"' in r]) == 1
    digest = report.digest_path.read_text(encoding="utf-8")
    assert "About this sample" in digest
