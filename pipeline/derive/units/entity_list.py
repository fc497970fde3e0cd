"""The Entity List: Supplement No. 4 to part 744 (15 CFR), one entry per entity under its destination.

The state is the set of (destination, entity key, ``EntityEntry``) entries of
a version. The key is the entity's match key (``parsers.model.name_key`` of
its first name: case, punctuation and "Co., Ltd." variants folded); the rare
second entry under the same name and destination is "KEY #2", in printed
order. FR instructions come from ``parsers.entity_list`` (adding, removing,
revising entries "under" a destination, moves, corrections, the SUMMARY's
counts); this module predicts what they do to the state the day before they
take effect:

- an addition of an entity already listed there, a removal or revision of one
  that is not (by first name or a.k.a.), a removal or revision naming one of
  several entries of one name, a revision that changes nothing: review items;
- a revision's ``detail`` says which fields changed, before and after
  (``{"fields": {"address": {"before": ..., "after": ...}}}``); a move is a
  removal (``{"moved_to": ...}``) and an addition (``{"moved_from": ...}``)
  made by one document; an addition a move makes without a reprinted row
  carries the moved entry's fields.

An eCFR version confirms an addition when its destination lists the entity,
a removal when it no longer does, a revision when the entity's entry shows
the revised fields (a reprint's citation is not compared: the eCFR prints its
own). Between versions, entries are paired by destination and name: unchanged
ones first, then revised ones, the rest added or removed, and a removal and an
addition of one name under two destinations is a move.
"""
from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterable
from typing import Any

from parsers.announcement import amendatory_paragraphs
from parsers.entity_list import (
    EntityList,
    changed_fields,
    entity_list_changes_from_tree,
    interpret as interpret_clause,
    mark_moves,
    parse_entity_list,
)
from parsers.lifecycle import ChangeAction
from parsers.model import (
    ENTITY_LIST_TABLE,
    Action,
    EntityEntry,
    EntryField,
    FRDocument,
    ListKind,
    Operation,
    ReviewReason,
    name_key,
)
from parsers.xmlsafe import parse_xml
from pipeline.derive.history import ListDelta, Prediction, ReviewItem as Held
from pipeline.derive.memberships import Held as Membership
from pipeline.derive.units import AnnouncedOnDesk, EcfrUnit, FrReading, Renderers, TrackedUnit, VersionSummary, XmlLoader
from pipeline.derive.units.section_lists import per_instruction, review_row, touches_part_744, version_problems

ECFR = EcfrUnit(15, "744", appendix="Supplement No. 4 to Part 744")

Listed = tuple[str, str, EntityEntry]     # (destination, entity key, entry)
State = frozenset[Listed]

# An eCFR version that loses at least this many entries at once (or this share of the
# list) that no FR rule explains is held as suspect. Real rules remove a handful of
# entries; the list only loses dozens when a table fails to render or parse.
SUSPECT_REMOVALS = 25
SUSPECT_SHARE = 0.05

# The fields a revision's detail reports, in the order a reader expects them.
FIELDS = (EntryField.NAME, EntryField.ALIASES, EntryField.ADDRESS, EntryField.LICENSE_REQUIREMENT,
          EntryField.REVIEW_POLICY, EntryField.CITATIONS)


# ---------------------------------------------------------------- keys and values

def base_key(key: str) -> str:
    """"sample co ltd #2" -> "sample co ltd": the name part of an entity key."""
    return key.split(" #", 1)[0]


def _place(taken: Any, destination: str, name: str) -> str:
    """The key an entry of this name gets under ``destination``: its name key, numbered when taken."""
    base = name_key(name)
    key, n = base, 1
    while (destination, key) in taken:
        n += 1
        key = f"{base} #{n}"
    return key


def keyed(entries: Iterable[EntityEntry]) -> State:
    """The state of a version's entries, each under its key."""
    taken: set[tuple[str, str]] = set()
    out: list[Listed] = []
    for e in entries:
        key = _place(taken, e.destination, e.name)
        taken.add((e.destination, key))
        out.append((e.destination, key, e))
    return frozenset(out)


def field_value(entry: EntityEntry, f: EntryField) -> Any:
    """What a detail prints for one field of an entry (lists for aliases and citations)."""
    value = getattr(entry, {EntryField.CITATIONS: "citations", EntryField.ALIASES: "aliases"}.get(f, f.value))
    return list(value) if isinstance(value, tuple) else value


def entry_detail(entry: EntityEntry) -> str:
    """The JSON of an entry's fields, as ``memberships.detail`` holds it."""
    return json.dumps({f.value: field_value(entry, f) for f in FIELDS}, ensure_ascii=False)


