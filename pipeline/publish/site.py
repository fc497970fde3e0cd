"""The static HTML changelog: ``render_site(db, out_dir)``.

Every page is computed in memory from store.queries, then written only when its
bytes differ from what is on disk, so a re-render after one run touches the
pages that changed and a web server's caches (and rsync) see the rest as
untouched. Links are relative and assets are local files, so the folder works
from file:// and from any static server with no network at view time.

Pages carry the generation *date* (not time) and the data's as-of date: a
timestamp would make every page differ on every render and defeat the
write-if-changed step.
"""
from __future__ import annotations

import heapq
import json
import os
import re
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any, TypedDict

from jinja2 import Environment
from markupsafe import Markup
from sqlite_utils import Database

from parsers.errors import OutputConflictError
from parsers.lifecycle import ChangeAction, ChangeStatus, DivergenceKind, DivergenceSide, SourceKind, SourceRef
from parsers.model import CfrPart
from pipeline import clock
from pipeline.config import Settings
from pipeline.derive.units import units_cited
from pipeline.publish import feeds
from pipeline.publish.render import environment
from pipeline.publish.slugs import country_slugs, doc_slug, group_slug, group_sort_key
from pipeline.publish.wording import agency_name, plural
from store import queries as q

_ROW_SEP = "\x1e"                 # record separator: never in escaped HTML text
# Matrix cells are constant markup (no data inside); built in Python because a large table
# has hundreds of thousands of them across the as-of pages.
_HELD, _EMPTY = Markup('<td class="x">X</td>'), Markup("<td></td>")
ASSETS = ("site.css", "filter.js", "favicon.svg")
ECFR_UNIT = "https://www.ecfr.gov/{when}/{path}"      # path: a tracked unit's EcfrUnit.path
ECFR_PART = "https://www.ecfr.gov/{when}/title-{title}/part-{part}"
STATUS_LABELS = {
    ChangeStatus.ANNOUNCED: "announced", ChangeStatus.PUBLISHED: "published",
    ChangeStatus.IN_EFFECT: "in effect", ChangeStatus.CONFIRMED: "confirmed",
    ChangeStatus.CONTRADICTED: "contradicted", ChangeStatus.UNATTRIBUTED: "unattributed",
    ChangeStatus.WITHDRAWN: "withdrawn",
}
SIDE_LABELS = {DivergenceSide.ITAR_ONLY: "in ITAR § 126.1, not in EAR D:5",
               DivergenceSide.EAR_ONLY: "in EAR D:5, not in ITAR § 126.1"}
MOVED_FIRST = {"itar": "State (ITAR § 126.1)", "ear": "BIS (EAR D:5)",
               "unknown": "not known (before the first compared versions)"}
ACTION_LABELS = {ChangeAction.ADDED: "added to", ChangeAction.REMOVED: "removed from"}


class VersionSpan(TypedDict):
    """One eCFR version of the matrix pages: its date and the next version's (None for the latest)."""

    date: str
    until: str | None


@dataclass
class SiteReport:
    """What a render did: pages produced and how many files actually changed on disk."""

    out_dir: Path
    index_path: Path
    pages: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)

    @property
    def files(self) -> int:
        return len(self.written) + self.unchanged

    def summary(self) -> str:
        return (f"wrote {plural(self.pages, 'page')} to {self.out_dir}/ (index: {self.index_path}); "
                f"{plural(len(self.written), 'file')} changed, {self.unchanged} unchanged"
                + (f", {plural(len(self.removed), 'stale page')} removed" if self.removed else ""))


# --- the site's own views of what store.queries reads ---

