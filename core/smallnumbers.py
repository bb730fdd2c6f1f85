"""Small numbers hide people: the one owner of statistical disclosure control.

Every breakdown (by place, need, age band, place × need, month × place …) shown on a page, in a
report or in an export goes through here:

- a count between 1 and ``STATS_MIN_CELL - 1`` is shown as ``"<5"`` (primary suppression);
- when a shown total would let someone work a hidden count out by subtraction (a row, column or
  series with exactly one hidden cell), a second cell of that line is hidden as well (secondary
  suppression), the smallest non-zero one, and so on until no line has a single unknown;
- no average, median or percentile is given over fewer than ``STATS_MIN_CELL`` items;
- the grand total stays exact.

Zero is shown as zero: it says that nobody was there, not who was.
"""

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings

HIDDEN_TEXT = "*"


def min_cell() -> int:
    """The smallest count shown as it is (``STATS_MIN_CELL``, default 5)."""
    return int(getattr(settings, "STATS_MIN_CELL", 5))


def small_text() -> str:
    return f"<{min_cell()}"


def is_small(n: int) -> bool:
    return 0 < n < min_cell()


@dataclass(frozen=True)
class Cell:
    """A count as it may be shown: ``value`` is exact and never leaves the server unless shown."""

    value: int
    small: bool = False  # 1 … MIN−1, shown as "<5"
    hidden: bool = False  # hidden so a small neighbour cannot be worked out

    @property
    def shown(self) -> int | None:
        """The number that may be published, or None."""
        return None if (self.small or self.hidden) else self.value

    @property
    def text(self) -> str:
        if self.small:
            return small_text()
        if self.hidden:
            return HIDDEN_TEXT
        return str(self.value)

    def __str__(self) -> str:
        return self.text


def cell(n: int | None) -> Cell:
    """One count on its own (no total beside it)."""
    n = int(n or 0)
    return Cell(n, small=is_small(n))


def _suppress(matrix: list[list[int]], lines: list[list[tuple[int, int]]], exact: tuple[int, int]) -> list[list[Cell]]:
    """Hide small cells, then hide more until no additive line has exactly one unknown.

    ``exact`` is the grand total: always shown as it is.
    """
    small = {(r, c) for r, row in enumerate(matrix) for c, n in enumerate(row) if is_small(n) and (r, c) != exact}
    hidden: set[tuple[int, int]] = set()
    changed = True
    while changed:
        changed = False
        for line in lines:
            unknown = [p for p in line if p in small or p in hidden]
            if len(unknown) != 1:
                continue
            candidates = [p for p in line if p not in small and p not in hidden and p != exact]
            if not candidates:
                continue
            # The smallest non-zero count costs the least information; a zero only if nothing else.
            nonzero = [p for p in candidates if matrix[p[0]][p[1]] > 0]
            pick = min(nonzero or candidates, key=lambda p: (matrix[p[0]][p[1]], p))
            hidden.add(pick)
            changed = True
    return [
        [Cell(n, small=(r, c) in small, hidden=(r, c) in hidden) for c, n in enumerate(row)]
        for r, row in enumerate(matrix)
    ]


@dataclass(frozen=True)
class Series:
    """A one-way breakdown (by place, by need …) and its exact total."""

    cells: list[Cell]
    total: int


def suppress_series(values: Sequence[int | None]) -> Series:
    """A breakdown shown with its total: small parts become "<5" and the total cannot give them away."""
    counts = [int(v or 0) for v in values]
    total = sum(counts)
    # One row: the parts, then the total (never hidden: it is the grand total).
    matrix = [[*counts, total]]
    line = [(0, c) for c in range(len(counts) + 1)]
    cells = _suppress(matrix, [line], exact=(0, len(counts)))[0]
    return Series(cells=cells[:-1], total=total)


@dataclass(frozen=True)
class Table:
    """A two-way breakdown with its margins; only the grand total is always exact."""

    cells: list[list[Cell]]
    row_totals: list[Cell]
    col_totals: list[Cell]
    total: int


def suppress_table(rows: Sequence[Sequence[int | None]]) -> Table:
    """A table (place × need, month × place …) shown with row totals, column totals and the total.

    The margins are breakdowns themselves (a place's total is a count by place), so they are
    suppressed like any cell; every row, column and margin is an additive line.
    """
    counts = [[int(v or 0) for v in row] for row in rows]
    n_rows = len(counts)
    n_cols = len(counts[0]) if counts else 0
    row_totals = [sum(row) for row in counts]
    col_totals = [sum(counts[r][c] for r in range(n_rows)) for c in range(n_cols)]
    total = sum(row_totals)
    matrix = [[*row, rt] for row, rt in zip(counts, row_totals, strict=True)] + [[*col_totals, total]]
    lines = [[(r, c) for c in range(n_cols + 1)] for r in range(n_rows + 1)]
    lines += [[(r, c) for r in range(n_rows + 1)] for c in range(n_cols + 1)]
    cells = _suppress(matrix, lines, exact=(n_rows, n_cols))
    return Table(
        cells=[row[:-1] for row in cells[:-1]],
        row_totals=[row[-1] for row in cells[:-1]],
        col_totals=cells[-1][:-1],
        total=total,
    )


def safe_median(values: Iterable[float]) -> float | None:
    """The median, or None over fewer than ``STATS_MIN_CELL`` items."""
    data = sorted(values)
    if len(data) < min_cell():
        return None
    return float(statistics.median(data))


def safe_mean(values: Iterable[float]) -> float | None:
    data = list(values)
    if len(data) < min_cell():
        return None
    return float(statistics.fmean(data))


def safe_percentile(values: Iterable[float], q: float) -> float | None:
    """The ``q``-th percentile (nearest rank, 0 < q ≤ 100), or None over fewer than the minimum."""
    data = sorted(values)
    if len(data) < min_cell():
        return None
    rank = max(1, math.ceil(q / 100 * len(data)))
    return float(data[rank - 1])
