"""The run-chart rules on hand-made series: each rule, and the edge cases that trip spreadsheets up."""

from decimal import Decimal
from math import comb

import pytest

from projects import runchart
from projects.runchart import ABOVE, ASTRONOMICAL, BELOW, DOWN, RUNS, SHIFT, TOO_FEW, TOO_MANY, TREND, UP, Signal

# --- Median ---


def test_median_odd_and_even_counts():
    assert runchart.median([3, 1, 2]) == 2
    assert runchart.median([Decimal(4), Decimal(1), Decimal(2), Decimal(3)]) == Decimal("2.5")
    assert runchart.median([]) is None


def test_analyse_median_comes_from_the_first_twelve_points_only():
    baseline = [10, 11, 9, 10, 12, 9, 11, 10, 9, 11, 10, 12]  # median 10
    analysis = runchart.analyse(baseline + [30, 31, 32])

    assert (analysis.median, analysis.baseline_count) == (10, 12)


def test_analyse_median_uses_every_point_while_there_are_fewer_than_twelve():
    analysis = runchart.analyse([1, 2, 3, 4, 100])

    assert (analysis.median, analysis.baseline_count) == (3, 5)


def test_analyse_is_exact_for_decimal_values_on_the_median():
    # As floats, (0.1 + 0.2) / 2 is 0.15000000000000002: the point 0.15 would wrongly sit above it.
    analysis = runchart.analyse([0.1, 0.2, 0.15, 0.1, 0.2])

    assert analysis.median == Decimal("0.15")
    assert runchart.count_runs(analysis.values, analysis.median) == (4, 4)


# --- Shift: 6 or more on one side ---


def test_shift_six_points_below_the_median():
    values = [5, 5, 5, 5, 5, 5]

    assert runchart.shifts(values, centre=10) == [Signal(SHIFT, BELOW, (0, 1, 2, 3, 4, 5))]


def test_shift_five_points_is_not_a_shift():
    assert runchart.shifts([12, 12, 12, 12, 12, 8], centre=10) == []


def test_shift_point_on_the_median_does_not_break_it():
    values = [12, 13, 12, 10, 14, 12, 13]  # the 10 is on the median

    assert runchart.shifts(values, centre=10) == [Signal(SHIFT, ABOVE, (0, 1, 2, 4, 5, 6))]


def test_shift_points_on_the_median_do_not_count_towards_it():
    values = [12, 13, 10, 10, 12, 13, 12]  # five above, two on the median: seven points, no shift

    assert runchart.shifts(values, centre=10) == []


def test_shift_ends_where_the_other_side_starts():
    values = [8, 8, 8, 8, 8, 8, 8, 12, 12, 12, 12, 12, 12]

    assert runchart.shifts(values, centre=10) == [
        Signal(SHIFT, BELOW, (0, 1, 2, 3, 4, 5, 6)),
        Signal(SHIFT, ABOVE, (7, 8, 9, 10, 11, 12)),
    ]


# --- Trend: 5 or more going one way ---


def test_trend_five_points_rising():
    assert runchart.trends([1, 2, 3, 4, 5]) == [Signal(TREND, UP, (0, 1, 2, 3, 4))]


def test_trend_four_points_is_not_a_trend():
    assert runchart.trends([4, 3, 2, 1, 5]) == []


def test_trend_equal_neighbour_does_not_add_to_it():
    assert runchart.trends([1, 2, 2, 3, 4]) == []  # four points counted, not five


def test_trend_equal_neighbour_does_not_break_it():
    assert runchart.trends([9, 8, 7, 7, 6, 5]) == [Signal(TREND, DOWN, (0, 1, 2, 3, 4, 5))]


def test_trend_up_then_down_share_the_turning_point():
    values = [1, 2, 3, 4, 5, 4, 3, 2, 1]

    assert runchart.trends(values) == [
        Signal(TREND, UP, (0, 1, 2, 3, 4)),
        Signal(TREND, DOWN, (4, 5, 6, 7, 8)),
    ]


def test_trend_zigzag_has_none():
    assert runchart.trends([1, 3, 2, 4, 3, 5, 4, 6]) == []


# --- Runs: too few or too many ---


def test_count_runs_ignores_points_on_the_median():
    # below, on, below, above, on, above, below: runs below | above | below, 5 useful points
    assert runchart.count_runs([8, 10, 9, 11, 10, 12, 7], centre=10) == (3, 5)