def table_notes_as_of(db: Database, as_of: str) -> tuple[dict[str, list[dict[str, Any]]], dict[str, dict[str, str]]]:
    """(country -> footnote markers, note id -> note) as recorded up to the eCFR version in force on as_of.

    Read from table_events as pipeline.derive.history writes them: footnote_changed with subject
    "Cyprus (D)" (country and table letter) and after "1,2"; note_changed with subject "D/1"
    (table/marker) or "1" and after the note text. The latest event per subject wins and an
    empty ``after`` means it was removed. Only changes between versions are recorded, so
    footnotes already printed in the first stored version are not known (see the report).
    """
    fn: dict[str, str | None] = {}
    notes_raw: dict[str, str | None] = {}
    for kind, subject, after in q.table_note_events(db, as_of):
        (fn if kind == "footnote_changed" else notes_raw)[subject] = after
    notes: dict[str, dict[str, str]] = {}
    for subject, text in sorted(notes_raw.items(), key=lambda kv: _note_key(kv[0])):
        if text:
            table, _, marker = subject.rpartition("/")
            notes[_note_id(table, marker)] = {"id": _note_id(table, marker), "marker": marker, "table": table,
                                              "text": text}
    markers: dict[str, list[dict[str, Any]]] = {}
    for subject, value in fn.items():
        m = re.fullmatch(r"(.*?) \(([^()]*)\)", subject)
        country, table = (m.group(1), m.group(2)) if m else (subject, "")
        for marker in _markers(value):
            nid = _note_id(table, marker)
            if nid not in notes and _note_id("", marker) in notes:
                nid = _note_id("", marker)
            markers.setdefault(country, []).append({
                "marker": marker, "table": table, "href": f"#{nid}" if nid in notes else None})
    return markers, notes


def _note_id(table: str, marker: str) -> str:
    return "note-" + re.sub(r"[^A-Za-z0-9]+", "-", f"{table}-{marker}" if table else marker).strip("-")


def _note_key(subject: str) -> tuple[str, int, str]:
    table, _, marker = subject.rpartition("/")
    return (table, int(marker) if marker.isdigit() else 10**6, marker)


def memberships_on_dates(intervals: list[dict[str, Any]], dates: list[str]) -> dict[str, dict[str, set[str]]]:
    """date -> q.memberships_as_of(date) for many dates in one sweep over q.membership_intervals.

    Same rule as the store ([valid_from, valid_to) intervals); one SQL scan per eCFR version
    cost about a second per hundred versions.
    """
    starts = sorted(intervals, key=lambda iv: iv["valid_from"])
    ends: list[tuple[str, int]] = []          # heap of (valid_to, index into starts)
    active: dict[int, dict[str, Any]] = {}
    out: dict[str, dict[str, set[str]]] = {}
    i = 0
    for d in sorted(set(dates)):
        while i < len(starts) and starts[i]["valid_from"] <= d:
            iv = starts[i]
            active[i] = iv
            if iv["valid_to"] is not None:
                heapq.heappush(ends, (iv["valid_to"], i))
            i += 1
        while ends and ends[0][0] <= d:
            active.pop(heapq.heappop(ends)[1], None)
        held: dict[str, set[str]] = {}
        for iv in active.values():
            held.setdefault(iv["country"], set()).add(iv["group"])
        out[d] = held
    return out


def _markers(value: str | None) -> list[str]:
    if not value:
        return []
    value = value.strip()
    if value.startswith("["):
        try:
            return [str(m) for m in json.loads(value)]
        except ValueError:
            pass
    return [m for m in value.replace(",", " ").split() if m]


# --- page model ---

