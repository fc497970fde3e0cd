"""Deterministic writers of faithful GPO/eCFR XML, for tests, the demo and benchmarks.

Pure functions: models in, bytes out. The eCFR writer follows the bulk
format (ECFRBRWS > AMDDATE, DIV5 part, DIV9 supplement; gpotbl tables in
``DIV width="100%"``; Group B as HD1 + SCOL2 with long names split across
two LI), and ``parsers.ecfr_groups`` reads it back to the same memberships.
"""
from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape

from parsers.countries import ITAR_NAME
from parsers.ecfr_groups import continues
from parsers.model import GROUP_CODES, Column, CountryGroupTable, EntityEntry, Entry, GroupTable, Note

SUPPLEMENT_HEAD = "Supplement No. 1 to Part 740—Country Groups"
COLUMN_NAMES: dict[str, str] = {
    "A:1": "Wassenaar Participating States", "A:2": "Missile Technology Control Regime",
    "A:3": "Australia Group", "A:4": "Nuclear Suppliers Group", "A:5": "", "A:6": "",
    "D:1": "National Security", "D:2": "Nuclear", "D:3": "Chemical & Biological",
    "D:4": "Missile Technology", "D:5": "U.S. Arms Embargoed Countries",
    "E:1": "Terrorist Supporting Countries", "E:2": "Unilateral Embargo",
}
_LI_SPLIT_AT = 26


def _x(text: str) -> str:
    return escape(text)


def _ecfr_date(day: date | None) -> str:
    return f"{day:%b}. {day.day}, {day.year}" if day else ""


def _sup(markers) -> str:
    return "".join(f"<sup>{_x(m)}</sup>" for m in markers)


def _split_li(name: str) -> list[str]:
    """Split a long B-list name in two the way eCFR prints it, only where it rejoins."""
    if len(name) <= _LI_SPLIT_AT:
        return [name]
    spaces = [i for i, ch in enumerate(name) if ch == " "]
    for i in reversed(spaces):
        head, tail = name[:i], name[i + 1:]
        if continues(head, tail):
            return [head, tail]
    return [name]


def _matrix(table: GroupTable) -> str:
    heads = "".join(
        f'<TH class="gpotbl_colhed" scope="col">[{c.code}]{" " + _x(c.name) if c.name else ""}{_sup(c.footnotes)}\n</TH>'
        for c in table.columns)
    rows = []
    for entry in table.rows:
        marks = entry.marks_dict()
        cells = "".join(f'<TD align="center" class="gpotbl_cell">{"X" if marks.get(c.code) else " "}</TD>'
                        for c in table.columns)
        rows.append(f'<TR><TD align="left" class="gpotbl_cell" scope="row">{_x(entry.country)}'
                    f'{_sup(entry.footnotes)}</TD>{cells}</TR>\n')
    notes = "".join(f'<P class="gpotbl_note"><sup>{_x(n.marker)}</sup> {_x(n.text)}\n</P>\n' for n in table.notes)
    foot = f'<DIV class="table_foot">\n{notes}</DIV>\n' if notes else ""
    return (
        '<DIV width="100%"><DIV class="gpotbl_div">'
        f'<P class="gpotbl_title">{_x(table.title)}{_sup(table.footnotes)}</P>\n'
        '<TABLE border="1" cellpadding="1" cellspacing="1" class="gpotbl_table" frame="void" width="100%">'
        f'<TR><TH class="gpotbl_colhed" scope="col">Country\n</TH>{heads}</TR>\n{"".join(rows)}</TABLE></DIV>\n'
        f"{foot}</DIV>\n"
    )


def _b_block(names) -> str:
    items = "".join(f"<LI>{_x(part)}</LI>\n" for name in names for part in _split_li(name))
    return f"<HD1>Country Group B</HD1>\n<SCOL2>\n{items}</SCOL2>\n"


