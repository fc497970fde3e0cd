"""The test seed: the Cambodia story as the real pipeline records it, for the renderer and CLI tests.

Nothing here writes a row. ``stages()`` are authored answers of the sources
(federalregister.gov search JSON and GPO XML, public-inspection entries and
their text, eCFR versions of Supplement No. 1 to part 740 and of 22 CFR
126.1), one stage per scheduled run; ``build_seed`` writes them as a replay
directory (``pipeline.demo.data.replay_dir``), serves it with the real
``ReplayServer`` and runs ``pipeline.run.run_once`` once per stage day into a
real SQLite file. Every row of the seed is what the fetchers and the engine
wrote. The inputs are listed in tests/fixtures/README.md ("The test seed").

Real: the numbers, dates, citations and moves of FR Docs. 2021-26633
(86 FR 70015), 2024-05696 (89 FR 18780), 2024-10280 (89 FR 40369), State's
2025-19822, and BIS's 2026-02262 (RIN 0694-AK41; citation not verified, so none
is given), and Belarus leaving A:4 effective 2022-03-02 -- its rule, FR Doc.
2022-04819, is left out of the seed on purpose, so the eCFR shows that change
with no FR document: the seed's unattributed change. Illustrative: the table
contents around those rows (``pipeline.demo.synth.default_country_groups``,
Cambodia's row as the real rules reprint it), the documents' texts, the eCFR
version dates, the 126.1 versions (they follow D:5 and the State rules; Cyprus
stays in 126.1 after BIS took it out of D:5, as in the real section), filing
and run times. Invented, and marked so: FR Docs. 2099-90101 (wording frtrack
cannot read), 2099-90102 (claims Venezuela into E:2; the eCFR of its effective
date does not show it) and the public-inspection filing 2099-90103 (announces
Laos into D:5), each titled "SAMPLE ..."; the eCFR version of 2026-02-20 (the
tables of 2026-02-03 unchanged, as printed on the SAMPLE rule's effective
date); the last run's eCFR outage (connection refused on 127.0.0.1:9).

``python -m tests.seed replay DIR`` writes the replay directory (serve it with
``frtrack replay DIR``); ``python -m tests.seed db FILE`` builds the database.
"""
from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from parsers.ecfr_groups import parse_country_groups
from pipeline import clock
from pipeline.demo import synth
from pipeline.demo.data.replay_dir import write_replay_dir
from pipeline.demo.data.timeline import BIS, D_CODES, STATE, Doc, PIDoc, Stage, _d, _row
from pipeline.demo.replay import ReplayServer
from pipeline.demo.run import demo_settings
from pipeline.run import RunReport, run_once
from store.db import open_db

TODAY = date(2026, 2, 24)            # the last run; the renderer tests' "today"
RUN_TIME = time(15, 0)               # every run at 15:00 UTC (10:00 Eastern: after the 8:45 filings)
UNREACHABLE = "http://127.0.0.1:9"   # the last run's eCFR base: nothing listens there (connection refused)
SAMPLE = "SAMPLE (invented for frtrack's tests, not a real FR document): "

REVISE_CAMBODIA = ("Supplement No. 1 to part 740 is amended by revising the entry for “Cambodia” in "
                   "“Country Group D” to read as follows:")


def _rule(number: str, pub: date, eff: date, subject: str, instructions, *, page: int | None = None,
          rin: str = "") -> bytes:
    return synth.fr_rule_xml(number, pub, f"This rule is effective {eff:%B} {eff.day}, {eff.year}.", rin,
                             subject, instructions, page=page)


def _state_rule(number: str, pub: date, subject: str, summary: str) -> bytes:
    """A State Department rule amending 22 CFR 126.1 in words (frtrack reads 126.1 from the eCFR)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<RULE>\n<PREAMB>\n'
        '<AGENCY TYPE="S">DEPARTMENT OF STATE</AGENCY>\n<CFR>22 CFR Part 126</CFR>\n'
        f"<SUBJECT>{subject}</SUBJECT>\n"
        '<ACT>\n<HD SOURCE="HED">ACTION:</HD>\n<P>Final rule.</P>\n</ACT>\n'
        f'<SUM>\n<HD SOURCE="HED">SUMMARY:</HD>\n<P>{summary}</P>\n</SUM>\n'
        f'<DATES>\n<HD SOURCE="HED">DATES:</HD>\n<P>This rule is effective {pub:%B} {pub.day}, {pub.year}.</P>\n'
        "</DATES>\n</PREAMB>\n<SUPLINF>\n<REGTEXT TITLE=\"22\" PART=\"126\">\n"
        "<AMDPAR>2. Section 126.1 is amended by revising paragraph (d).</AMDPAR>\n</REGTEXT>\n</SUPLINF>\n"
        f"<FRDOC>[FR Doc. {number} Filed {pub.month}-{pub.day}-{pub.year % 100:02d}; 8:45 am]</FRDOC>\n"
        "<BILCOD>BILLING CODE 4710-25-P</BILCOD>\n</RULE>\n"
    ).encode()


def _ecfr(day: date, table) -> tuple[date, bytes]:
    return (day, synth.ecfr_supplement_xml(replace(table, version_date=day), day))


def _itar(day: date, countries) -> tuple[date, bytes]:
    return (day, synth.itar_126_1_xml(countries, day))


def stages() -> tuple[Stage, ...]:
    """The seed's inputs, one stage per run day, oldest first (deterministic)."""
    return _story()[0]


