"""Domain types produced by the parsers: frozen, hashable, free of I/O.

Every other layer (store, history engine, renderers) speaks these types, so
changing a field here is a contract change: update the JSON contract in
``parsers/detect.py`` and the README together.
"""
from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from parsers.errors import UnknownGroupError

# Column codes of Supplement No. 1 to part 740, in printed order. "B" is a list.
GROUP_CODES: tuple[str, ...] = (
    "A:1", "A:2", "A:3", "A:4", "A:5", "A:6",
    "B",
    "D:1", "D:2", "D:3", "D:4", "D:5",
    "E:1", "E:2",
)

_GROUP_CODE_TYPED = re.compile(r"^(?:country\s+group\s+)?([abde])\s*(?::\s*)?([1-6])?$", re.I)


def normalize_group_code(typed: str) -> str:
    """The column code a person means by "D5", "d:5", "D: 5" or "Country Group B"; refuse the rest.

    Typed codes reach SQL filters and watchlists: "D5" silently matching
    nothing would read as "no changes", so an unknown code raises.
    """
    match = _GROUP_CODE_TYPED.match(" ".join(typed.split()))
    code = None
    if match:
        letter, digit = match.group(1).upper(), match.group(2)
        code = f"{letter}:{digit}" if digit else letter
    if code not in GROUP_CODES:
        raise UnknownGroupError(typed, GROUP_CODES)
    return code


# The table ("Country Group A") each column code belongs to.
TABLE_OF_CODE: dict[str, str] = {
    code: f"Country Group {code.split(':')[0]}" for code in GROUP_CODES
}

# The fewest rows any real version prints: a parse (or a whole-table reprint)
# with fewer is refused, never read as the table.
MIN_ROWS: dict[str, int] = {"Country Group A": 10, "Country Group D": 10, "Country Group E": 2}
MIN_B_NAMES = 20

_CODE_IN_HEAD = re.compile(r"\[?\s*([ABDE])\s*:\s*(\d)\s*\]?", re.IGNORECASE)


def column_code(head: str) -> str | None:
    """"D:5" from "[D:5] U.S. Arms Embargoed Countries" or "Country Group D:5"."""
    match = _CODE_IN_HEAD.search(head)
    return f"{match.group(1).upper()}:{match.group(2)}" if match else None


class GroupTableId(enum.Enum):
    """One printed table of Supplement No. 1 ("Country Group D"), known by its letter.

    Operations and column codes name tables as text ("Country Group D", "D:5");
    this is the one decoder of both, so nothing slices the letter off a string.
    """

    A = "A"
    B = "B"
    D = "D"
    E = "E"

    @property
    def title(self) -> str:
        """"Country Group D": how the supplement (and ``Operation.table``) names it."""
        return f"Country Group {self.value}"

    @classmethod
    def of_code(cls, code: str) -> GroupTableId | None:
        """The table a column code belongs to: "D:5" -> D, "B" -> B; None for a code of no table."""
        letter = code.partition(":")[0].strip().upper()
        return cls.__members__.get(letter)

    @classmethod
    def of_title(cls, title: str | None) -> GroupTableId | None:
        """"Country Group D" (any case, extra spaces) -> D; None when the text names no table."""
        words = (title or "").split()
        return cls.__members__.get(words[-1].upper()) if words else None


class ListKind(enum.Enum):
    """A tracked list (one eCFR unit and what is derived from it); the value is ``ecfr_versions.kind``."""

    COUNTRY_GROUPS = "country_groups"     # Supplement No. 1 to part 740
    ITAR_126_1 = "itar_126_1"             # 22 CFR 126.1
    SECTION_744_21 = "744.21"             # 15 CFR 744.21: military end use / end user countries
    SECTION_744_22 = "744.22"             # 15 CFR 744.22: military-intelligence end use / end user countries
    ENTITY_LIST = "entity_list"           # Supplement No. 4 to part 744


_LEADING_NUMBER = re.compile(r"^\s*(\d+)")


