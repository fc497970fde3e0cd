"""The bundled sample: real BIS and State country-group events 2021-2026, the Cambodia story first.

What is real: the document numbers, publication and effective dates and
citations of the rules in ``REAL_EVENTS`` (as listed in the project's design
notes; a citation not verified is left out, e.g. 2026-02262's), the
country-group moves they made, and the countries three of them added to
§ 744.21 (Cambodia, Belarus, Nicaragua). § 744.21 is shown from an
illustrative version dated the day before the first of those rules: its list
is the one the section prints after the last of them, less the three, and no
earlier history is claimed. § 744.22 is tracked but the sample holds none of
its versions (its history is not part of what the sample knows). The Entity
List is fictional throughout: a few SAMPLE entries and one SAMPLE rule
adding an entity under Cambodia. What is illustrative: the table contents
around those rows, the text of every document (written by us in the real
formats: eCFR XML via ``pipeline.demo.synth``, GPO FR XML, federalregister.gov API
JSON), the 126.1 versions, and the events in ``SAMPLES``, kept only to show a
lifecycle branch no real event in the window shows; each carries a
fictional-looking number (2099-9xxxx) and "SAMPLE" in its title.
``DISCLOSURE`` says so on the demo's pages and in its summary.

The story is told in stages: each stage is one scheduled run on a given day,
revealing what the sources would show by then, so statuses step through the
lifecycle.

Stages (run day: what appears)
 0 2021-01-05  eCFR Supp. No. 1 and 22 CFR 126.1 as of 2021-01-04 (baseline)
 1 2021-01-25  eCFR 2021-01-19 shows Sudan out of E:1 and in B; its rule 2020-29037 is not in the
               sample (effective date unresolved) -> unattributed [eCFR date illustrative]
 2 2021-12-08  public inspection: 2021-26633 (Cambodia into D:5 and § 744.21) -> announced; eCFR § 744.21
               as of 2021-12-08 (Burma, China, Russia, Venezuela) [date and list illustrative, see above]
 3 2021-12-10  FR 2021-26633 (86 FR 70015) and State's 2021-26590 (86 FR 70053); 126.1 adds Cambodia
 4 2021-12-16  eCFR 2021-12-09 shows Cambodia in D:5 and in § 744.21 -> confirmed
 5 2022-03-09  FR 2022-04819 (87 FR 13048, published 03-08, effective 03-02): Belarus out of A:4, into § 744.21
 6 2022-03-15  eCFR 2022-03-02 shows both -> confirmed
 7 2023-04-03  SAMPLE 2099-90001 claims Venezuela into D:2 (never made) -> in effect, unconfirmed
 8 2024-03-18  FR 2024-05696 (89 FR 18780): Nicaragua from B to D:1 and D:5 and into § 744.21, with
               State's 2024-05695; eCFR 2024-03-15 confirms it and, lacking Venezuela D:2, contradicts the sample
 9 2024-05-13  FR 2024-10280 (89 FR 40369, published 05-10, effective 05-30): Cyprus out of D:5 -> published
10 2024-06-03  eCFR 2024-05-30 -> confirmed; Cyprus stays in 126.1 (d)(2), paragraph (r)
11 2025-06-09  SAMPLE 2099-90003 (fictional) adds a fictional entity under Cambodia to the Entity List
               (whose sample baseline, two fictional entries, is stored from stage 0) -> in effect
12 2025-06-16  eCFR Supp. No. 4 as of 2025-06-06 shows it -> confirmed
13 2025-11-10  State's 2025-19822 (2025-11-07) drops Cambodia from 126.1: D:5 and 126.1 diverge
14 2026-02-03  public inspection: 2026-02262 (Cambodia out of D:5) -> announced
15 2026-02-04  FR 2026-02262 published, effective 2026-02-03 -> in effect; SAMPLE 2099-90002 with
               wording frtrack cannot read -> human review
16 2026-02-09  eCFR 2026-02-03 shows Cambodia out of D:5, still in D:1 and D:3 -> confirmed (it stays in
               § 744.21)
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from parsers.model import CountryGroupTable, EntityEntry, Entry, GroupTable
from pipeline.demo import synth

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
    citation: str | None        # None where the real citation is not verified
    xml: bytes
    cfr_part: int
    rin: str = ""
    correction_of: str | None = None
    doc_type: str = "Rule"
    abstract: str = ""
    more_parts: tuple[int, ...] = ()   # other CFR parts it amends (744 beside 740)


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
    ecfr_744_21: tuple[tuple[date, bytes], ...] = ()         # new versions of 15 CFR 744.21
    ecfr_744_22: tuple[tuple[date, bytes], ...] = ()         # new versions of 15 CFR 744.22
    ecfr_entity_list: tuple[tuple[date, bytes], ...] = ()    # new versions of Supp. No. 4 to part 744


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


def _rule(number: str, pub: date, eff_text: str, rin: str, subject: str, instructions, page: int | None,
          **more) -> bytes:
    return synth.fr_rule_xml(number, pub, eff_text, rin, subject, instructions, page=page, **more)


def _state_rule(number: str, pub: date, subject: str, text: str, page: int | None = None) -> bytes:
    """A State Department ITAR rule: amends 22 CFR 126.1 in words, nothing we interpret."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<RULE>\n<PREAMB>\n'
        + (f'<PRTPAGE P="{page}"/>\n' if page else "")
        + '<AGENCY TYPE="S">DEPARTMENT OF STATE</AGENCY>\n'
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



