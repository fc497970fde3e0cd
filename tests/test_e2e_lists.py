"""Issue 15 end to end: § 744.21/§ 744.22 and Entity List changes through the replay server and ``run_once``.

An authored timeline (every document a SAMPLE 2099-900nn, every entity
"(SAMPLE)", dates in 2099) served stage by stage, like the bundled sample in
tests/test_e2e_timeline.py: a rule adding an entity is announced on public
inspection, published, takes effect and is confirmed by the next eCFR version
of Supplement No. 4; a removal, a revision and a move; a correction of the
first rule; one rule moving Nicaragua between Country Groups and adding it
to § 744.21 and § 744.22. Each assertion reads whole ``changes`` rows and
their status logs.
"""
from __future__ import annotations

import dataclasses
import json
from datetime import date

import pytest

from parsers.model import EntityEntry
from pipeline.demo import synth
from pipeline.demo.data.replay_dir import write_replay_dir
from pipeline.demo.data.timeline import BIS, Doc, PIDoc, Stage, _d, _row
from pipeline.demo.replay import ReplayServer
from pipeline.demo.run import demo_settings
from pipeline.run import run_once
from store.db import open_db

POLICY = "For all items subject to the EAR. (See § 744.11 of the EAR)"
PRC = "China (PRC)"
D_CODES = ("D:1", "D:2", "D:3", "D:4", "D:5")


def entity(dest: str, printed: str, name: str, *, aliases=(), address: str, policy: str = "Presumption of denial.",
           requirement: str = POLICY, citations=("99 FR 00011, 1/5/99",)) -> EntityEntry:
    return EntityEntry(dest, printed, name, tuple(aliases), address, requirement, policy, tuple(citations))


AVIONICS = entity("Russia", "RUSSIA", "Fictitious Avionics OOO (SAMPLE)", address="7 Placeholder Prospekt, Moscow, Russia.",
                  policy="Policy of denial.")
DRONES = entity("Iran", "IRAN", "Imaginary Drone Works (SAMPLE)", aliases=("IDW Sample",),
                address="Unit 3, 4 Nowhere Boulevard, Tehran, Iran.")
MICROWAVE = entity("Armenia", "ARMENIA", "Sample Microwave Trading LLC (SAMPLE)",
                   address="1 Invented Street, Yerevan, Armenia.")
PHOTONICS = entity(PRC, "CHINA, PEOPLE'S REPUBLIC OF", "Example Photonics Co., Ltd. (SAMPLE)",
                   aliases=("Example Optoelectronics (SAMPLE)", "EP Sample Lasers"),
                   address="Room 101, Building 9, No. 1 Imaginary Road, Sampletown, China.",
                   citations=("99 FR 00021, 2/3/99",))
DRONES_REVISED = dataclasses.replace(DRONES, aliases=("IDW Sample", "Drone Sample Works (SAMPLE)"),
                                     review_policy="Policy of denial.",
                                     citations=("99 FR 00011, 1/5/99", "99 FR 00031, 3/2/99"))
MICROWAVE_MOVED = dataclasses.replace(MICROWAVE, destination="Russia", destination_printed="RUSSIA",
                                      address="9 Invented Lane, Moscow, Russia.",
                                      citations=("99 FR 00011, 1/5/99", "99 FR 00031, 3/2/99"))
PHOTONICS_CORRECTED = dataclasses.replace(PHOTONICS, license_requirement="For all items subject to the EAR. "
                                          "(See §§ 734.9(e) and 744.11 of the EAR)")
SECTION_LIST = ["Burma", PRC, "Russia", "Venezuela"]


def rule(number: str, published: date, effective: date, subject: str, part_744, *, instructions=(),
         summary: str | None = None, corrects: str | None = None) -> Doc:
    """A SAMPLE BIS rule in GPO FR XML and the API's facts about it."""
    title = "SAMPLE (fictional, not a real FR document): " + subject
    xml = synth.fr_rule_xml(number, published, f"This rule is effective {effective:%B} {effective.day}, {effective.year}.",
                            "", title, list(instructions), part_744=part_744, corrects=corrects,
                            summary=summary or f"SAMPLE (fictional): {subject}.")
    return Doc(number, BIS, title, published, effective, None, xml, 740 if instructions else 744,
               correction_of=corrects, more_parts=(744,) if instructions else ())


