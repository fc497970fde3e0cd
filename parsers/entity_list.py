"""The Entity List (15 CFR part 744, Supplement No. 4): eCFR versions and FR rules.

eCFR side: a five-column table -- Country | Entity | License requirement |
License review policy | Federal Register citation -- whose Country cell
spans its destination's entries: the country is printed in the first row of
its block and the following rows leave the cell empty (``<TD/>`` or a
space). Both renderings are read: the bulk-data ``gpotbl_table`` (TR/TH/TD)
and the versioner ``gpo_table`` (THEAD/TBODY, TD class="left
border-right-single", lines split by ``<br/>``). An entity cell is the first
name, optionally ", a.k.a., the following N aliases:" and one "—alias" per
line, then the address.

FR side: amendatory instructions "by adding under CHINA, PEOPLE'S REPUBLIC
OF, in alphabetical order, entries for ...", "by removing under RUSSIA the
entry for ...", "by revising under IRAN the entry for ..." (lettered or not,
any quote style), and the reprinted GPOTABLE, whose rows are country headers
(the first ENT carries the destination, the rest stars), entity rows (first
ENT empty) or rows of asterisks for elided entries. A remove under one
destination and an add of the same entity under another in one document is
a move. The SUMMARY's counts ("adding 12 entities under 14 entries to the
Entity List") are checked against what was parsed.

Identity: an entry is keyed by (destination, ``name_key(first name)``); the
key folds case, accents, punctuation, "&"/"and" and the legal-form variants
("Co., Ltd." = "Co. Ltd" = "Company Limited"); ``EntityList.find`` also
matches a.k.a. names. The same name twice under one destination (several
addresses) stays two entries under one key (``index`` maps key -> entries).

The entry, its fields and the key are domain types (``parsers.model``:
``EntityEntry``, ``EntryField``, ``name_key``); FR instructions become
``parsers.model.Operation`` values with table "Entity List" and
``entity``/``entity_entry`` set, whatever is not exact a
``parsers.model.ReviewItem``.
"""
from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from lxml import etree

from parsers.countries import resolve
from parsers.dates import parse_fr_date
from parsers.errors import ParseError
from parsers.lists_common import DocumentListChanges, SummaryCounts, fr_documents, normalize_instruction, number_value
from parsers.model import (
    ENTITY_LIST_TABLE,
    Action,
    EntityEntry,
    EntryField,
    FRDocument,
    Operation,
    ReviewItem,
    ReviewReason,
    name_key,
)
from parsers.text import FOOTNOTE_TAGS, element_text, first_descendant, itertext, split_lettered, squash
from parsers.xmlsafe import parse_xml

HEADS = ("country", "entity", "license requirement", "license review policy", "federal register citation")


@dataclass(frozen=True)
class EntityList:
    """Supplement No. 4 to part 744 at one eCFR version."""

    entries: tuple[EntityEntry, ...]
    problems: tuple[ReviewItem, ...] = ()
    version_date: date | None = None

    def index(self) -> dict[tuple[str, str], tuple[EntityEntry, ...]]:
        out: dict[tuple[str, str], tuple[EntityEntry, ...]] = {}
        for entry in self.entries:
            out[entry.key] = out.get(entry.key, ()) + (entry,)
        return out

    def under(self, destination: str) -> tuple[EntityEntry, ...]:
        dest = destination_name(destination)
        return tuple(e for e in self.entries if e.destination == dest)

    def find(self, destination: str, name: str) -> EntityEntry | None:
        """The entry under ``destination`` whose first name, else an a.k.a., matches ``name``."""
        key = name_key(name)
        candidates = self.under(destination)
        return next((e for e in candidates if name_key(e.name) == key), None) or \
            next((e for e in candidates if key in e.name_keys()), None)


@dataclass(frozen=True)
class EntityInterpretation:
    """What one AMDPAR does to the Entity List."""

    operations: tuple[Operation, ...] = ()
    review: tuple[ReviewItem, ...] = ()


# ------------------------------------------------------------- identity

def destination_name(printed: str) -> str:
    found = resolve(printed)
    return found.name if found else squash(printed)