def ecfr_supplement_xml(table: CountryGroupTable, day: date | None = None) -> bytes:
    """eCFR bulk-style XML of Supplement No. 1 to part 740 for ``table``."""
    day = day or table.version_date
    body = []
    for group in table.tables:
        if group.title == "Country Group D" and table.b_list and not any(
                t.title == "Country Group B" for t in table.tables):
            body.append(_b_block(table.b_list))
        body.append(_matrix(group))
    if table.b_list and not any(t.title in ("Country Group D", "Country Group E") for t in table.tables):
        body.append(_b_block(table.b_list))
    xml = (
        '<?xml version="1.0" encoding="UTF-8" ?>\n<ECFRBRWS>\n'
        f"<AMDDATE>{_ecfr_date(day)}\n</AMDDATE>\n"
        '<DIV5 N="740" NODE="15:2.1.3.4.25" TYPE="PART">\n<HEAD>PART 740—LICENSE EXCEPTIONS\n</HEAD>\n'
        '<DIV9 N="Supplement No. 1 to Part 740" NODE="15:2.1.3.4.25.0.1.22.38" TYPE="APPENDIX">\n'
        f"<HEAD>{_x(SUPPLEMENT_HEAD)}\n</HEAD>\n{''.join(body)}"
        '<CITA TYPE="N">[73 FR 57503, Oct. 3, 2008]\n</CITA>\n</DIV9>\n</DIV5>\n</ECFRBRWS>\n'
    )
    return xml.encode("utf-8")


_POLICY_OF_DENIAL = ("Belarus", "Burma", "China", "Cuba", "Iran", "North Korea", "Syria", "Venezuela")


def itar_126_1_xml(countries, day: date | None = None) -> bytes:
    """eCFR XML of 22 CFR 126.1 listing ``countries`` (EAR or ITAR spellings)."""
    names = sorted({ITAR_NAME.get(c, c) for c in countries})
    denial = [n for n in names if n in _POLICY_OF_DENIAL]
    others = [n for n in names if n not in _POLICY_OF_DENIAL]
    if len(denial) > 1:
        sentence = ", ".join(denial[:-1]) + ", and " + denial[-1]
    else:
        sentence = denial[0] if denial else "none"
    rows = "".join(
        f'<TR><TD align="left" class="gpotbl_cell" scope="row">{_x(n)}</TD>'
        f'<TD align="left" class="gpotbl_cell">(d)(2)({chr(ord("a") + i % 26)})</TD></TR>\n'
        for i, n in enumerate(others))
    xml = (
        '<?xml version="1.0" encoding="UTF-8" ?>\n<ECFRBRWS>\n'
        f"<AMDDATE>{_ecfr_date(day)}\n</AMDDATE>\n"
        '<DIV5 N="126" NODE="22:1.0.1.13.58" TYPE="PART">\n<HEAD>PART 126—GENERAL POLICIES AND PROVISIONS\n</HEAD>\n'
        '<DIV8 N="§ 126.1" NODE="22:1.0.1.13.58.0.1.1" TYPE="SECTION">\n'
        "<HEAD>§ 126.1   Prohibited exports, imports, and sales to or from certain countries.</HEAD>\n"
        "<P>(a) <I>General.</I> It is the policy of the United States to deny licenses and other approvals for "
        "exports and imports of defense articles and defense services, destined for or originating in certain "
        "countries.\n</P>\n"
        "<P>(d) <I>Prohibited exports and sales to certain countries.</I> (1) It is the policy of the United States "
        "to deny licenses or other approvals for exports or imports of defense articles and defense services, "
        f"destined for or originating in certain countries. The countries subject to this policy are: {_x(sentence)}. "
        "This policy also applies to exports to or imports from these countries of any defense articles or defense "
        "services.\n</P>\n"
        "<P>(2) It is also the policy of the United States to deny licenses or other approvals for exports or "
        "imports of defense articles and defense services, destined for or originating in certain countries, "
        "except as it would be authorized pursuant to the specified paragraph of this section as listed in "
        "Table 1 to Paragraph (d)(2).\n</P>\n"
        '<DIV width="100%"><DIV class="gpotbl_div"><P class="gpotbl_title">Table 1 to Paragraph (d)(2)</P>\n'
        '<TABLE border="1" cellpadding="1" cellspacing="1" class="gpotbl_table" frame="void" width="100%">'
        '<TR><TH class="gpotbl_colhed" scope="col">Country\n</TH><TH class="gpotbl_colhed" scope="col">'
        f"Specific exceptions\n</TH></TR>\n{rows}</TABLE></DIV></DIV>\n"
        "<P>(e) <I>Proposed sales.</I> No sale, export, transfer, reexport, or retransfer of, and no proposal to "
        "sell, export, transfer, reexport, or retransfer any defense articles or defense services subject to this "
        "subchapter may be made to any country referred to in this section.\n</P>\n"
        '<CITA TYPE="N">[58 FR 39312, July 22, 1993]\n</CITA>\n</DIV8>\n</DIV5>\n</ECFRBRWS>\n'
    )
    return xml.encode("utf-8")