class _Site:
    """Builds every page's text from one snapshot of the queries."""

    def __init__(self, db: Database, env: Environment, today: date, settings: Settings | None,
                 disclosure: Any = None) -> None:
        self.db, self.env, self.today = db, env, today
        self.disclosure = disclosure
        self.base_url = settings.digest.site_url if settings else ""
        self.generated = today.isoformat()
        self.as_of = q.data_as_of(db) or "no data yet"
        self.changes = q.list_changes(db)
        self.columns = q.group_columns(db)
        self.versions = q.ecfr_version_dates(db)
        self.documents = q.documents(db)
        self.doc_numbers = {d["document_number"] for d in self.documents}
        self.intervals = q.membership_intervals(db)
        codes = set(self.columns) | {c["group"] for c in self.changes} | {i["group"] for i in self.intervals}
        self.codes = sorted(codes, key=group_sort_key)
        self.countries = q.known_countries(db)
        self.cslug = country_slugs(self.countries)
        self.current = q.memberships_as_of(db, today)
        self.held_on = memberships_on_dates(self.intervals, self.versions)
        for c in self.changes:
            self._decorate(c)
        self._render_rows()

    def _decorate(self, c: dict[str, Any]) -> None:
        action, status = ChangeAction(c["action"]), ChangeStatus(c["status"])
        c["country_href"] = f"country/{self.cslug[c['country']]}.html"
        c["group_href"] = f"group/{group_slug(c['group'])}.html"
        c["doc_href"] = (f"doc/{doc_slug(c['fr_document'])}.html"
                         if c["fr_document"] in self.doc_numbers else None)
        c["action_label"] = ACTION_LABELS[action]
        c["status_label"] = STATUS_LABELS[status]
        c["sample"] = self._sample(SourceRef.of_change(c["fr_document"], c["ecfr_version"]))

    def _sample(self, ref: str) -> str | None:
        return self.disclosure.sample_note(ref) if self.disclosure else None

    def _render_rows(self) -> None:
        """Attach each change's pre-rendered (autoescaped) <tr> for both link depths as c["rows"][root].

        A change's row appears on the index, its country, group and document pages; rendering the
        rows once per depth in a single template pass is what keeps 10,000 changes under the budget.
        """
        template = self.env.get_template("site/_rows.html")
        for c in self.changes:
            c["rows"] = {}
        for root in ("", "../"):
            chunks = template.render(changes=self.changes, root=root, sep=_ROW_SEP).split(_ROW_SEP)
            if len(chunks) != len(self.changes) + 1:   # the separator occurs in the data itself
                chunks = [template.render(changes=[c], root=root, sep="") for c in self.changes]
            for c, row in zip(self.changes, chunks, strict=False):   # the last chunk follows the last row
                c["rows"][root] = Markup(row.strip("\n") + "\n")

    # Each page: (path, template, context). ``root`` makes links relative from any depth.
    def pages(self) -> dict[str, str]:
        out: dict[str, str] = {}

        def page(path: str, template: str, **ctx: Any) -> None:
            root = "../" * path.count("/")
            out[path] = self.env.get_template(f"site/{template}").render(
                root=root, path=path, generated=self.generated, as_of=self.as_of, disclosure=self.disclosure, **ctx)

        newest = sorted(self.changes, key=lambda c: (c["effective_date"] or "9999-99-99", c["id"]), reverse=True)
        index_rows = [[c["country"], c["group"], c["status"], c["effective_date"] or ""] for c in newest]
        page("index.html", "index.html", title="Country group changes", changes=newest,
             index_rows=index_rows, countries=self.countries, codes=self.codes,
             statuses=[(s.value, STATUS_LABELS[s]) for s in ChangeStatus],
             open_divergences=[d for d in q.divergences(self.db, open_only=True)], cslug=self.cslug)

        page("matrix.html", "matrix.html", title=f"Country group matrix as of {self.today.isoformat()}",
             matrix=self._matrix(self.today.isoformat()), versions=self._version_spans(), current=True,
             version=None)
        for v in self._version_spans():
            page(f"matrix/{v['date']}.html", "matrix.html",
                 title=f"Country group matrix, eCFR version of {v['date']}",
                 matrix=self._matrix(v["date"]), versions=self._version_spans(), current=False, version=v)

        by_country: dict[str, list[dict[str, Any]]] = {}
        for c in self.changes:
            by_country.setdefault(c["country"], []).append(c)
        iv_by_country: dict[str, list[dict[str, Any]]] = {}
        for iv in self.intervals:
            iv_by_country.setdefault(iv["country"], []).append(iv)
        page("countries.html", "countries.html", title="Countries",
             countries=[(n, self.cslug[n], sorted(self.current.get(n, ()), key=group_sort_key))
                        for n in self.countries])
        for name in self.countries:
            page(f"country/{self.cslug[name]}.html", "country.html", title=name, country=name,
                 current=sorted(self.current.get(name, ()), key=group_sort_key),
                 changes=sorted(by_country.get(name, []), key=lambda c: (c["effective_date"] or "9999", c["id"]),
                                reverse=True),
                 intervals=[self._interval(iv) for iv in iv_by_country.get(name, [])],
                 columns=self.columns)

        members: dict[str, list[str]] = {}
        for country, grps in self.current.items():
            for g in grps:
                members.setdefault(g, []).append(country)
        by_group: dict[str, list[dict[str, Any]]] = {}
        for c in self.changes:
            by_group.setdefault(c["group"], []).append(c)
        page("groups.html", "groups.html", title="Country groups",
             groups=[(g, group_slug(g), self.columns.get(g, ""), len(members.get(g, []))) for g in self.codes])
        for g in self.codes:
            page(f"group/{group_slug(g)}.html", "group.html", title=f"Country Group {g}", code=g,
                 name=self.columns.get(g, ""),
                 members=[(n, self.cslug[n]) for n in sorted(members.get(g, []))],
                 changes=sorted(by_group.get(g, []), key=lambda c: (c["effective_date"] or "9999", c["id"]),
                                reverse=True))

        by_doc: dict[str, list[dict[str, Any]]] = {}
        for c in self.changes:
            if c["fr_document"]:
                by_doc.setdefault(c["fr_document"], []).append(c)
        reviews: dict[str, list[dict[str, Any]]] = {}
        for r in q.review_items(self.db):
            reviews.setdefault(r["document_number"], []).append(r)
        logs = q.status_logs(self.db)
        docs = [dict(d, slug=doc_slug(d["document_number"]), sample=self._sample(SourceRef.fr(d["document_number"])),
                     held=_held(len(reviews.get(d["document_number"], []))))
                for d in self.documents]
        for d in docs:
            if d["sample"]:   # a sample document exists nowhere else: no link to a page that is not there
                d["html_url"] = None
        page("documents.html", "documents.html", title="Federal Register documents", documents=docs,
             counts={n: len(v) for n, v in by_doc.items()})
        for d in docs:
            num = d["document_number"]
            changes = by_doc.get(num, [])
            page(f"doc/{d['slug']}.html", "document.html", title=f"FR Doc. {num}", doc=d, changes=changes,
                 history={c["id"]: logs.get(c["id"], []) for c in changes},
                 reviews=reviews.get(num, []), ecfr_links=self._ecfr_links(d), held=d["held"], sample=d["sample"],
                agencies=[agency_name(a) for a in d["agencies"] or []],
                 corrects=(f"doc/{doc_slug(d['correction_of'])}.html"
                           if d.get("correction_of") in self.doc_numbers else None))

        divs = q.divergences(self.db)

        def of(kind: DivergenceKind) -> list[dict[str, Any]]:
            return [self._divergence(d) for d in divs if d["kind"] == kind.value]

        page("divergences.html", "divergences.html", title="D:5 and ITAR § 126.1 divergences",
             open=of(DivergenceKind.OPEN), pending=of(DivergenceKind.PENDING),
             standing=of(DivergenceKind.STANDING), past=of(DivergenceKind.CLOSED))
        page("health.html", "health.html", title="Source health", sources=q.source_health(self.db),
             last_run=q.last_run(self.db), reviews=q.review_items(self.db), suspects=q.suspect_versions(self.db),
             failed_docs=[d for d in docs if d["parse_status"] == "failed"])
        return out

    def feeds(self) -> dict[str, str]:
        return {
            "feed.atom": feeds.atom_feed(self.env, self.changes, base_url=self.base_url,
                                         href_for=lambda c: c["doc_href"] or c["country_href"]),
            "changes.json": feeds.changes_json(self.changes),
            "changes.csv": feeds.changes_csv(self.changes),
        }

    def _matrix(self, as_of: str) -> dict[str, Any]:
        held = self.held_on[as_of] if as_of in self.held_on else q.memberships_as_of(self.db, as_of)
        markers, notes = table_notes_as_of(self.db, as_of)
        rows = [{"country": n, "slug": self.cslug.get(n), "markers": markers.get(n, []),
                 "cells": Markup("").join(_HELD if g in held[n] else _EMPTY for g in self.codes)}
                for n in sorted(held)]
        cols = [{"code": g, "name": self.columns.get(g, ""), "slug": group_slug(g)} for g in self.codes]
        return {"as_of": as_of, "rows": rows, "columns": cols, "notes": notes}

    def _version_spans(self) -> list[VersionSpan]:
        vs = self.versions
        return [{"date": d, "until": vs[i + 1] if i + 1 < len(vs) else None} for i, d in enumerate(vs)]

    def _interval(self, iv: dict[str, Any]) -> dict[str, Any]:
        return dict(iv, opened=self._source_link(iv["opened_by"]), closed=self._source_link(iv["closed_by"]),
                    group_href=f"group/{group_slug(iv['group'])}.html")

    def _divergence(self, d: dict[str, Any]) -> dict[str, Any]:
        side = DivergenceSide(d["side"])
        return dict(d, country_href=f"country/{self.cslug[d['country']]}.html" if d["country"] in self.cslug else None,
                    side_label=SIDE_LABELS[side], moved_first_label=MOVED_FIRST.get(d["moved_first"], d["moved_first"]),
                    opened=self._source_link(d["opened_by"]), closed=self._source_link(d["closed_by"]))

    def _source_link(self, text: str | None) -> dict[str, str | None] | None:
        """'fr:2021-26633' -> FR Doc. page; 'ecfr:2021-12-09' -> the matrix of that version."""
        if not text:
            return None
        ref = SourceRef.parse(text)
        if ref is not None and ref.kind is SourceKind.FR:
            return {"text": f"FR Doc. {ref.value}",
                    "href": f"doc/{doc_slug(ref.value)}.html" if ref.value in self.doc_numbers else None}
        if ref is not None and ref.kind is SourceKind.ECFR:
            return {"text": f"eCFR version {ref.value}",
                    "href": f"matrix/{ref.value}.html" if ref.value in self.versions else None}
        return {"text": text, "href": None}

    def _ecfr_links(self, d: dict[str, Any]) -> list[dict[str, str]]:
        """A document's eCFR links: a tracked unit it cites as of the document's date and current, else the part."""
        when = d.get("effective_date") or d.get("effective_on") or d.get("publication_date")
        links = []
        for ref in CfrPart.from_api_list(d["cfr_references"]):
            if not ref.title:
                continue
            linked = [u for u in units_cited((ref,)) if u.renderers.ecfr_label]
            for unit in linked:
                label = unit.renderers.ecfr_label
                if when:
                    links.append({"text": f"{label} as of {when}",
                                  "href": ECFR_UNIT.format(when=f"on/{when}", path=unit.ecfr.path)})
                links.append({"text": f"{label}, current", "href": ECFR_UNIT.format(when="current", path=unit.ecfr.path)})
            if not linked:
                links.append({"text": f"{ref.title} CFR part {ref.part}, current",
                              "href": ECFR_PART.format(when="current", title=ref.title, part=ref.part)})
        return links