def changed_fields(before: EntityEntry, after: EntityEntry) -> frozenset[EntryField]:
    """Which parts of an entry differ (names compared by key, text by its squashed form)."""
    changed = set()
    if before.destination != after.destination:
        changed.add(EntryField.DESTINATION)
    if name_key(before.name) != name_key(after.name):
        changed.add(EntryField.NAME)
    if sorted(map(name_key, before.aliases)) != sorted(map(name_key, after.aliases)):
        changed.add(EntryField.ALIASES)
    for field, attr in ((EntryField.ADDRESS, "address"), (EntryField.LICENSE_REQUIREMENT, "license_requirement"),
                        (EntryField.REVIEW_POLICY, "review_policy")):
        if squash(getattr(before, attr)).rstrip(".") != squash(getattr(after, attr)).rstrip("."):
            changed.add(field)
    if before.citations != after.citations:
        changed.add(EntryField.CITATIONS)
    return frozenset(changed)


# ---------------------------------------------------------- entity cells

# The a.k.a. marker after the first name ("…, a.k.a., the following two aliases:"); its leftmost match splits the line.
_AKA = re.compile(r",?\s+a\.?k\.?a\.?,?\s*", re.IGNORECASE)
_ALIAS_RUNS_ON = re.compile(r"\.\s+(?=[A-Z0-9])")
_FOLLOWING = re.compile(r"^the\s+following\s+(?:\w+\s+)?(?:alias(?:es)?|names?)\s*:?\s*", re.IGNORECASE)
_DASH = re.compile(r"(?:^|\s)[\u2014\u2013-]\s*")
# (The lookahead after \b lists every form's first letter: an exact shortcut past other words.)
_LEGAL_FORM = re.compile(
    r"\b(?=[ABCFGIJLNOPSZ])(?:Co\.,?\s*Ltd\.?|Company,?\s+Limited|Co\.(?!,?\s*Ltd)|Ltd\.?|Limited|LLC|L\.L\.C\.|Inc\.?|Corporation|Corp\.|GmbH|"
    r"S\.A\.|SA|JSC|OJSC|OOO|LLP|PLC|FZE|FZCO|FZ-LLC|Pte\.?\s+Ltd\.?|AG|AO|OAO|ZAO|PAO|S\.r\.l\.|SRL|B\.V\.|N\.V\.|"
    r"Sdn\.?\s+Bhd\.?)(?:\s*\([^()]*\))?(?=,)")
_ADDRESS_START = re.compile(r",\s+(?=\d|No\.|Room\b|Rm\.|Building\b|Bldg|Floor\b|Suite\b|Unit\b|Flat\b|Block\b|"
                            r"P\.?O\.?\s+Box|Office\b|Plot\b|House\b)")
_ALIAS_END = re.compile(r"(?:;\s*(?:and)?|,\s*and|\.)\s*$")


def split_name_address(text: str) -> tuple[str, str]:
    """("Sample Co., Ltd.", "No. 2 Road, City, China.") from one "name, address" line."""
    form = _LEGAL_FORM.search(text)
    end = form.end() if form else None
    if end is None:
        address = _ADDRESS_START.search(text)
        end = address.start() if address else (text.find(",") if "," in text else len(text))
    return text[:end].strip(" ,"), text[end:].strip(" ,")


def _has_dash(line: str) -> bool:
    """Could ``_DASH`` split this line? (Most address lines have no dash: no regex for them.)"""
    return "\u2014" in line or "\u2013" in line or "-" in line


def _clean_alias(alias: str) -> str:
    return _ALIAS_END.sub("", alias.strip()).strip()


def entity_cell(lines: list[str]) -> tuple[str, tuple[str, ...], str]:
    """(first name, a.k.a. names, address) of an entity cell given as its printed lines."""
    return _entity_cell([line for line in (squash(raw) for raw in lines) if line])


def _entity_cell(lines: list[str]) -> tuple[str, tuple[str, ...], str]:
    """entity_cell on lines already squashed, none empty."""
    if not lines:
        return "", (), ""
    first = lines[0]
    aka = _AKA.search(first) if "k.a" in first.lower() else None
    if not aka:
        name, one_address = split_name_address(first if len(lines) == 1 else " ".join(lines))
        return name, (), one_address
    name = first[: aka.start()].strip(" ,")
    rest = [_FOLLOWING.sub("", first[aka.end():]).strip(), *lines[1:]]
    aliases: list[str] = []
    address: list[str] = []
    for line in rest:
        if not line:
            continue
        if address or not _has_dash(line):
            address.append(line)       # the first line without an alias dash starts the address
            continue
        dashed = [p.strip() for p in _DASH.split(line)[1:] if p.strip()]
        if dashed:
            aliases.extend(dashed)
        else:
            address.append(line)
    # The last alias of a flattened cell runs into the address ("—EW Sample. Unit 3, Tehran").
    if aliases and not address:
        last = aliases[-1]
        split = _ALIAS_RUNS_ON.search(last)
        if split:
            aliases[-1], tail = last[: split.start() + 1], last[split.end():]
            address.append(tail)
    return name, tuple(_clean_alias(a) for a in aliases), " ".join(address)