def supp4(day: date, *entries: EntityEntry) -> tuple[date, bytes]:
    return day, synth.entity_list_xml(entries, day)


def section(name: str, day: date, countries) -> tuple[date, bytes]:
    return day, synth.section_744_xml(name, countries, day)


ADD_PHOTONICS = ("Supplement No. 4 to part 744 is amended by adding under CHINA, PEOPLE'S REPUBLIC OF, in "
                 "alphabetical order, an entry for “Example Photonics Co., Ltd. (SAMPLE)”. The addition reads as "
                 "follows:")


def build() -> tuple[Stage, ...]:
    groups0 = synth.default_country_groups()
    nb = _row(groups0, "Country Group D", "Nicaragua", _d(D1=True, D5=True))
    groups1 = dataclasses.replace(nb, b_list=tuple(n for n in nb.b_list if n != "Nicaragua"),
                                  b_printed=tuple(n for n in nb.b_printed if n != "Nicaragua"))

    def cg(day: date, table) -> tuple[date, bytes]:
        return day, synth.ecfr_supplement_xml(dataclasses.replace(table, version_date=day), day)

    add = rule("2099-90011", date(2099, 2, 3), date(2099, 2, 9), "Addition of an Entity to the Entity List",
               [(ADD_PHOTONICS, synth.entity_list_gpotable([PHOTONICS]))],
               summary="SAMPLE (fictional): this rule adds one entity under one entry to the Entity List.")
    desk = PIDoc("2099-90011", BIS, add.title, "2099-02-02T08:45:00-05:00", date(2099, 2, 3),
                 "SUMMARY: SAMPLE (fictional): this rule adds one entity under one entry to the Entity List.\n\n"
                 "DATES: This rule is effective February 9, 2099.\n\n"
                 f"    2. {ADD_PHOTONICS}\n\n[FR Doc. 2099-90011 Filed 2-2-99; 8:45 am]\n")
    removal = rule("2099-90012", date(2099, 3, 2), date(2099, 3, 2), "Removal of an Entity From the Entity List",
                   [("Supplement No. 4 to part 744 is amended by removing under RUSSIA the entry for “Fictitious "
                     "Avionics OOO (SAMPLE)”.", "")])
    revision = rule("2099-90013", date(2099, 3, 2), date(2099, 3, 2), "Revision of an Entry on the Entity List",
                    [("Supplement No. 4 to part 744 is amended by revising under IRAN the entry for “Imaginary Drone "
                      "Works (SAMPLE)” to read as follows:", synth.entity_list_gpotable([DRONES_REVISED]))])
    move = rule("2099-90014", date(2099, 3, 2), date(2099, 3, 2), "Moving an Entry on the Entity List",
                [("Supplement No. 4 to part 744 is amended: a. By removing under ARMENIA the entry for “Sample "
                  "Microwave Trading LLC (SAMPLE)”; and b. By adding under RUSSIA, in alphabetical order, an entry "
                  "for “Sample Microwave Trading LLC (SAMPLE)”. The addition reads as follows:",
                  synth.entity_list_gpotable([MICROWAVE_MOVED]))])
    correction = rule("2099-90015", date(2099, 3, 20), date(2099, 2, 9), "Addition of an Entity; Correction",
                      [("Supplement No. 4 to part 744 is amended by revising under CHINA, PEOPLE'S REPUBLIC OF, the "
                        "entry for “Example Photonics Co., Ltd. (SAMPLE)” to read as follows:",
                        synth.entity_list_gpotable([PHOTONICS_CORRECTED]))],
                      summary="SAMPLE (fictional): BIS is correcting a final rule that appeared in the Federal "
                              "Register on February 3, 2099 (FR Doc. 2099-90011), which added an entity to the "
                              "Entity List.", corrects="2099-90011")
    nicaragua = rule(
        "2099-90016", date(2099, 4, 6), date(2099, 4, 6), "Export Controls on Nicaragua",
        [("Section 744.21 is amended by adding the word “Nicaragua,” after the words “People's Republic of China,” "
          "in the section heading and in paragraph (a).", ""),
         ("Section 744.22 is amended by adding the word “Nicaragua,” after the words “People's Republic of China,” "
          "in paragraph (a).", "")],
        instructions=[("Supplement No. 1 to part 740 is amended by removing “Nicaragua” from Country Group B.", None),
                      ("Supplement No. 1 to part 740 is amended by adding in alphabetical order an entry for "
                       "“Nicaragua” to “Country Group D” to read as follows:",
                       (D_CODES, [("Nicaragua", _d(D1=True, D5=True))]))])
    base = (AVIONICS, DRONES, MICROWAVE)
    after = (DRONES_REVISED, MICROWAVE_MOVED, PHOTONICS)
    return (
        Stage(date(2099, 1, 5), (cg(date(2099, 1, 5), groups0),), note="baselines",
              ecfr_744_21=(section("744.21", date(2099, 1, 5), SECTION_LIST),),
              ecfr_744_22=(section("744.22", date(2099, 1, 5), SECTION_LIST),),
              ecfr_entity_list=(supp4(date(2099, 1, 5), *base),)),
        Stage(date(2099, 2, 2), public_inspection=(desk,), note="2099-90011 on public inspection"),
        Stage(date(2099, 2, 3), documents=(add,), note="2099-90011 published, effective 02-09"),
        Stage(date(2099, 2, 9), note="2099-90011 in effect"),
        Stage(date(2099, 2, 12), note="eCFR shows the addition",
              ecfr_entity_list=(supp4(date(2099, 2, 9), *base, PHOTONICS),)),
        Stage(date(2099, 3, 2), documents=(removal, revision, move), note="a removal, a revision, a move"),
        Stage(date(2099, 3, 5), note="eCFR shows them", ecfr_entity_list=(supp4(date(2099, 3, 2), *after),)),
        Stage(date(2099, 3, 20), documents=(correction,), note="a correction of 2099-90011, effective 02-09"),
        Stage(date(2099, 3, 23), note="eCFR shows the correction",
              ecfr_entity_list=(supp4(date(2099, 3, 20), DRONES_REVISED, MICROWAVE_MOVED, PHOTONICS_CORRECTED),)),
        Stage(date(2099, 4, 6), documents=(nicaragua,), note="Nicaragua: B to D, into § 744.21 and § 744.22"),
        Stage(date(2099, 4, 9), (cg(date(2099, 4, 6), groups1),), note="eCFR shows Nicaragua's move",
              ecfr_744_21=(section("744.21", date(2099, 4, 6), SECTION_LIST + ["Nicaragua"]),),
              ecfr_744_22=(section("744.22", date(2099, 4, 6), SECTION_LIST + ["Nicaragua"]),)),
    )


