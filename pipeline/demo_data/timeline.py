"""The bundled sample: the Cambodia story 2021-2026 and a few other BIS changes.

Authored by us in the real formats (eCFR XML via ``pipeline.synth``, GPO FR
XML, federalregister.gov API JSON). Document numbers 2021-26633, 2021-26590,
2025-19822 and 2026-02262 and their dates are the real ones; the other
documents, citations and pages are modeled, not real. The story is told in
stages: each stage is one scheduled run on a given day, revealing what the
sources would show by then, so statuses step through the lifecycle.

Stages (run day: what appears)
 0 2021-01-05  eCFR Supp. No. 1 and 22 CFR 126.1 as of 2021-01-04 (baseline)
 1 2021-03-04  FR 2021-04381 removes Sudan from E (E:1); eCFR 2021-03-03 shows it
 2 2021-12-08  public inspection: 2021-26633 (Cambodia into D:5)
 3 2021-12-10  FR 2021-26633 and State's 2021-26590 published; 126.1 adds Cambodia
 4 2021-12-16  eCFR 2021-12-09 shows Cambodia in D:5 -> confirmed
 5 2023-04-03  FR 2023-06800 adds D:2 to Venezuela's row; eCFR 2023-03-30 does not
               show it (contradicted) but drops Belarus from A:4 (unattributed)
 6 2024-03-27  public inspection: 2024-06578 (Nicaragua into, Cyprus out of D:5)
 7 2024-04-02  FR 2024-06578 (lettered instruction) and its correction 2024-07001;
               eCFR 2024-03-29 confirms
 8 2025-11-21  State 2025-19822 drops Cambodia from 126.1 (eCFR 2025-11-07):
               D:5 and 126.1 diverge; FR 2025-25511 with wording we cannot read
 9 2026-02-03  public inspection: 2026-02262 (Cambodia out of D:5) -> announced
10 2026-02-04  FR 2026-02262 published, effective 2026-02-03 -> published/in effect
11 2026-02-09  eCFR 2026-02-03 shows Cambodia out of D:5, still in D:1 -> confirmed
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from parsers.model import CountryGroupTable, Entry, GroupTable
from pipeline import synth

BIS = "industry-and-security-bureau"
STATE = "state-department"
D_CODES = ("D:1", "D:2", "D:3", "D:4", "D:5")


@dataclass(frozen=True)
class Doc:
    """One FR document as the API and full_text_xml_url would serve it."""

    number: str
    agency: str
    title: str
    publication_date: date
    effective_on: date
    citation: str
    xml: bytes
    cfr_part: int
    rin: str = ""
    correction_of: str | None = None
    doc_type: str = "Rule"
    abstract: str = ""


@dataclass(frozen=True)
class PIDoc:
    """A public-inspection entry and its raw text."""

    number: str
    agency: str
    title: str
    filed_at: str
    publication_date: date
    text: str


@dataclass(frozen=True)
class Stage:
    today: date
    ecfr_supplement: tuple[tuple[date, bytes], ...] = ()     # new versions of Supp. No. 1
    ecfr_itar: tuple[tuple[date, bytes], ...] = ()           # new versions of 126.1
    documents: tuple[Doc, ...] = ()                          # newly published
    public_inspection: tuple[PIDoc, ...] = ()                # on public inspection that day
    note: str = ""


def _row(table: CountryGroupTable, title: str, country: str, codes: dict[str, bool]) -> CountryGroupTable:
    """Return ``table`` with ``country``'s row in ``title`` replaced (added/removed when all marks are False)."""
    tables = []
    for t in table.tables:
        if t.title != title:
            tables.append(t)
            continue
        letter = title.split()[-1]
        cols = [c.code for c in t.columns]
        rows = [r for r in t.rows if r.country != country]
        if any(codes.values()):
            old = next((r for r in t.rows if r.country == country), None)
            rows.append(Entry(country, old.printed if old else country,
                              tuple((c, codes.get(c, False)) for c in cols), old.footnotes if old else ()))
        rows.sort(key=lambda r: r.country)
        tables.append(GroupTable(t.title, t.columns, tuple(rows), t.footnotes, t.notes))
        assert letter
    return replace(table, tables=tuple(tables))


def _d(**marks: bool) -> dict[str, bool]:
    return {f"D:{k[1:]}": v for k, v in marks.items()}


