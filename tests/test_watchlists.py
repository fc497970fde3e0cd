"""One watchlist rule for the digest and the instant alerts (issue 15): a country watches every list of
that country (the Entity List by destination); groups narrow Country Group changes, and a watchlist of
groups alone is about Country Groups only. Over the lists world (tests/test_e2e_lists.py)."""
from __future__ import annotations

from datetime import date

import pytest

from pipeline.alerts import watches
from pipeline.config import Recipient, Settings
from pipeline.publish.digest import Window, build_digest

CASES = [
    # recipient's (countries, groups), (country, group or None: a change of that list), watched?
    ((), (), ("Russia", None), True),
    (("Russia",), (), ("Russia", None), True),
    (("nicaragua",), (), ("Nicaragua", "D:5"), True),
    (("Russia",), (), ("Iran", None), False),
    ((), ("D:5",), ("Nicaragua", "D:5"), True),
    ((), ("D:5",), ("Nicaragua", None), False),
    (("Nicaragua",), ("E:2",), ("Nicaragua", None), True),
    (("Nicaragua",), ("E:2",), ("Nicaragua", "D:5"), False),
]


@pytest.mark.parametrize(("countries", "groups", "change", "watched"), CASES)
def test_alerts_and_digest_watch_the_same_changes(lists_db, countries, groups, change, watched):
    r = Recipient("a@example.com", countries=countries, groups=groups)
    assert watches(r, *change) is watched
    data = build_digest(lists_db, Settings(), Window(date(2099, 1, 1), date(2099, 4, 8)), date(2099, 4, 9))
    lines = [c for c in data.changes if c.country == change[0] and (c.group or None) == change[1]]
    assert lines, change
    mine = data.for_recipient(r).changes
    assert all((c in mine) is watched for c in lines)