def _story() -> tuple[tuple[Stage, ...], dict[str, Any]]:
    """The stages, and the table models of 2026-02-03 and the 126.1 list of 2024-03-15 (for safety_stages)."""
    # Supplement No. 1 as of 2021-01-04: the synth tables with Cambodia's real row (D:1, D:3)
    t0 = _row(synth.default_country_groups(), "Country Group D", "Cambodia", _d(D1=True, D3=True))
    itar0 = sorted(c for c, g in t0.memberships() if g == "D:5")

    ecfr, itar = _ecfr, _itar

    # 2021: Cambodia into D:5 (FR Doc. 2021-26633), with State's 126.1 change the same day
    t1 = _row(t0, "Country Group D", "Cambodia", _d(D1=True, D3=True, D5=True))
    itar1 = sorted(set(itar0) | {"Cambodia"})
    cambodia_in = Doc(
        "2021-26633", BIS, "Revision of Controls for Cambodia Under the Export Administration Regulations",
        date(2021, 12, 9), date(2021, 12, 9), "86 FR 70015",
        _rule("2021-26633", date(2021, 12, 9), date(2021, 12, 9),
              "Revision of Controls for Cambodia Under the Export Administration Regulations",
              [(REVISE_CAMBODIA, (D_CODES, [("Cambodia", _d(D1=True, D3=True, D5=True))]))], page=70015), 740)

    # 2022: Belarus out of A:4, effective 2022-03-02; its rule 2022-04819 is not in the seed
    t2 = _row(t1, "Country Group A", "Belarus", {})

    # 2024: Nicaragua from B to D:1 and D:5 (2024-05696); Cyprus out of D:5 (2024-10280), 126.1 keeps Cyprus
    nb = _row(t2, "Country Group D", "Nicaragua", _d(D1=True, D5=True))
    t3 = replace(nb, b_list=tuple(n for n in nb.b_list if n != "Nicaragua"),
                 b_printed=tuple(n for n in nb.b_printed if n != "Nicaragua"))
    itar3 = sorted(set(itar1) | {"Nicaragua"})
    nicaragua = Doc(
        "2024-05696", BIS, "Export Controls on Nicaragua", date(2024, 3, 15), date(2024, 3, 15), "89 FR 18780",
        _rule("2024-05696", date(2024, 3, 15), date(2024, 3, 15), "Export Controls on Nicaragua",
              [("Supplement No. 1 to part 740 is amended by removing “Nicaragua” from Country Group B.", None),
               ("Supplement No. 1 to part 740 is amended by adding in alphabetical order an entry for "
                "“Nicaragua” to “Country Group D” to read as follows:",
                (D_CODES, [("Nicaragua", _d(D1=True, D5=True))]))], page=18780), 740)
    t4 = _row(t3, "Country Group D", "Cyprus", {})
    cyprus = Doc(
        "2024-10280", BIS, "Removal of Cyprus From Country Group D:5", date(2024, 5, 10), date(2024, 5, 30),
        "89 FR 40369",
        _rule("2024-10280", date(2024, 5, 10), date(2024, 5, 30), "Removal of Cyprus From Country Group D:5",
              [("Supplement No. 1 to part 740 is amended by removing the entry for “Cyprus” from "
                "“Country Group D”.", None)], page=40369), 740)

    # 2025: State takes Cambodia out of 126.1; D:5 still lists it
    itar5 = sorted(set(itar3) - {"Cambodia"})
    state_out = Doc(
        "2025-19822", STATE, "International Traffic in Arms Regulations: Changes to Section 126.1",
        date(2025, 11, 7), date(2025, 11, 7), None,
        _state_rule("2025-19822", date(2025, 11, 7),
                    "International Traffic in Arms Regulations: Changes to Section 126.1",
                    "The Department of State amends the ITAR to remove Cambodia from § 126.1."), 126)

    # 2026: BIS conforms, effective the day before publication; Cambodia stays in D:1 and D:3
    t6 = _row(t4, "Country Group D", "Cambodia", _d(D1=True, D3=True))
    cambodia_out = Doc(
        "2026-02262", BIS, "Conforming Change to the Export Administration Regulations for Cambodia",
        date(2026, 2, 4), date(2026, 2, 3), None,
        _rule("2026-02262", date(2026, 2, 4), date(2026, 2, 3),
              "Conforming Change to the Export Administration Regulations for Cambodia",
              [(REVISE_CAMBODIA, (D_CODES, [("Cambodia", _d(D1=True, D3=True))]))], rin="0694-AK41"),
        740, "0694-AK41")
    pi_cambodia_out = PIDoc(
        "2026-02262", BIS, cambodia_out.title, "2026-02-03T08:45:00-05:00", date(2026, 2, 4),
        "SUMMARY: In this final rule, BIS removes Cambodia from Country Group D:5 (U.S. Arms Embargoed "
        "Countries), conforming to the Department of State's removal of Cambodia from 22 CFR 126.1. Cambodia "
        "remains in Country Group D:1. DATES: This rule is effective February 3, 2026.")

    # SAMPLE events (invented): a review item, a contradicted change, an announcement still pending
    unread = Doc(
        "2099-90101", BIS, SAMPLE + "Country Group D Reorganization", date(2026, 2, 11), date(2026, 2, 11), None,
        _rule("2099-90101", date(2026, 2, 11), date(2026, 2, 11), SAMPLE + "Country Group D Reorganization",
              [("Supplement No. 1 to part 740 is amended by transferring the entry for “Somalia” from "
                "“Country Group D” to a new Country Group D:6.", None)]), 740)
    venezuela = Doc(
        "2099-90102", BIS, SAMPLE + "Venezuela Added to Country Group E:2", date(2026, 2, 20), date(2026, 2, 20),
        None,
        _rule("2099-90102", date(2026, 2, 20), date(2026, 2, 20), SAMPLE + "Venezuela Added to Country Group E:2",
              [("Supplement No. 1 to part 740 is amended by adding in alphabetical order an entry for "
                "“Venezuela” to “Country Group E” to read as follows:",
                (("E:1", "E:2"), [("Venezuela", {"E:2": True})]))]),
        740)
    pi_laos = PIDoc(
        "2099-90103", BIS, SAMPLE + "Addition of Laos to Country Group D:5", "2026-02-24T08:45:00-05:00",
        date(2026, 2, 25),
        "SAMPLE (invented for frtrack's tests). SUMMARY: In this rule, BIS adds Laos to Country Group D:5 "
        "(U.S. Arms Embargoed Countries). DATES: This rule is effective March 2, 2026.")

    return (
        Stage(date(2021, 1, 5), (ecfr(date(2021, 1, 4), t0),), (itar(date(2021, 1, 4), itar0),),
              note="baseline: Supplement No. 1 and 22 CFR 126.1 as of 2021-01-04"),
        Stage(date(2021, 12, 10), (), (itar(date(2021, 12, 9), itar1),), (cambodia_in,),
              note="2021-26633 published: Cambodia into D:5 in effect; 126.1 adds Cambodia"),
        Stage(date(2021, 12, 16), (ecfr(date(2021, 12, 9), t1),), note="eCFR confirms Cambodia in D:5"),
        Stage(date(2022, 3, 15), (ecfr(date(2022, 3, 2), t2),),
              note="eCFR shows Belarus out of A:4; its rule 2022-04819 is not in the seed: unattributed"),
        Stage(date(2024, 3, 18), (ecfr(date(2024, 3, 15), t3),), (itar(date(2024, 3, 15), itar3),), (nicaragua,),
              note="2024-05696: Nicaragua from B to D:1 and D:5, confirmed the same day"),
        Stage(date(2024, 5, 13), documents=(cyprus,),
              note="2024-10280 published 2024-05-10, effective 2024-05-30: Cyprus out of D:5"),
        Stage(date(2024, 6, 3), (ecfr(date(2024, 5, 30), t4),),
              note="eCFR confirms Cyprus out of D:5; 126.1 keeps Cyprus: divergence opens"),
        Stage(date(2025, 11, 10), (), (itar(date(2025, 11, 7), itar5),), (state_out,),
              note="State's 2025-19822 drops Cambodia from 126.1: D:5 and 126.1 diverge"),
        Stage(date(2026, 2, 3), public_inspection=(pi_cambodia_out,),
              note="2026-02262 on public inspection: Cambodia out of D:5 announced"),
        Stage(date(2026, 2, 4), documents=(cambodia_out,),
              note="2026-02262 published, effective 2026-02-03 (before publication)"),
        Stage(date(2026, 2, 9), (ecfr(date(2026, 2, 3), t6),),
              note="eCFR confirms Cambodia out of D:5 (still D:1, D:3); the divergence closes"),
        Stage(date(2026, 2, 11), documents=(unread,), note="SAMPLE 2099-90101: wording frtrack cannot read"),
        Stage(date(2026, 2, 20), documents=(venezuela,), note="SAMPLE 2099-90102 claims Venezuela into E:2"),
        Stage(date(2026, 2, 23), (ecfr(date(2026, 2, 20), t6),),
              note="eCFR of 2026-02-20 (SAMPLE date) does not show Venezuela in E:2: contradicted"),
        Stage(TODAY, public_inspection=(pi_laos,),
              note="SAMPLE 2099-90103 on public inspection (Laos into D:5, effective 2026-03-02); eCFR unreachable"),
    ), {"t6": t6, "itar3": itar3}