def _held(n: int) -> str:
    """"1 instruction held for review": said instead of a bare "ok" when some wording was not understood."""
    return f"{plural(n, 'instruction')} held for review" if n else ""


def _asset(name: str) -> bytes:
    return resources.files("templates").joinpath("site", name).read_bytes()


def _write_if_changed(path: Path, data: bytes) -> bool:
    """Write atomically when the bytes differ; True when the file was (re)written."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return True


def render_site(db: Database, out_dir: str | os.PathLike[str], *, settings: Settings | None = None,
                today: date | None = None, disclosure: Any = None, force: bool = False) -> SiteReport:
    """Render the whole site into ``out_dir``; only files whose bytes changed are rewritten.

    A file already there that an earlier render did not write (it is not in the
    manifest) is someone's own page: it is never overwritten unless ``force``
    (OutputConflictError names it), the way it is never deleted.

    ``disclosure`` (the demo's ``timeline.DISCLOSURE``) adds a "what is real" box to every
    page and a "sample" mark to sample events.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    site = _Site(db, environment(), today or clock.today(), settings, disclosure)
    pages = site.pages()
    files: dict[str, bytes] = {p: t.encode("utf-8") for p, t in pages.items()}
    files.update({p: t.encode("utf-8") for p, t in site.feeds().items()})
    files.update({f"assets/{a}": _asset(a) for a in ASSETS})
    report = SiteReport(out_dir=out, index_path=out / "index.html", pages=len(pages))
    previous = _read_manifest(out)
    foreign = sorted(rel for rel, data in files.items()
                     if rel not in previous and (out / rel).is_file() and (out / rel).read_bytes() != data)
    if foreign and not force:
        raise OutputConflictError(str(out), foreign)
    for rel, data in files.items():
        if _write_if_changed(out / rel, data):
            report.written.append(rel)
        else:
            report.unchanged += 1
    report.removed = _remove_stale(out, previous, set(files))
    _write_if_changed(out / MANIFEST, json.dumps(sorted(files), indent=0).encode("utf-8"))
    return report


MANIFEST = ".frtrack-site.json"   # the files the last render wrote: the only ones a render may delete


def _read_manifest(out: Path) -> set[str]:
    try:
        names = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {n for n in names if isinstance(n, str)} if isinstance(names, list) else set()


def _remove_stale(out: Path, previous: set[str], current: set[str]) -> list[str]:
    """Delete files the previous render wrote and this one no longer produces (a country or
    document gone after ``frtrack reparse``), so no stale page links to one that no longer
    exists. Files frtrack did not write (a hand-made page, a CNAME) are never touched."""
    removed = []
    root = out.resolve()
    for rel in sorted(previous - current):
        path = (out / rel).resolve()
        if root not in path.parents or not path.is_file():
            continue   # a manifest edited by hand cannot make us delete outside the folder
        path.unlink()
        removed.append(rel)
    return removed