@dataclass(frozen=True)
class CfrPart:
    """A CFR title and part that an FR document cites or an instruction amends: "15 CFR 740".

    ``title`` is None when the source gives no readable title: such a
    reference matches a range of any title (a watch filter must not drop a
    document over a missing number). ``part`` is kept as printed ("740").
    """

    title: int | None
    part: str

    def __str__(self) -> str:
        return f"{self.title} CFR {self.part}"

    @classmethod
    def from_api(cls, ref: object) -> CfrPart | None:
        """One federalregister.gov ``cfr_references`` item ({"title": 15, "part": 740}); None without a part."""
        if not isinstance(ref, dict) or ref.get("part") in (None, ""):
            return None
        title = str(ref.get("title")).strip()
        return cls(int(title) if title.isdigit() else None, str(ref["part"]).strip())

    @classmethod
    def from_api_list(cls, refs: object) -> tuple[CfrPart, ...]:
        """Every readable reference of a stored ``cfr_references`` list, in order."""
        items = refs if isinstance(refs, (list, tuple)) else ()
        return tuple(p for p in (cls.from_api(r) for r in items) if p is not None)

    @property
    def number(self) -> int | None:
        """The part's number: 740 for "740" (and for "740.1"); None when it starts with none."""
        match = _LEADING_NUMBER.match(self.part)
        return int(match.group(1)) if match else None

    def within(self, title: int, first: int, last: int) -> bool:
        """Is this reference in parts ``first``..``last`` of ``title``? The one range test."""
        number = self.number
        return (self.title is None or self.title == title) and number is not None and first <= number <= last


class Action(enum.Enum):
    """What an amendatory instruction does to a tracked table.

    Every tracked list speaks these: Country Groups (all of them), the
    § 744.21/§ 744.22 country lists and the Entity List (ADD_ENTRY,
    REMOVE_ENTRY, REVISE_ENTRY; an Entity List move is a REMOVE_ENTRY with
    ``moved_to`` and an ADD_ENTRY with ``moved_from``, a correction an
    operation with ``corrects``).
    """

    REVISE_ENTRY = "revise_entry"
    ADD_ENTRY = "add_entry"
    REMOVE_ENTRY = "remove_entry"
    REVISE_TABLE = "revise_table"
    AMEND_TEXT = "amend_text"
    UNRECOGNIZED = "unrecognized"
    ADD_MARK = "add_mark"             # an "X" put in one column (``Operation.column``) of an entry
    REMOVE_MARK = "remove_mark"       # an "X" taken out of one column of an entry


class ReviewReason(enum.Enum):
    """Why an operation's effect cannot be determined exactly, so it is held for a person, not applied."""

    UNRECOGNIZED_WORDING = "unrecognized_wording"      # no pass understands the sentence
    TABLE_NOT_REPRINTED = "table_not_reprinted"        # a whole-table revision without the table
    ROW_NOT_REPRINTED = "row_not_reprinted"            # an added/revised entry without its row
    UNKNOWN_COUNTRY = "unknown_country"                # the name resolves to no country
    NO_TABLE = "no_table"                              # the instruction names no Country Group
    NO_COUNTRY = "no_country"                          # the instruction names no country
    NO_COLUMN = "no_column"                            # a mark put in or taken out, no column named
    NO_EFFECT = "no_effect"                            # exact, but changes nothing in the given table
    TABLE_INCOMPLETE = "table_incomplete"              # a whole-table reprint with rows elided or too few rows
    NAMES_NOT_PAIRED = "names_not_paired"              # several names and several columns: which goes where?
    ALREADY_PRESENT = "already_present"                # an entry added for a country the table already has
    NOT_PRESENT = "not_present"                        # an entry revised for a country the table does not have
    NO_UNIT = "no_unit"                                # names no unit: the supplement would be a guess
    # The lists beyond Country Groups (§ 744.21/§ 744.22, the Entity List):
    PLACES_DISAGREE = "places_disagree"                # a section's heading and paragraph (a) list different countries
    PARTIAL_CHANGE = "partial_change"                  # the heading or paragraph (a) changes, not both
    NO_LOCATION = "no_location"                        # words changed in a section, not said where
    TEXT_NOT_REPRINTED = "text_not_reprinted"          # a revised heading/paragraph without its reprinted text
    NO_DESTINATION = "no_destination"                  # an Entity List instruction or row under no destination
    NO_ENTITY = "no_entity"                            # an Entity List instruction that names no entity
    ENTITY_NOT_PRESENT = "entity_not_present"          # removed or revised, but not on the list under that destination
    MALFORMED_ROW = "malformed_row"                    # a table row that cannot be read as an entry
    SUMMARY_MISMATCH = "summary_mismatch"              # the SUMMARY's counts differ from what the instructions do

    @property
    def description(self) -> str:
        return _REVIEW_TEXT[self]


