"""Public-inspection text: the amendatory instructions that are exact without the reprinted row."""
from __future__ import annotations

from parsers.announcement import announced_operations
from parsers.model import Action

TEXT = ("SUMMARY: BIS amends the EAR.\n1. The authority citation for part 740 continues to read as follows:\n"
        "2. Supplement No. 1 to part 740 is amended by removing \u2018\u2018Cambodia\u2019\u2019 from Country "
        "Group D:5.\n3. Supplement No. 1 to part 740 is amended by adding, in alphabetical order, an entry for "
        "\u2018\u2018Nicaragua\u2019\u2019 to Country Group D to read as follows:\n")


def test_one_column_removal_is_announced_and_a_row_not_yet_printed_is_not():
    assert [(o.action, o.column, o.country, o.review) for o in announced_operations(TEXT)] == [
        (Action.REMOVE_MARK, "D:5", "Cambodia", None)]


def test_lettered_instruction_in_plain_text_keeps_its_parts():
    text = ("2. Supplement No. 1 to part 740 is amended by: a. Removing \u201cCyprus\u201d from Country Group D:5; "
            "and b. Removing the entry for \u201cSudan\u201d from Country Group E.\n3. Section 740.2 is amended.")
    assert [(o.action, o.column, o.country) for o in announced_operations(text)] == [
        (Action.REMOVE_MARK, "D:5", "Cyprus"), (Action.REMOVE_ENTRY, None, "Sudan")]
