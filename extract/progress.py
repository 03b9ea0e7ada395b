"""A progress bar with counts and rate on stderr, shown only on a terminal and for long runs."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, TimeRemainingColumn
from rich.text import Text

MIN_ITEMS = 20


class RateColumn(ProgressColumn):
    def render(self, task) -> Text:
        return Text(f"{task.speed:.0f} files/s" if task.speed else "")


def progress_bar(total: int) -> Progress:
    err = Console(stderr=True)
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=total < MIN_ITEMS or not err.is_terminal,
    )