def _rule(number: str, pub: date, eff_text: str, rin: str, subject: str, instructions, page: int) -> bytes:
    return synth.fr_rule_xml(number, pub, eff_text, rin, subject, instructions, page=page)


def _state_rule(number: str, pub: date, subject: str, text: str) -> bytes:
    """A State Department ITAR rule: amends 22 CFR 126.1 in words, nothing we interpret."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<RULE>\n<PREAMB>\n<AGENCY TYPE="S">DEPARTMENT OF STATE</AGENCY>\n'
        "<CFR>22 CFR Part 126</CFR>\n<SUBJECT>" + subject + "</SUBJECT>\n"
        '<ACT>\n<HD SOURCE="HED">ACTION:</HD>\n<P>Final rule.</P>\n</ACT>\n'
        '<SUM>\n<HD SOURCE="HED">SUMMARY:</HD>\n<P>' + text + "</P>\n</SUM>\n"
        f'<DATES>\n<HD SOURCE="HED">DATES:</HD>\n<P>This rule is effective {pub:%B} {pub.day}, {pub.year}.</P>\n</DATES>\n'
        "</PREAMB>\n<SUPLINF>\n<REGTEXT TITLE=\"22\" PART=\"126\">\n"
        "<AMDPAR>2. Section 126.1 is amended by revising paragraph (d)(2) and table 1 to paragraph (d)(2).</AMDPAR>\n"
        "</REGTEXT>\n</SUPLINF>\n"
        f"<FRDOC>[FR Doc. {number} Filed {pub.month}-{pub.day}-{pub.year % 100:02d}; 8:45 am]</FRDOC>\n"
        "<BILCOD>BILLING CODE 4710-25-P</BILCOD>\n</RULE>\n"
    ).encode("utf-8")


def build_timeline() -> tuple[Stage, ...]:
    """Every stage of the sample, deterministic."""
    t0 = synth.default_country_groups()
    itar0 = sorted(c for c, g in t0.memberships() if g == "D:5")

    # 1: Sudan out of Country Group E
    t1 = _row(t0, "Country Group E", "Sudan", {})
    sudan = _rule("2021-04381", date(2021, 3, 3), "This rule is effective March 3, 2021.", "0694-AI35",
                  "Rescission of Sudan's Designation as a State Sponsor of Terrorism",
                  [("Supplement No. 1 to part 740 is amended by removing the entry for “Sudan” from “Country Group E”.",
                    None)], 12265)
    # 3: Cambodia into D:5 (row reprinted with D:1 and D:5)
    t3 = _row(t1, "Country Group D", "Cambodia", _d(D1=True, D5=True))
    cambodia_in = _rule("2021-26633", date(2021, 12, 9), "This rule is effective December 9, 2021.", "0694-AI73",
                        "Revision of Export Controls for Cambodia",
                        [("Supplement No. 1 to part 740 is amended by revising the entry for “Cambodia” in "
                          "“Country Group D” to read as follows:", (D_CODES, [("Cambodia", _d(D1=True, D5=True))]))],
                        70015)
    itar3 = sorted(set(itar0) | {"Cambodia"})
    # 5: Venezuela row reprinted with D:2 (the eCFR never shows it) ; Belarus leaves A:4 silently
    venezuela = _rule("2023-06800", date(2023, 3, 30), "This rule is effective March 30, 2023.", "0694-AJ12",
                      "Export Administration Regulations: Venezuela Country Group Designation",
                      [("Supplement No. 1 to part 740 is amended by revising the entry for “Venezuela” in "
                        "“Country Group D” to read as follows:",
                        (D_CODES, [("Venezuela", _d(D1=True, D2=True, D3=True, D4=True, D5=True))]))], 19001)
    t5 = _row(t3, "Country Group A", "Belarus", {})
    # 7: Nicaragua into D:5, Cyprus out of Country Group D (lettered); then a correction restating Nicaragua
    t7 = _row(_row(t5, "Country Group D", "Cyprus", {}), "Country Group D", "Nicaragua", _d(D5=True))
    nic = _rule("2024-06578", date(2024, 3, 29), "This rule is effective March 29, 2024.", "0694-AJ50",
                "Revisions to Country Group D:5 for Nicaragua and Cyprus",
                [("Supplement No. 1 to part 740 is amended by: a. Removing the entry for “Cyprus” from "
                  "“Country Group D”; and b. Adding in alphabetical order an entry for “Nicaragua” to "
                  "“Country Group D”, to read as follows:", (D_CODES, [("Nicaragua", _d(D5=True))]))], 21835)
    nic_corr = _rule("2024-07001", date(2024, 4, 2), "This correction is effective April 2, 2024.", "0694-AJ50",
                     "Revisions to Country Group D:5 for Nicaragua and Cyprus; Correction",
                     [("In FR Doc. 2024-06578, appearing on page 21835 in the Federal Register of Friday, "
                       "March 29, 2024, in Supplement No. 1 to part 740, the entry for “Nicaragua” in "
                       "“Country Group D” is corrected to read as follows:",
                       (D_CODES, [("Nicaragua", _d(D5=True))]))], 22950)
    # 8: State drops Cambodia from 126.1; a BIS rule with wording we cannot interpret
    itar7 = sorted((set(itar3) | {"Nicaragua"}) - {"Cyprus"})
    itar8 = sorted(set(itar7) - {"Cambodia"})
    state_out = _state_rule("2025-19822", date(2025, 11, 7), "International Traffic in Arms Regulations: Cambodia",
                            "The Department of State amends the ITAR to remove Cambodia from § 126.1.")
    state_in = _state_rule("2021-26590", date(2021, 12, 9), "International Traffic in Arms Regulations: Cambodia",
                           "The Department of State amends the ITAR to add Cambodia to § 126.1.")
    odd = _rule("2025-25511", date(2025, 11, 20), "This rule is effective November 20, 2025.", "0694-AK30",
                "Country Group D: Reorganization of Footnotes",
                [("Supplement No. 1 to part 740 is amended by transferring the entry for “Somalia” from "
                  "“Country Group D” to a new Country Group D:6.", None)], 80001)
    # 10: Cambodia out of D:5, stays in D:1; effective the day before publication
    t11 = _row(t7, "Country Group D", "Cambodia", _d(D1=True))
    cambodia_out = _rule("2026-02262", date(2026, 2, 4), "This rule is effective February 3, 2026.", "0694-AK41",
                         "Conforming Change to the Export Administration Regulations for Cambodia",
                         [("Supplement No. 1 to part 740 is amended by revising the entry for “Cambodia” in "
                           "“Country Group D” to read as follows:", (D_CODES, [("Cambodia", _d(D1=True))]))], 5123)

    def doc(number, agency, title, pub, eff, cit, xml, part, rin="", corr=None) -> Doc:
        return Doc(number, agency, title, pub, eff, cit, xml, part, rin, corr)

    def ecfr(day: date, table: CountryGroupTable) -> tuple[date, bytes]:
        return (day, synth.ecfr_supplement_xml(replace(table, version_date=day), day))

    def itar(day: date, countries) -> tuple[date, bytes]:
        return (day, synth.itar_126_1_xml(countries, day))

    pi_cambodia_in = PIDoc("2021-26633", BIS, "Revision of Export Controls for Cambodia", "2021-12-08T08:45:00-05:00",
                           date(2021, 12, 9),
                           "SUMMARY: In this rule, the Bureau of Industry and Security (BIS) adds Cambodia to Country "
                           "Group D:5 (U.S. Arms Embargoed Countries) in Supplement No. 1 to part 740, conforming "
                           "the EAR to the Department of State's amendment of 22 CFR 126.1.")
    pi_nic = PIDoc("2024-06578", BIS, "Revisions to Country Group D:5 for Nicaragua and Cyprus",
                   "2024-03-27T08:45:00-04:00", date(2024, 3, 29),
                   "SUMMARY: BIS adds Nicaragua to Country Group D:5 and removes Cyprus from Country Group D:5.")
    pi_cambodia_out = PIDoc("2026-02262", BIS, "Conforming Change to the Export Administration Regulations for Cambodia",
                            "2026-02-03T08:45:00-05:00", date(2026, 2, 4),
                            "SUMMARY: In this final rule, BIS removes Cambodia from Country Group D:5 (U.S. Arms "
                            "Embargoed Countries), conforming to the Department of State's removal of Cambodia from "
                            "22 CFR 126.1. Cambodia remains in Country Group D:1. DATES: This rule is effective "
                            "February 3, 2026.")
    return (
        Stage(date(2021, 1, 5), (ecfr(date(2021, 1, 4), t0),), (itar(date(2021, 1, 4), itar0),),
              note="baseline: Supplement No. 1 and 22 CFR 126.1 as of 2021-01-04"),
        Stage(date(2021, 3, 4), (ecfr(date(2021, 3, 3), t1),), (),
              (doc("2021-04381", BIS, "Rescission of Sudan's Designation as a State Sponsor of Terrorism",
                   date(2021, 3, 3), date(2021, 3, 3), "86 FR 12265", sudan, 740, "0694-AI35"),),
              note="Sudan leaves Country Group E:1"),
        Stage(date(2021, 12, 8), public_inspection=(pi_cambodia_in,),
              note="2021-26633 on public inspection: Cambodia into D:5 announced"),
        Stage(date(2021, 12, 10), (), (itar(date(2021, 12, 9), itar3),),
              (doc("2021-26633", BIS, "Revision of Export Controls for Cambodia", date(2021, 12, 9),
                   date(2021, 12, 9), "86 FR 70015", cambodia_in, 740, "0694-AI73"),
               doc("2021-26590", STATE, "International Traffic in Arms Regulations: Cambodia", date(2021, 12, 9),
                   date(2021, 12, 9), "86 FR 70053", state_in, 126)),
              note="2021-26633 published: Cambodia into D:5 in effect"),
        Stage(date(2021, 12, 16), (ecfr(date(2021, 12, 9), t3),), note="eCFR confirms Cambodia in D:5"),
        Stage(date(2023, 4, 3), (ecfr(date(2023, 3, 30), t5),), (),
              (doc("2023-06800", BIS, "Export Administration Regulations: Venezuela Country Group Designation",
                   date(2023, 3, 30), date(2023, 3, 30), "88 FR 19001", venezuela, 740, "0694-AJ12"),),
              note="eCFR contradicts the Venezuela D:2 row; Belarus leaves A:4 with no FR document"),
        Stage(date(2024, 3, 27), public_inspection=(pi_nic,), note="2024-06578 on public inspection"),
        Stage(date(2024, 4, 2), (ecfr(date(2024, 3, 29), t7),), (itar(date(2024, 3, 29), itar7),),
              (doc("2024-06578", BIS, "Revisions to Country Group D:5 for Nicaragua and Cyprus", date(2024, 3, 29),
                   date(2024, 3, 29), "89 FR 21835", nic, 740, "0694-AJ50"),
               doc("2024-07001", BIS, "Revisions to Country Group D:5 for Nicaragua and Cyprus; Correction",
                   date(2024, 4, 2), date(2024, 4, 2), "89 FR 22950", nic_corr, 740, "0694-AJ50", "2024-06578")),
              note="Nicaragua into D:5, Cyprus out; a correction restates Nicaragua"),
        Stage(date(2025, 11, 21), (), (itar(date(2025, 11, 7), itar8),),
              (doc("2025-19822", STATE, "International Traffic in Arms Regulations: Cambodia", date(2025, 11, 7),
                   date(2025, 11, 7), "90 FR 50001", state_out, 126),
               doc("2025-25511", BIS, "Country Group D: Reorganization of Footnotes", date(2025, 11, 20),
                   date(2025, 11, 20), "90 FR 80001", odd, 740, "0694-AK30")),
              note="State drops Cambodia from 126.1: D:5 and 126.1 diverge; unreadable wording goes to review"),
        Stage(date(2026, 2, 3), public_inspection=(pi_cambodia_out,),
              note="2026-02262 on public inspection: Cambodia out of D:5 announced"),
        Stage(date(2026, 2, 4), (), (),
              (doc("2026-02262", BIS, "Conforming Change to the Export Administration Regulations for Cambodia",
                   date(2026, 2, 4), date(2026, 2, 3), "91 FR 5123", cambodia_out, 740, "0694-AK41"),),
              note="2026-02262 published, effective 2026-02-03 (before publication)"),
        Stage(date(2026, 2, 9), (ecfr(date(2026, 2, 3), t11),), note="eCFR confirms: Cambodia out of D:5, in D:1"),
    )
