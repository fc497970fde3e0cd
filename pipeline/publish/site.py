"""The static HTML changelog: ``render_site(db, out_dir)``.

Every page's inputs are read from store.queries and fingerprinted; a page is
rendered only when its fingerprint differs from the one the manifest keeps for
its file, and written only when its bytes differ from what is on disk, so a
re-render after one run renders and touches the pages that changed and a web
server's caches (and rsync) see the rest as untouched. Links are relative and assets are local files, so the folder works
from file:// and from any static server with no network at view time.

Pages carry the generation *date* (not time) and the data's as-of date: a
timestamp would make every page differ on every render and defeat the
write-if-changed step.
"""
from __future__ import annotations

import hashlib
import heapq
import json
import marshal
import operator
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
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
from pipeline.publish.wording import (
    CHANGE_LISTS,
    LIST_NAMES,
    LIST_SLUGS,
    LIST_TITLES,
    SECTION_LISTS,
    SIDE_LABELS,
    STATUS_NAMES,
    agency_name,
    change_phrase,
    detail_words,
    list_of,
    plural,
)
from store import queries as q

_ROW_SEP = "\x1e"                 # record separator: never in escaped HTML text
# Matrix cells are constant markup (no data inside); built in Python because a large table
# has hundreds of thousands of them across the as-of pages.
_HELD, _EMPTY = Markup('<td class="x">X</td>'), Markup("<td></td>")
ASSETS = ("site.css", "filter.js", "favicon.svg")
ECFR_UNIT = "https://www.ecfr.gov/{when}/{path}"      # path: a tracked unit's EcfrUnit.path
ECFR_PART = "https://www.ecfr.gov/{when}/title-{title}/part-{part}"
STATUS_LABELS = STATUS_NAMES
MOVED_FIRST = {"itar": "State (ITAR § 126.1)", "ear": "BIS (EAR D:5)",
               "unknown": "not known (before the first compared versions)"}
ACTION_LABELS = {ChangeAction.ADDED: "added to", ChangeAction.REMOVED: "removed from",
                 ChangeAction.REVISED: "revised in"}
_ACTION_LABEL = {a.value: label for a, label in ACTION_LABELS.items()}
_STATUS_LABEL = {st.value: label for st, label in STATUS_LABELS.items()}
LISTS = CHANGE_LISTS    # ListKind values, in the order pages name them (the registry's)
SECTIONS = SECTION_LISTS


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
    rendered: list[str] = field(default_factory=list)   # made this time (the rest: same inputs as their file)
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


def held_keys(intervals: list[dict[str, Any]], dates: list[str]) -> dict[str, str]:
    """date -> a fingerprint of the (country, group) memberships in force that day, for many dates in one sweep.

    The same [valid_from, valid_to) rule as ``memberships_on_dates``, without building each date's
    matrix: each interval adds its own digest to a running sum while it holds, so a matrix page
    whose memberships did not change keeps its fingerprint (and is not rendered again).
    """
    def code(iv: dict[str, Any]) -> int:
        text = f"{iv['country']}\x1f{iv['group']}".encode("utf-8", "surrogatepass")
        return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")

    mask = (1 << 64) - 1
    starts = sorted(intervals, key=lambda iv: iv["valid_from"])
    ends: list[tuple[str, int]] = []
    total = count = i = 0
    out: dict[str, str] = {}
    for d in sorted(set(dates)):
        while i < len(starts) and starts[i]["valid_from"] <= d:
            iv = starts[i]
            total, count = (total + code(iv)) & mask, count + 1
            if iv["valid_to"] is not None:
                heapq.heappush(ends, (iv["valid_to"], i))
            i += 1
        while ends and ends[0][0] <= d:
            total, count = (total - code(starts[heapq.heappop(ends)[1]])) & mask, count - 1
        out[d] = f"{count}:{total:016x}"
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

class _Change(dict):
    """One change row as the site shows it; ``fp`` fingerprints everything shown of it.

    Its table row is rendered only when a page that shows it is rendered (``rows[root]``).
    Its ``repr`` is its fingerprint, so a page context's ``repr`` (what the page's
    fingerprint hashes) names each change it shows by what is shown of it.
    """

    __slots__ = ("decorated", "fp")
    fp: str
    decorated: bool

    def __repr__(self) -> str:
        return f"<change {self.fp}>"