def _fr_date(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _gpotable(rows, codes, elided: bool = True) -> str:
    """A reprinted GPOTABLE; ``elided`` frames the rows with "* * *" rows (the other rows left out)."""
    letter = codes[0][0]
    cols = len(codes) + 1
    cdef = ",".join(["s50"] + ["9"] * len(codes))
    heads = "".join(f'<CHED H="1">[{c}] {_x(COLUMN_NAMES.get(c, ""))}</CHED>\n'.replace("] <", "]<")
                    for c in codes)
    body = []
    for country, marks in rows:
        cells = "".join(f"<ENT>{'X' if marks.get(c) else ''}</ENT>" for c in codes)
        body.append(f'<ROW>\n<ENT I="01">{_x(country)}</ENT>{cells}\n</ROW>\n')
    stars = f'<ROW>\n<ENT I="28">{"*         " * 6}*</ENT>\n</ROW>\n' if elided else ""
    return (f'<GPOTABLE CDEF="{cdef}" COLS="{cols}" OPTS="L2,i1">\n<TTITLE>Country Group {letter}</TTITLE>\n'
            f'<BOXHD>\n<CHED H="1">Country</CHED>\n{heads}</BOXHD>\n{stars}{"".join(body)}{stars}</GPOTABLE>\n')


def fr_rule_xml(document_number: str, publication_date: date, effective_text: str, rin: str, subject: str,
                instructions, *, page: int | None = None, action: str = "Final rule.",
                part_744=(), summary: str | None = None, corrects: str | None = None) -> bytes:
    """GPO FR XML of a BIS rule amending Supplement No. 1 to part 740 and, if given, part 744.

    ``instructions`` is a list of (amdpar_text, rows) where rows is None or
    (codes, [(country, {code: bool})...]) for the reprinted GPOTABLE; a third
    element "whole" reprints the whole table, without "* * *" rows.
    ``part_744`` is a list of (amdpar_text, content) instructions in a REGTEXT
    of part 744, ``content`` the XML printed after the AMDPAR
    (``entity_list_gpotable``) or "". ``summary`` replaces the SUMMARY text;
    ``corrects`` makes it a correcting amendment of that document.
    """
    regtext = []
    for number, (amdpar, reprint) in enumerate(instructions, start=2):
        table = ""
        if reprint:
            codes, rows = reprint[:2]
            table = _gpotable(rows, list(codes), elided=reprint[2:] != ("whole",))
        regtext.append(
            '<REGTEXT TITLE="15" PART="740">\n'
            f"<AMDPAR>{number}. {_x(amdpar)}</AMDPAR>\n"
            f"<APPENDIX>\n<HD SOURCE=\"HED\">{_x(SUPPLEMENT_HEAD)}</HD>\n<STARS/>\n{table}<STARS/>\n</APPENDIX>\n"
            "</REGTEXT>\n")
    for number, (amdpar, content) in enumerate(part_744, start=len(instructions) + 2):
        regtext.append(f'<REGTEXT TITLE="15" PART="744">\n<AMDPAR>{number}. {_x(amdpar)}</AMDPAR>\n{content}'
                       "</REGTEXT>\n")
    parts = "Parts 740 and 744" if instructions and part_744 else ("Part 744" if part_744 else "Part 740")
    if corrects:
        action = "Final rule; correcting amendment."
    summary_text = summary or ("The Bureau of Industry and Security (BIS) amends the Export Administration "
                               "Regulations (EAR) to revise the Country Group designations in Supplement No. 1 to "
                               "part 740.")
    page_mark = f'<PRTPAGE P="{page}"/>\n' if page else ""
    filed = publication_date
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<RULE>\n<PREAMB>\n'
        f"{page_mark}"
        '<AGENCY TYPE="S">DEPARTMENT OF COMMERCE</AGENCY>\n'
        f"<SUBAGY>Bureau of Industry and Security</SUBAGY>\n<CFR>15 CFR {parts}</CFR>\n"
        f"<DEPDOC>[Docket No. {document_number.replace('-', '')}-01]</DEPDOC>\n"
        + (f"<RIN>RIN {_x(rin)}</RIN>\n" if rin else "") + f"<SUBJECT>{_x(subject)}</SUBJECT>\n"
        '<AGY>\n<HD SOURCE="HED">AGENCY:</HD>\n<P>Bureau of Industry and Security, Commerce.</P>\n</AGY>\n'
        f'<ACT>\n<HD SOURCE="HED">ACTION:</HD>\n<P>{_x(action)}</P>\n</ACT>\n'
        f'<SUM>\n<HD SOURCE="HED">SUMMARY:</HD>\n<P>{_x(summary_text)}</P>\n</SUM>\n'
        f'<DATES>\n<HD SOURCE="HED">DATES:</HD>\n<P>{_x(effective_text)}</P>\n</DATES>\n'
        '<FURINF>\n<HD SOURCE="HED">FOR FURTHER INFORMATION CONTACT:</HD>\n<P>Regulatory Policy Division, '
        "Bureau of Industry and Security, (202) 482-2440.</P>\n</FURINF>\n</PREAMB>\n"
        '<SUPLINF>\n<HD SOURCE="HED">SUPPLEMENTARY INFORMATION:</HD>\n<HD SOURCE="HD1">Background</HD>\n'
        "<P>This rule makes conforming changes to the Country Group tables of the EAR.</P>\n"
        '<LSTSUB>\n<HD SOURCE="HED">List of Subjects in 15 CFR Part 740</HD>\n'
        "<P>Administrative practice and procedure, Exports, Reporting and recordkeeping requirements.</P>\n"
        "</LSTSUB>\n<P>For the reasons stated in the preamble, part 740 of the Export Administration Regulations "
        "(15 CFR parts 730 through 774) is amended as follows:</P>\n"
        '<REGTEXT TITLE="15" PART="740">\n<PART>\n<HD SOURCE="HED">PART 740—LICENSE EXCEPTIONS</HD>\n</PART>\n'
        "<AMDPAR>1. The authority citation for part 740 continues to read as follows:</AMDPAR>\n"
        '<AUTH>\n<HD SOURCE="HED">Authority:</HD>\n<P>50 U.S.C. 4801-4852; 50 U.S.C. 4601 <E T="03">et seq.</E>; '
        "50 U.S.C. 1701 <E T=\"03\">et seq.</E>; 22 U.S.C. 7201 <E T=\"03\">et seq.</E></P>\n</AUTH>\n</REGTEXT>\n"
        f"{''.join(regtext)}"
        "<SIG>\n<NAME>Matthew S. Borman,</NAME>\n<TITLE>Deputy Assistant Secretary for Export Administration."
        "</TITLE>\n</SIG>\n</SUPLINF>\n"
        f"<FRDOC>[FR Doc. {document_number} Filed {filed.month}-{filed.day - 1 if filed.day > 1 else 1}-"
        f"{filed.year % 100:02d}; 8:45 am]</FRDOC>\n<BILCOD>BILLING CODE 3510-33-P</BILCOD>\n</RULE>\n"
    )
    return xml.encode("utf-8")


