"""eCFR point-in-time XML of every new version of each tracked unit.

``titles.json`` comes first: it says how far each title is current
(``up_to_date_as_of``; asking for a later date gives 404, so we never do)
and when it last changed (``latest_amended_on``, ``latest_issue_date``). When
neither moved since the last complete run, the unit is skipped without
another request — that is what keeps a run with nothing new at one eCFR
request. Otherwise ``/versions/title-T.json?part=P`` (plus ``section=S`` for a
section unit) lists ``content_versions``; the distinct ``date`` values of the
entries that are the tracked unit (identifier or name naming the supplement,
or the section's identifier), not removed, not after ``up_to_date_as_of``
and not already stored are downloaded from ``/full/{date}/title-T.xml`` and
inserted into ``ecfr_versions`` (parse_status pending), one transaction each.

503 with Retry-After (eCFR processing a title) is waited out by the HTTP
layer's retries, then reported as NotYetAvailableError, as is a 404 for a
version date. Watermark ``ecfr:<unit key>`` holds JSON: the title signals,
the newest stored version, and whether the run was complete for the unit.
"""
from __future__ import annotations

import json
import logging
from datetime import date
from typing import Any

from sqlite_utils import Database

from parsers.errors import BlockedError, FetchError, HTTPStatusError, NotYetAvailableError
from pipeline.config import Settings, Tracked
from pipeline.sources.http import Http
from pipeline.sources.outcome import SourceOutcome
from store.db import utcnow
from store.documents import EcfrVersionRow, add_ecfr_version, ecfr_version_dates
from store.enums import Source
from store.watermarks import get_json_watermark, set_watermarks

log = logging.getLogger(__name__)

SOURCE = Source.ECFR
SIGNALS = ("latest_amended_on", "latest_issue_date")


def watermark_key(unit: Tracked) -> str:
    return f"ecfr:{unit.key}"


def _norm(text: Any) -> str:
    return " ".join(str(text or "").lower().replace("\u2014", " ").replace(".", ". ").split())


def is_unit(item: dict[str, Any], unit: Tracked) -> bool:
    """Is this content_versions entry the tracked unit?"""
    if str(item.get("part", unit.part)) != unit.part:
        return False
    if unit.appendix:
        want = _norm(unit.appendix)
        return want in _norm(item.get("identifier")) or want in _norm(item.get("name"))
    if unit.section:
        return str(item.get("identifier")) == unit.section
    return True


def version_params(unit: Tracked) -> list[tuple[str, str]]:
    params = [("part", unit.part)]
    if unit.section:
        params.append(("section", unit.section))
    return params


def full_params(unit: Tracked) -> list[tuple[str, str]]:
    params = [("part", unit.part)]
    if unit.appendix:
        params.append(("appendix", unit.appendix))
    elif unit.section:
        params.append(("section", unit.section))
    return params


def _not_yet(exc: HTTPStatusError, what: str) -> FetchError:
    if exc.status == 503:
        return NotYetAvailableError(exc.url, f"eCFR still processing {what} (HTTP 503 after retries)",
                                    source=SOURCE.value)
    if exc.status == 404:
        return NotYetAvailableError(exc.url, f"eCFR has no {what} yet (HTTP 404)", source=SOURCE.value)
    return exc


