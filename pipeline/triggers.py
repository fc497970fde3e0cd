"""Schedule strings ("0 6 * * *", "interval:SECONDS", "off") as APScheduler triggers.

Its own small module so that the config checker, the daemon and `status` read a
schedule the same way without the config importing the daemon.
"""
from __future__ import annotations

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from parsers.errors import ConfigError

OFF = "off"


def parse_trigger(spec: str, timezone: str, key: str, path: str | None = None) -> BaseTrigger | None:
    """Turn a schedule string into a trigger; None for "off". ConfigError names ``key``."""
    text = spec.strip()
    if text.lower() == OFF:
        return None
    try:
        if text.lower().startswith("interval:"):
            seconds = float(text.split(":", 1)[1])
            if not seconds > 0:
                raise ValueError("the interval must be a positive number of seconds")
            return IntervalTrigger(seconds=seconds, timezone=timezone)
        return CronTrigger.from_crontab(text, timezone=timezone)
    except ValueError as exc:
        raise ConfigError(key, f"{spec!r} is not a crontab line ('min hour day month weekday'),"
                               f" 'interval:SECONDS' or 'off': {exc}", path) from None
    except LookupError as exc:   # zoneinfo.ZoneInfoNotFoundError is a KeyError
        raise ConfigError("schedule.timezone", f"unknown time zone {timezone!r} ({exc})", path) from None