STAGES = build()
DAYS = [s.today.isoformat() for s in STAGES]


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """The database after every stage, and the run reports; each stage one run on its day."""
    tmp = tmp_path_factory.mktemp("lists")
    db_path = tmp / "frtrack.db"
    snapshots = []
    with ReplayServer(write_replay_dir(STAGES, tmp / "replay")) as server:
        for i, stage in enumerate(STAGES):
            server.set_stage(i)
            report = run_once(demo_settings(server.url), db_path, today=stage.today, trigger="test")
            assert report.ok, report.summary()
            db = open_db(db_path)
            snapshots.append({r[0]: r[1] for r in db.execute("SELECT change_key, status FROM changes")})
            db.close()
    db = open_db(db_path)
    yield db, snapshots
    db.close()


COLUMNS = "list, country, group_code, entity, action, status, fr_document, effective_date, detail"


def rows(db, where: str = "list != 'country_groups'", *args) -> list[tuple]:
    return db.execute(f"SELECT {COLUMNS} FROM changes WHERE {where} ORDER BY effective_date, country, list,"
                      f" group_code, entity, action", list(args)).fetchall()


def log(db, key: str) -> list[str]:
    return [s for (s,) in db.execute("SELECT l.status FROM change_status_log l JOIN changes c ON c.id = l.change_id"
                                     " WHERE c.change_key = ? ORDER BY l.id", [key])]


