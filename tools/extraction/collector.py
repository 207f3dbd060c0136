"""Pausing Python's cyclic garbage collector while a document is read (issue 10, finding 5)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a document is read.

    Reading makes no reference cycles (its records are freed as their counts drop), but its hundreds of
    thousands of short-lived objects set the collector off again and again, and each pass over all live
    objects found nothing: a quarter of the time on a 5 MB document (issue 10, finding 5), and more in a server
    whose caches keep the findings of earlier documents alive. The collector is switched back on only if it was
    on, so a caller that turned it off keeps it off.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