def revision_detail(before: EntityEntry, after: EntityEntry, fields: Iterable[EntryField]) -> str:
    """``{"fields": {field: {"before": ..., "after": ...}}}`` for the fields a revision changes."""
    wanted = set(fields)
    return json.dumps({"fields": {f.value: {"before": field_value(before, f), "after": field_value(after, f)}
                                  for f in FIELDS if f in wanted}}, ensure_ascii=False)


def _detail(**values: str | None) -> str | None:
    kept = {k: v for k, v in values.items() if v}
    return json.dumps(kept, ensure_ascii=False) if kept else None


def revised_fields(delta: ListDelta) -> frozenset[EntryField]:
    """The fields a revision delta says changed."""
    fields = json.loads(delta.detail or "{}").get("fields", {})
    return frozenset(EntryField(f) for f in fields)


class _Index:
    """A state's entries by destination, for name look-ups; edited as a prediction goes."""

    def __init__(self, state: Iterable[Listed]) -> None:
        self.entries: dict[tuple[str, str], EntityEntry] = {(d, k): e for d, k, e in state}

    def under(self, destination: str) -> list[tuple[str, EntityEntry]]:
        return sorted((k, e) for (d, k), e in self.entries.items() if d == destination)

    def find(self, destination: str, name: str) -> list[tuple[str, EntityEntry]]:
        """The entries under ``destination`` whose first name matches ``name``, else whose a.k.a. does."""
        wanted = name_key(name)
        under = self.under(destination)
        first = [(k, e) for k, e in under if base_key(k) == wanted]
        return first or [(k, e) for k, e in under if wanted in e.name_keys()]


# ---------------------------------------------------------------- the model