def _fetch_unit(http: Http, db: Database, settings: Settings, unit: Tracked, title: dict[str, Any],
                run_id: int) -> tuple[int, dict[str, Any]]:
    """New versions of one unit; returns (new count, the watermark value to write on success)."""
    base = settings.sources.ecfr_api_base
    upto = str(title.get("up_to_date_as_of") or "")
    try:
        resp = http.get_json(f"{base}/versions/title-{unit.title}.json", version_params(unit), source=SOURCE)
    except HTTPStatusError as exc:
        raise _not_yet(exc, f"the versions of title {unit.title} part {unit.part}") from None
    items = (resp.data or {}).get("content_versions") or [] if isinstance(resp.data, dict) else []
    mine = [i for i in items if isinstance(i, dict) and i.get("date") and is_unit(i, unit)
            and not i.get("removed")]
    by_date: dict[str, dict[str, Any]] = {}
    for item in sorted(mine, key=lambda i: (i["date"], str(i.get("issue_date") or ""))):
        by_date.setdefault(item["date"], item)
    # History starts at watch.since: the version in force that day is the baseline, older ones are not asked for
    since = settings.watch.since
    older = [d for d in by_date if d < since]
    for day in older[:-1] if older else ():
        del by_date[day]
    stored = ecfr_version_dates(db, unit.key)
    later = sorted(d for d in by_date if upto and d > upto)
    if later:
        log.info("%s: versions %s are after up_to_date_as_of %s; fetched once eCFR catches up",
                 unit.key, ", ".join(later), upto)
    new = 0
    for day in sorted(d for d in by_date if d not in stored and not (upto and d > upto)):
        item = by_date[day]
        try:
            xml = http.get_xml(f"{base}/full/{day}/title-{unit.title}.xml", full_params(unit), source=SOURCE)
        except HTTPStatusError as exc:
            raise _not_yet(exc, f"{unit.key} as of {day}") from None
        substantive = item.get("substantive")
        add_ecfr_version(db, EcfrVersionRow(
            unit=unit.key, kind=unit.kind, date=day, amendment_date=item.get("amendment_date"),
            issue_date=item.get("issue_date"), identifier=item.get("identifier"), name=item.get("name"),
            substantive=None if substantive is None else bool(substantive)), xml_sha256=xml.sha256, run_id=run_id)
        new += 1
    newest = max(ecfr_version_dates(db, unit.key), default=None)
    mark = {**{k: title.get(k) for k in SIGNALS}, "up_to_date_as_of": upto or None,
            "version": newest, "complete": not later, "at": utcnow(db)}
    return new, mark


def fetch_ecfr(http: Http, db: Database, settings: Settings, *, run_id: int,
               since: date | None, today: date) -> SourceOutcome:
    """titles.json, then the versions and XML of each tracked unit whose title moved."""
    before = http.requests
    base = settings.sources.ecfr_api_base
    try:
        titles_resp = http.get_json(f"{base}/titles.json", source=SOURCE)
    except HTTPStatusError as exc:
        raise _not_yet(exc, "titles.json") from None
    titles = {int(t["number"]): t for t in (titles_resp.data or {}).get("titles") or []
              if isinstance(t, dict) and str(t.get("number", "")).isdigit()}
    new = 0
    marks: dict[str, str] = {}
    failures: list[FetchError] = []
    for unit in settings.watch.tracked:
        title = titles.get(unit.title)
        if title is None:
            failures.append(FetchError(titles_resp.url, f"title {unit.title} is not in titles.json",
                                       source=SOURCE.value))
            continue
        old = get_json_watermark(db, watermark_key(unit))
        if (since is None and old and old.get("complete")
                and all(old.get(k) == title.get(k) for k in SIGNALS)):
            continue   # title not amended since our last complete look: nothing new for this unit
        try:
            n, mark = _fetch_unit(http, db, settings, unit, title, run_id)
        except BlockedError:
            raise
        except FetchError as exc:
            log.info("%s: %s", unit.key, exc)   # the URL: with -v; the run reports the problem
            failures.append(exc)
            continue
        new += n
        marks[watermark_key(unit)] = json.dumps(mark, sort_keys=True)
    if failures:
        if len(failures) == 1:
            raise failures[0]
        first = failures[0]
        raise type(first)(first.url, f"{first.problem} (and {len(failures) - 1} more tracked units failed)",
                          source=SOURCE.value) if isinstance(first, NotYetAvailableError) else first
    if marks:
        set_watermarks(db, marks, run_id)
    summary = ", ".join(f"{k.removeprefix('ecfr:')}={json.loads(v)['version']}" for k, v in marks.items())
    return SourceOutcome(SOURCE, True, http.requests - before, new, summary or None, None)
