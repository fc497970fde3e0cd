"""A process-wide 'please stop' flag for long work to check between units.

The daemon sets it on SIGTERM/SIGINT. A run in progress should check
``stop_requested()`` between documents: it then finishes the document it is
storing (one transaction each), skips the rest and ends its run row, instead
of making the daemon wait for a whole multi-minute fetch before exiting.
"""
from __future__ import annotations

import threading

_STOP = threading.Event()


def request_stop() -> None:
    _STOP.set()


def stop_requested() -> bool:
    return _STOP.is_set()


def reset() -> None:
    """Clear the flag (a new daemon in the same process, e.g. in tests)."""
    _STOP.clear()