@dataclass(frozen=True)
class Disclosure:
    """What in the sample is real and what is illustrative, for the demo's pages and summary."""

    real: tuple[str, ...]
    illustrative: tuple[str, ...]
    samples: tuple[tuple[str, str], ...]    # ("fr:2099-90001" | "ecfr:2021-01-19", why it is there)

    def sample_note(self, ref: str | None) -> str | None:
        """The note for a sample document (``fr:N``) or eCFR version (``ecfr:DATE``), else None."""
        return dict(self.samples).get(ref or "")

    @staticmethod
    def label(ref: str) -> str:
        """"fr:2099-90001" -> "FR Doc. 2099-90001"; "ecfr:2021-01-19" -> "eCFR version 2021-01-19"."""
        kind, _, value = ref.partition(":")
        return f"{'eCFR version' if kind == 'ecfr' else 'FR Doc.'} {value}"

    def lines(self) -> list[str]:
        out = ["Real (document numbers, dates, citations and the moves they made):"]
        out += [f"  {r}" for r in self.real]
        out.append("Illustrative (written for the sample in the real formats):")
        out += [f"  {i}" for i in self.illustrative]
        out.append("Sample events (not real; marked SAMPLE):")
        out += [f"  {self.label(ref)}: {why}" for ref, why in self.samples]
        return out


REAL_EVENTS = (
    "FR Doc. 2021-26633, 86 FR 70015, published and effective 2021-12-09: Cambodia into D:5; "
    "with State's FR Doc. 2021-26590, 86 FR 70053 (Cambodia into 22 CFR 126.1)",
    "FR Doc. 2022-04819, 87 FR 13048, published 2022-03-08, effective 2022-03-02: Belarus out of A:4",
    "FR Doc. 2024-05696, 89 FR 18780, published and effective 2024-03-15: Nicaragua from B to D:1 and D:5; "
    "with State's FR Doc. 2024-05695 (Nicaragua into 126.1)",
    "FR Doc. 2024-10280, 89 FR 40369, published 2024-05-10, effective 2024-05-30: Cyprus out of D:5",
    "State's FR Doc. 2025-19822, 2025-11-07: Cambodia out of 126.1",
    "FR Doc. 2026-02262, RIN 0694-AK41, published 2026-02-04, effective 2026-02-03: Cambodia out of D:5, "
    "still in D:1 and D:3 (its citation is not verified, so none is given)",
    "Sudan out of E:1 and into B (FR Doc. 2020-29037, 86 FR 4929, published 2021-01-19; left out of the "
    "sample because its effective date is unresolved)",
    "§ 744.21 (military end use/user): Cambodia added by FR Doc. 2021-26633, Belarus by FR Doc. 2022-04819, "
    "Nicaragua by FR Doc. 2024-05696; the section names Belarus, Burma, Cambodia, the People's Republic of "
    "China, Nicaragua, Russia and Venezuela after the last of them, and Cambodia stays in it in 2026",
)
ILLUSTRATIVE = (
    "the table contents beyond the rows these rules change (an approximation of the 2021 tables)",
    "the documents' texts: summaries, amendatory wording, RINs other than 0694-AK41, titles other than "
    "those of 2021-26633, 2025-19822 and 2026-02262; public-inspection texts and filing times",
    "the 22 CFR 126.1 versions: their list follows D:5 and the State rules above "
    "(Cyprus stays in paragraph (d)(2) after 2024, as in the real section)",
    "the eCFR version dates after each rule (the eCFR is usually current within two business days)",
    "§ 744.21's versions: the wording of the three rules' § 744.21 instructions and of the section; its first "
    "version, dated 2021-12-08 (the day before 2021-26633), lists Burma, China, Russia and Venezuela: the list "
    "the section prints after 2024-05696 less the three countries those rules added (no history before that "
    "version is claimed)",
    "§ 744.22 is tracked but no version of it is in the sample: its history is not part of what the sample "
    "knows, so the sample says nothing of any country's § 744.22 status",
    "the Entity List (Supplement No. 4 to part 744): every entry is fictional and named \"SAMPLE ... "
    "(fictional)\"; the sample's list holds three entries, not the real list's thousands",
)
SAMPLES = (
    ("ecfr:2021-01-19", "a real change (Sudan out of E:1, into B) on an illustrative eCFR date, shown as "
                        "unattributed because the sample leaves out its FR rule"),
    ("fr:2099-90001", "fictional rule claiming Venezuela into D:2, kept to show a change the eCFR contradicts"),
    ("fr:2099-90002", "fictional rule with wording frtrack cannot interpret, kept to show a review item"),
    ("fr:2099-90003", "fictional rule adding a fictional entity under Cambodia to the Entity List, kept to show "
                      "an Entity List change through its lifecycle"),
)
DISCLOSURE = Disclosure(REAL_EVENTS, ILLUSTRATIVE, SAMPLES)
SAMPLE_TITLE = "SAMPLE (fictional, not a real FR document): "


