"""22 CFR 126.1 (ITAR): the countries the State Department proscribes, compared with EAR D:5.

The state is the set of (country, "126.1") entries as 126.1 prints the names
(compared by country identity where it is used). The unit takes no FR
instructions and produces no changes of its own: its versions feed the D:5 /
126.1 divergences (``pipeline.derive.divergences``).
"""
from __future__ import annotations

from parsers.itar import parse_itar_126_1
from parsers.model import ItarList, ListKind
from pipeline.derive.units import EcfrUnit, Renderers, TrackedUnit, VersionSummary

ECFR = EcfrUnit(22, "126", section="126.1")

# The "group" of every 126.1 entry: the state has the same (name, code) shape as Country Groups.
CODE = "126.1"


def summarize(parsed: ItarList) -> VersionSummary:
    return VersionSummary(frozenset((c.strip(), CODE) for c in parsed.countries))


UNIT: TrackedUnit = TrackedUnit(
    kind=ListKind.ITAR_126_1,
    ecfr=ECFR,
    parse_version=parse_itar_126_1,
    summarize=summarize,
    interpret=None,
    state_type=frozenset[tuple[str, str]],
    renderers=Renderers(name="\u00a7 126.1", title="ITAR \u00a7 126.1", slug="itar-126-1",
                        pages=(("divergences", "divergences.html"),)),
    unknown_name="names no known country: compared under its printed name; check the spelling",
)