# -- the default Supplement No. 1 (realistic, as of 2021 before Cambodia joined D:5) --
_A = {
    "Argentina": "1 2 3 4 5", "Australia": "1 2 3 4 5", "Austria": "1 2 3 4 5", "Belgium": "1 2 3 4 5",
    "Brazil": "2 4 6", "Canada": "1 2 3 4 5", "Cyprus": "3 4", "France": "1 2 3 4 5",
    "Germany": "1 2 3 4 5", "India": "1 2 3 5", "Japan": "1 2 3 4 5", "Korea, South": "1 2 3 4 5",
    "Mexico": "1 3 4", "Netherlands": "1 2 3 4 5", "Norway": "1 2 3 4 5", "Poland": "1 2 3 4 5",
    "Russia": "2 4", "Singapore": "6", "South Africa": "1 2 4 6", "Turkey": "1 2 3 4",
    "Ukraine": "1 2 3 4", "United Kingdom": "1 2 3 4 5", "Belarus": "4", "Israel": "6",
}
_D = {
    "Afghanistan": "1 3 4 5", "Belarus": "1 3 4 5", "Burma": "1 3 4 5", "Cambodia": "1",
    "Central African Republic": "5", "China": "1 3 4 5", "Congo (Democratic Republic of the)": "5",
    "Cuba": "1 5", "Cyprus": "5", "Egypt": "3 4", "Eritrea": "5", "Haiti": "5", "Iran": "1 2 3 4 5",
    "Iraq": "1 3 4 5", "Israel": "2 4", "Korea, North": "1 2 3 4 5", "Lebanon": "3 4 5",
    "Libya": "2 3 4 5", "Macau": "1 3 4", "Pakistan": "2 3 4", "Russia": "1 2 3 4 5",
    "Saudi Arabia": "3 4", "Somalia": "5", "South Sudan": "5", "Sudan": "3 4 5", "Syria": "1 2 3 4 5",
    "Venezuela": "1 3 4 5", "Vietnam": "1 3 4", "Yemen": "1 3 4 5", "Zimbabwe": "5",
}
_E = {"Cuba": "1 2", "Iran": "1", "Korea, North": "1", "Sudan": "1", "Syria": "1"}
_B = (
    "Afghanistan", "Argentina", "Australia", "Austria", "Belgium", "Bosnia and Herzegovina", "Brazil",
    "Cambodia", "Canada", "Central African Republic", "Congo (Democratic Republic of the)", "Cyprus",
    "Egypt", "Eritrea", "France", "Germany", "Haiti", "India", "Iraq", "Israel", "Japan", "Korea, South",
    "Lebanon", "Libya", "Mexico", "Micronesia (Federated States of)", "Netherlands", "Nicaragua",
    "Norway", "Pakistan", "Poland", "Saint Vincent and the Grenadines", "Saudi Arabia", "Singapore",
    "Somalia", "South Africa", "South Sudan", "Turkey", "Ukraine", "United Kingdom", "Venezuela",
    "Vietnam", "Yemen", "Zimbabwe",
)
_FOOTNOTES = {("Country Group D", "Iraq"): ("3",), ("Country Group D", "Cyprus"): ("1",),
              ("Country Group E", "Cuba"): ("2",), ("Country Group D", "Russia"): ("2",)}