ADDED = "entity_list|China (PRC)|example photonics co ltd sample|added|fr:2099-90011"


def test_an_entity_added_on_public_inspection_is_announced_published_in_effect_and_confirmed(played):
    db, snapshots = played
    steps = [s.get(ADDED) for s in snapshots]
    assert steps[:6] == [None, "announced", "published", "in_effect", "confirmed", "confirmed"]
    assert log(db, ADDED) == ["announced", "published", "in_effect", "confirmed"]
    row = db.execute(f"SELECT {COLUMNS}, entity_key, ecfr_version, corrected_by FROM changes WHERE change_key = ?",
                     [ADDED]).fetchone()
    assert tuple(row) == ("entity_list", PRC, None, "Example Photonics Co., Ltd. (SAMPLE)", "added", "confirmed",
                          "2099-90011", "2099-02-09", None, "example photonics co ltd sample", "2099-02-09", None)


def test_a_removal_a_revision_and_a_move(played):
    db, _ = played
    got = rows(db, "list = 'entity_list' AND effective_date = '2099-03-02'")
    revised = json.loads(next(r for r in got if r[4] == "revised")[8])
    assert revised == {"fields": {
        "aliases": {"before": ["IDW Sample"], "after": ["IDW Sample", "Drone Sample Works (SAMPLE)"]},
        "review_policy": {"before": "Presumption of denial.", "after": "Policy of denial."},
        "citations": {"before": ["99 FR 00011, 1/5/99"], "after": ["99 FR 00011, 1/5/99", "99 FR 00031, 3/2/99"]}}}
    assert [r[:8] + (json.loads(r[8]) if r[8] and r[4] != "revised" else r[8] and "fields",) for r in got] == [
        ("entity_list", "Armenia", None, "Sample Microwave Trading LLC (SAMPLE)", "removed", "confirmed", "2099-90014",
         "2099-03-02", {"moved_to": "Russia"}),
        ("entity_list", "Iran", None, "Imaginary Drone Works (SAMPLE)", "revised", "confirmed", "2099-90013",
         "2099-03-02", "fields"),
        ("entity_list", "Russia", None, "Fictitious Avionics OOO (SAMPLE)", "removed", "confirmed", "2099-90012",
         "2099-03-02", None),
        ("entity_list", "Russia", None, "Sample Microwave Trading LLC (SAMPLE)", "added", "confirmed", "2099-90014",
         "2099-03-02", {"moved_from": "Armenia"}),
    ]
    for key in ("entity_list|Russia|fictitious avionics ooo sample|removed|fr:2099-90012",
                "entity_list|Iran|imaginary drone works sample|revised|fr:2099-90013",
                "entity_list|Armenia|sample microwave trading llc sample|removed|fr:2099-90014",
                "entity_list|Russia|sample microwave trading llc sample|added|fr:2099-90014"):
        assert log(db, key) == ["in_effect", "confirmed"], key
    # nothing the eCFR showed is left unexplained
    assert rows(db, "status = 'unattributed'") == []
    # the move closes one interval and opens the next, one document each side
    spans = db.execute("SELECT country, valid_from, valid_to, opened_by_document, closed_by_document FROM memberships"
                       " WHERE list = 'entity_list' AND entity_key = 'sample microwave trading llc sample'"
                       " AND withdrawn = 0 ORDER BY valid_from").fetchall()
    assert [tuple(s) for s in spans] == [("Armenia", "2099-01-05", "2099-03-02", None, "2099-90014"),
                                         ("Russia", "2099-03-02", None, "2099-90014", None)]