def test_runs_too_few_when_the_series_crosses_the_median_once():
    values = [8] * 10 + [12] * 10  # 20 useful points in 2 runs; the table's lower limit is 6

    analysis = runchart.analyse(values, baseline_points=20)  # median 10 (the first 12 alone give 8)

    assert (analysis.runs, analysis.useful, analysis.runs_limits) == (2, 20, (6, 16))
    assert analysis.signals_of(RUNS) == [Signal(RUNS, TOO_FEW)]


def test_runs_too_many_when_the_series_alternates():
    values = [8, 12] * 10  # 20 runs in 20 useful points; the table's upper limit is 16

    analysis = runchart.analyse(values)

    assert (analysis.runs, analysis.runs_limits) == (20, (6, 16))
    assert analysis.signals_of(RUNS) == [Signal(RUNS, TOO_MANY)]


def test_runs_within_the_limits_is_no_signal():
    values = [8, 9, 12, 13, 8, 12, 9, 13, 12, 8, 13, 9, 8, 12]  # median 10.5: 14 useful points in 10 runs

    analysis = runchart.analyse(values)

    assert (analysis.runs, analysis.runs_limits, analysis.signals_of(RUNS)) == (10, (4, 12), [])


def test_runs_rule_not_applied_below_ten_useful_points():
    values = [8] * 5 + [10] * 6 + [12] * 4  # 15 points, but the six 10s sit on the median: 9 useful

    analysis = runchart.analyse(values)

    assert (analysis.median, analysis.useful, analysis.runs_limits, analysis.signals_of(RUNS)) == (10, 9, None, [])


def _swed_eisenhart_limits(useful, tail=0.025):
    """Exact limits for half the points above and half below: the computation the published table rests on."""
    below, above = useful // 2, useful - useful // 2
    total = comb(useful, below)

    def probability(runs):
        if runs % 2 == 0:
            k = runs // 2
            return 2 * comb(below - 1, k - 1) * comb(above - 1, k - 1) / total
        k = (runs - 1) // 2
        return (comb(below - 1, k - 1) * comb(above - 1, k) + comb(below - 1, k) * comb(above - 1, k - 1)) / total

    possible = range(2, useful + 1)
    cumulative, lower = 0, None
    for runs in possible:
        if cumulative + probability(runs) > tail:
            lower = runs
            break
        cumulative += probability(runs)
    cumulative, upper = 0, None
    for runs in reversed(possible):
        if cumulative + probability(runs) > tail:
            upper = runs
            break
        cumulative += probability(runs)
    return lower, upper


def test_runs_table_covers_ten_to_sixty_and_agrees_with_the_exact_limits_within_one_run():
    """A guard against a mistyped entry: the published table rounds between the 2.5% and 5% tails."""
    assert sorted(runchart.RUNS_TABLE) == list(range(10, 61))
    far = {}
    for useful, (lower, upper) in runchart.RUNS_TABLE.items():
        exact = [_swed_eisenhart_limits(useful, tail) for tail in (0.025, 0.05)]
        if min(abs(lower - limits[0]) for limits in exact) > 1 or min(abs(upper - limits[1]) for limits in exact) > 1:
            far[useful] = ((lower, upper), exact)
    assert far == {}
    assert [runchart.RUNS_TABLE[n] for n in (10, 20, 30, 60)] == [(3, 9), (6, 16), (11, 21), (24, 37)]


# --- Astronomical point ---


def test_astronomical_point_far_outside_the_rest():
    values = [10, 11, 9, 10, 12, 9, 11, 10, 9, 11, 40, 10]

    analysis = runchart.analyse(values)

    # median 10, MAD 1: limits 10 +/- 3 x 1.4826
    assert analysis.limits == (Decimal("5.5522"), Decimal("14.4478"))
    assert analysis.signals_of(ASTRONOMICAL) == [Signal(ASTRONOMICAL, ABOVE, (10,))]


def test_astronomical_point_not_judged_with_fewer_than_ten_points():
    analysis = runchart.analyse([10, 11, 9, 10, 12, 9, 11, 10, 90])

    assert (analysis.limits, analysis.signals_of(ASTRONOMICAL)) == (None, [])


def test_astronomical_point_not_judged_when_most_points_are_equal():
    analysis = runchart.analyse([10] * 9 + [11, 12, 50])  # MAD is 0: any difference would count

    assert (analysis.limits, analysis.signals_of(ASTRONOMICAL)) == (None, [])


# --- The whole analysis ---