_CITATION = re.compile(r"\d+\s+FR\s+(?:\d+|\[[^\]]*\])(?:,\s*(?:\d{1,2}/\d{1,2}/\d{2,4}|\[[^\]]*\]))?")


def citations(text: str) -> tuple[str, ...]:
    """("99 FR 00001, 1/2/99", ...) from a citation cell; the whole cell when no citation is recognized."""
    return _citations(squash(text))


def _citations(text: str) -> tuple[str, ...]:
    """citations of a text already squashed."""
    found = tuple(_CITATION.findall(text))
    return found or ((text.rstrip("."),) if text else ())


def _cell_lines(cell: etree._Element) -> tuple[list[str], tuple[str, ...]]:
    """The printed lines of a cell (split at <br/>, LI, P) and its footnote markers."""
    text = cell.text
    if not len(cell):      # fast path: most cells are plain text
        return [_squash_cell(text) if text else ""], ()
    lines: list[str] = []
    current: list[str] = [text or ""]
    marks: list[str] = []
    for child in cell:
        tag = child.tag
        if not isinstance(tag, str):
            tag = ""
        if tag == "br" or tag.lower() == "br":
            lines.append("".join(current))
            current = []
        elif tag in ("LI", "P", "FP"):
            lines.append("".join(current))
            lines.append(element_text(child, skip=FOOTNOTE_TAGS))
            marks += [squash(m.text) for m in child.iter(*FOOTNOTE_TAGS) if squash(m.text)]
            current = []
        elif tag in FOOTNOTE_TAGS:
            marks.append(squash("".join(itertext(child))))
        elif tag:
            current.append(element_text(child, skip=FOOTNOTE_TAGS))
        tail = child.tail
        if tail:
            current.append(tail)
    lines.append("".join(current))
    return [" ".join(line.split()) for line in lines], tuple(m for m in marks if m)


@functools.lru_cache(maxsize=8192)
def _squash_cell(text: str) -> str:
    """squash for a plain cell's text: license requirement, review policy and citations repeat row after row."""
    return " ".join(text.split())


def _entry(destination: str, printed_destination: str, cells: list[etree._Element]) -> EntityEntry:
    """The entry of one row's Entity, License requirement, License review policy and citation cells.

    Hot: a supplement has ~3,000 rows. Each cell's text is read once, plain
    cells (no child elements) take the fast path, and the squashed texts are
    not squashed again.
    """
    cell = cells[0]
    if len(cell):
        entity_lines, marks = _cell_lines(cell)
        entity_lines = [line for line in entity_lines if line]
    else:
        text = cell.text
        entity_lines = [" ".join(text.split())] if text and not text.isspace() else []
        marks = ()
    name, aliases, address = _entity_cell(entity_lines)
    texts = []
    for cell in cells[1:4]:
        if len(cell):
            lines, more = _cell_lines(cell)
            texts.append(" ".join(line for line in lines if line))
            marks += more
        else:                   # fast path: a plain-text cell
            text = cell.text
            texts.append(_squash_cell(text) if text else "")
    return EntityEntry(destination=destination, destination_printed=printed_destination, name=name,
                       aliases=aliases, address=address, license_requirement=texts[0], review_policy=texts[1],
                       citations=_citations(texts[2]), footnotes=tuple(dict.fromkeys(marks)) if marks else ())


# --------------------------------------------------------------- eCFR side

def _head_cells(table: etree._Element) -> list[etree._Element] | None:
    for tr in table.iter("TR"):
        ths = [c for c in tr if c.tag == "TH"]
        if ths:
            return ths
        if any(c.tag == "TD" for c in tr):
            return None
    return None


_HEAD_KEYS = tuple(h.replace(" ", "") for h in HEADS)


def is_entity_table(heads: list[str]) -> bool:
    """Are these the five Entity List column heads? (Letters only: a head may be split by <br/>.)"""
    return tuple(re.sub(r"[^a-z]", "", h.lower()) for h in heads) == _HEAD_KEYS


