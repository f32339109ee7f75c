"""The one Rich console of the command line.

Piped or redirected, Rich assumes 80 columns and cuts table cells ("…") to fit: the file a user
saves, or the line a script greps, loses exactly the long values (paths, ids) it needed. When
stdout (or stderr) is not a terminal the console here is as wide as the content needs; on a
terminal it is the terminal's width, as before.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

PIPED_WIDTH = 4096  # wide enough for any row this project prints; tables stay content-sized


def make_console(*, stderr: bool = False, **kwargs) -> Console:
    """A console that never truncates when its stream is not a terminal."""
    stream = sys.stderr if stderr else sys.stdout
    if not stream.isatty() and "width" not in kwargs:
        kwargs["width"] = PIPED_WIDTH
    return Console(stderr=stderr, **kwargs)


#: A piped step says what it is doing once it has run this long (a quick one, or one that fails
#: at once with its one error line, prints nothing more).
PROGRESS_AFTER_S = 2.0


@contextmanager
def working(what: str) -> Iterator[None]:
    """A step that may take seconds: a spinner with ``what`` on stderr at a terminal; piped,
    the line ``what…`` once the step has run ``PROGRESS_AFTER_S``, so a log shows what the
    command is doing while it is silent."""
    import threading

    err = make_console(stderr=True, highlight=False)
    if err.is_terminal:
        with err.status(what + "…", spinner="dots"):
            yield
        return
    if PROGRESS_AFTER_S <= 0:
        err.print(what + "…", markup=False)
        yield
        return
    timer = threading.Timer(PROGRESS_AFTER_S, lambda: err.print(what + "…", markup=False))
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
