"""One watchlist rule for the digest and the instant alerts (issue 15): a country watches every list of
that country (the Entity List by destination); groups narrow Country Group changes, and a watchlist of
groups alone is about Country Groups only."""
from __future__ import annotations

from datetime import date

import pytest

from pipeline.alerts import watches
from pipeline.config import Recipient, Settings
from pipeline.publish.digest import Window, build_digest

CASES = [
    # recipient's (countries, groups), (country, group or None), watched?
    ((), (), ("Cambodia", None), True),
    (("Cambodia",), (), ("Cambodia", None), True),
    (("cambodia",), (), ("Cambodia", "D:5"), True),
    (("Cambodia",), (), ("China", None), False),
    ((), ("D:5",), ("Cambodia", "D:5"), True),
    ((), ("D:5",), ("Cambodia", None), False),
    (("Cambodia",), ("E:2",), ("Cambodia", None), True),
    (("Cambodia",), ("E:2",), ("Cambodia", "D:5"), False),
]


@pytest.mark.parametrize("countries, groups, change, watched", CASES)
def test_alerts_and_digest_watch_the_same_changes(lists_db, countries, groups, change, watched):
    r = Recipient("a@example.com", countries=countries, groups=groups)
    assert watches(r, *change) is watched
    data = build_digest(lists_db, Settings(), Window(date(2021, 12, 6), date(2026, 2, 23)), date(2026, 2, 24))
    lines = [c for c in data.changes if c.country == change[0] and (c.group or None) == change[1]]
    assert lines, change
    mine = data.for_recipient(r).changes
    assert all((c in mine) is watched for c in lines)