def parse_entity_list(data: bytes, name: str) -> EntityList:
    """Every entry of Supplement No. 4 to part 744 in an eCFR XML file (either table layout)."""
    return entity_list_from_tree(parse_xml(data, name), name)


def entity_tables(root: etree._Element) -> list[etree._Element]:
    """The eCFR TABLEs of a tree whose column heads are the Entity List's."""
    return [t for t in root.iter("TABLE")
            if (heads := _head_cells(t)) and is_entity_table([element_text(h, skip=FOOTNOTE_TAGS) for h in heads])]


def entity_list_from_tree(root: etree._Element, name: str) -> EntityList:
    """Like parse_entity_list on a parsed (never modified) tree."""
    tables = entity_tables(root)
    if not tables:
        raise ParseError(name, "no Entity List table (Country | Entity | License requirement | License review policy "
                               "| Federal Register citation) found: is this Supplement No. 4 to part 744?")
    entries: list[EntityEntry] = []
    problems: list[ReviewItem] = []
    destination: str | None = None
    printed = ""                # set with destination
    pending = 0                 # rows a rowspan'd Country cell still covers
    for table in tables:
        for tr in table.iter("TR"):        # one pass over the rows, the destination carried down
            parent = tr.getparent()
            if parent is not None and parent.tag in ("THEAD", "TFOOT"):
                continue
            cells = [c for c in tr if c.tag == "TD"]
            if not cells:
                continue
            if len(cells) == 4 and pending > 0:
                pending -= 1
                country_cell = None
            elif len(cells) == 5:
                country_cell, cells = cells[0], cells[1:]
            else:
                problems.append(ReviewItem(ReviewReason.MALFORMED_ROW, f"Entity List row has {len(cells)} cells, "
                                           "expected 5", " | ".join(element_text(c) for c in cells), ENTITY_LIST_TABLE))
                continue
            country = _plain(country_cell) if country_cell is not None else ""
            if country_cell is not None and country:
                destination, printed, pending = _destination_cell(country_cell, country, problems)
            elif not any(len(c) or (c.text and not c.text.isspace()) for c in cells):
                continue           # an empty row
            if destination is None:
                problems.append(ReviewItem(ReviewReason.NO_DESTINATION,
                                           "Entity List entry with no destination (no Country cell above it)",
                                           _plain(cells[0]), ENTITY_LIST_TABLE))
                continue
            entries.append(_entry(destination, printed, cells))
    amd = first_descendant(root, "AMDDATE")
    version = parse_fr_date(element_text(amd)) if amd is not None else None
    return EntityList(entries=tuple(entries), problems=tuple(problems), version_date=version)


def _plain(cell: etree._Element) -> str:
    if not len(cell):
        text = cell.text
        return _squash_cell(text) if text else ""
    return element_text(cell, skip=FOOTNOTE_TAGS)


def _destination_cell(cell: etree._Element, country: str, problems: list[ReviewItem]) -> tuple[str, str, int]:
    """(destination, as printed, rows its rowspan still covers) of a non-empty Country cell."""
    found = resolve(country)
    if found is None:
        problems.append(ReviewItem(ReviewReason.UNKNOWN_COUNTRY,
                                   f"Entity List destination {country!r} resolves to no country; "
                                   "its entries are kept under the printed name", country, ENTITY_LIST_TABLE))
    span = (cell.get("rowspan") or "1").strip()
    return (found.name if found else country), country, (int(span) - 1 if span.isdigit() and int(span) > 1 else 0)


# ---------------------------------------------------------------- FR side

def _is_stars(text: str) -> bool:
    return "*" in text and not text.replace("*", "").strip()


def reprinted_entries(table: etree._Element) -> tuple[EntityEntry, ...]:
    """The entity rows of a reprinted Entity List GPOTABLE, each under the last country header above it."""
    box = table.find("BOXHD")
    heads = [element_text(c) for c in box.iter("CHED")] if box is not None else []
    if not is_entity_table(heads):
        return ()
    out: list[EntityEntry] = []
    destination: str | None = None
    printed = ""                # set with destination
    for row in table.iter("ROW"):
        cells = [c for c in row if c.tag == "ENT"]
        if not cells:
            continue
        texts = [element_text(c, skip=FOOTNOTE_TAGS) for c in cells]
        stars = [c.get("I") == "28" or _is_stars(t) for c, t in zip(cells, texts, strict=True)]
        if texts[0] and not stars[0]:
            destination, printed = destination_name(texts[0]), texts[0]
        entity_cells = cells[1:5]
        if len(cells) == 4 and destination:   # no Country cell: the row's cells are the entity's four
            entity_cells, texts, stars = cells, ["", *texts], [False, *stars]
        if len(texts) < 5 or stars[1] or not texts[1] or destination is None:
            continue
        out.append(_entry(destination, printed, entity_cells))
    return tuple(out)