def test_a_correction_is_owned_by_the_rule_it_corrects_and_confirmed_by_the_next_version(played):
    db, snapshots = played
    key = "entity_list|China (PRC)|example photonics co ltd sample|revised|fr:2099-90011"
    assert [s.get(key) for s in snapshots][6:9] == [None, "in_effect", "confirmed"]
    row = db.execute(f"SELECT {COLUMNS}, corrected_by, ecfr_version FROM changes WHERE change_key = ?", [key]).fetchone()
    assert tuple(row[:8]) == ("entity_list", PRC, None, "Example Photonics Co., Ltd. (SAMPLE)", "revised", "confirmed",
                              "2099-90011", "2099-02-09")
    assert json.loads(row[8]) == {"fields": {"license_requirement": {
        "before": POLICY, "after": "For all items subject to the EAR. (See §§ 734.9(e) and 744.11 of the EAR)"}}}
    assert (json.loads(row[9]), row[10]) == (["2099-90015"], "2099-03-20")
    assert log(db, key) == ["in_effect", "confirmed"]
    # the entry's interval since 02-09 now shows what the correction printed
    [detail] = db.execute("SELECT detail FROM memberships WHERE list = 'entity_list' AND valid_to IS NULL AND"
                          " withdrawn = 0 AND entity_key = 'example photonics co ltd sample'").fetchone()
    assert "734.9(e)" in json.loads(detail)["license_requirement"]


def test_one_rule_moves_a_country_between_groups_and_adds_it_to_both_sections(played):
    db, _ = played
    got = rows(db, "fr_document = '2099-90016'")
    assert got == [
        ("744.21", "Nicaragua", None, None, "added", "confirmed", "2099-90016", "2099-04-06", None),
        ("744.22", "Nicaragua", None, None, "added", "confirmed", "2099-90016", "2099-04-06", None),
        ("country_groups", "Nicaragua", "B", None, "removed", "confirmed", "2099-90016", "2099-04-06", None),
        ("country_groups", "Nicaragua", "D:1", None, "added", "confirmed", "2099-90016", "2099-04-06", None),
        ("country_groups", "Nicaragua", "D:5", None, "added", "confirmed", "2099-90016", "2099-04-06", None),
    ]
    assert log(db, "744.21|Nicaragua|added|fr:2099-90016") == ["in_effect", "confirmed"]
    held = db.execute("SELECT list, country, valid_from, opened_by_document FROM memberships WHERE country = 'Nicaragua'"
                      " AND list IN ('744.21', '744.22') AND valid_to IS NULL AND withdrawn = 0 ORDER BY list"
                      ).fetchall()
    assert [tuple(h) for h in held] == [("744.21", "Nicaragua", "2099-04-06", "2099-90016"),
                                        ("744.22", "Nicaragua", "2099-04-06", "2099-90016")]


def test_nothing_in_the_timeline_needs_review(played):
    db, _ = played
    assert db.execute("SELECT document_number, text, reason FROM review_items WHERE withdrawn_at IS NULL"
                      ).fetchall() == []


def test_alerts_name_the_list_and_the_entity_and_a_watchlist_of_groups_is_not_one_of_them(played):
    from pipeline.alerts import change_events, watches
    from pipeline.config import Recipient

    db, _ = played
    events = change_events(db)
    headlines = {e.headline for evs in events.values() for e in evs}
    assert {"Nicaragua added to § 744.21", "Nicaragua added to D:5",
            "China (PRC): Entity List entry 'Example Photonics Co., Ltd. (SAMPLE)' added"} <= headlines
    [announced] = [e for e in events[ADDED] if e.status.value == "announced"]
    alert = announced.alert()
    assert ("List", "entity_list") in alert.details and ("Entity", "Example Photonics Co., Ltd. (SAMPLE)") in alert.details
    assert (alert.data["change"]["list"], alert.data["change"]["group"]) == ("entity_list", None)
    by_groups, by_country = Recipient("a@example.com", groups=("D:5",)), Recipient("b@example.com",
                                                                                    countries=("Nicaragua",))
    assert not watches(by_groups, "Nicaragua", None) and watches(by_groups, "Nicaragua", "D:5")
    assert watches(by_country, "Nicaragua", None)      # a watchlist of countries covers every list