def safety_stages() -> tuple[Stage, ...]:
    """``stages()`` plus, each by its real cause, the states issue 12 publishes apart (all SAMPLE):

    - a change announced on public inspection that the published rule does not make (FR Doc.
      2099-90104: announced "Egypt out of D:3", published with wording frtrack cannot read): withdrawn;
    - an eCFR version (2026-02-17) that prints Country Group D without a single D:5 mark: held as suspect;
    - a published rule whose D:5 removal takes effect after today (FR Doc. 2099-90105, Somalia out of
      Country Group D on 2026-03-16; 126.1 keeps Somalia): a pending divergence;
    - 126.1 first read on 2024-05-31, after BIS took Cyprus out of D:5 (126.1 keeps it, as the real section
      does): a standing difference. The 126.1 versions before it are left out.
    """
    base, models = _story()
    t6, itar3 = models["t6"], models["itar3"]
    no_d5 = replace(t6, tables=tuple(
        replace(t, rows=tuple(replace(r, marks=tuple((c, m and c != "D:5") for c, m in r.marks)) for r in t.rows))
        if t.title == "Country Group D" else t for t in t6.tables))
    egypt_pi = PIDoc(
        "2099-90104", BIS, SAMPLE + "Revision of the Entry for Egypt in Country Group D", "2026-02-12T08:45:00-05:00",
        date(2026, 2, 13),
        "SAMPLE (invented for frtrack's tests). SUMMARY: In this rule, BIS removes Egypt from Country Group D:3. "
        "DATES: This rule is effective February 13, 2026.")
    egypt = Doc(
        "2099-90104", BIS, egypt_pi.title, date(2026, 2, 13), date(2026, 2, 13), None,
        _rule("2099-90104", date(2026, 2, 13), date(2026, 2, 13), egypt_pi.title,
              [("Supplement No. 1 to part 740 is amended by transferring the entry for “Egypt” from "
                "“Country Group D” to a new Country Group D:6.", None)]), 740)
    somalia = Doc(
        "2099-90105", BIS, SAMPLE + "Removal of Somalia From Country Group D", TODAY, date(2026, 3, 16), None,
        _rule("2099-90105", TODAY, date(2026, 3, 16), SAMPLE + "Removal of Somalia From Country Group D",
              [("Supplement No. 1 to part 740 is amended by removing the entry for “Somalia” from "
                "“Country Group D”.", None)]), 740)
    extra = (
        Stage(date(2026, 2, 12), public_inspection=(egypt_pi,),
              note="SAMPLE 2099-90104 on public inspection: Egypt out of D:3 announced"),
        Stage(date(2026, 2, 13), documents=(egypt,), note="SAMPLE 2099-90104 published without that change: withdrawn"),
        Stage(date(2026, 2, 18), (_ecfr(date(2026, 2, 17), no_d5),),
              note="SAMPLE eCFR version 2026-02-17 without D:5 marks: suspect"),
    )
    out = []
    for stage in base:
        itar_versions = tuple(v for v in stage.ecfr_itar if v[0] >= date(2024, 5, 31))
        if stage.today == date(2024, 6, 3):
            itar_versions = (_itar(date(2024, 5, 31), itar3),)
        if stage.today == TODAY:
            stage = replace(stage, documents=stage.documents + (somalia,),
                            note=stage.note + "; SAMPLE 2099-90105 published: Somalia out of D on 2026-03-16")
        out.append(replace(stage, ecfr_itar=itar_versions))
    return tuple(sorted(out + list(extra), key=lambda st: st.today))