_SUPPLEMENT_4 = re.compile(r"supplement\s+no\.?\s*4\s+to\s+(?:this\s+)?part\s+744", re.IGNORECASE)
# A lettered part that starts by naming another place ("In § 744.21, ...") is not about the Entity List.
_OTHER_PLACE = re.compile(r"^(?:in|amend(?:ing)?|revis\w+|remov\w+|add\w*)?\s*(?:§+\s*\d|supplement\s+no\.?\s*"
                          r"(?:[0-35-9]|\d\d)\b|section\s+\d)", re.IGNORECASE)
_VERB_SPLIT = re.compile(r"(?:;\s*(?:and\s+)?|,?\s+and\s+)(?:by\s+)?(?=(?:removing|adding|revising|correcting|moving)\b)",
                         re.IGNORECASE)
_VERBS = (
    (Action.REMOVE_ENTRY, re.compile(r"\b(?:remov|delet)(?:e|es|ed|ing)\b", re.IGNORECASE)),
    (Action.ADD_ENTRY, re.compile(r"\badd(?:s|ed|ing)?\b", re.IGNORECASE)),
    (Action.REVISE_ENTRY, re.compile(r"\b(?:revis(?:e|es|ed|ing)|correct(?:s|ed|ing)?)\b", re.IGNORECASE)),
)
_MOVE = re.compile(r"\bmov(?:e|es|ed|ing)\b.*?\bfrom\s+(?:the\s+destination\s+of\s+)?(.+?)\s+to\s+"
                   r"(?:the\s+destination\s+of\s+)?(.+?)(?:[.;:,]|$)", re.IGNORECASE)
_UNDER = re.compile(r"\bunder\s+(?:the\s+destination\s+of\s+)?(.+)$", re.IGNORECASE)
_QUOTED = re.compile(r"\"([^\"]+)\"")
_LOWER_OK = frozenset({"of", "the", "and"})


def _destination_phrase(text: str) -> tuple[str, str] | None:
    """(canonical, printed) for the longest run of words at the start of ``text`` naming a country."""
    words = []
    for word in text.split()[:7]:
        bare = word.strip(",;:.")
        if not bare or not (bare[0].isupper() or bare[0] == "(" or bare.lower() in _LOWER_OK):
            break
        words.append(word)
        if word.endswith((";", ":", ".")):
            break
    for n in range(len(words), 0, -1):
        phrase = " ".join(words[:n]).strip(" ,;:.")
        found = resolve(phrase)
        if found:
            return found.name, phrase
    return None


def _destination(clause: str) -> tuple[str | None, str | None]:
    """(canonical destination, printed) after "under"; (None, printed words) when they name no country."""
    match = _UNDER.search(clause)
    if not match:
        return None, None
    found = _destination_phrase(match.group(1))
    if found:
        return found
    printed = " ".join(w for w in match.group(1).split()[:3] if w[:1].isupper()).strip(" ,;:.")
    return None, printed or match.group(1)[:40]


def interpret(text: str, reprinted: tuple[EntityEntry, ...] = (), *, title: int | None = None,
              part: str | None = None, corrects: str | None = None, instruction: int | None = None,
              current: EntityList | None = None, plain_text: bool = False) -> EntityInterpretation:
    """What one AMDPAR does to the Entity List; empty when it is not about Supplement No. 4 to part 744.

    ``plain_text``: the instruction comes from a public-inspection text, which
    reprints no table: an entry added by name is an addition whose row is not
    known yet (``entity_entry`` None), not a review item; a revision still needs
    its row.
    """
    if title not in (None, 15) or part not in (None, "744"):
        return EntityInterpretation()
    text = normalize_instruction(text)
    header, parts = split_lettered(text)
    whole = bool(_SUPPLEMENT_4.search(header or text))
    if not whole and not any(_SUPPLEMENT_4.search(p) for p in parts):
        return EntityInterpretation()
    operations: list[Operation] = []
    review: list[ReviewItem] = []
    default_destination = _destination(header) if header and _UNDER.search(header) else (None, None)
    for part_text in parts:
        if not (whole or _SUPPLEMENT_4.search(part_text)):
            continue
        if _OTHER_PLACE.match(part_text) and not _SUPPLEMENT_4.search(part_text):
            continue       # a lettered part about another section or supplement
        destination = default_destination
        for clause in (c.strip() for c in _VERB_SPLIT.split(part_text) if c.strip()):
            found = _destination(clause)
            destination = found if found != (None, None) else destination
            ops, items = _clause(clause, destination, reprinted, corrects, instruction, current, plain_text)
            operations += ops
            review += items
    return EntityInterpretation(tuple(operations), tuple(review))


