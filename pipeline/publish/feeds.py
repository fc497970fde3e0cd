"""Machine-readable exports of the change events: Atom feed, changes.json, changes.csv.

Output is a pure function of the rows, so an unchanged database yields
byte-identical files and the site's write-if-changed step leaves them alone.
Entry ids are tag URIs built from what identifies a change (country, group,
action, effective date, FR document), never from row ids, so a feed reader sees
the same entry across renders and rebuilt databases.
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from jinja2 import Environment

from pipeline.publish.slugs import country_slug, group_slug
from store.queries import change_json

FEED_ID = "tag:frtrack,2026:feed/changes"
FEED_TITLE = "frtrack: U.S. export-control country group changes"
ATOM_LIMIT = 200          # newest entries kept in the feed; the full list is in changes.json
CSV_FIELDS = ("country", "group", "action", "effective_date", "status", "fr_document",
              "citation", "publication_date", "ecfr_version")


def entry_id(change: dict[str, Any]) -> str:
    """tag:frtrack,2026:change/<country>/<group>/<action>/<effective_date>/<fr_doc>."""
    doc = change.get("fr_document") or (f"ecfr-{change['ecfr_version']}" if change.get("ecfr_version")
                                        else "unattributed")
    return "tag:frtrack,2026:change/{}/{}/{}/{}/{}".format(
        country_slug(change["country"]) or "country", group_slug(change["group"]) or "group",
        change["action"], change.get("effective_date") or "undated", doc)


def rfc3339(value: str | None) -> str:
    """Atom wants full timestamps; the store keeps UTC ISO strings, sometimes bare dates."""
    if not value:
        return "1970-01-01T00:00:00Z"
    if len(value) == 10:
        return value + "T00:00:00Z"
    return value.replace(" ", "T")


def _entries(changes: Iterable[dict[str, Any]], href_for: Any) -> list[dict[str, Any]]:
    rows = sorted(changes, key=lambda c: (c.get("updated_at") or "", c.get("effective_date") or "",
                                          c["country"], c["group"], c["id"]), reverse=True)[:ATOM_LIMIT]
    seen: set[str] = set()
    out = []
    for c in rows:
        eid = entry_id(c)
        if eid in seen:     # same identity twice (e.g. two eCFR sightings): keep ids unique
            eid = f"{eid}/{c['id']}"
        seen.add(eid)
        verb = "added to" if c["action"] == "added" else "removed from"
        when = c.get("effective_date") or "date not yet known"
        doc = f"FR Doc. {c['fr_document']}" if c.get("fr_document") else "no FR document"
        out.append({
            "id": eid,
            "title": f"{c['country']} {verb} Country Group {c['group']} ({when})",
            "updated": rfc3339(c.get("updated_at") or c.get("created_at")),
            "href": href_for(c),
            "summary": (f"{c['country']} {verb} {c['group']}"
                        f"{' (' + c['group_name'] + ')' if c.get('group_name') else ''}, effective {when}; "
                        f"status {c['status']}; {doc}"
                        f"{' (' + c['citation'] + ')' if c.get('citation') else ''}"
                        f"{': ' + c['fr_title'] if c.get('fr_title') else ''}."),
            "group": c["group"],
            "status": c["status"],
        })
    return out


def atom_feed(env: Environment, changes: list[dict[str, Any]], *, base_url: str = "",
              href_for: Any = None) -> str:
    """The Atom 1.0 document (newest ATOM_LIMIT changes); links relative unless ``base_url``."""
    base = base_url.rstrip("/") + "/" if base_url else ""
    href_for = href_for or (lambda c: f"country/{country_slug(c['country'])}.html")
    entries = _entries(changes, lambda c: base + href_for(c))
    updated = max((e["updated"] for e in entries), default="1970-01-01T00:00:00Z")
    return env.get_template("atom.xml").render(
        feed_id=FEED_ID, title=FEED_TITLE, updated=updated, self_href=base + "feed.atom",
        index_href=base + "index.html", entries=entries)


def changes_json(changes: list[dict[str, Any]]) -> str:
    """The issue-5 JSON shape of every change, oldest effective date first."""
    return json.dumps([change_json(c) for c in changes], indent=1, ensure_ascii=False) + "\n"


def changes_csv(changes: list[dict[str, Any]]) -> str:
    """Same columns as changes.json, RFC 4180 CSV with a header row."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_FIELDS)
    for c in changes:
        j = change_json(c)
        w.writerow(["" if j[k] is None else j[k] for k in CSV_FIELDS])
    return buf.getvalue()