def printed_memberships(day: str) -> dict[str, set[str]]:
    """{country: groups} as the seed's eCFR version of ``day`` prints them, read by the real parser.

    What the store must answer for that day; the tests compare it with ``store.queries``.
    """
    [xml] = [x for s in stages() for d, x in s.ecfr_supplement if d.isoformat() == day]
    out: dict[str, set[str]] = {}
    for country, group in parse_country_groups(xml, f"seed eCFR version {day}").memberships():
        out.setdefault(country, set()).add(group)
    return out


class _Wall(datetime):
    """The wall clock during the build: always RUN_TIME, so every stamp reads the same on every build."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        moment = datetime.combine(date(2000, 1, 1), RUN_TIME, tzinfo=UTC)
        return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)


@contextlib.contextmanager
def _isolated() -> Iterator[None]:
    """The environment of one build: no user config or API bases, loopback only, the run time pinned."""
    with pytest.MonkeyPatch.context() as mp:
        for var in ("FRTRACK_CONFIG", "FRTRACK_DB", "FRTRACK_FR_API_BASE", "FRTRACK_ECFR_API_BASE",
                    "FRTRACK_GOVINFO_BASE", "FRTRACK_TODAY", "FRTRACK_NOW", "FRTRACK_SMTP_PASSWORD"):
            mp.delenv(var, raising=False)
        for var in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            mp.setenv(var, "http://127.0.0.1:9")
        for var in ("NO_PROXY", "no_proxy"):
            mp.setenv(var, "127.0.0.1,localhost,::1")
        # pipeline.clock.Clock shifts the wall clock onto the run's day: pin the time of day it keeps
        mp.setattr(clock, "datetime", _Wall)
        yield


def build_seed(db_path: Path, replay_dir: Path | None = None, *,
               world: tuple[Stage, ...] | None = None) -> list[RunReport]:
    """Run the pipeline over ``world`` (default ``stages()``) into a new database at ``db_path``; the run reports."""
    db_path = Path(db_path)
    if db_path.exists():
        raise FileExistsError(f"{db_path}: the seed is built into a new file only")
    replay_dir = replay_dir or db_path.parent / "seed-replay"
    all_stages = world or stages()
    reports = []
    with _isolated(), ReplayServer(write_replay_dir(all_stages, replay_dir)) as server:
        settings = demo_settings(server.url)
        for i, stage in enumerate(all_stages):
            server.set_stage(i)
            run_settings = settings
            if stage.today == TODAY:    # the last run: the eCFR does not answer
                run_settings = replace(settings, sources=replace(
                    settings.sources, ecfr_api_base=f"{UNREACHABLE}/api/versioner/v1", max_retries=0))
            reports.append(run_once(run_settings, db_path, today=stage.today, trigger="cli"))
    _check(db_path, reports)
    return reports


def run_offline(db_path: Path, today: date = TODAY) -> RunReport:
    """One real run with every source unreachable (a first run without network): sources never succeeded."""
    s = demo_settings(UNREACHABLE)
    s = replace(s, sources=replace(s.sources, max_retries=0))
    with _isolated():
        return run_once(s, db_path, today=today, trigger="cli")


def _check(db_path: Path, reports: list[RunReport]) -> None:
    """Fail the build loudly when the pipeline did not do what the seed is for."""
    problems = [f"run {r.run_id}: {r.summary()}" for r in reports[:-1] if not r.ok]
    if reports[-1].ok:
        problems.append("the last run was meant to fail (eCFR unreachable) but succeeded")
    db = open_db(db_path)
    try:
        stamps = [s for (s,) in db.execute("SELECT started_at FROM runs")]
        if any(not s.endswith(f"T{RUN_TIME:%H:%M:%S}+00:00") for s in stamps):
            problems.append(f"run times are not pinned to {RUN_TIME} UTC (pipeline.clock changed?): {stamps}")
    finally:
        db.close()
    if Path(f"{db_path}-wal").exists():
        problems.append(f"{db_path}-wal is left over: the file alone would be stale")
    if problems:
        raise RuntimeError("the test seed did not build as designed:\n" + "\n".join(problems))


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("replay", "db"):
        print("usage: python -m tests.seed replay DIR | db FILE", file=sys.stderr)
        return 2
    out = Path(argv[1])
    if argv[0] == "replay":
        print(write_replay_dir(stages(), out))
    else:
        for r in build_seed(out):
            print(r.summary(errors=True))
        print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
