"""15 CFR 744.21: the countries of the military end use / military end user rule.

Its heading and paragraph (a) name them ("... in Belarus, Burma, Cambodia, the
People's Republic of China, Nicaragua, Russia, or Venezuela"); everything the
unit does is ``section_lists``.
"""
from __future__ import annotations

from parsers.model import ListKind
from pipeline.derive.units import TrackedUnit
from pipeline.derive.units.section_lists import section_unit

UNIT: TrackedUnit = section_unit(
    ListKind.SECTION_744_21, "744.21", "military end use / end user",
    unknown_name="§ 744.21 names no known country here: kept under its printed name; check the spelling")
