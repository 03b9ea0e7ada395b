"""Splitting digit runs whose cells ran together, by the form's arithmetic. Pure functions.

A run is the digits a table row printed with nothing between its cells ('15130000154'); a space
or line break inside it is a cell boundary that must be kept. A split gives every cell at least
one digit and no leading zero (except a lone 0). The form's identities (a row's 总计 is the sum
of its parts; per column 本年新收 + 上年结转 = （七）总计 + 结转下年度 and （七）总计 = the sum of
the outcome rows; 表四's three totals) usually leave exactly one split; when they leave none or
several, the caller flags the cells instead of choosing.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cache

MAX_SPLITS = 5000  # per row: beyond this the row is flagged as too ambiguous to search
MAX_COMBINATIONS = 20_000  # joint search over the rows that stay ambiguous


@dataclass(frozen=True)
class Run:
    digits: str  # the run's digits, boundaries removed
    cuts: frozenset[int]  # positions in ``digits`` where a printed boundary forces a cell break
    offsets: tuple[int, ...]  # for each digit, its character offset in the source text


def make_run(text: str, start: int = 0) -> Run:
    """A run from printed text: digits, with whitespace as forced boundaries."""
    digits, cuts, offsets = [], set(), []
    for i, ch in enumerate(text):
        if ch.isdigit():
            digits.append(ch)
            offsets.append(start + i)
        elif digits:
            cuts.add(len(digits))
    cuts.discard(len(digits))
    return Run("".join(digits), frozenset(cuts), tuple(offsets))


def _cells(run: Run, a: int, b: int, n: int, total_last: bool, limit: int) -> list[tuple[int, ...]] | None:
    """All splits of run.digits[a:b] into n cells; with ``total_last`` the last cell must equal
    the sum of the others. None when there are more than ``limit``."""
    d = run.digits
    # the first forced boundary after each position: no cell reaches past it
    next_cut = [len(d)] * (len(d) + 1)
    for i in range(len(d) - 1, -1, -1):
        next_cut[i] = i + 1 if (i + 1) in run.cuts else next_cut[i + 1]

    out: list[tuple[int, ...]] = []

    def fill(pos: int, end: int, k: int, remaining: int | None, acc: tuple[int, ...]) -> bool:
        """Add the splits of d[pos:end] into k cells summing to ``remaining`` (None: any sum);
        False when over the limit."""
        if remaining is not None:
            digits = end - pos
            if digits > k * len(str(remaining)) or remaining >= k * 10 ** (digits - k + 1):
                return True  # too many digits for cells no larger than the sum, or too few to reach it
        if k == 1:
            if next_cut[pos] >= end and (d[pos] != "0" or end - pos == 1):
                v = int(d[pos:end])
                if remaining in (None, v):
                    out.append((*acc, v))
            return len(out) <= limit
        for stop in range(pos + 1, min(end - k + 1, next_cut[pos]) + 1):
            v = int(d[pos:stop])
            if remaining is not None and v > remaining:
                break
            if not fill(stop, end, k - 1, None if remaining is None else remaining - v, (*acc, v)):
                return False
            if d[pos] == "0":
                break
        return True

    if b - a < n:
        return []
    if not total_last:
        return out if fill(a, b, n, None, ()) else None
    for start in range(a + n - 1, b):  # where the total begins
        if (d[start] == "0" and b - start > 1) or next_cut[start] < b:
            continue
        total = int(d[start:b])
        before = len(out)
        if not fill(a, start, n - 1, total, ()):
            return None
        out[before:] = [(*p, total) for p in out[before:]]
    return out


def split_row(run: Run, n: int, total_last: bool = True, limit: int = MAX_SPLITS) -> list[tuple[int, ...]] | None:
    """Every split of a row's run into n cells (with its total last when ``total_last``); None
    when there are more than ``limit``."""
    if not run.digits:
        return []
    return _cells(run, 0, len(run.digits), n, total_last, limit)


def split_groups(run: Run, groups: int, n: int, total_last: bool | tuple[bool, ...] = True, limit: int = MAX_SPLITS):
    """Every split of a run into ``groups`` consecutive groups of n cells (表四: 3 × 5), each
    group's last cell its total when ``total_last`` (one flag, or one per group). None when over
    ``limit``."""
    size = len(run.digits)
    totals = total_last if isinstance(total_last, tuple) else (total_last,) * groups

    @cache
    def part(a: int, b: int, g: int):
        return _cells(run, a, b, n, totals[g], limit)

    out: list[tuple[int, ...]] = []

    def walk(a: int, g: int, acc: tuple[int, ...]) -> bool:
        if g == groups - 1:
            cells = part(a, size, g)
            if cells is None:
                return False
            out.extend(acc + c for c in cells)
            return len(out) <= limit
        for b in range(a + n, size - n * (groups - g - 1) + 1):
            cells = part(a, b, g)
            if cells is None:
                return False
            for c in cells:
                if not walk(b, g + 1, acc + c):
                    return False
        return True

    if not walk(0, 0, ()):
        return None
    return out


def solve(
    candidates: dict[str, list[tuple[int, ...]]],
    check,
    limit: int = MAX_COMBINATIONS,
) -> list[dict[str, tuple[int, ...]]] | None:
    """Every choice of one candidate per row for which ``check(choice)`` holds; None when the
    rows with several candidates allow more than ``limit`` combinations."""
    fixed = {k: v[0] for k, v in candidates.items() if len(v) == 1}
    open_rows = [k for k, v in candidates.items() if len(v) > 1]
    combos = 1
    for k in open_rows:
        combos *= len(candidates[k])
        if combos > limit:
            return None
    out = []
    for pick in itertools.product(*(candidates[k] for k in open_rows)):
        choice = {**fixed, **dict(zip(open_rows, pick, strict=True))}
        if check(choice):
            out.append(choice)
    return out


def cell_offsets(run: Run, values: tuple[int, ...]) -> list[tuple[int, int]]:
    """(start, end) source offsets of each cell of a split, in the run's text."""
    out, pos = [], 0
    for v in values:
        width = len(str(v))
        out.append((run.offsets[pos], run.offsets[pos + width - 1] + 1))
        pos += width
    return out
