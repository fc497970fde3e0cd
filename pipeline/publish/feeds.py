"""Machine-readable exports of the change events: Atom feed, changes.json, changes.csv.

Output is a pure function of the rows, so an unchanged database yields
byte-identical files and the site's write-if-changed step leaves them alone.
Entry ids are tag URIs built from what identifies a change (country, group --
or the list and, for the Entity List, the entity -- action, effective date, FR
document), never from row ids, so a feed reader sees the same entry across
renders and rebuilt databases (Country Group ids are what they were before the
other lists were tracked).
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

from jinja2 import Environment

from pipeline.publish.slugs import country_slug, group_slug
from pipeline.publish.wording import LIST_NAMES, LIST_SLUGS, change_phrase, detail_words, list_of
from store.queries import change_json

FEED_ID = "tag:frtrack,2026:feed/changes"
FEED_TITLE = "frtrack: U.S. export-control changes (Country Groups, \u00a7 744.21, \u00a7 744.22, Entity List)"
LIST_SCHEME = "tag:frtrack,2026:list"   # the Atom category scheme naming an entry's list
ATOM_LIMIT = 200          # newest entries kept in the feed; the full list is in changes.json
CSV_FIELDS = ("country", "group", "action", "effective_date", "status", "fr_document",
              "citation", "publication_date", "ecfr_version", "list", "entity", "detail")


def entry_id(change: dict[str, Any]) -> str:
    """tag:frtrack,2026:change/<country>/<what>/<action>/<effective_date>/<fr_doc>.

    <what> is the group ("d5") for Country Groups, the list ("744-21") for a section, and
    "entity-list/<entity key slug>" for the Entity List.
    """
    doc = change.get("fr_document") or (f"ecfr-{change['ecfr_version']}" if change.get("ecfr_version")
                                        else "unattributed")
    lst = list_of(change)
    if lst == "country_groups":
        what = group_slug(change["group"] or "") or "group"
    elif lst == "entity_list":
        what = f"entity-list/{country_slug(change.get('entity_key') or change.get('entity') or '') or 'entity'}"
    else:
        what = LIST_SLUGS.get(lst, country_slug(lst))
    return "tag:frtrack,2026:change/{}/{}/{}/{}/{}".format(
        country_slug(change["country"]) or "country", what,
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
                                          c["country"], c["group"] or "", c.get("entity_key") or "", c["id"]),
                  reverse=True)[:ATOM_LIMIT]
    seen: set[str] = set()
    out = []
    for c in rows:
        eid = entry_id(c)
        if eid in seen:     # same identity twice (e.g. two eCFR sightings): keep ids unique
            eid = f"{eid}/{c['id']}"
        seen.add(eid)
        when = c.get("effective_date") or "date not yet known"
        doc = f"FR Doc. {c['fr_document']}" if c.get("fr_document") else "no FR document"
        lst = list_of(c)
        if lst == "country_groups":
            verb = "added to" if c["action"] == "added" else "removed from"
            title = f"{c['country']} {verb} Country Group {c['group']} ({when})"
            what = f"{c['country']} {verb} {c['group']}{' (' + c['group_name'] + ')' if c.get('group_name') else ''}"
        elif lst == "entity_list":
            words = detail_words(c.get("detail"))
            title = f"Entity List: {c.get('entity')} ({c['country']}) {c['action']} ({when})"
            what = f"Entity List entry {c.get('entity')} under {c['country']} {c['action']}" + \
                (f" ({words})" if words else "")
        else:
            title = f"{c['country']} {change_phrase(c)} ({when})"
            what = f"{c['country']} {change_phrase(c)}"
        out.append({
            "id": eid,
            "title": title,
            "updated": rfc3339(c.get("updated_at") or c.get("created_at")),
            "href": href_for(c),
            "summary": (f"{what}, effective {when}; status {c['status']}; {doc}"
                        f"{' (' + c['citation'] + ')' if c.get('citation') else ''}"
                        f"{': ' + c['fr_title'] if c.get('fr_title') else ''}."),
            "group": c["group"],
            "list": lst,
            "list_label": LIST_NAMES.get(lst, lst),
            "status": c["status"],
        })
    return out


def atom_feed(env: Environment, changes: Sequence[dict[str, Any]], *, base_url: str = "",
              href_for: Any = None) -> str:
    """The Atom 1.0 document (newest ATOM_LIMIT changes); links relative unless ``base_url``."""
    base = base_url.rstrip("/") + "/" if base_url else ""
    href_for = href_for or (lambda c: f"country/{country_slug(c['country'])}.html")
    entries = _entries(changes, lambda c: base + href_for(c))
    updated = max((e["updated"] for e in entries), default="1970-01-01T00:00:00Z")
    return env.get_template("atom.xml").render(
        feed_id=FEED_ID, title=FEED_TITLE, list_scheme=LIST_SCHEME, updated=updated, self_href=base + "feed.atom",
        index_href=base + "index.html", entries=entries)


def json_line(change: dict[str, Any]) -> str:
    """One change of changes.json: its ``changes --json`` row on one line."""
    return json.dumps(change_json(change), ensure_ascii=False)


def csv_line(change: dict[str, Any]) -> str:
    """One change of changes.csv (``detail`` as compact JSON), with its RFC 4180 line end."""
    j = change_json(change)
    if j.get("detail") is not None:
        j["detail"] = json.dumps(j["detail"], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    buf = io.StringIO()
    csv.writer(buf).writerow(["" if j.get(k) is None else j[k] for k in CSV_FIELDS])
    return buf.getvalue()


def changes_json(changes: Sequence[dict[str, Any]], lines: list[str] | None = None) -> str:
    """The ``changes --json`` shape of every change (with the list and entity), oldest first.

    ``lines``: each change's ``json_line``, when the caller has them already (the site keeps them by change).
    """
    # One change per line: diffs between renders read change by change, and json's C encoder
    # (which ``indent`` turns off) writes 10,000 changes in a few tens of milliseconds.
    rows = lines if lines is not None else [json_line(c) for c in changes]
    return "[\n" + ",\n".join(rows) + ("\n" if rows else "") + "]\n"


def changes_csv(changes: Sequence[dict[str, Any]], lines: list[str] | None = None) -> str:
    """Same columns as changes.json, RFC 4180 CSV with a header row (``detail``: compact JSON)."""
    buf = io.StringIO()
    csv.writer(buf).writerow(CSV_FIELDS)
    return buf.getvalue() + "".join(lines if lines is not None else [csv_line(c) for c in changes])