_REVIEW_TEXT = {
    ReviewReason.UNRECOGNIZED_WORDING: "unrecognized amendment wording",
    ReviewReason.TABLE_NOT_REPRINTED: "whole-table revision without the reprinted table",
    ReviewReason.ROW_NOT_REPRINTED: "added or revised entry without its reprinted row",
    ReviewReason.UNKNOWN_COUNTRY: "the name resolves to no known country",
    ReviewReason.NO_TABLE: "instruction names no Country Group table",
    ReviewReason.NO_COUNTRY: "instruction names no country",
    ReviewReason.NO_COLUMN: "an \"X\" added or removed without the column it is in",
    ReviewReason.NO_EFFECT: "the instruction changes nothing in this table (country not there, or already so)",
    ReviewReason.TABLE_INCOMPLETE: "whole-table revision whose reprint is not complete (rows elided or too few)",
    ReviewReason.NAMES_NOT_PAIRED: "several names and several columns or tables that cannot be paired exactly",
    ReviewReason.ALREADY_PRESENT: "an entry added for a country the table already has",
    ReviewReason.NOT_PRESENT: "an entry revised for a country the table does not have",
    ReviewReason.NO_UNIT: "the instruction names no unit it amends (Supplement No. 1 to part 740 would be a guess)",
    ReviewReason.PLACES_DISAGREE: "the section heading and paragraph (a) list different countries",
    ReviewReason.PARTIAL_CHANGE: "the section heading or paragraph (a) changes, not both",
    ReviewReason.NO_LOCATION: "the instruction does not say where the words change (heading, paragraph (a) or another "
                              "paragraph)",
    ReviewReason.TEXT_NOT_REPRINTED: "revised section text not found in the reprint after the instruction",
    ReviewReason.NO_DESTINATION: "an Entity List instruction or entry under no destination",
    ReviewReason.NO_ENTITY: "an Entity List instruction that names no entity",
    ReviewReason.ENTITY_NOT_PRESENT: "the entity is not on the Entity List under that destination",
    ReviewReason.MALFORMED_ROW: "a table row that cannot be read as an entry",
    ReviewReason.SUMMARY_MISMATCH: "the rule's summary counts differ from what its instructions do",
}


@dataclass(frozen=True)
class ReviewItem:
    """Something a parser could not determine exactly: held for a person, never applied, never dropped.

    One shape for every list beyond Country Groups (whose instructions are
    held as ``Operation.review`` instead), for eCFR versions and FR rules
    alike. ``reason`` says which kind; ``detail`` the sentence that says
    what exactly ("'Freedonia' resolves to no country"); ``text`` the
    document text it is about (a clause, a heading, a table row), so a person
    can check it without opening the file; ``instruction`` the 0-based AMDPAR
    index (= ``Instruction.index``) when it is about one.
    """

    reason: ReviewReason
    detail: str = ""
    text: str = ""
    table: str | None = None
    instruction: int | None = None


class DateChangeKind(enum.Enum):
    """How a notice moves another rule's effective date."""

    DELAY = "delay"              # "is delayed from D1 to D2"
    CORRECTION = "correction"    # "is corrected from D1 to D2"