def test_analyse_flags_each_point_with_the_rules_that_cover_it():
    values = [10, 11, 9, 10, 12, 9, 11, 10, 9, 11, 10, 12, 14, 15, 16, 17, 18, 16, 15, 17]

    analysis = runchart.analyse(values)

    assert [(signal.rule, signal.direction, signal.indices) for signal in analysis.signals] == [
        (SHIFT, ABOVE, (9, 11, 12, 13, 14, 15, 16, 17, 18, 19)),
        (TREND, UP, (10, 11, 12, 13, 14, 15, 16)),
    ]
    assert (analysis.runs, analysis.useful, analysis.runs_limits) == (7, 16, (5, 13))
    assert analysis.flags[8] == ()
    assert analysis.flags[10] == (TREND,)  # on the median: inside the trend, outside the shift
    assert analysis.flags[13] == (SHIFT, TREND)
    assert analysis.flags[19] == (SHIFT,)


def test_analyse_empty_series():
    analysis = runchart.analyse([])

    assert (analysis.median, analysis.signals, runchart.layout(analysis)) == (None, (), None)


def test_layout_puts_higher_values_higher_and_shapes_flagged_points():
    analysis = runchart.analyse([10, 11, 9, 10, 12, 9, 11, 10, 9, 11, 40, 10])

    layout = runchart.layout(analysis, target=25)

    ys = [point["y"] for point in layout["points"]]
    assert ys[10] < ys[4] < ys[2]  # SVG y grows downwards
    assert [point["shape"] for point in layout["points"]] == ["circle"] * 10 + ["diamond", "circle"]
    [segment] = layout["segments"]
    assert ys[10] < layout["target_y"] < segment["centre_y"]
    assert [label["index"] for label in layout["x_labels"]] == [0, 2, 4, 6, 8, 11]
    assert [tick["value"] for tick in layout["y_ticks"]] == [0, 10, 20, 30, 40]
    assert segment["baseline_end_x"] == segment["x2"] == layout["right"]  # all 12 points are the baseline
    first = layout["points"][0]
    assert layout["path"].split()[:2] == [f"M{first['x']},{first['y']}", f"L{layout['points'][1]['x']},{ys[1]}"]


def test_layout_shapes_shift_and_trend_points():
    analysis = runchart.analyse([5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 5, 6, 1, 2, 3, 4, 5, 4])

    shapes = [point["shape"] for point in runchart.layout(analysis)["points"]]

    # median 5.5: the last six are below it (a shift: squares), though the rise 1 to 5 is also a trend
    assert shapes == ["circle"] * 12 + ["square"] * 6
    assert [signal.rule for signal in analysis.signals] == [SHIFT, TREND]


@pytest.mark.parametrize(
    ("values", "place"),
    [
        ([12, 15, 11, 14, 13, 12, 16, 14, 13, 15, 12, 14], ("end", False)),  # nothing near 20: right, above
        ([12, 15, 11, 14, 13, 12, 16, 14, 13, 15, 21, 22], ("end", True)),  # the last values sit just above it
        ([12, 15, 11, 14, 13, 12, 16, 14, 13, 15, 21, 19], ("start", False)),  # around it at the right end
        ([21, 15, 11, 14, 13, 12, 16, 14, 13, 15, 21, 19], ("start", True)),  # and above it at the left end
    ],
)
def test_the_target_label_goes_where_no_point_covers_it(values, place):
    layout = runchart.layout(runchart.analyse(values), target=20)

    assert (layout["target_label"]["anchor"], layout["target_label"]["below"]) == place


def test_the_target_label_keeps_clear_of_a_median_label_at_the_left_end():
    # Values just above and below the target at the right end; the median (19.5) sits under the target at the left.
    values = [19, 20, 19, 20, 19, 20, 19, 20, 19, 20, 21, 19]

    label = runchart.layout(runchart.analyse(values), target=20)["target_label"]

    assert label["anchor"] == "end"  # no clear place: the usual one, not on top of the median's label


@pytest.mark.parametrize(
    ("values", "below"),
    [
        ([4, 6, 5, 3, 5, 4, 6, 5, 9, 10, 9, 11], True),  # median 5.5: the 6 just above would cover its label
        ([7, 5, 5, 3, 5, 4, 6, 5, 9, 10, 9, 11], False),  # no point near it above: the label stays above
        ([5.6, 5.4, 5, 3, 5, 4, 6, 5, 9, 10, 9, 11], False),  # points hug it on both sides: above, as usual
    ],
)
def test_a_centre_line_label_moves_under_its_line_only_to_get_clear_of_a_point(values, below):
    [segment] = runchart.layout(runchart.analyse(values))["segments"]

    assert segment["label_below"] is below


@pytest.mark.parametrize(
    ("span", "step"), [(1, Decimal("0.2")), (7, 2), (25, 5), (100, 20), (Decimal("0.3"), Decimal("0.1"))]
)
def test_nice_step_is_a_round_number(span, step):
    assert runchart.nice_step(span) == step