def _cambodia(marks: dict[str, bool]) -> tuple:
    return (D_CODES, [("Cambodia", marks)])


def build_timeline() -> tuple[Stage, ...]:
    """Every stage of the sample, deterministic."""
    # Cambodia's row as of 2021: D:1 and D:3 (the rows the real rules reprint)
    t0 = _row(synth.default_country_groups(), "Country Group D", "Cambodia", _d(D1=True, D3=True))
    itar0 = sorted(c for c, g in t0.memberships() if g == "D:5")

    def ecfr(day: date, table: CountryGroupTable) -> tuple[date, bytes]:
        return (day, synth.ecfr_supplement_xml(replace(table, version_date=day), day))

    def itar(day: date, countries) -> tuple[date, bytes]:
        return (day, synth.itar_126_1_xml(countries, day))

    revise_cambodia = ("Supplement No. 1 to part 740 is amended by revising the entry for “Cambodia” in "
                       "“Country Group D” to read as follows:")

    def s744(day: date, countries) -> tuple[date, bytes]:
        return (day, synth.section_744_xml("744.21", countries, day))

    def entity_list(day: date, entries) -> tuple[date, bytes]:
        return (day, synth.entity_list_xml(entries, day))

    # § 744.21 the day before 2021-26633: the list it prints after 2024-05696, less the three countries
    # 2021-26633, 2022-04819 and 2024-05696 added (see the module docstring)
    s744_0 = ["Burma", "China (PRC)", "Russia", "Venezuela"]
    cambodia_744 = ("Section 744.21 is amended by adding the word “Cambodia,” after the word “Burma,” in the "
                    "section heading and in paragraph (a).")

    # The Entity List of the sample: fictional entries only (SAMPLE ... (fictional)), sample citations
    el_policy = "For all items subject to the EAR. (See § 744.11 of the EAR)"
    el0 = [
        EntityEntry("China (PRC)", "CHINA, PEOPLE'S REPUBLIC OF", "SAMPLE Example Microelectronics Co., Ltd. (fictional)",
                    ("SAMPLE EM Semiconductor",), "Room 1, No. 2 Imaginary Road, Sampletown, China.", el_policy,
                    "Presumption of denial.", ("99 FR 90011, 1/4/21",)),
        EntityEntry("Russia", "RUSSIA", "SAMPLE Example Avionics OOO (fictional)", (),
                    "7 Placeholder Prospekt, Moscow, Russia.", el_policy, "Policy of denial.", ("99 FR 90011, 1/4/21",)),
    ]
    el_cambodia = EntityEntry("Cambodia", "CAMBODIA", "SAMPLE Phnom Penh Example Trading Co. (fictional)",
                              ("SAMPLE PPET",), "12 Invented Street, Phnom Penh, Cambodia.", el_policy,
                              "Presumption of denial.", ("99 FR 90003, 6/6/25",))

    # 1: Sudan out of E:1 and into B, seen in the eCFR only (the rule is not in the sample)
    sudan = _row(t0, "Country Group E", "Sudan", {})
    t1 = replace(sudan, b_list=tuple(sorted(sudan.b_list + ("Sudan",))),
                 b_printed=tuple(sorted(sudan.b_printed + ("Sudan",))))

    # 2-4: Cambodia into D:5, with State's 126.1 rule
    t3 = _row(t1, "Country Group D", "Cambodia", _d(D1=True, D3=True, D5=True))
    cambodia_in = Doc(
        "2021-26633", BIS, "Revision of Controls for Cambodia Under the Export Administration Regulations",
        date(2021, 12, 9), date(2021, 12, 9), "86 FR 70015",
        _rule("2021-26633", date(2021, 12, 9), "This rule is effective December 9, 2021.", "",
              "Revision of Controls for Cambodia Under the Export Administration Regulations",
              [(revise_cambodia, _cambodia(_d(D1=True, D3=True, D5=True)))], 70015,
              part_744=[(cambodia_744, "")]), 740, more_parts=(744,))
    state_in = Doc(
        "2021-26590", STATE, "International Traffic in Arms Regulations: Cambodia", date(2021, 12, 9),
        date(2021, 12, 9), "86 FR 70053",
        _state_rule("2021-26590", date(2021, 12, 9), "International Traffic in Arms Regulations: Cambodia",
                    "The Department of State amends the ITAR to add Cambodia to § 126.1.", 70053), 126)
    itar3 = sorted(set(itar0) | {"Cambodia"})
    pi_cambodia_in = PIDoc("2021-26633", BIS, cambodia_in.title, "2021-12-08T08:45:00-05:00", date(2021, 12, 9),
                           "SUMMARY: In this rule, the Bureau of Industry and Security (BIS) adds Cambodia to Country "
                           "Group D:5 (U.S. Arms Embargoed Countries) in Supplement No. 1 to part 740, conforming "
                           "the EAR to the Department of State's amendment of 22 CFR 126.1, and adds Cambodia to "
                           "the military end use and end user restrictions of § 744.21.\n\n"
                           f"    3. {cambodia_744}\n\n[FR Doc. 2021-26633 Filed 12-8-21; 8:45 am]\n")

    # 5-6: Belarus out of A:4, effective before publication
    t5 = _row(t3, "Country Group A", "Belarus", {})
    belarus = Doc(
        "2022-04819", BIS, "Implementation of Sanctions Against Belarus Under the Export Administration Regulations",
        date(2022, 3, 8), date(2022, 3, 2), "87 FR 13048",
        _rule("2022-04819", date(2022, 3, 8), "This rule is effective March 2, 2022.", "",
              "Implementation of Sanctions Against Belarus Under the Export Administration Regulations",
              [("Supplement No. 1 to part 740 is amended by removing the entry for “Belarus” from "
                "“Country Group A”.", None)], 13048,
              part_744=[("Section 744.21 is amended by adding the word “Belarus,” before the word “Burma,” in the "
                         "section heading and in paragraph (a).", "")]), 740, more_parts=(744,))

    # 7: SAMPLE: a fictional rule the eCFR never bears out
    venezuela = Doc(
        "2099-90001", BIS, SAMPLE_TITLE + "Venezuela Added to Country Group D:2", date(2023, 3, 30),
        date(2023, 3, 30), None,
        _rule("2099-90001", date(2023, 3, 30), "This rule is effective March 30, 2023.", "",
              SAMPLE_TITLE + "Venezuela Added to Country Group D:2",
              [("Supplement No. 1 to part 740 is amended by revising the entry for “Venezuela” in "
                "“Country Group D” to read as follows:",
                (D_CODES, [("Venezuela", _d(D1=True, D2=True, D3=True, D4=True, D5=True))]))], None), 740)

    # 8: Nicaragua from B to D:1 and D:5, with State's 126.1 rule
    nb = _row(t5, "Country Group D", "Nicaragua", _d(D1=True, D5=True))
    t8 = replace(nb, b_list=tuple(n for n in nb.b_list if n != "Nicaragua"),
                 b_printed=tuple(n for n in nb.b_printed if n != "Nicaragua"))
    nicaragua = Doc(
        "2024-05696", BIS, "Export Controls on Nicaragua", date(2024, 3, 15),
        date(2024, 3, 15), "89 FR 18780",
        _rule("2024-05696", date(2024, 3, 15), "This rule is effective March 15, 2024.", "",
              "Export Controls on Nicaragua",
              [("Supplement No. 1 to part 740 is amended by removing “Nicaragua” from Country Group B.", None),
               ("Supplement No. 1 to part 740 is amended by adding in alphabetical order an entry for "
                "“Nicaragua” to “Country Group D” to read as follows:",
                (D_CODES, [("Nicaragua", _d(D1=True, D5=True))]))], 18780,
              part_744=[("Section 744.21 is amended by adding the word “Nicaragua,” after the words “People’s "
                         "Republic of China,” in the section heading and in paragraph (a).", "")]), 740,
        more_parts=(744,))
    state_nic = Doc(
        "2024-05695", STATE, "International Traffic in Arms Regulations: Nicaragua",
        date(2024, 3, 15), date(2024, 3, 15), None,
        _state_rule("2024-05695", date(2024, 3, 15), "International Traffic in Arms Regulations: Nicaragua",
                    "The Department of State amends the ITAR to add Nicaragua to § 126.1."), 126)
    itar8 = sorted(set(itar3) | {"Nicaragua"})

    # 9-10: Cyprus out of D:5, effective three weeks after publication; 126.1 keeps paragraph (r)
    t10 = _row(t8, "Country Group D", "Cyprus", {})
    cyprus = Doc(
        "2024-10280", BIS, "Removal of Cyprus From Country Group D:5",
        date(2024, 5, 10), date(2024, 5, 30), "89 FR 40369",
        _rule("2024-10280", date(2024, 5, 10), "This rule is effective May 30, 2024.", "",
              "Removal of Cyprus From Country Group D:5",
              [("Supplement No. 1 to part 740 is amended by removing the entry for “Cyprus” from "
                "“Country Group D”.", None)], 40369), 740)

    # 11-12: SAMPLE: a fictional entity under Cambodia added to the (fictional) Entity List, then in the eCFR
    el_title = SAMPLE_TITLE + "Addition of an Entity to the Entity List"
    el_rule = Doc(
        "2099-90003", BIS, el_title, date(2025, 6, 6), date(2025, 6, 6), None,
        _rule("2099-90003", date(2025, 6, 6), "This rule is effective June 6, 2025.", "", el_title, [], None,
              part_744=[("Supplement No. 4 to part 744 is amended by adding under CAMBODIA, in alphabetical order, "
                         "an entry for “SAMPLE Phnom Penh Example Trading Co. (fictional)”. The addition reads as "
                         "follows:", synth.entity_list_gpotable([el_cambodia]))],
              summary="SAMPLE (fictional): this rule amends the Export Administration Regulations (EAR) by adding "
                      "one entity under one entry to the Entity List, under the destination of Cambodia."), 744)

    # 13: State drops Cambodia from 126.1; BIS has not conformed yet
    itar11 = sorted(set(itar8) - {"Cambodia"})
    state_out = Doc(
        "2025-19822", STATE, "International Traffic in Arms Regulations: Changes to Section 126.1",
        date(2025, 11, 7), date(2025, 11, 7), None,
        _state_rule("2025-19822", date(2025, 11, 7),
                    "International Traffic in Arms Regulations: Changes to Section 126.1",
                    "The Department of State amends the ITAR to remove Cambodia from § 126.1."), 126)

    # 12-14: Cambodia out of D:5, stays in D:1 and D:3; effective the day before publication
    t14 = _row(t10, "Country Group D", "Cambodia", _d(D1=True, D3=True))
    cambodia_out = Doc(
        "2026-02262", BIS, "Conforming Change to the Export Administration Regulations for Cambodia",
        date(2026, 2, 4), date(2026, 2, 3), None,
        _rule("2026-02262", date(2026, 2, 4), "This rule is effective February 3, 2026.", "0694-AK41",
              "Conforming Change to the Export Administration Regulations for Cambodia",
              [(revise_cambodia, _cambodia(_d(D1=True, D3=True)))], None), 740, "0694-AK41")
    pi_cambodia_out = PIDoc("2026-02262", BIS, cambodia_out.title, "2026-02-03T08:45:00-05:00", date(2026, 2, 4),
                            "SUMMARY: In this final rule, BIS removes Cambodia from Country Group D:5 (U.S. Arms "
                            "Embargoed Countries), conforming to the Department of State's removal of Cambodia from "
                            "22 CFR 126.1. Cambodia remains in Country Group D:1. DATES: This rule is effective "
                            "February 3, 2026.")
    odd = Doc(
        "2099-90002", BIS, SAMPLE_TITLE + "Country Group D: Reorganization", date(2026, 2, 4), date(2026, 2, 4),
        None,
        _rule("2099-90002", date(2026, 2, 4), "This rule is effective February 4, 2026.", "",
              SAMPLE_TITLE + "Country Group D: Reorganization",
              [("Supplement No. 1 to part 740 is amended by transferring the entry for “Somalia” from "
                "“Country Group D” to a new Country Group D:6.", None)], None), 740)

    return (
        Stage(date(2021, 1, 5), (ecfr(date(2021, 1, 4), t0),), (itar(date(2021, 1, 4), itar0),),
              note="baseline: Supplement No. 1 and 22 CFR 126.1 as of 2021-01-04; the SAMPLE Entity List",
              ecfr_entity_list=(entity_list(date(2021, 1, 4), el0),)),
        Stage(date(2021, 1, 25), (ecfr(date(2021, 1, 19), t1),),
              note="eCFR shows Sudan out of E:1 and in B; its FR rule is not in the sample (SAMPLE eCFR date)"),
        Stage(date(2021, 12, 8), public_inspection=(pi_cambodia_in,),
              note="2021-26633 on public inspection: Cambodia into D:5 and § 744.21 announced",
              ecfr_744_21=(s744(date(2021, 12, 8), s744_0),)),
        Stage(date(2021, 12, 10), (), (itar(date(2021, 12, 9), itar3),), (cambodia_in, state_in),
              note="2021-26633 published: Cambodia into D:5 and § 744.21 in effect; State adds Cambodia to 126.1"),
        Stage(date(2021, 12, 16), (ecfr(date(2021, 12, 9), t3),), note="eCFR confirms Cambodia in D:5 and § 744.21",
              ecfr_744_21=(s744(date(2021, 12, 9), s744_0 + ["Cambodia"]),)),
        Stage(date(2022, 3, 9), documents=(belarus,),
              note="2022-04819 published 2022-03-08, effective 2022-03-02: Belarus out of A:4, into § 744.21"),
        Stage(date(2022, 3, 15), (ecfr(date(2022, 3, 2), t5),), note="eCFR confirms Belarus out of A:4, in § 744.21",
              ecfr_744_21=(s744(date(2022, 3, 2), s744_0 + ["Cambodia", "Belarus"]),)),
        Stage(date(2023, 4, 3), documents=(venezuela,),
              note="SAMPLE 2099-90001 (fictional) claims Venezuela into D:2"),
        Stage(date(2024, 3, 18), (ecfr(date(2024, 3, 15), t8),), (itar(date(2024, 3, 15), itar8),),
              (nicaragua, state_nic),
              note="2024-05696: Nicaragua from B to D:1 and D:5 and into § 744.21, confirmed; the eCFR contradicts "
                   "SAMPLE 2099-90001",
              ecfr_744_21=(s744(date(2024, 3, 15), s744_0 + ["Cambodia", "Belarus", "Nicaragua"]),)),
        Stage(date(2024, 5, 13), documents=(cyprus,),
              note="2024-10280 published 2024-05-10, effective 2024-05-30: Cyprus out of D:5"),
        Stage(date(2024, 6, 3), (ecfr(date(2024, 5, 30), t10),),
              note="eCFR confirms Cyprus out of D:5; 126.1 keeps Cyprus in (d)(2)"),
        Stage(date(2025, 6, 9), documents=(el_rule,),
              note="SAMPLE 2099-90003 (fictional) adds a fictional entity under Cambodia to the Entity List"),
        Stage(date(2025, 6, 16), note="eCFR Supp. No. 4 confirms the SAMPLE Entity List addition",
              ecfr_entity_list=(entity_list(date(2025, 6, 6), el0 + [el_cambodia]),)),
        Stage(date(2025, 11, 10), (), (itar(date(2025, 11, 7), itar11),), (state_out,),
              note="State's 2025-19822 drops Cambodia from 126.1: D:5 and 126.1 diverge"),
        Stage(date(2026, 2, 3), public_inspection=(pi_cambodia_out,),
              note="2026-02262 on public inspection: Cambodia out of D:5 announced"),
        Stage(date(2026, 2, 4), documents=(cambodia_out, odd),
              note="2026-02262 published, effective 2026-02-03 (before publication); SAMPLE 2099-90002 goes to review"),
        Stage(date(2026, 2, 9), (ecfr(date(2026, 2, 3), t14),),
              note="eCFR confirms: Cambodia out of D:5, in D:1 and D:3"),
    )