_NOTES = {
    "Country Group D": (
        Note("Country Group D", "1", "See § 126.1(r) of the International Traffic in Arms Regulations "
             "(22 CFR parts 120 through 130) for Cyprus."),
        Note("Country Group D", "2", "See § 746.8 of the EAR for additional license requirements for Russia."),
        Note("Country Group D", "3", "See § 746.3 of the EAR for additional license requirements for Iraq."),
    ),
    "Country Group E": (
        Note("Country Group E", "1", "Country Group E:1 is composed of countries whose governments the "
             "Secretary of State has designated as state sponsors of terrorism."),
        Note("Country Group E", "2", "Cuba is subject to the embargo described in § 746.2 of the EAR."),
    ),
}


def group_table(title: str, letter: str, members: dict[str, str], footnotes=None, notes=()) -> GroupTable:
    """A GroupTable from {"Iraq": "1 3 4 5"} shorthand (column numbers per country)."""
    codes = [c for c in GROUP_CODES if c.startswith(letter + ":")]
    columns = tuple(Column(code, COLUMN_NAMES.get(code, "")) for code in codes)
    rows = []
    for country in sorted(members):
        marked = {f"{letter}:{n}" for n in members[country].split()}
        marks_ = (footnotes or {}).get((title, country), ())
        printed = country + (" " + " ".join(marks_) if marks_ else "")
        rows.append(Entry(country, printed, tuple((c, c in marked) for c in codes), marks_))
    return GroupTable(title=title, columns=columns, rows=tuple(rows), notes=tuple(notes))


def default_country_groups() -> CountryGroupTable:
    tables = (
        group_table("Country Group A", "A", _A, _FOOTNOTES),
        group_table("Country Group D", "D", _D, _FOOTNOTES, _NOTES["Country Group D"]),
        group_table("Country Group E", "E", _E, _FOOTNOTES, _NOTES["Country Group E"]),
    )
    notes = tuple(n for t in tables for n in t.notes)
    return CountryGroupTable(tables=tables, b_list=_B, b_printed=_B, notes=notes, version_date=date(2021, 10, 1))