# What one clause yields: operations and review items.
_Clause = tuple[list[Operation], list[ReviewItem]]


def _clause(clause: str, destination: tuple[str | None, str | None], reprinted: tuple[EntityEntry, ...],
            corrects: str | None, instruction: int | None, current: EntityList | None,
            plain_text: bool = False) -> _Clause:
    def item(reason: ReviewReason, detail: str) -> ReviewItem:
        return ReviewItem(reason, detail, clause, ENTITY_LIST_TABLE, instruction)

    move = _MOVE.search(clause)
    if move:
        return _move(clause, move, reprinted, corrects, instruction, item)
    action = next((a for a, verb in _VERBS if verb.search(clause)), None)
    if action is None:
        return [], [item(ReviewReason.UNRECOGNIZED_WORDING, "Entity List wording not understood")]
    dest, printed = destination
    if dest is None:
        if printed:
            return [], [item(ReviewReason.UNKNOWN_COUNTRY, f"Entity List destination {printed!r} resolves to no country")]
        return [], [item(ReviewReason.NO_DESTINATION, "Entity List instruction names no destination (\"under ...\")")]
    names = [q.strip() for q in _QUOTED.findall(clause)]
    rows = [e for e in reprinted if e.destination == dest]

    def op(action_: Action, entity: str, entry: EntityEntry | None = None,
           changed: frozenset[EntryField] | None = None) -> Operation:
        return Operation(action_, ENTITY_LIST_TABLE, dest, text=clause, corrects=corrects, printed=printed,
                         entity=entity, entity_entry=entry, changed=changed, instruction=instruction)

    def not_listed(n: str) -> ReviewItem:
        return item(ReviewReason.ENTITY_NOT_PRESENT, f"{n!r} is not on the Entity List under {dest}")

    def not_reprinted(n: str) -> ReviewItem:
        return item(ReviewReason.ROW_NOT_REPRINTED, f"{n!r} is not in the reprinted table under {dest}")

    notes: list[ReviewItem]
    if action is Action.REMOVE_ENTRY:
        if not names:
            return [], [item(ReviewReason.NO_ENTITY, f"removal under {dest} names no entity in quotes")]
        notes = [not_listed(n) for n in names if current is not None and current.find(dest, n) is None]
        return [op(action, n) for n in names], notes
    if action is Action.ADD_ENTRY:
        if not names:
            if not rows:
                return [], [item(ReviewReason.ROW_NOT_REPRINTED, f"addition under {dest} with no reprinted entry")]
            return [op(action, r.name, r) for r in rows], []
        out: list[Operation] = []
        notes = []
        for n in names:
            row = _matching_row(rows, n)
            if row is None and plain_text:
                out.append(op(action, n))
            elif row is None:
                notes.append(not_reprinted(n))
            else:
                out.append(op(action, n, row))
        return (out, notes) if not notes else ([], notes)
    # revise / correct
    if not names:
        return [], [item(ReviewReason.NO_ENTITY, f"revision under {dest} names no entity in quotes")]
    out, notes, missing = [], [], []
    for n in names:
        # A renamed entity: the one reprinted row under the destination is the one revised entry.
        row = _matching_row(rows, n) or (rows[0] if len(rows) == 1 and len(names) == 1 else None)
        if row is None:
            missing.append(not_reprinted(n))
            continue
        before = current.find(dest, n) if current is not None else None
        if current is not None and before is None:
            notes.append(not_listed(n))
        out.append(op(action, n, row, changed_fields(before, row) if before is not None else None))
    # One revised entry without its reprint makes the clause inexact: all of it goes to review.
    return ([], missing + notes) if missing else (out, notes)


def _matching_row(rows: list[EntityEntry], name: str) -> EntityEntry | None:
    key = name_key(name)
    return next((r for r in rows if name_key(r.name) == key), None) or \
        next((r for r in rows if key in r.name_keys()), None)