class EntityListChanges:
    """How FR operations move the Entity List, and how its versions differ."""

    corrections_take_own_date = True

    def predict(self, state: State, operations: Iterable[Operation]) -> Prediction[ListDelta]:
        index = _Index(state)
        deltas: list[ListDelta] = []
        held: list[Held] = []
        moved: dict[tuple[str, str], EntityEntry] = {}      # (old destination, name key) -> the entry a move took

        def hold(op: Operation, reason: ReviewReason, detail: str = "") -> None:
            held.append(Held(op, reason, detail))

        for op in operations:
            if op.table not in (None, ENTITY_LIST_TABLE):
                continue
            if op.review is not None or op.action is Action.UNRECOGNIZED:
                hold(op, op.review or ReviewReason.UNRECOGNIZED_WORDING)
                continue
            dest = op.country
            name = op.entity or (op.entity_entry.name if op.entity_entry else None)
            if not dest:
                hold(op, ReviewReason.NO_DESTINATION)
                continue
            if not name:
                hold(op, ReviewReason.NO_ENTITY)
                continue
            found = index.find(dest, name)
            if op.action is Action.ADD_ENTRY:
                entry = op.entity_entry
                if entry is None and op.moved_from:
                    source = moved.get((op.moved_from, name_key(name)))
                    if source is None:
                        there = index.find(op.moved_from, name)
                        source = there[0][1] if len(there) == 1 else None
                    entry = dataclasses.replace(source, destination_printed=op.printed or dest) if source else None
                if entry is None:    # a public-inspection text names the entity; its row comes with the XML
                    entry = EntityEntry(dest, op.printed or dest, name)
                if found:
                    hold(op, ReviewReason.ALREADY_PRESENT, f"{name!r} is already on the Entity List under {dest}")
                    continue
                entry = dataclasses.replace(entry, destination=dest)
                key = _place(index.entries, dest, entry.name)
                index.entries[(dest, key)] = entry
                deltas.append(ListDelta(dest, ChangeAction.ADDED, key, entry.name,
                                        _detail(moved_from=op.moved_from), (dest, key, entry)))
                continue
            if not found:
                hold(op, ReviewReason.ENTITY_NOT_PRESENT, f"{name!r} is not on the Entity List under {dest}")
                continue
            if len(found) > 1:
                hold(op, ReviewReason.NAMES_NOT_PAIRED, f"{len(found)} entries under {dest} are named {name!r}: the "
                                                         "instruction does not say which one")
                continue
            key, before = found[0]
            if op.action is Action.REMOVE_ENTRY:
                del index.entries[(dest, key)]
                moved[(dest, name_key(name))] = before
                moved[(dest, name_key(before.name))] = before
                deltas.append(ListDelta(dest, ChangeAction.REMOVED, key, before.name, _detail(moved_to=op.moved_to)))
            elif op.action is Action.REVISE_ENTRY:
                if op.entity_entry is None:
                    hold(op, ReviewReason.ROW_NOT_REPRINTED)
                    continue
                after = dataclasses.replace(op.entity_entry, destination=dest)
                fields = changed_fields(before, after) - {EntryField.DESTINATION}
                if not fields:
                    hold(op, ReviewReason.NO_EFFECT, f"the revised entry for {name!r} under {dest} prints what the "
                                                     "list already shows")
                    continue
                del index.entries[(dest, key)]
                new_key = key if base_key(key) == name_key(after.name) else _place(index.entries, dest, after.name)
                index.entries[(dest, new_key)] = after
                deltas.append(ListDelta(dest, ChangeAction.REVISED, key, before.name,
                                        revision_detail(before, after, fields), (dest, new_key, after)))
            else:
                hold(op, ReviewReason.UNRECOGNIZED_WORDING)
        return Prediction(tuple(deltas), tuple(held))

    def apply(self, state: State, operations: Iterable[Operation]) -> State:
        operations = tuple(operations)
        if not operations:          # screening asks this of every version: no copy of 3,000 entries
            return state
        return self.apply_deltas(state, self.predict(state, operations).deltas)

    def apply_deltas(self, state: State, deltas: Iterable[Any]) -> State:
        deltas = tuple(deltas)
        if not deltas:
            return state
        entries = {(d, k): e for d, k, e in state}
        for delta in deltas:
            if delta.action in (ChangeAction.REMOVED, ChangeAction.REVISED):
                entries.pop((delta.country, delta.entity_key), None)
            if delta.action in (ChangeAction.ADDED, ChangeAction.REVISED) and delta.entry is not None:
                dest, key, entry = delta.entry
                entries[(dest, key)] = entry
        return frozenset((d, k, e) for (d, k), e in entries.items())

    def diff(self, before: State, after: State) -> tuple[ListDelta, ...]:
        """The additions, removals, revisions and moves from one version to the next."""
        if before == after:
            return ()
        gone, new = before - after, after - before
        groups: dict[tuple[str, str], tuple[list[Listed], list[Listed]]] = {}
        for item in sorted(gone, key=lambda x: (x[0], x[1])):
            groups.setdefault((item[0], base_key(item[1])), ([], []))[0].append(item)
        for item in sorted(new, key=lambda x: (x[0], x[1])):
            groups.setdefault((item[0], base_key(item[1])), ([], []))[1].append(item)
        deltas: list[ListDelta] = []
        removed: list[Listed] = []
        added: list[Listed] = []
        for olds, news in groups.values():
            # an entry printed as it was (only its number under a shared name moved) is no change
            same = [(o, n) for o in olds for n in news if o[2] == n[2]]
            for o, n in same:
                if o in olds and n in news:
                    olds.remove(o)
                    news.remove(n)
            for old, cur in zip(olds, news, strict=False):   # the surplus on either side: added or removed
                fields = changed_fields(old[2], cur[2]) - {EntryField.DESTINATION}
                if fields:
                    deltas.append(ListDelta(old[0], ChangeAction.REVISED, old[1], old[2].name,
                                            revision_detail(old[2], cur[2], fields), cur))
            removed += olds[len(news):]
            added += news[len(olds):]
        # one name leaving one destination and arriving under another: a move
        gone_by_name: dict[str, list[Listed]] = {}
        for item in removed:
            gone_by_name.setdefault(base_key(item[1]), []).append(item)
        came_by_name: dict[str, list[Listed]] = {}
        for item in added:
            came_by_name.setdefault(base_key(item[1]), []).append(item)
        for item in removed:
            came = came_by_name.get(base_key(item[1]), [])
            to = came[0][0] if len(came) == 1 and len(gone_by_name[base_key(item[1])]) == 1 else None
            deltas.append(ListDelta(item[0], ChangeAction.REMOVED, item[1], item[2].name, _detail(moved_to=to)))
        for item in added:
            went = gone_by_name.get(base_key(item[1]), [])
            source = went[0][0] if len(went) == 1 and len(came_by_name[base_key(item[1])]) == 1 else None
            deltas.append(ListDelta(item[0], ChangeAction.ADDED, item[1], item[2].name, _detail(moved_from=source),
                                    item))
        return tuple(sorted(deltas, key=lambda d: (d.country, d.entity_key or "", d.action.value)))

    def covers(self, delta: ListDelta) -> tuple[ListDelta, ...]:
        """The observed deltas a predicted one stands for: a renaming revision is seen as a removal and an addition."""
        if delta.action is ChangeAction.REVISED and delta.entry is not None and delta.entry[1] != delta.entity_key:
            return (delta, ListDelta(delta.country, ChangeAction.REMOVED, delta.entity_key),
                    ListDelta(delta.entry[0], ChangeAction.ADDED, delta.entry[1]))
        return (delta,)

    def shows(self, state: State, delta: Any) -> bool:
        wanted = base_key(delta.entity_key or name_key(delta.entity or ""))
        if delta.action is ChangeAction.REVISED:
            if delta.entry is None:
                return False
            dest, key, after = delta.entry
            compared = revised_fields(delta) - {EntryField.CITATIONS}
            return any(not (changed_fields(e, after) & compared)
                       for d, k, e in state if d == dest and base_key(k) == base_key(key))
        listed = any(d == delta.country and base_key(k) == wanted for d, k, _ in state)
        return listed if delta.action is ChangeAction.ADDED else not listed

    def membership(self, entry: Listed) -> Membership:
        dest, key, e = entry
        return Membership(dest, None, key, e.name, entry_detail(e))

    # -- tables, baselines, screening --------------------------------------
    def table_of(self, entry: Any) -> str:
        return ENTITY_LIST_TABLE

    def tables(self, state: State) -> frozenset[str]:
        """One table, held by every stored version."""
        return frozenset({ENTITY_LIST_TABLE})

    def baseline_table(self, operation: Operation) -> str | None:
        return ENTITY_LIST_TABLE

    def table_title(self, table: str) -> str:
        return "the Entity List"

    def suspicion(self, expected: State, actual: State) -> str | None:
        if len(expected - actual) < SUSPECT_REMOVALS:   # a version that loses a few entries is no suspect
            return None if actual or not expected else (
                f"every entry of the Entity List disappears ({len(expected)}) and no FR rule explains it")
        kept = {(d, base_key(k)) for d, k, _ in actual}
        lost = {(d, base_key(k)) for d, k, _ in expected} - kept
        if not lost:
            return None
        if not actual:
            return f"every entry of the Entity List disappears ({len(expected)}) and no FR rule explains it"
        if len(lost) >= max(SUSPECT_REMOVALS, SUSPECT_SHARE * len(expected)):
            return f"{len(lost)} Entity List entries disappear at once and no FR rule explains them"
        return None


