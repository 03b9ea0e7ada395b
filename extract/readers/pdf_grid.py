"""Table grids rebuilt from the ruling lines a PDF draws. Pure functions over coordinates.

A PDF table is text placed in boxes drawn with thin lines. Word processors wrap a long label over
many lines and a number over two ('2' above '6'), leave an empty cell out of the text layer and
split a table over pages, so text lines alone cannot tell which cell a number belongs to. Here the
horizontal and vertical rules are grouped into tables, each table's grid of units is built from
the rules' positions, units not separated by a drawn rule are merged into one cell (rowspan and
colspan), and every character is assigned to the cell that contains it.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np

from ..values import looks_like_value

TOL = 3.0  # points: rules this close are one rule (borders drawn twice, cell spacing of web tables)
THIN = 3.0  # points: a path thinner than this one way is a rule (its bounds include the stroke)
MIN_LINES = 3  # rules each way before a group of them is read as a table


@dataclass(frozen=True)
class Rule:
    horizontal: bool
    pos: float  # y of a horizontal rule, x of a vertical one
    start: float  # the other coordinate's range
    end: float


@dataclass
class Cell:
    row: int  # top unit row (0 = top)
    col: int  # left unit column
    bbox: tuple[float, float, float, float]  # x0, y0, x1, y1 (PDF points, origin bottom-left)
    chars: list[tuple[int, str]] = field(default_factory=list)  # (index in the text page, char)
    # read by OCR: the confidence of each text placed here, whether a text box was shared out
    # across this and other cells, and whether ink in the cell gave no text
    scores: list[float] = field(default_factory=list)
    shared: bool = False
    ink_unread: bool = False
    likeness: float | None = None  # a doubtful lone digit's likeness to the document's sure prints of it
    stroke: bool = False  # an NA mark told by its shape (one flat or one leaning stroke), not by the recogniser

    @property
    def text(self) -> str:
        text = "".join(ch for _, ch in sorted(self.chars) if ch not in "\r\n")
        # a cell holds one value: spaces the text layer put between its digits are not separators
        packed = "".join(text.split())
        return packed if looks_like_value(packed) else text


@dataclass
class Table:
    xs: list[float]  # unit column boundaries, left to right
    ys: list[float]  # unit row boundaries, top to bottom (descending y)
    cells: list[Cell]
    unit_cell: dict[tuple[int, int], int]  # (unit row, unit col) -> index into cells

    def __post_init__(self) -> None:
        self._neg_ys = [-v for v in self.ys]  # ascending, for bisect

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return self.xs[0], self.ys[-1], self.xs[-1], self.ys[0]

    def cell_at(self, x: float, y: float) -> Cell | None:
        if not (self.xs[0] <= x <= self.xs[-1] and self.ys[-1] <= y <= self.ys[0]):
            return None
        col = min(bisect_right(self.xs, x) - 1, len(self.xs) - 2)
        row = min(bisect_right(self._neg_ys, -y) - 1, len(self.ys) - 2)
        k = self.unit_cell.get((row, col))
        return None if k is None else self.cells[k]

    def rows(self) -> list[list[Cell]]:
        """Cells by unit row of their top-left unit, left to right (spanned positions left out)."""
        out: list[list[Cell]] = [[] for _ in range(len(self.ys) - 1)]
        for cell in self.cells:
            out[cell.row].append(cell)
        return [sorted(r, key=lambda c: c.col) for r in out]


def rules_from_boxes(boxes: list[tuple[float, float, float, float]]) -> list[Rule]:
    """Thin path bounding boxes (left, bottom, right, top) as rules."""
    out = []
    for left, bottom, right, top in boxes:
        w, h = right - left, top - bottom
        if h < THIN and w >= THIN:
            out.append(Rule(True, (bottom + top) / 2, left, right))
        elif w < THIN and h >= THIN:
            out.append(Rule(False, (left + right) / 2, bottom, top))
    return out


def _cluster(values: list[float]) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= TOL:
            out[-1].append(v)
        else:
            out.append([v])
    return [sum(c) / len(c) for c in out]


def _groups(rules: list[Rule]) -> list[list[Rule]]:
    """Rules that touch each other (a horizontal crossing or meeting a vertical) form one table."""
    parent = list(range(len(rules)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    hs = [i for i, r in enumerate(rules) if r.horizontal]
    vs = [i for i, r in enumerate(rules) if not r.horizontal]
    # horizontals against every vertical at once, a block at a time: a page drawn cell by cell has
    # thousands of rules (a crafted one far more: the block bounds the memory)
    h = np.array([(rules[i].pos, rules[i].start, rules[i].end) for i in hs]).reshape(-1, 1, 3)
    v = np.array([(rules[j].pos, rules[j].start, rules[j].end) for j in vs]).reshape(1, -1, 3)
    for first in range(0, len(hs), 1024):
        block = h[first : first + 1024]
        crossing = (block[..., 1] - TOL <= v[..., 0]) & (v[..., 0] <= block[..., 2] + TOL)
        crossing &= (v[..., 1] - TOL <= block[..., 0]) & (block[..., 0] <= v[..., 2] + TOL)
        for a, b in zip(*np.nonzero(crossing), strict=True):
            parent[find(hs[first + a])] = find(vs[b])
    groups: dict[int, list[Rule]] = {}
    for i, r in enumerate(rules):
        groups.setdefault(find(i), []).append(r)
    return list(groups.values())


def _spans(rules: list[Rule], positions: list[float]) -> list[list[tuple[float, float]]]:
    """For each clustered position, the ranges its rules cover."""
    out: list[list[tuple[float, float]]] = [[] for _ in positions]
    ascending = sorted(positions)
    index = {p: i for i, p in enumerate(positions)}
    for r in rules:
        k = bisect_right(ascending, r.pos)
        near = min(ascending[max(0, k - 1) : k + 1], key=lambda p: abs(p - r.pos))
        out[index[near]].append((r.start - TOL, r.end + TOL))
    return out


def _covered(spans: list[tuple[float, float]], at: float) -> bool:
    return any(a <= at <= b for a, b in spans)


def build_table(rules: list[Rule]) -> Table | None:
    """The grid of one group of rules, or None when it is not a table."""
    hs = [r for r in rules if r.horizontal]
    vs = [r for r in rules if not r.horizontal]
    xs, ys = _cluster([r.pos for r in vs]), _cluster([r.pos for r in hs])[::-1]
    if len(xs) < MIN_LINES or len(ys) < MIN_LINES:
        return None
    n_rows, n_cols = len(ys) - 1, len(xs) - 1
    v_spans, h_spans = _spans(vs, xs), _spans(hs, ys)
    parent = {(r, c): (r, c) for r in range(n_rows) for c in range(n_cols)}

    def find(u):
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    for r in range(n_rows):
        ymid = (ys[r] + ys[r + 1]) / 2
        for c in range(n_cols):
            xmid = (xs[c] + xs[c + 1]) / 2
            if c + 1 < n_cols and not _covered(v_spans[c + 1], ymid):
                parent[find((r, c + 1))] = find((r, c))  # no rule between: one cell (colspan)
            if r + 1 < n_rows and not _covered(h_spans[r + 1], xmid):
                parent[find((r + 1, c))] = find((r, c))  # rowspan
    members: dict[tuple[int, int], list[tuple[int, int]]] = {}
    for u in parent:
        members.setdefault(find(u), []).append(u)
    cells, unit_cell = [], {}
    for units in members.values():
        r0, c0 = min(r for r, _ in units), min(c for _, c in units)
        r1, c1 = max(r for r, _ in units), max(c for _, c in units)
        for u in units:
            unit_cell[u] = len(cells)
        cells.append(Cell(r0, c0, (xs[c0], ys[r1 + 1], xs[c1 + 1], ys[r0])))
    return Table(xs, ys, cells, unit_cell)


def find_tables(boxes: list[tuple[float, float, float, float]]) -> list[Table]:
    """The tables drawn on a page, from its thin path objects' bounding boxes."""
    tables = [build_table(g) for g in _groups(rules_from_boxes(boxes))]
    return sorted((t for t in tables if t), key=lambda t: -t.ys[0])
