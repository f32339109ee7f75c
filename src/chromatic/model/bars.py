"""The progress bars of training."""

from __future__ import annotations


def epoch_bar(enabled: bool):
    """One bar per training stage, kept on screen when done: what it is and its latest
    validation figures, epochs done / planned, elapsed and an ETA from the mean epoch time
    (Rich's default window of 30 s gives none when an epoch takes longer)."""
    import sys

    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    piped = not sys.stdout.isatty()  # a log keeps the whole line (Rich assumes 80 columns)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        TextColumn("epochs"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        disable=not enabled,
        speed_estimate_period=24 * 3600.0,
        console=Console(width=200) if piped else None,
    )