@dataclass(frozen=True)
class EffectiveDateChange:
    """A notice's statement that another rule's effective date moves from D1 to D2.

    The rule is named by whatever the notice prints: its FR Doc. number, its
    FR citation, its publication date (any may be None). ``new_date`` is None
    when the notice gives none ("delayed indefinitely"): that is for a human.
    """

    kind: DateChangeKind
    old_date: date | None
    new_date: date | None
    document_number: str | None = None   # "2026-00012"
    citation: str | None = None          # "91 FR 123"
    published: date | None = None        # the moved rule's publication date
    text: str = ""                       # the sentence that says so


class DocumentKind(enum.Enum):
    """What ``parsers.detect`` found a file to be."""

    FR_DOCUMENTS = "fr_documents"
    COUNTRY_GROUPS = "country_groups"
    ITAR_126_1 = "itar_126_1"
    SECTIONS_744 = "sections_744"         # eCFR § 744.21 and/or § 744.22
    ENTITY_LIST = "entity_list"           # eCFR Supplement No. 4 to part 744


@dataclass(frozen=True)
class Entry:
    """One country row as reprinted in an FR rule or read from the eCFR.

    ``marks`` maps every column code of the row's table to True/False, as
    (code, marked) pairs in column order so the object stays hashable.
    """

    country: str                      # normalized ("Korea, North")
    printed: str                      # as printed, footnote digits included
    marks: tuple[tuple[str, bool], ...]
    footnotes: tuple[str, ...] = ()   # footnote markers on the country cell

    def marks_dict(self) -> dict[str, bool]:
        return dict(self.marks)

    def groups(self) -> frozenset[str]:
        return frozenset(code for code, marked in self.marks if marked)


ENTITY_LIST_TABLE = "Entity List"


class EntryField(enum.Enum):
    """A part of an Entity List entry a revision can change."""

    DESTINATION = "destination"
    NAME = "name"
    ALIASES = "aliases"
    ADDRESS = "address"
    LICENSE_REQUIREMENT = "license_requirement"
    REVIEW_POLICY = "review_policy"
    CITATIONS = "citations"


_FORMS = {"company": "co", "limited": "ltd", "corporation": "corp", "incorporated": "inc"}
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def name_key(name: str) -> str:
    """The comparable form of an entity name: case, accents, punctuation and legal-form variants folded.

    "Example Co., Ltd." = "EXAMPLE CO LTD" = "Example Company Limited";
    "Zaheer & Sons" = "Zaheer and Sons"; "S.A." = "SA"; a leading "The" drops.
    """
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ").replace("'", "").replace("\u2019", "")
    words = [_FORMS.get(w, w) for w in _NOT_WORD.sub(" ", text).split()]
    merged: list[str] = []
    letters = False
    for word in words:       # "s a" (from "S.A.") = "sa"; "l l c" = "llc"
        single = len(word) == 1 and word.isalpha()
        if single and letters:
            merged[-1] += word
        else:
            merged.append(word)
        letters = single
    if merged and merged[0] == "the":
        merged = merged[1:]
    return " ".join(merged)


@dataclass(frozen=True)
class EntityEntry:
    """One Entity List entry (one table row), from the eCFR or reprinted in an FR rule."""

    destination: str                  # canonical country name; the printed name when it resolves to none
    destination_printed: str          # "CHINA, PEOPLE'S REPUBLIC OF"
    name: str                         # first name, as printed
    aliases: tuple[str, ...] = ()
    address: str = ""
    license_requirement: str = ""
    review_policy: str = ""
    citations: tuple[str, ...] = ()   # ("99 FR 00001, 1/2/99", ...)
    footnotes: tuple[str, ...] = ()   # superscript markers in the row

    @property
    def key(self) -> tuple[str, str]:
        return self.destination, name_key(self.name)

    def name_keys(self) -> frozenset[str]:
        """Keys of the first name and every a.k.a. name."""
        return frozenset(name_key(n) for n in (self.name, *self.aliases))