# ---------------------------------------------------------------- the unit

def summarize(parsed: EntityList) -> VersionSummary:
    """Every entry under its key; the parser's problems (a destination that is no country is reported apart)."""
    problems = [p for p in parsed.problems if p.reason is not ReviewReason.UNKNOWN_COUNTRY]
    return VersionSummary(keyed(parsed.entries), problems=version_problems(problems))


_NAMED = re.compile(r"supplement\s+no\.?\s*4\b", re.IGNORECASE)


def interpret(doc: FRDocument, xml: XmlLoader) -> FrReading:
    """The document's Entity List operations (per AMDPAR) and its review items, the SUMMARY's counts included."""
    if not touches_part_744(doc, _NAMED):
        return FrReading(())
    name = f"FR Doc. {doc.document_number}"
    mine = [c for c in entity_list_changes_from_tree(parse_xml(xml(), name), name)
            if c.document_number == doc.document_number]
    if not mine:
        return FrReading(())
    return FrReading(per_instruction(doc, mine[0].operations),
                     tuple(review_row(doc.document_number, r) for r in mine[0].review))


def read_announcement(text: bytes) -> AnnouncedOnDesk:
    """Entries a public-inspection text's instructions add, remove or move by name (revisions need the XML)."""
    ops = [op for paragraph in amendatory_paragraphs(text)
           for op in interpret_clause(paragraph, (), title=15, part="744", plain_text=True).operations
           if op.action in (Action.ADD_ENTRY, Action.REMOVE_ENTRY)]
    return AnnouncedOnDesk((), tuple(mark_moves(ops)))


UNIT: TrackedUnit = TrackedUnit(
    kind=ListKind.ENTITY_LIST,
    ecfr=ECFR,
    parse_version=parse_entity_list,
    summarize=summarize,
    interpret=interpret,
    state_type=frozenset[Listed],
    changes=EntityListChanges(),
    memberships=True,
    announcements=read_announcement,
    renderers=Renderers(name="Entity List", title="Entity List", slug="entity-list",
                        ecfr_label="Supplement No. 4 to part 744"),
    unknown_name="an Entity List destination names no known country: its entries are kept under the printed name;"
                 " check the spelling",
)
