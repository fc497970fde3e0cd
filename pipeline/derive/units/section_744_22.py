"""15 CFR 744.22: the countries of the military-intelligence end use / end user rule.

Paragraph (a) names them (the heading names none; the section also reaches
"a country listed in Country Groups E:1 or E:2", which the Country Group unit
tracks); everything the unit does is ``section_lists``.
"""
from __future__ import annotations

from parsers.model import ListKind
from pipeline.derive.units import TrackedUnit
from pipeline.derive.units.section_lists import section_unit

UNIT: TrackedUnit = section_unit(
    ListKind.SECTION_744_22, "744.22", "military-intelligence end use / end user",
    unknown_name="§ 744.22 names no known country here: kept under its printed name; check the spelling")
