"""Review items about eCFR versions, and the one-line form the run summary prints."""
from __future__ import annotations

from collections.abc import Iterable

from parsers.lifecycle import SourceKind, SourceRef
from parsers.text import clip
from pipeline.derive.divergences import Unresolved
from pipeline.derive.rows import Accepted, ReviewItem, Suspect, Version
from pipeline.derive.units import TrackedUnit


def suspect_review(unit: TrackedUnit, suspects: Iterable[Suspect]) -> list[ReviewItem]:
    """One item per version held as suspect (document 'ecfr:DATE', subject ecfr_version)."""
    return [ReviewItem.on_version(s.date, f"{unit.ecfr.label} as of {s.date}",
                                  f"held as a suspect version: {s.reason}; its changes are not published and the next"
                                  f" version is compared with the last trusted one ({s.last_trusted}); a next version"
                                  " that shows it again accepts it")
            for s in suspects]


def unknown_name_review(unit: TrackedUnit, names: Iterable[Unresolved]) -> list[ReviewItem]:
    """One item per printed name that resolves to no country, at the first version printing it."""
    return [ReviewItem.on_version(n.date, f"{unit.ecfr.label} as of {n.date}: {n.name!r}", unit.unknown_name)
            for n in names]


def problem_review(unit: TrackedUnit, versions: Iterable[Version]) -> list[ReviewItem]:
    """One item per problem a version's parser raised (heading and (a) disagree, a row not read), at the first
    version printing it: the same problem in the next versions is the same item, not news again."""
    out: list[ReviewItem] = []
    seen: set[tuple[str, str]] = set()
    for v in versions:
        for text, reason in v.problems:
            if (text, reason) not in seen:
                seen.add((text, reason))
                out.append(ReviewItem.on_version(v.date, f"{unit.ecfr.label} as of {v.date}: {text}", reason))
    return out


def accepted_review(unit: TrackedUnit, accepted: Iterable[Accepted]) -> list[ReviewItem]:
    """One item per suspect version accepted because the next version showed it again.

    Same document and text as the item that held it: the review sync updates its reason.
    """
    assert unit.changes is not None
    title = unit.changes.table_title
    return [ReviewItem.on_version(a.date, f"{unit.ecfr.label} as of {a.date}",
                                  f"accepted as of {a.date}: it was held as suspect ({a.reason}) and the next version"
                                  f" ({a.confirmed_by}) shows {', '.join(title(t) for t in a.tables)} again as it"
                                  f" does; its changes are reported as of {a.date}, attributed to an FR rule where one"
                                  " explains them, else unattributed")
            for a in accepted]


def review_line(number: str, idx: int | None, text: str, reason: str) -> str:
    """One line of the run summary for a review item: the document, the instruction, why, the text (clipped)."""
    ref = SourceRef.parse(number)
    if ref is not None and ref.kind is SourceKind.ECFR:
        return f"eCFR version {ref.value}: {clip(text, 160)}: {reason}"
    where = "" if idx is None else f", instruction {idx + 1}"
    return f"FR Doc. {number}{where}: {reason}: {clip(text, 160)}"