@dataclass(frozen=True)
class Operation:
    """One change an instruction makes to a tracked table.

    ``table`` is "Country Group A"/"B"/"D"/"E" (None when the instruction does
    not say); ``entries`` holds the reprinted row(s): one for revise/add, all
    rows for revise_table, none for remove/amend_text/unrecognized/marks.
    ``column`` is the one column code ("D:5") an add_mark/remove_mark changes.
    ``country`` is frtrack's canonical name when the printed name resolves
    (``printed`` keeps the instruction's own spelling). An operation with a
    ``review`` reason is held for a person and never applied.

    The same type carries the lists beyond Country Groups: ``table`` "15 CFR
    744.21"/"15 CFR 744.22" with the country added, removed or reprinted;
    ``table`` "Entity List" with ``country`` the destination, ``entity`` the
    entity as the instruction names it (the reprinted first name when it
    quotes none), ``entity_entry`` the reprinted row (add, revise),
    ``changed`` what a revision changes (None: the prior version was not
    given, so unknown, not guessed), ``moved_from``/``moved_to`` for a move.
    ``instruction`` is the AMDPAR index these operations came from (they are
    listed per document, not inside their ``Instruction``).
    """

    action: Action
    table: str | None
    country: str | None
    entries: tuple[Entry, ...] = ()
    text: str = ""                    # the (sub-)instruction text it came from
    corrects: str | None = None       # FR doc number this operation corrects
    column: str | None = None         # "D:5" for ADD_MARK / REMOVE_MARK
    printed: str | None = None        # the country as the instruction prints it, quotes removed
    review: ReviewReason | None = None
    entity: str | None = None         # Entity List: the entity's first name as printed
    entity_entry: EntityEntry | None = None   # Entity List: the reprinted row (add, revise)
    changed: frozenset[EntryField] | None = None   # Entity List revision: the parts that differ
    moved_from: str | None = None     # Entity List: on the add of a move, the old destination
    moved_to: str | None = None       # Entity List: on the remove of a move, the new destination
    instruction: int | None = None    # lists beyond Country Groups: 0-based AMDPAR index

    @property
    def marks(self) -> dict[str, bool] | None:
        if self.action in (Action.REVISE_ENTRY, Action.ADD_ENTRY) and len(self.entries) == 1:
            return self.entries[0].marks_dict()
        return None


@dataclass(frozen=True)
class ReprintedTable:
    """A GPOTABLE printed after an AMDPAR: column heads and rows of cell text."""

    title: str | None
    column_heads: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    elided: bool = False              # rows left out ("* * *"): the reprint is not the whole table


@dataclass(frozen=True)
class Instruction:
    """One AMDPAR with the REGTEXT it sits in and the content that follows it."""

    index: int                        # 0-based position among the document's AMDPARs
    title: int | None                 # REGTEXT TITLE
    part: str | None                  # REGTEXT PART
    text: str                         # AMDPAR text, whitespace normalized
    content_tags: tuple[str, ...] = ()  # SECTION, GPOTABLE, EXTRACT, STARS, ...
    tables: tuple[ReprintedTable, ...] = ()
    operations: tuple[Operation, ...] = ()
    # Printed amendatory instruction number ("3." -> 3); lettered parts ("a.")
    # and unnumbered continuations carry the number of the instruction they belong to.
    number: int | None = None
    # From a DATES exception naming this instruction; None = the document's date.
    effective_date: date | None = None
    effective_until: date | None = None   # last day of an "effective from ... through ..." interval