@dataclass
class _Page:
    """One page to produce: its template and context, or a builder and the key of its inputs."""

    path: str
    template: str
    ctx: dict[str, Any] | None = None
    build: Callable[[], dict[str, Any]] | None = None
    key: Any = None
    shows: list[_Change] | None = None     # the changes it shows, when known without walking its context
    rows_only: bool = False                 # it shows its changes only as their table rows

    def context(self) -> dict[str, Any]:
        return self.ctx if self.ctx is not None else self.build()  # type: ignore[misc]


def _digest(value: Any) -> str:
    """A fingerprint of ``value`` through its ``repr``: C-fast over large contexts, and deterministic for what
    contexts hold (str, numbers, None, lists, tuples and dicts built in query order; changes by their ``fp``).
    A set's order can differ between runs; that costs a needless render, never a stale page."""
    return hashlib.blake2b(repr(value).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


_SOURCES_DIGEST: list[str] = []


def _sources_digest() -> str:
    """The templates' and the publish code's bytes: a page rendered by other code or templates is rendered again."""
    if not _SOURCES_DIGEST:
        h = hashlib.blake2b(digest_size=16)
        tpl = resources.files("templates")
        for name in sorted(_template_names(tpl)):
            h.update(name.encode("utf-8"))
            h.update(tpl.joinpath(*name.split("/")).read_bytes())
        here = Path(__file__).resolve().parent
        for path in sorted(here.glob("*.py")):
            h.update(path.name.encode("utf-8"))
            h.update(path.read_bytes())
        _SOURCES_DIGEST.append(h.hexdigest())
    return _SOURCES_DIGEST[0]


def _template_names(root: Any, prefix: str = "") -> list[str]:
    out = []
    for entry in root.iterdir():
        if entry.is_dir():
            if not entry.name.startswith("__"):
                out.extend(_template_names(entry, f"{prefix}{entry.name}/"))
        elif not entry.name.endswith((".pyc", ".py")):
            out.append(prefix + entry.name)
    return out


class RowCache:
    """The timeline rows of the last render, by change fingerprint, in ``ROW_CACHE`` beside the manifest
    (``marshal``: read and written in milliseconds; a file of another Python is simply not used).

    A re-render after one new change still renders the index with every change; reading
    10,000 rows back costs a fraction of rendering them. The cache is bound to the templates
    and the publish code (``_sources_digest``): other code or templates start it afresh. It
    is only an optimisation: a missing or unreadable file means rows are rendered.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.stamp = f"{_sources_digest()} {sys.version}"    # marshal's format is the interpreter's
        self.rows: dict[str, str] | None = None
        self.other: dict[str, dict[str, str]] = {}           # "json"/"csv" -> change fp -> its export line
        self.added = False

    def _load(self) -> dict[str, str]:
        if self.rows is None:
            self.rows = {}
            if self.path is not None:
                try:
                    data = marshal.loads(self.path.read_bytes())
                    if isinstance(data, dict) and data.get("sources") == self.stamp and \
                            isinstance(data.get("rows"), dict):
                        self.rows = {k: v for k, v in data["rows"].items() if isinstance(v, str)}
                        self.other = {name: {k: v for k, v in lines.items() if isinstance(v, str)}
                                      for name, lines in (data.get("other") or {}).items() if isinstance(lines, dict)}
                except (OSError, ValueError, EOFError, TypeError):
                    pass
        return self.rows

    def get(self, changes: list[_Change]) -> dict[str, str]:
        rows = self._load()
        return {c.fp: rows[c.fp] for c in changes if c.fp in rows}

    def lines(self, name: str, changes: list[_Change], make: Callable[[_Change], str]) -> list[str]:
        """Each change's ``make(change)`` (an export's line), from the cache where it holds one."""
        self._load()
        have = self.other.setdefault(name, {})
        out = []
        for c in changes:
            line = have.get(c.fp)
            if line is None:
                line = have[c.fp] = make(c)
                self.added = True
            out.append(line)
        return out

    def keep(self, changes: list[_Change]) -> None:
        """Remember the top-level rows of ``changes`` that were rendered or read this time."""
        rows = self._load()
        for c in changes:
            row = c["rows"].get("")
            if row is not None and c.fp not in rows:
                rows[c.fp] = row
                self.added = True

    def save(self, all_changes: list[_Change]) -> None:
        """Write the rows of the changes that still exist, when any was added or dropped."""
        if self.path is None or self.rows is None:
            return
        current = {c.fp for c in all_changes}
        kept = {fp: row for fp, row in self.rows.items() if fp in current}
        other = {name: {fp: line for fp, line in lines.items() if fp in current} for name, lines in self.other.items()}
        if not self.added and len(kept) == len(self.rows) and \
                all(len(other[name]) == len(lines) for name, lines in self.other.items()):
            return
        _write_if_changed(self.path, marshal.dumps({"sources": self.stamp, "rows": kept, "other": other}))


class _Site:
    """Every page's inputs from one snapshot of the queries; pages are rendered only when asked."""

    def __init__(self, db: Database, env: Environment, today: date, settings: Settings | None,
                 disclosure: Any = None) -> None:
        self.db, self.env, self.today = db, env, today
        # a change table's body: its rows (rendered by render_rows) joined in one C call, not a template loop
        env.filters["rows"] = lambda changes, root: Markup("".join([c["rows"][root] for c in changes]))
        self.iso_today = today.isoformat()
        self.disclosure = disclosure
        self.base_url = settings.digest.site_url if settings else ""
        self.generated = today.isoformat()
        self.as_of = q.data_as_of(db) or "no data yet"
        self.columns = q.group_columns(db)
        self.versions = q.ecfr_version_dates(db)
        self.version_set = set(self.versions)
        self.documents = q.documents(db)
        self.doc_numbers = {d["document_number"] for d in self.documents}
        all_intervals = q.list_memberships(db)
        self.intervals = [iv for iv in all_intervals if list_of(iv) == "country_groups"]
        self.list_intervals: dict[str, list[dict[str, Any]]] = {k: [] for k in LISTS}
        for iv in all_intervals:
            self.list_intervals.setdefault(list_of(iv), []).append(iv)
        self.countries = q.known_countries(db)
        self.cslug = country_slugs(self.countries)
        self.changes = [_Change(c) for c in q.list_changes(db, list_kind=None)]
        codes = set(self.columns) | {c["group"] for c in self.changes if c["group"]} | \
            {i["group"] for i in self.intervals if i["group"]}
        self.codes = sorted(codes, key=group_sort_key)
        self.current = memberships_on_dates(self.intervals, [self.iso_today])[self.iso_today]
        self.held_keys = held_keys(self.intervals, self.versions)
        self.starts = {k: q.list_history_start(db, k) for k in LISTS}
        for c in self.changes:
            # what is shown of a change: its row, and what the site decides about it (its country's page,
            # whether its document has a page, a sample note); decorated only when a page shows it
            c.fp = _digest((_RAW(c), self.cslug[c["country"]], c["fr_document"] in self.doc_numbers,
                            self._sample(SourceRef.of_change(c["fr_document"], c["ecfr_version"]))
                            if disclosure else None))
            c.decorated = False
            c["rows"] = {}
        self.common = _digest([_sources_digest(), self.generated, self.as_of, repr(disclosure), self.base_url])
        self.row_cache = RowCache(None)
        self._links: dict[tuple[str, str], dict[str, str | None]] = {}
        self._cslug_keys: list[tuple[str, str]] | None = None
        self._changes_digest: str | None = None
        self._ecfr_cache: dict[tuple[str, str | None], list[dict[str, str]]] = {}

    def decorate(self, changes: Sequence[_Change]) -> None:
        """The labels and links a template shows of each change (its fingerprint already names them)."""
        for c in changes:
            if not c.decorated:
                self._decorate(c)
                c.decorated = True

    def _decorate(self, c: _Change) -> None:
        lst = c["list"] or "country_groups"
        c["list"] = lst
        c["list_name"] = LIST_NAMES.get(lst, lst)
        c["country_href"] = f"country/{self.cslug[c['country']]}.html"
        c["group_href"] = f"group/{group_slug(c['group'])}.html" if c["group"] else None
        c["doc_href"] = (f"doc/{doc_slug(c['fr_document'])}.html"
                         if c["fr_document"] in self.doc_numbers else None)
        c["action_label"] = _ACTION_LABEL[c["action"]]           # KeyError: an action no label knows
        c["target"] = c["group"] if lst == "country_groups" else LIST_NAMES.get(lst, lst)
        c["phrase"] = change_phrase(c)
        c["detail_words"] = detail_words(c["detail"]) if c["detail"] else ""
        c["status_label"] = _STATUS_LABEL[c["status"]]
        c["sample"] = (self._sample(SourceRef.of_change(c["fr_document"], c["ecfr_version"]))
                       if self.disclosure else None)

    def _sample(self, ref: str) -> str | None:
        return self.disclosure.sample_note(ref) if self.disclosure else None

    def render_rows(self, changes: list[_Change], root: str) -> None:
        """Each change's pre-rendered (autoescaped) <tr> at link depth ``root``, as c["rows"][root]: a plain
        string of safe HTML, made Markup once per table by the ``rows`` filter.

        A change's row appears on the index, its country, group and document pages. Rows are
        rendered once, at the top level, in one template pass for every change that needs one
        (what keeps 10,000 changes under the budget); a row of the row cache (``RowCache``, the
        rows of the last render by change fingerprint) is not rendered again; a deeper page's row
        is the top-level one with its links one folder up (every link of _rows.html is relative).
        """
        todo = [c for c in changes if "" not in c["rows"]]
        if todo:
            cached = self.row_cache.get(todo)
            todo = [c for c in todo if c.fp not in cached]
            for c in changes:
                if c.fp in cached and "" not in c["rows"]:
                    c["rows"][""] = cached[c.fp]
        if todo:
            self.decorate(todo)
            template = self.env.get_template("site/_rows.html")
            chunks = template.render(changes=todo, root="", sep=_ROW_SEP).split(_ROW_SEP)
            if len(chunks) != len(todo) + 1:   # the separator occurs in the data itself
                chunks = [template.render(changes=[c], root="", sep="") for c in todo]
            for c, row in zip(todo, chunks, strict=False):   # the last chunk follows the last row
                c["rows"][""] = row.strip("\n") + "\n"
        if root:
            for c in changes:
                if root not in c["rows"]:
                    c["rows"][root] = c["rows"][""].replace(' href="', f' href="{root}')

    def pages(self) -> list[_Page]:
        """Every page of the site, each with what its fingerprint is made of."""
        out: list[_Page] = []

        def page(path: str, template: str, **ctx: Any) -> None:
            out.append(_Page(path, template, ctx=ctx))

        def lazy(path: str, template: str, key: Any, build: Callable[[], dict[str, Any]],
                 shows: list[_Change] | None = None, rows_only: bool = False) -> None:
            out.append(_Page(path, template, build=build, key=key, shows=shows, rows_only=rows_only))

        newest = sorted(self.changes, key=lambda c: (c["effective_date"] or "9999-99-99", c["id"]), reverse=True)
        open_divs = q.divergences(self.db, open_only=True)

        def index() -> dict[str, Any]:
            index_rows = [[c["country"], c["group"] or "", c["status"], c["effective_date"] or "", c["list"],
                           c["entity"] or ""] for c in newest]
            return dict(title="Export-control list changes", changes=newest,
                        index_rows=index_rows, countries=self.countries, codes=self.codes,
                        statuses=[(s.value, STATUS_LABELS[s]) for s in ChangeStatus],
                        lists=[(k, LIST_TITLES[k]) for k in LISTS], open_divergences=open_divs, cslug=self.cslug)

        # its rows and their index are the changes (in an order their fields decide): keyed by all of them at once
        lazy("index.html", "index.html", key=[self.changes_digest, self.countries, self.codes, open_divs,
                                              self.cslug_keys()], build=index, shows=newest, rows_only=True)

        spans = self._version_spans()
        notes_today = table_notes_as_of(self.db, self.iso_today)
        lazy("matrix.html", "matrix.html",
             key=[self._held_key(self.current), self.codes, self.columns, notes_today, spans, self.cslug_keys()],
             build=lambda: dict(title=f"Country group matrix as of {self.iso_today}",
                                matrix=self._matrix(self.iso_today, self.current, notes_today), versions=spans,
                                current=True, version=None))
        for v in spans:
            notes = table_notes_as_of(self.db, v["date"])
            lazy(f"matrix/{v['date']}.html", "matrix.html",
                 key=[self.held_keys[v["date"]], self.codes, self.columns, notes, spans, v, self.cslug_keys()],
                 build=partial(self._version_page, v, notes, spans))

        by_country: dict[str, list[_Change]] = {}
        for c in newest:
            by_country.setdefault(c["country"], []).append(c)
        iv_by_country: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for lst, of_list in [("country_groups", self.intervals)] + \
                [(k, v) for k, v in self.list_intervals.items() if k != "country_groups"]:
            for iv in of_list:
                iv_by_country.setdefault(iv["country"], {}).setdefault(lst, []).append(iv)
        entries_now = {name: q.standing(ivs.get("entity_list", []), self.iso_today, ("country", "entity_key"))
                       for name, ivs in iv_by_country.items()}
        entity_counts = {name: len(held) for name, held in entries_now.items()}
        section_status = {name: {k: bool(q.standing(ivs.get(k, []), self.iso_today, ("list",))) for k in SECTIONS}
                          for name, ivs in iv_by_country.items()}
        page("countries.html", "countries.html", title="Countries",
             countries=[(n, self.cslug[n], sorted(self.current.get(n, ()), key=group_sort_key),
                         [LIST_NAMES[k] for k in SECTIONS if section_status.get(n, {}).get(k)],
                         entity_counts.get(n, 0)) for n in self.countries])
        divs = q.divergences(self.db)
        divs_by_country: dict[str, list[dict[str, Any]]] = {}
        for d in divs:
            divs_by_country.setdefault(d["country"], []).append(self._divergence(d))
        for name in self.countries:
            changes = by_country.get(name, [])
            mine = iv_by_country.get(name, {})
            page(f"country/{self.cslug[name]}.html", "country.html", title=name, country=name,
                 current=self._current_groups(mine.get("country_groups", [])),
                 changes=changes,
                 intervals=[self._interval(iv) for iv in mine.get("country_groups", [])],
                 sections=[self._section(k, mine.get(k, []), [c for c in changes if c["list"] == k])
                           for k in SECTIONS],
                 entities=self._entities(entries_now.get(name, {}),
                                         [c for c in changes if c["list"] == "entity_list"]),
                 entity_known=self._known("entity_list"), entity_start=self.starts["entity_list"],
                 divergences=divs_by_country.get(name, []),
                 columns=self.columns)

        members: dict[str, list[str]] = {}
        for country, grps in self.current.items():
            for g in grps:
                members.setdefault(g, []).append(country)
        by_group: dict[str, list[_Change]] = {}
        for c in newest:
            if c["list"] == "country_groups" and c["group"]:
                by_group.setdefault(c["group"], []).append(c)
        page("groups.html", "groups.html", title="Country groups",
             groups=[(g, group_slug(g), self.columns.get(g, ""), len(members.get(g, []))) for g in self.codes])
        for g in self.codes:
            page(f"group/{group_slug(g)}.html", "group.html", title=f"Country Group {g}", code=g,
                 name=self.columns.get(g, ""),
                 members=[(n, self.cslug[n]) for n in sorted(members.get(g, []))],
                 changes=by_group.get(g, []))

        page("lists.html", "lists.html", title="§ 744.21, § 744.22 and the Entity List",
             sections=[self._section_list(k) for k in SECTIONS],
             entity_known=self._known("entity_list"), entity_start=self.starts["entity_list"],
             destinations=sorted(((n, self.cslug[n], k) for n, k in entity_counts.items() if k),
                                 key=lambda t: t[0].casefold()),
             entity_total=sum(entity_counts.values()),
             recent=[c for c in newest if c["list"] != "country_groups"][:50])

        by_doc: dict[str, list[_Change]] = {}
        for c in self.changes:
            if c["fr_document"]:
                by_doc.setdefault(c["fr_document"], []).append(c)
        reviews: dict[str, list[dict[str, Any]]] = {}
        review_rows = q.review_items(self.db)
        for r in review_rows:
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

        def of(kind: DivergenceKind) -> list[dict[str, Any]]:
            return [self._divergence(d) for d in divs if d["kind"] == kind.value]

        page("divergences.html", "divergences.html", title="D:5 and ITAR § 126.1 divergences",
             open=of(DivergenceKind.OPEN), pending=of(DivergenceKind.PENDING),
             standing=of(DivergenceKind.STANDING), past=of(DivergenceKind.CLOSED))
        page("health.html", "health.html", title="Source health", sources=q.source_health(self.db),
             last_run=q.last_run(self.db), reviews=review_rows, suspects=q.suspect_versions(self.db),
             failed_docs=[d for d in docs if d["parse_status"] == "failed"])
        return out

    def _version_page(self, v: VersionSpan, notes: Any, spans: list[VersionSpan]) -> dict[str, Any]:
        """The context of the matrix page of one eCFR version."""
        day = v["date"]
        return dict(title=f"Country group matrix, eCFR version of {day}",
                    matrix=self._matrix(day, memberships_on_dates(self.intervals, [day])[day], notes),
                    versions=spans, current=False, version=v)

    def render(self, pg: _Page) -> str:
        """The page's HTML; the rows of the changes it shows are rendered first, in one pass."""
        ctx = pg.context()
        root = "../" * pg.path.count("/")
        shown = pg.shows if pg.shows is not None else _changes_in(ctx)
        if not pg.rows_only:
            self.decorate(shown)
        self.render_rows(shown, root)
        return self.env.get_template(f"site/{pg.template}").render(
            root=root, path=pg.path, generated=self.generated, as_of=self.as_of, disclosure=self.disclosure, **ctx)

    def fingerprint(self, pg: _Page) -> str:
        """What the page is made of (its inputs, the templates and code, the stamps), never its output."""
        return _digest((self.common, pg.path, pg.template, pg.ctx if pg.key is None else pg.key))

    def feeds(self) -> list[tuple[str, Callable[[], str]]]:
        return [
            ("feed.atom", lambda: feeds.atom_feed(self.env, self.changes, base_url=self.base_url,
                                                  href_for=self._href)),
            ("changes.json", lambda: feeds.changes_json(self.changes,
                                                        self.row_cache.lines("json", self.changes, feeds.json_line))),
            ("changes.csv", lambda: feeds.changes_csv(self.changes,
                                                      self.row_cache.lines("csv", self.changes, feeds.csv_line))),
        ]

    def _href(self, c: dict[str, Any]) -> str:
        """Where a feed entry links: its document's page, else its country's."""
        if c["fr_document"] in self.doc_numbers:
            return f"doc/{doc_slug(c['fr_document'])}.html"
        return f"country/{self.cslug[c['country']]}.html"

    def feeds_key(self) -> str:
        return _digest((_sources_digest(), self.base_url, self.changes_digest))

    @property
    def changes_digest(self) -> str:
        """Every change's fingerprint, in query order, as one digest (the index's and the feeds' inputs)."""
        if self._changes_digest is None:
            self._changes_digest = _digest("".join(c.fp for c in self.changes))
        return self._changes_digest

    def cslug_keys(self) -> list[tuple[str, str]]:
        if self._cslug_keys is None:
            self._cslug_keys = sorted(self.cslug.items())
        return self._cslug_keys

    @staticmethod
    def _held_key(held: dict[str, set[str]]) -> list[tuple[str, list[str]]]:
        return sorted((n, sorted(g)) for n, g in held.items())

    def _matrix(self, as_of: str, held: dict[str, set[str]],
                notes_of: tuple[dict[str, list[dict[str, Any]]], dict[str, dict[str, str]]]) -> dict[str, Any]:
        markers, notes = notes_of
        rows = [{"country": n, "slug": self.cslug.get(n), "markers": markers.get(n, []),
                 "cells": Markup("").join(_HELD if g in held[n] else _EMPTY for g in self.codes)}
                for n in sorted(held)]
        cols = [{"code": g, "name": self.columns.get(g, ""), "slug": group_slug(g)} for g in self.codes]
        return {"as_of": as_of, "rows": rows, "columns": cols, "notes": notes}

    def _version_spans(self) -> list[VersionSpan]:
        vs = self.versions
        return [{"date": d, "until": vs[i + 1] if i + 1 < len(vs) else None} for i, d in enumerate(vs)]

    def _known(self, lst: str) -> bool:
        start = self.starts.get(lst)
        return start is not None and start <= self.iso_today

    def _current_groups(self, ivs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        held = q.standing(ivs, self.iso_today, ("group",))
        return [{"code": g, "name": self.columns.get(g, ""), "since": s["since"],
                 "by": self._source_link(s["by"], "country_groups")}
                for (g,), s in sorted(held.items(), key=lambda kv: group_sort_key(kv[0][0]))]

    def _section(self, lst: str, ivs: list[dict[str, Any]], changes: list[_Change]) -> dict[str, Any]:
        """A country's § 744.21 or § 744.22 status today, its periods and its changes."""
        now = q.standing(ivs, self.iso_today, ("list",)).get((lst,))
        ended = q.last_ended(ivs, self.iso_today, "list").get(lst) if now is None else None
        status = None if not self._known(lst) else now is not None
        return {"list": lst, "slug": LIST_SLUGS[lst], "title": LIST_TITLES[lst], "name": LIST_NAMES[lst],
                "status": status, "start": self.starts[lst],
                "since": now["since"] if now else None, "by": self._source_link(now["by"], lst) if now else None,
                "ended": ended["valid_to"] if ended else None,
                "ended_by": self._source_link(ended["closed_by"], lst) if ended else None,
                "periods": [self._interval(iv) for iv in ivs], "changes": changes}

    def _section_list(self, lst: str) -> dict[str, Any]:
        """Who § 744.21 or § 744.22 names today, each since when and by what."""
        held = q.standing(self.list_intervals.get(lst, []), self.iso_today, ("country",))
        return {"list": lst, "slug": LIST_SLUGS[lst], "title": LIST_TITLES[lst], "known": self._known(lst),
                "start": self.starts[lst],
                "countries": [{"country": n, "href": f"country/{self.cslug[n]}.html" if n in self.cslug else None,
                               "since": s["since"], "by": self._source_link(s["by"], lst)}
                              for (n,), s in sorted(held.items(), key=lambda kv: kv[0][0].casefold())]}

    def _entities(self, held: dict[tuple, dict[str, Any]], changes: list[_Change]) -> list[dict[str, Any]]:
        """A destination's Entity List entries in force today (``q.standing``), each with its fields and changes."""
        by_key: dict[str, list[_Change]] = {}
        for c in changes:
            by_key.setdefault(c["entity_key"] or "", []).append(c)
        out = []
        for (_, key), s in sorted(held.items(), key=lambda kv: ((kv[1]["row"]["entity"] or "").casefold(), kv[0][1])):
            row = s["row"]
            out.append({"entity": row["entity"], "key": key, "anchor": "e-" + _anchor(key or row["entity"] or ""),
                        "since": s["since"], "by": self._source_link(s["by"], "entity_list"),
                        "detail": row["detail"] or {}, "history": by_key.get(key or "", [])})
        return out

    def _interval(self, iv: dict[str, Any]) -> dict[str, Any]:
        lst = list_of(iv)
        return dict(iv, opened=self._source_link(iv["opened_by"], iv.get("opened_by_list") or lst),
                    closed=self._source_link(iv["closed_by"], iv.get("closed_by_list") or lst),
                    group_href=f"group/{group_slug(iv['group'])}.html" if iv.get("group") else None)

    def _divergence(self, d: dict[str, Any]) -> dict[str, Any]:
        side = DivergenceSide(d["side"])
        return dict(d, country_href=f"country/{self.cslug[d['country']]}.html" if d["country"] in self.cslug else None,
                    side_label=SIDE_LABELS[side], moved_first_label=MOVED_FIRST.get(d["moved_first"], d["moved_first"]),
                    opened=self._source_link(d["opened_by"]), closed=self._source_link(d["closed_by"]))

    def _source_link(self, text: str | None, lst: str = "country_groups") -> dict[str, str | None] | None:
        """'fr:2021-26633' -> FR Doc. page; 'ecfr:2021-12-09' -> the matrix of that version (a Country Group version)."""
        if not text:
            return None
        key = (text, lst)
        if key not in self._links:
            self._links[key] = self._make_link(text, lst)
        return self._links[key]

    def _make_link(self, text: str, lst: str) -> dict[str, str | None]:
        ref = SourceRef.parse(text)
        if ref is not None and ref.kind is SourceKind.FR:
            return {"text": f"FR Doc. {ref.value}",
                    "href": f"doc/{doc_slug(ref.value)}.html" if ref.value in self.doc_numbers else None}
        if ref is not None and ref.kind is SourceKind.ECFR:
            if lst != "country_groups":
                return {"text": f"eCFR version {ref.value} of {LIST_NAMES.get(lst, lst)}", "href": None}
            return {"text": f"eCFR version {ref.value}",
                    "href": f"matrix/{ref.value}.html" if ref.value in self.version_set else None}
        return {"text": text, "href": None}

    def _ecfr_links(self, d: dict[str, Any]) -> list[dict[str, str]]:
        """A document's eCFR links: a tracked unit it cites as of the document's date and current, else the part."""
        when = d.get("effective_date") or d.get("effective_on") or d.get("publication_date")
        key = (json.dumps(d["cfr_references"], sort_keys=True), when)
        if key not in self._ecfr_cache:
            self._ecfr_cache[key] = self._make_ecfr_links(d, when)
        return self._ecfr_cache[key]

    def _make_ecfr_links(self, d: dict[str, Any], when: str | None) -> list[dict[str, str]]:
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


# Every field of a change row a page can show, or derive what it shows from (its fingerprint hashes these).
_CHANGE_SHOWN = ("id", "list", "country", "group", "entity", "entity_key", "action", "detail", "effective_date",
                 "status", "fr_document", "citation", "publication_date", "ecfr_version", "fr_title", "html_url",
                 "corrected_by", "group_name", "created_at", "updated_at")


_RAW = operator.itemgetter(*_CHANGE_SHOWN)


def _changes_in(ctx: dict[str, Any]) -> list[_Change]:
    """The changes a page context shows (at any depth of lists and dicts), once each."""
    found: dict[int, _Change] = {}
    containers = (dict, list, tuple)

    def walk(v: Any) -> None:
        for x in (v.values() if isinstance(v, dict) else v):
            if isinstance(x, _Change):
                found.setdefault(id(x), x)
            elif isinstance(x, containers) and x:
                if isinstance(x, (list, tuple)) and not isinstance(x[0], containers):
                    if isinstance(x[0], _Change):
                        walk(x)
                    elif not any(isinstance(y, containers) for y in x):
                        continue          # a list of plain values ("index_rows" cells, names)
                    else:
                        walk(x)
                else:
                    walk(x)

    walk(ctx)
    return list(found.values())


def _anchor(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "entry"


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


def _encoded(make: Callable[..., str], *args: Any) -> bytes:
    return make(*args).encode("utf-8")


def _stamp(path: Path) -> list[int] | None:
    """A file's size and modification time: a page whose file was touched since is rendered again."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_size, st.st_mtime_ns]


def render_site(db: Database, out_dir: str | os.PathLike[str], *, settings: Settings | None = None,
                today: date | None = None, disclosure: Any = None, force: bool = False) -> SiteReport:
    """Render the whole site into ``out_dir``; only pages whose inputs changed are rendered again.

    Every page has a fingerprint of what it is made of (its data, the templates and
    the publish code, the generation date). The manifest keeps each file's
    fingerprint and its size and time as written: a page whose fingerprint and
    file are as the last render left them is not rendered at all; any other page
    is rendered and written only when its bytes differ from the file's.

    A file already there that an earlier render did not write (it is not in the
    manifest) is someone's own page: it is never overwritten unless ``force``
    (OutputConflictError names it), the way it is never deleted.

    ``disclosure`` (the demo's ``timeline.DISCLOSURE``) adds a "what is real" box to every
    page and a "sample" mark to sample events.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    site = _Site(db, environment(), today or clock.today(), settings, disclosure)
    previous, inputs = _read_manifest(out)
    site.row_cache = RowCache(out / ROW_CACHE)
    report = SiteReport(out_dir=out, index_path=out / "index.html")
    # (path, fingerprint, how to make the bytes)
    plan: list[tuple[str, str, Callable[[], bytes]]] = []
    for pg in site.pages():
        plan.append((pg.path, site.fingerprint(pg), partial(_encoded, site.render, pg)))
    report.pages = len(plan)
    feeds_key = site.feeds_key()
    for path, text in site.feeds():
        plan.append((path, _digest([feeds_key, path]), partial(_encoded, text)))
    for a in ASSETS:
        plan.append((f"assets/{a}", _digest([_sources_digest(), a]), partial(_asset, a)))

    made: dict[str, bytes] = {}
    todo: list[tuple[str, str]] = []
    for path, key, make in plan:
        before = inputs.get(path)
        if path in previous and before is not None and before[0] == key and before[1] == _stamp(out / path):
            continue                      # made of the same inputs as the file that is there: not rendered
        made[path] = make()
        todo.append((path, key))
        report.rendered.append(path)
    foreign = sorted(rel for rel, data in made.items()
                     if rel not in previous and (out / rel).is_file() and (out / rel).read_bytes() != data)
    if foreign and not force:
        raise OutputConflictError(str(out), foreign)
    written: dict[str, list[Any]] = {p: v for p, v in inputs.items()}
    for path, key in todo:
        if _write_if_changed(out / path, made[path]):
            report.written.append(path)
        written[path] = [key, _stamp(out / path)]
    report.unchanged = len(plan) - len(report.written)
    current = {path for path, _, _ in plan}
    report.removed = _remove_stale(out, previous, current)
    site.row_cache.keep(site.changes)
    site.row_cache.save(site.changes)
    manifest = {"files": sorted(current), "inputs": {p: written[p] for p in sorted(current) if p in written}}
    _write_if_changed(out / MANIFEST, json.dumps(manifest, indent=0, sort_keys=True).encode("utf-8"))
    return report


MANIFEST = ".frtrack-site.json"   # the files the last render wrote: the only ones a render may delete
ROW_CACHE = ".frtrack-site-rows.cache"   # the last render's timeline rows (RowCache): never published content


def _read_manifest(out: Path) -> tuple[set[str], dict[str, list[Any]]]:
    """(files the last render wrote, path -> [fingerprint, [size, mtime_ns]]); a list is the older form."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set(), {}
    if isinstance(data, list):
        return {n for n in data if isinstance(n, str)}, {}
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        return set(), {}
    files = {n for n in data["files"] if isinstance(n, str)}
    raw = data.get("inputs")
    inputs = {p: v for p, v in (raw.items() if isinstance(raw, dict) else ())
              if p in files and isinstance(v, list) and len(v) == 2 and isinstance(v[0], str)}
    return files, inputs


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