def _move(clause: str, match: re.Match[str], reprinted: tuple[EntityEntry, ...], corrects: str | None,
          instruction: int | None, item: Callable[[ReviewReason, str], ReviewItem]) -> _Clause:
    source, target = _destination_phrase(match.group(1)), _destination_phrase(match.group(2))
    names = [q.strip() for q in _QUOTED.findall(clause)]
    if not source or not target or not names:
        return [], [item(ReviewReason.UNRECOGNIZED_WORDING,
                         "Entity List move not understood (from/to destination or entity missing)")]
    ops = []
    for n in names:
        row = _matching_row([e for e in reprinted if e.destination == target[0]], n)
        ops.append(Operation(Action.REMOVE_ENTRY, ENTITY_LIST_TABLE, source[0], text=clause, corrects=corrects,
                             printed=source[1], entity=n, moved_to=target[0], instruction=instruction))
        ops.append(Operation(Action.ADD_ENTRY, ENTITY_LIST_TABLE, target[0], text=clause, corrects=corrects,
                             printed=target[1], entity=n, entity_entry=row, moved_from=source[0],
                             instruction=instruction))
    return ops, []


def mark_moves(operations: list[Operation]) -> list[Operation]:
    """A removal under A and an addition of the same entity under B in one document: a move."""
    out = list(operations)
    for i, removal in enumerate(out):
        if removal.action is not Action.REMOVE_ENTRY or removal.moved_to:
            continue
        for j, addition in enumerate(out):
            if (addition.action is Action.ADD_ENTRY and not addition.moved_from
                    and addition.country != removal.country
                    and addition.entity is not None and removal.entity is not None
                    and name_key(addition.entity) == name_key(removal.entity)):
                out[i] = dataclasses.replace(removal, moved_to=addition.country)
                out[j] = dataclasses.replace(addition, moved_from=removal.country)
                break
    return out


# --------------------------------------------------------- version delta

@dataclass(frozen=True)
class EntityListDelta:
    """What changed between two eCFR versions: what confirms (or contradicts) the FR operations."""

    added: tuple[EntityEntry, ...] = ()
    removed: tuple[EntityEntry, ...] = ()
    revised: tuple[tuple[EntityEntry, EntityEntry, frozenset[EntryField]], ...] = ()   # (before, after, changed)


def entity_list_delta(before: EntityList, after: EntityList) -> EntityListDelta:
    """Entries added, removed and revised between two versions, matched by (destination, name key).

    Several entries under one key (one name, several addresses) are paired in
    printed order; the surplus on either side is added or removed.
    """
    old, new = before.index(), after.index()
    added: list[EntityEntry] = []
    removed: list[EntityEntry] = []
    revised: list[tuple[EntityEntry, EntityEntry, frozenset[EntryField]]] = []
    for key in dict.fromkeys([*old, *new]):
        olds, news = old.get(key, ()), new.get(key, ())
        for a, b in zip(olds, news, strict=False):   # the surplus on either side is added or removed below
            changed = changed_fields(a, b)
            if changed or a != b:
                revised.append((a, b, changed))
        added.extend(news[len(olds):])
        removed.extend(olds[len(news):])
    return EntityListDelta(tuple(added), tuple(removed), tuple(revised))


# ------------------------------------------------------------ the summary

_SENTENCE = re.compile(r"(?<=[.;])\s+(?=[A-Z])")
_COUNT_PATTERNS = (
    (re.compile(r"\badd(?:s|ed|ing)?\s+([\w-]+)\s+(?:new\s+)?entit(?:y|ies)(?:\s+under\s+([\w-]+)\s+entr(?:y|ies))?",
                re.IGNORECASE), ("entities_added", "entries_added")),
    (re.compile(r"\badd(?:s|ed|ing)?\s+([\w-]+)\s+(?:new\s+)?entr(?:y|ies)\b", re.IGNORECASE), ("entries_added",)),
    (re.compile(r"\bremov(?:e|es|ed|ing)\s+([\w-]+)\s+(?:existing\s+)?entit(?:y|ies)", re.IGNORECASE),
     ("entities_removed",)),
    (re.compile(r"\bremov(?:e|es|ed|ing)\s+([\w-]+)\s+(?:existing\s+)?entr(?:y|ies)", re.IGNORECASE),
     ("entries_removed",)),
    (re.compile(r"\brevis(?:e|es|ed|ing)\s+([\w-]+)\s+(?:existing\s+)?entr(?:y|ies)", re.IGNORECASE),
     ("entries_revised",)),
    (re.compile(r"\badd(?:s|ed|ing)?\s+[\w-]+\s+entit(?:y|ies)\s+and\s+([\w-]+)\s+address(?:es)?\b", re.IGNORECASE),
     ("addresses_added",)),
)