def fr_issue_xml(volume: int, number: int, day: date, rules: list[bytes]) -> bytes:
    """A govinfo-style daily issue (root FEDREG) holding ``rules`` in its RULES section."""
    bodies = []
    for rule in rules:
        text = rule.decode("utf-8")
        bodies.append(text[text.index("<RULE>"):])
    dated = f"{day:%A}, {day:%B} {day.day}, {day.year}"
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<FEDREG xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="FRMergedXML.xsd">\n'
        f"<VOL>{volume}</VOL>\n<NO>{number}</NO>\n<DATE>{dated}</DATE>\n<UNITNAME>Rules and Regulations</UNITNAME>\n"
        f"<RULES>\n{''.join(bodies)}</RULES>\n</FEDREG>\n"
    )
    return xml.encode("utf-8")


# -- 15 CFR 744.21 / 744.22 and Supplement No. 4 to part 744 (the Entity List) --

# How the sections print a country frtrack names otherwise.
SECTION_NAMES = {"China (PRC)": "the People's Republic of China"}


def _listed(countries) -> str:
    """"Belarus, Burma, Cambodia, the People's Republic of China, ..., or Venezuela": the sections' list style."""
    names = [SECTION_NAMES.get(c, c) for c in sorted(countries)]
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + ", or " + names[-1]


def section_744_xml(section: str, countries, day: date | None = None) -> bytes:
    """eCFR bulk-style XML of § 744.21 or § 744.22 naming ``countries`` (heading and paragraph (a) as the real
    sections print them: § 744.22's heading names none, its (a) adds Country Groups E:1 and E:2)."""
    listed = _x(_listed(countries))
    if section == "744.21":
        head = f"§ 744.21   Restrictions on certain 'military end use' or 'military end user' in {listed}."
        para = ("(a) <I>General prohibition.</I> In addition to the license requirements for items specified on the "
                "Commerce Control List (CCL), you may not export, reexport, or transfer (in-country) any item subject "
                f"to the EAR listed in supplement no. 2 to part 744 to {listed} without a license if, at the time of "
                "the export, reexport, or transfer (in-country), you have “knowledge,” as defined in § 772.1 of the "
                "EAR, that the item is intended, entirely or in part, for a 'military end use' or 'military end user' "
                f"in {listed}.")
    else:
        head = ("§ 744.22   Restrictions on exports, reexports, and transfers (in-country) to certain "
                "military-intelligence end uses or end users.")
        para = ("(a) <I>General prohibition.</I> In addition to the license requirements for items specified on the "
                "CCL, you may not export, reexport, or transfer (in-country) any item subject to the EAR without a "
                "license from BIS if, at the time of the export, reexport, or transfer (in-country), you have "
                "“knowledge” that the item is intended, entirely or in part, for a 'military-intelligence end use' "
                f"or a 'military-intelligence end user' in {listed}; or a country listed in Country Groups E:1 or "
                "E:2 (see supplement no. 1 to part 740 of the EAR).")
    xml = (
        '<?xml version="1.0" encoding="UTF-8" ?>\n<ECFRBRWS>\n'
        f"<AMDDATE>{_ecfr_date(day)}\n</AMDDATE>\n"
        '<DIV5 N="744" NODE="15:2.1.3.4.28" TYPE="PART">\n'
        "<HEAD>PART 744—CONTROL POLICY: END-USER AND END-USE BASED\n</HEAD>\n"
        f'<DIV8 N="§ {section}" NODE="15:2.1.3.4.28.0.1.{section[-2:]}" TYPE="SECTION">\n'
        f"<HEAD>{head}</HEAD>\n<P>{para}</P>\n"
        "<P>(b) <I>Additional prohibition on those informed by BIS.</I> BIS may inform you that a license is "
        "required because there is an unacceptable risk of such a use or user.</P>\n"
        '<CITA TYPE="N">[illustrative rendering for the frtrack sample]\n</CITA>\n</DIV8>\n</DIV5>\n</ECFRBRWS>\n'
    )
    return xml.encode("utf-8")


def _entity_lines(e: EntityEntry) -> list[str]:
    """The printed lines of an entity cell: "NAME, a.k.a., the following N aliases:", one "—alias" each, address."""
    if not e.aliases:
        return [f"{e.name}, {e.address}" if e.address else e.name]
    n = len(e.aliases)
    head = f"{e.name}, a.k.a., the following {n} {'alias' if n == 1 else 'aliases'}:"
    aliases = [f"—{a}{'.' if i == n - 1 else ('; and' if i == n - 2 else ';')}" for i, a in enumerate(e.aliases)]
    return [head, *aliases, *([e.address] if e.address else [])]