@dataclass(frozen=True)
class FRDocument:
    """One Federal Register document (RULE, PRORULE, NOTICE, CORRECT, ...)."""

    document_number: str              # "2026-02262", "C1-2020-04178"
    doc_type: str                     # root/element tag: RULE, PRORULE, NOTICE, CORRECT
    agency: str | None = None
    subagency: str | None = None
    cfr_parts: tuple[str, ...] = ()   # ("15 CFR 740",) style, from CFR and REGTEXT
    rins: tuple[str, ...] = ()        # ("0694-AK41",)
    subject: str | None = None
    action: str | None = None         # "Final rule."
    publication_date: date | None = None
    citation: str | None = None       # "91 FR 5123" where the XML says (PRTPAGE/FEDREG)
    dates_text: str | None = None     # DATES/EFFDATE text
    effective_date: date | None = None
    effective_on_publication: bool = False
    corrects: str | None = None       # document number this corrects, if a correction
    instructions: tuple[Instruction, ...] = ()
    effective_until: date | None = None   # "effective from ... through ..." (last day)
    # "30 days after publication", "[INSERT DATE 30 DAYS AFTER ...]": kept even
    # when the publication date (hence effective_date) is unknown; 0 = on publication.
    effective_days_after_publication: int | None = None
    effective_date_changes: tuple[EffectiveDateChange, ...] = ()   # a delay/correction notice's moves
    effective_problems: tuple[str, ...] = ()   # why a date in DATES could not be read exactly


@dataclass(frozen=True)
class Column:
    """A column of a country-group table: "D:5", "U.S. Arms Embargoed Countries"."""

    code: str
    name: str
    footnotes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Note:
    """A footnote printed after a table; ``marker`` is its superscript number."""

    table: str | None
    marker: str
    text: str


@dataclass(frozen=True)
class GroupTable:
    """One printed table of Supplement No. 1 ("Country Group D")."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[Entry, ...]
    footnotes: tuple[str, ...] = ()   # markers on the table title
    notes: tuple[Note, ...] = ()


@dataclass(frozen=True)
class CountryGroupTable:
    """All of Supplement No. 1 to part 740 at one eCFR version."""

    tables: tuple[GroupTable, ...]
    b_list: tuple[str, ...] = ()      # Country Group B, normalized names
    b_printed: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()
    version_date: date | None = None  # from the XML where present

    def columns(self) -> dict[str, str]:
        cols = {c.code: c.name for t in self.tables for c in t.columns}
        if self.b_list:
            cols.setdefault("B", "Country Group B")
        return cols

    def memberships(self) -> frozenset[tuple[str, str]]:
        """(country, code) pairs; B-list countries carry code "B"."""
        pairs = {(row.country, code) for t in self.tables for row in t.rows
                 for code, marked in row.marks if marked}
        pairs.update((c, "B") for c in self.b_list)
        return frozenset(pairs)


@dataclass(frozen=True)
class ItarEntry:
    """Where 22 CFR 126.1 names one country: table (d)(1), table (d)(2), its own paragraph."""

    country: str                      # canonical name (parsers.countries)
    printed: str                      # as 126.1 prints it ("North Korea.", "Democratic Republic of Congo")
    in_d1: bool = False               # policy of denial, paragraph (d)(1)
    in_d2: bool = False               # listed in the paragraph (d)(2) table
    d2_paragraph: str | None = None   # the letter its (d)(2) row points to ("o" for "See also paragraph (o)")
    paragraph: str | None = None      # the letter of its own country paragraph ("(o) Cambodia."), if any


@dataclass(frozen=True)
class ItarReview:
    """Something in a 126.1 version that cannot be read as an exact fact; held for a person."""

    country: str                      # as printed
    reason: str


@dataclass(frozen=True)
class ItarList:
    """Countries proscribed by 22 CFR 126.1 at one eCFR version.

    ``countries`` are the countries the (d)(1) and (d)(2) lists name. A country
    whose paragraph remains while no list names it is in ``entries`` (with only
    ``paragraph`` set) and in ``review``, never silently dropped or kept.
    """

    countries: tuple[str, ...]        # canonical names, sorted
    printed: tuple[str, ...] = field(default=())
    version_date: date | None = None
    entries: tuple[ItarEntry, ...] = ()   # sorted by country
    review: tuple[ItarReview, ...] = ()

    def entry(self, country: str) -> ItarEntry | None:
        return next((e for e in self.entries if e.country == country), None)

    def paragraph_only(self) -> tuple[str, ...]:
        """Countries with a paragraph of their own but no row in (d)(1) or (d)(2)."""
        return tuple(e.country for e in self.entries if e.paragraph and not (e.in_d1 or e.in_d2))