# A sentence about another document ("... a final rule that appeared in the Federal Register on ... (FR Doc.
# 2099-90001), which added an entity ...", as corrections open) states that document's counts, not this one's.
_OTHER_DOCUMENT = re.compile(r"\bFR\s+Doc\.|\bappeared\s+in\s+the\s+Federal\s+Register\b", re.IGNORECASE)


def summary_counts(text: str) -> SummaryCounts:
    """The Entity List counts a SUMMARY states; only sentences naming the Entity List, and not another document, count."""
    found: dict[str, int] = {}
    for sentence in _SENTENCE.split(squash(text)):
        if "entity list" not in sentence.lower() or _OTHER_DOCUMENT.search(sentence):
            continue
        for pattern, fields in _COUNT_PATTERNS:
            for match in pattern.finditer(sentence):
                for field, word in zip(fields, match.groups(), strict=True):
                    value = number_value(word) if word else None
                    if value is not None:
                        found.setdefault(field, value)
    return SummaryCounts(**found, text=squash(text))


def check_summary(counts: SummaryCounts, operations: list[Operation]) -> list[ReviewItem]:
    """Review items where the SUMMARY's counts differ from the parsed operations (moves not counted)."""
    adds = [o for o in operations if o.action is Action.ADD_ENTRY and not o.moved_from]
    removes = [o for o in operations if o.action is Action.REMOVE_ENTRY and not o.moved_to]
    revises = [o for o in operations if o.action is Action.REVISE_ENTRY]
    parsed = {
        "entities_added": (len({name_key(o.entity) for o in adds if o.entity is not None}), "entities", "added", "add"),
        "entries_added": (len(adds), "entries", "added", "add"),
        "entities_removed": (len({name_key(o.entity) for o in removes if o.entity is not None}), "entities", "removed",
                             "remove"),
        "entries_removed": (len(removes), "entries", "removed", "remove"),
        "entries_revised": (len(revises), "entries", "revised", "revise"),
    }
    if counts.addresses_added is not None:
        # Address entries are counted apart from entities and not distinguishable here: do not guess.
        parsed = {k: v for k, v in parsed.items() if not k.endswith("_added")}
    items = []
    for field, (count, noun, done, verb) in parsed.items():
        stated = getattr(counts, field)
        if stated is not None and stated != count:
            items.append(ReviewItem(ReviewReason.SUMMARY_MISMATCH,
                                    f"the summary says {stated} {noun} are {done}; the instructions {verb} {count}",
                                    counts.text, ENTITY_LIST_TABLE))
    return items


# -------------------------------------------------------------- documents

def parse_entity_list_changes(data: bytes, name: str, *, current: EntityList | None = None
                              ) -> tuple[DocumentListChanges, ...]:
    """Per FR document of an XML file: its Entity List operations, review items and summary counts.

    ``current`` (the Entity List in force before the document) lets
    revisions say what changed; without it ``Operation.changed`` is None.
    """
    return entity_list_changes_from_tree(parse_xml(data, name), name, current=current)


def entity_list_changes_from_tree(root: etree._Element, name: str, *, current: EntityList | None = None,
                                  documents: Sequence[FRDocument] | None = None) -> tuple[DocumentListChanges, ...]:
    """Like parse_entity_list_changes on a parsed tree; ``documents``: its parse_fr_tree result, if at hand."""
    out = []
    for doc in fr_documents(root, name, documents):
        operations: list[Operation] = []
        review: list[ReviewItem] = []
        for amdpar in doc.amdpars:
            tables = [t for el in amdpar.content for t in ([el] if el.tag == "GPOTABLE" else el.iter("GPOTABLE"))]
            rows = tuple(e for t in tables for e in reprinted_entries(t))
            result = interpret(amdpar.text, rows, title=amdpar.title, part=amdpar.part, corrects=doc.corrects,
                               instruction=amdpar.index, current=current)
            operations += result.operations
            review += result.review
        operations = mark_moves(operations)
        counts = summary_counts(doc.summary)
        review += check_summary(counts, operations)
        out.append(DocumentListChanges(doc.document_number, doc.corrects, tuple(operations), tuple(review),
                                       summary=counts))
    return tuple(out)