def entity_list_xml(entries, day: date | None = None) -> bytes:
    """eCFR bulk-style XML of Supplement No. 4 to part 744 (gpotbl table; the Country cell printed in the first
    row of each destination's block, empty after; entity cell lines split by <br/>)."""
    rows = []
    previous = None
    for e in sorted(entries, key=lambda e: (e.destination_printed, e.name.casefold())):
        country = _x(e.destination_printed) if e.destination_printed != previous else ""
        previous = e.destination_printed
        cell = "<br/>".join(_x(line) for line in _entity_lines(e))
        rows.append(f'<TR><TD class="gpotbl_cell" scope="row">{country}</TD><TD class="gpotbl_cell">{cell}</TD>'
                    f'<TD class="gpotbl_cell">{_x(e.license_requirement)}</TD>'
                    f'<TD class="gpotbl_cell">{_x(e.review_policy)}</TD>'
                    f'<TD class="gpotbl_cell">{_citation_cell(e)}</TD></TR>\n')
    heads = "".join(f'<TH class="gpotbl_colhed" scope="col">{h}</TH>' for h in (
        "Country", "Entity", "License requirement", "License review policy", "Federal Register citation"))
    xml = (
        '<?xml version="1.0" encoding="UTF-8" ?>\n<ECFRBRWS>\n'
        f"<AMDDATE>{_ecfr_date(day)}\n</AMDDATE>\n"
        '<DIV5 N="744" NODE="15:2.1.3.4.28" TYPE="PART">\n'
        "<HEAD>PART 744—CONTROL POLICY: END-USER AND END-USE BASED\n</HEAD>\n"
        '<DIV9 N="Supplement No. 4 to Part 744" NODE="15:2.1.3.4.28.0.1.31.4" TYPE="SUPPLEMENT">\n'
        "<HEAD>Supplement No. 4 to Part 744—Entity List</HEAD>\n"
        '<DIV width="100%">\n<DIV class="gpotbl_div">\n'
        '<TABLE border="1" cellpadding="1" cellspacing="1" class="gpotbl_table" frame="void" width="100%">\n'
        f"<TR>{heads}</TR>\n{''.join(rows)}</TABLE>\n</DIV>\n</DIV>\n</DIV9>\n</DIV5>\n</ECFRBRWS>\n"
    )
    return xml.encode("utf-8")


def _citation_cell(e: EntityEntry) -> str:
    return _x(" ".join(c if c.endswith(".") else c + "." for c in e.citations))


_STARS = '<ENT I="28">*         *         *         *         *         *         *</ENT>'


def entity_list_gpotable(entries) -> str:
    """The GPOTABLE an FR rule reprints after its Entity List instruction: per destination a country header
    row and star rows around its entity rows (the other entries elided)."""
    rows = []
    previous = None
    for e in sorted(entries, key=lambda e: (e.destination_printed, e.name.casefold())):
        if e.destination_printed != previous:
            rows.append(f'<ROW>\n<ENT I="22">{_x(e.destination_printed)}</ENT>\n{_STARS}\n</ROW>\n')
            previous = e.destination_printed
        lines = _entity_lines(e)
        cell = _x(lines[0]) + "".join(f"<LI>{_x(line)}</LI>" for line in lines[1:])
        rows.append(f'<ROW>\n<ENT I="22"> </ENT>\n{_STARS}\n</ROW>\n'
                    f'<ROW>\n<ENT I="22"> </ENT>\n<ENT I="22">{cell}</ENT>\n'
                    f'<ENT I="22">{_x(e.license_requirement)}</ENT>\n<ENT I="22">{_x(e.review_policy)}</ENT>\n'
                    f'<ENT I="22">{_citation_cell(e)}</ENT>\n</ROW>\n')
    rows.append(f'<ROW>\n<ENT I="22"> </ENT>\n{_STARS}\n</ROW>\n')
    heads = "".join(f'<CHED H="1">{h}</CHED>\n' for h in (
        "Country", "Entity", "License requirement", "License review policy", "Federal Register citation"))
    return ('<HD SOURCE="HED">Supplement No. 4 to Part 744—Entity List</HD>\n'
            '<GPOTABLE COLS="5" OPTS="L2,tp0,i1" CDEF="s50,r50,r50,r50,r50">\n<TTITLE> </TTITLE>\n'
            f"<BOXHD>\n{heads}</BOXHD>\n{''.join(rows)}</GPOTABLE>\n")
