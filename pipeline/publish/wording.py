"""Plain-English pieces shared by the digest, the site and the CLI summaries.

One place for counts ("1 review item", "2 review items"), clipped quotes
(never cut mid-word without an ellipsis), agency names instead of API slugs,
and the D:5 / 126.1 divergence sentence, so every output says it the same way.
"""
from __future__ import annotations

from parsers.lifecycle import ChangeStatus, DivergenceSide
from parsers.text import clip  # noqa: F401  (re-exported: renderers import it from here)
from pipeline.derive.units import REGISTRY

_IRREGULAR = {"country": "countries", "entry": "entries", "was": "were", "divergence": "divergences"}

# federalregister.gov agency slugs -> the agency's name as the API prints it
AGENCY_NAMES = {
    "industry-and-security-bureau": "Industry and Security Bureau",
    "state-department": "State Department",
    "commerce-department": "Commerce Department",
    "foreign-assets-control-office": "Foreign Assets Control Office",
    "treasury-department": "Treasury Department",
}
_SMALL = {"and", "of", "the", "for", "on", "in", "to"}


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """``plural(1, "review item")`` -> "1 review item"; the last word takes the plural."""
    if n == 1:
        return f"{n} {singular}"
    if plural_form is None:
        head, _, last = singular.rpartition(" ")
        word = _IRREGULAR.get(last) or (last[:-1] + "ies" if last.endswith("y") and last[-2:-1] not in "aeiou"
                                        else last + ("es" if last.endswith(("s", "x", "ch", "sh")) else "s"))
        plural_form = f"{head} {word}" if head else word
    return f"{n} {plural_form}"


def agency_name(slug: str) -> str:
    """The agency's name for a federalregister.gov slug ("industry-and-security-bureau")."""
    if slug in AGENCY_NAMES:
        return AGENCY_NAMES[slug]
    words = str(slug).replace("_", "-").split("-")
    return " ".join(w if i and w in _SMALL else w.capitalize() for i, w in enumerate(words) if w)


_LISTS = {"ear": "D:5", "itar": "126.1"}
_WHO = {"ear": "BIS changed D:5 first", "itar": "State changed 126.1 first"}


def divergence_sentence(side: str, moved_first: str) -> str:
    """``("ear_only", "itar")`` -> "in D:5 but not in 126.1; State changed 126.1 first"."""
    has, lacks = ("ear", "itar") if side == "ear_only" else ("itar", "ear")
    where = f"in {_LISTS[has]} but not in {_LISTS[lacks]}"
    who = _WHO.get(moved_first)
    return f"{where}; {who}" if who else where


# --- the lists: how every output names a list and a change of it ---------------------

# Read from the registry: the units with changes of their own, in registry order, named by their Renderers.
# A new list is one unit module and one registry entry; these follow.
_LIST_UNITS = tuple(u for u in REGISTRY if u.changes is not None)
CHANGE_LISTS: tuple[str, ...] = tuple(u.kind.value for u in _LIST_UNITS)   # ListKind values
LIST_NAMES = {u.kind.value: u.renderers.name for u in _LIST_UNITS}
LIST_TITLES = {u.kind.value: u.renderers.title for u in _LIST_UNITS}
LIST_SLUGS = {u.kind.value: u.renderers.slug for u in _LIST_UNITS}
# The country lists that are one eCFR section (a country page says whether the country is in each).
SECTION_LISTS: tuple[str, ...] = tuple(u.kind.value for u in _LIST_UNITS if u.ecfr.section and u.memberships)
NOT_TRACKED = "not tracked in this database (no version stored)"
_FIELD_WORDS = {"license_requirement": "license requirement", "review_policy": "license review policy"}


def list_of(row: dict) -> str:
    """The list a change or membership row belongs to (rows written before the other lists: Country Groups)."""
    return row.get("list") or "country_groups"


def detail_words(detail: dict | None) -> str:
    """What a revision or move changed, in words: "address, citations" / "moved to Russia"; "" when nothing."""
    if not detail:
        return ""
    if detail.get("fields"):
        return ", ".join(_FIELD_WORDS.get(f, f.replace("_", " ")) for f in detail["fields"])
    if detail.get("moved_to"):
        return f"moved to {detail['moved_to']}"
    if detail.get("moved_from"):
        return f"moved from {detail['moved_from']}"
    return ""


def change_phrase(row: dict) -> str:
    """One change of any list, after its country: "added to D:5", "removed from \u00a7 744.21",
    "Entity List: revised \u201cExample Co.\u201d (address)"."""
    lst, action = list_of(row), row["action"]
    prep = {"added": "to", "removed": "from"}.get(action, "in")
    if lst == "country_groups":
        return f"{action} {prep} {row.get('group')}"
    if lst == "entity_list":
        words = detail_words(row.get("detail"))
        return f"Entity List: {action} \u201c{row.get('entity') or '?'}\u201d" + (f" ({words})" if words else "")
    return f"{action} {prep} {LIST_NAMES.get(lst, lst)}"


# A status in a table cell or filter (the site) and as a section heading (the digest): one vocabulary.
STATUS_NAMES = {
    ChangeStatus.ANNOUNCED: "announced", ChangeStatus.PUBLISHED: "published",
    ChangeStatus.IN_EFFECT: "in effect", ChangeStatus.CONFIRMED: "confirmed",
    ChangeStatus.CONTRADICTED: "contradicted", ChangeStatus.UNATTRIBUTED: "unattributed",
    ChangeStatus.WITHDRAWN: "withdrawn",
}
STATUS_HEADINGS = {
    ChangeStatus.ANNOUNCED: "Announced (on public inspection, not yet published)",
    ChangeStatus.PUBLISHED: "Published in the Federal Register",
    ChangeStatus.IN_EFFECT: "In effect (not yet in the eCFR)",
    ChangeStatus.CONFIRMED: "Confirmed by the eCFR",
    ChangeStatus.CONTRADICTED: "Contradicted by the eCFR — check",
    ChangeStatus.UNATTRIBUTED: "In the eCFR with no FR document found",
    ChangeStatus.WITHDRAWN: "Withdrawn (reported before, no longer derived from the sources)",
}
SIDE_LABELS = {DivergenceSide.ITAR_ONLY: "in ITAR § 126.1, not in EAR D:5",
               DivergenceSide.EAR_ONLY: "in EAR D:5, not in ITAR § 126.1"}
