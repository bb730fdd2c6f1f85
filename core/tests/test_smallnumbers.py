import pytest

from core.smallnumbers import cell, safe_median, safe_percentile, suppress_series, suppress_table


def texts(cells):
    return [c.text for c in cells]


def test_it_shows_4_as_below_5_and_5_as_it_is():
    assert cell(4).text == "<5"
    assert cell(4).shown is None
    assert cell(5).text == "5"
    assert cell(5).shown == 5
    assert cell(0).text == "0"


def test_it_hides_a_second_cell_when_the_total_would_give_the_small_one_away():
    series = suppress_series([4, 20, 9, 0])
    assert texts(series.cells) == ["<5", "20", "*", "0"]
    assert series.total == 33


def test_it_hides_nothing_more_when_two_cells_are_already_small():
    series = suppress_series([4, 3, 20])
    assert texts(series.cells) == ["<5", "<5", "20"]
    assert series.total == 27


def test_it_leaves_a_breakdown_without_small_counts_alone():
    series = suppress_series([5, 7, 0])
    assert texts(series.cells) == ["5", "7", "0"]


def test_it_keeps_every_row_and_column_of_a_table_safe_from_subtraction():
    table = suppress_table([[4, 10, 6], [8, 12, 9], [7, 5, 11]])
    grid = [texts(row) for row in table.cells]
    assert grid[0][0] == "<5"
    assert table.total == 72
    # No row or column (margins included) has exactly one unknown.
    full = [[*row, rt] for row, rt in zip(table.cells, table.row_totals, strict=True)]
    full.append([*table.col_totals, cell(table.total)])
    for line in full:
        unknown = [c for c in line if c.shown is None]
        assert len(unknown) != 1
    for col in zip(*full[:-1], strict=True):
        unknown = [c for c in col if c.shown is None]
        assert len(unknown) != 1


def test_a_margin_of_a_table_is_a_breakdown_too():
    table = suppress_table([[1, 2], [10, 20]])
    assert table.row_totals[0].text == "<5"
    assert table.row_totals[1].shown is None  # else 33 − 30 = 3
    assert table.total == 33


@pytest.mark.parametrize(("n", "expected"), [(4, None), (5, 3.0)])
def test_it_gives_no_median_over_fewer_than_5_items(n, expected):
    assert safe_median([1, 2, 3, 4, 5][:n]) == expected


def test_it_gives_the_90th_percentile_by_nearest_rank():
    assert safe_percentile(range(1, 11), 90) == 9.0
    assert safe_percentile([1, 2], 90) is None


def test_it_follows_the_setting(settings):
    settings.STATS_MIN_CELL = 10
    assert cell(9).text == "<10"
    assert cell(10).text == "10"
