"""Plain-English pieces shared by the digest, the site and the CLI summaries.

One place for counts ("1 review item", "2 review items"), clipped quotes
(never cut mid-word without an ellipsis), agency names instead of API slugs,
and the D:5 / 126.1 divergence sentence, so every output says it the same way.
"""
from __future__ import annotations

from parsers.text import clip  # noqa: F401  (re-exported: renderers import it from here)

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
