"""The XmR chart against the worked examples in the tests of NHSRplotthedots, the NHS-R Community's reference
implementation of NHS England's Making Data Count (github.com/nhs-r-community/NHSRplotthedots, tests/testthat).

Each test takes the input series of one published example and its expected result; the comment above it names the
file and the `test_that` it comes from. The package's helpers return one number per point, so the helpers below turn
our signals into the same vectors:

- `ptd_seven_point_one_side_mean` and `ptd_seven_point_trend` mark the 7th point of a run and every point after it
  (1, or -1 for a falling trend); `ptd_part_of_seven_trend` marks every point of the run.
- `ptd_part_of_two_in_three` marks the points near a limit in a window of three that fires.

The package computes the mean and limits from every point unless `fix_after_n_points` is set, so the examples pass
`baseline_points=len(values)`, which does the same.

Left out, as they test options we do not implement:
- `screen_outliers` (on by default in the package; in test-ptd_spc_standard.R "it returns expected values", r2): it
  drops moving ranges of 3.267 x MR-bar or more before the limits are set. NHS England's own tool does not, and nor do
  we. The examples kept here either have no such moving range (checked in the test) or do not depend on it.
- Targets, trajectories, improvement direction and the assurance icons: we flag the rules, not improvement or concern.
- `ptd_part_of_seven_trend` fed a hand-made vector (newer test-ptd_calculate_point_type.R): it takes another helper's
  output, not a series, and its cases are covered by the shift and trend examples below.
"""

from decimal import Decimal

from projects import spc
from projects.runchart import ABOVE, BELOW, DOWN, SHIFT, TREND, UP

# R's rnorm(20) after set.seed(123), the series of test-ptd_spc_standard.R and test-ptd_spc.R, to the 8 decimal places
# R prints; the snapshots print the same 20 values to three significant figures (PRINTED, checked below).
RNORM_123 = [Decimal(value) for value in (
    "-0.56047565", "-0.23017749", "1.55870831", "0.07050839", "0.12928774", "1.71506499", "0.46091621",
    "-1.26506123", "-0.68685285", "-0.44566197", "1.22408180", "0.35981383", "0.40077145", "0.11068272",
    "-0.55584113", "1.78691314", "0.49785048", "-1.96661716", "0.70135590", "-0.47279141",
)]  # fmt: skip
PRINTED = [Decimal(value) for value in (
    "-0.560", "-0.230", "1.56", "0.0705", "0.129", "1.72", "0.461", "-1.27", "-0.687", "-0.446",
    "1.22", "0.360", "0.401", "0.111", "-0.556", "1.79", "0.498", "-1.97", "0.701", "-0.473",
)]  # fmt: skip

# For the two-of-three helper, which the package feeds with per-point flags: a series around a mean of 0 with
# limits at +/- 3 and two-sigma lines at +/- 2, so a point is near a limit (2.5), inside (1) or on the mean (0).
LIMITS, NEAR_LIMITS = (Decimal(-3), Decimal(3)), (Decimal(-2), Decimal(2))


def _signif(value, figures=3):
    return Decimal(format(value, f".{figures}g"))


def _run_ends(signals, count, length=7):
    """The package's `ptd_seven_point_*` vector: the 7th point of each run on, 1 (-1 for a falling trend)."""
    marks = [0] * count
    for signal in signals:
        for index in signal.indices[length - 1 :]:
            marks[index] = -1 if signal.direction == DOWN else 1
    return marks


def _part_of(signals, count):
    """The package's `ptd_part_of_*` vector: 1 for every point a signal covers."""
    marks = [0] * count
    for signal in signals:
        for index in signal.indices:
            marks[index] = 1
    return marks


def _near_series(close, relative_to_mean):
    """Values whose `close_to_limits` and `relative_to_mean` are the package's two input vectors."""
    pairs = zip(close, relative_to_mean, strict=True)
    return [Decimal("2.5") * side if near else Decimal(side) for near, side in pairs]


def _two_of_three(close, relative_to_mean):
    values = _near_series(close, relative_to_mean)
    return _part_of(spc.two_of_three(values, Decimal(0), LIMITS, NEAR_LIMITS), len(values))


# --- Shift: 7 on one side of the mean ---
# test-ptd_calculate_point_type.R, "ptd_seven_point_one_side_mean works as expected": the input is each point's side
# of the mean (+1 above, -1 below), so the series is those signs around a mean of 0.


def test_published_shift_none_in_an_empty_series():
    assert spc.shifts([], 0) == []


def test_published_shift_six_above_is_not_enough():
    assert _run_ends(spc.shifts([1] * 6, 0), 6) == [0, 0, 0, 0, 0, 0]


def test_published_shift_six_above_then_one_below_is_not_enough():
    assert _run_ends(spc.shifts([1] * 6 + [-1], 0), 7) == [0, 0, 0, 0, 0, 0, 0]


def test_published_shift_eight_above_then_one_below():
    signals = spc.shifts([1] * 8 + [-1], 0)

    assert _run_ends(signals, 9) == [0, 0, 0, 0, 0, 0, 1, 1, 0]
    assert [(signal.rule, signal.direction) for signal in signals] == [(SHIFT, ABOVE)]


def test_published_shift_eight_below_then_one_above():
    signals = spc.shifts([-1] * 8 + [1], 0)

    assert _run_ends(signals, 9) == [0, 0, 0, 0, 0, 0, 1, 1, 0]
    assert [(signal.rule, signal.direction) for signal in signals] == [(SHIFT, BELOW)]


# test-calculatePointHighlighting.R (the package's earlier names), "partOfSevenTrend works as expected": every point
# of the run is flagged, not only those from the 7th on.


def test_published_shift_flags_every_point_of_the_run_above():
    values = [-1] + [1] * 8 + [-1]

    assert _part_of(spc.shifts(values, 0), 10) == [0, 1, 1, 1, 1, 1, 1, 1, 1, 0]


def test_published_shift_flags_every_point_of_the_run_below():
    values = [1] + [-1] * 8 + [1]

    assert _part_of(spc.shifts(values, 0), 10) == [0, 1, 1, 1, 1, 1, 1, 1, 1, 0]


# --- Trend: 7 rising or falling ---
# test-ptd_calculate_point_type.R, "ptd_seven_point_trend works as expected".


def test_published_trend_none_in_an_empty_series():
    assert spc.trends([]) == []


def test_published_trend_six_rising_is_not_enough():
    assert _run_ends(spc.trends([1, 2, 3, 4, 5, 6]), 6) == [0, 0, 0, 0, 0, 0]


def test_published_trend_a_repeated_value_breaks_it():
    assert _run_ends(spc.trends([1, 2, 3, 3, 4, 5, 6]), 7) == [0, 0, 0, 0, 0, 0, 0]


def test_published_trend_seven_rising():
    signals = spc.trends([1, 2, 3, 4, 5, 6, 7])

    assert _run_ends(signals, 7) == [0, 0, 0, 0, 0, 0, 1]
    assert [(signal.rule, signal.direction, signal.indices) for signal in signals] == [(TREND, UP, tuple(range(7)))]


def test_published_trend_seven_rising_between_falls():
    assert _run_ends(spc.trends([2, 1, 2, 3, 4, 5, 6, 7, 3]), 9) == [0, 0, 0, 0, 0, 0, 0, 1, 0]


def test_published_trend_seven_falling():
    signals = spc.trends([7, 6, 5, 4, 3, 2, 1])

    assert _run_ends(signals, 7) == [0, 0, 0, 0, 0, 0, -1]
    # the newer ptd_part_of_seven_trend (after the package's issue 167) flags every point of a falling trend too
    assert _part_of(signals, 7) == [1, 1, 1, 1, 1, 1, 1]


def test_published_trend_seven_falling_between_rises():
    assert _run_ends(spc.trends([2, 7, 6, 5, 4, 3, 2, 1, 3]), 9) == [0, 0, 0, 0, 0, 0, 0, -1, 0]


# --- Two of three near a limit ---
# test-ptd_calculate_point_type.R, "ptd_part_of_two_in_three works as expected": `close_to_limits` as given, every
# point above the mean (the test's `relative_to_mean` of all 1s).


def test_published_two_of_three_none_in_an_empty_series():
    assert _two_of_three([], []) == []


def test_published_two_of_three_none_near_a_limit():
    # "ptd_two_in_three works as expected", b: three points, none near a limit
    assert _two_of_three([0, 0, 0], [0, 0, 0]) == [0, 0, 0]


def test_published_two_of_three_first_and_last():
    assert _two_of_three([1, 0, 1], [1, 1, 1]) == [1, 0, 1]


def test_published_two_of_three_last_two():
    assert _two_of_three([0, 1, 1], [1, 1, 1]) == [0, 1, 1]


def test_published_two_of_three_first_two():
    assert _two_of_three([1, 1, 0], [1, 1, 1]) == [1, 1, 0]


def test_published_two_of_three_in_a_longer_series_with_a_gap():
    assert _two_of_three([0, 0, 1, 0, 1, 0, 0], [1] * 7) == [0, 0, 1, 0, 1, 0, 0]


def test_published_two_of_three_in_a_longer_series_together():
    assert _two_of_three([0, 0, 1, 1, 0, 0, 0], [1] * 7) == [0, 0, 1, 1, 0, 0, 0]


def test_published_two_of_three_points_three_apart_are_not_enough():
    assert _two_of_three([1, 0, 0, 1], [1, 1, 1, 1]) == [0, 0, 0, 0]


def test_published_two_of_three_only_the_window_that_fires():
    assert _two_of_three([1, 0, 0, 1, 1], [1] * 5) == [0, 0, 0, 1, 1]


# test-ptd_calculate_point_type.R, "ptd_two_in_three works as expected when points are on opposite sides of the
# mean": all three points of the window must be on the same side of the mean, not only the two near the limit.


def test_published_two_of_three_middle_point_below_the_mean():
    assert _two_of_three([1, 0, 1], [1, -1, 1]) == [0, 0, 0]


def test_published_two_of_three_near_points_on_opposite_sides():
    assert _two_of_three([0, 1, 1], [1, -1, 1]) == [0, 0, 0]
    assert _two_of_three([1, 1, 0], [1, -1, 1]) == [0, 0, 0]


def test_published_two_of_three_alternating_sides_in_a_longer_series():
    assert _two_of_three([0, 0, 1, 0, 1, 0, 0], [1, -1, 1, -1, 1, -1, 1]) == [0] * 7
    assert _two_of_three([0, 0, 1, 1, 0, 0, 0], [-1, 1, -1, 1, -1, 1, -1]) == [0] * 7


# test-ptd_spc_standard.R, "it only reports special cause for 2 of 3 points close to limits when they are on the same
# side of the mean": the whole chart, end to end.


def test_published_near_points_on_opposite_sides_are_common_cause():
    values = [1, -1] * 8
    values[14], values[15] = Decimal("5.5"), Decimal("-5.5")

    analysis = spc.analyse(values, baseline_points=len(values))

    # mean 0, MR-bar 43.5 / 15 = 2.9: limits +/- 7.714, two sigma +/- 5.142 (the package screens out the moving range
    # of 11 first, which gives +/- 6.175 and +/- 4.117: both points are near a limit either way)
    assert analysis.near_limits[1] < Decimal("5.5") < analysis.limits[1]
    assert analysis.flags[-2:] == ((), ())


# --- Mean and limits, and no signal in random data ---
# _snaps/ptd_spc_standard.md, the snapshot of test-ptd_spc_standard.R "it returns expected values" (r1), and
# _snaps/ptd_spc.md, the summary snapshot of test-ptd_spc.R "it outputs expected content" (s1).


def test_published_series_is_the_one_the_snapshots_print():
    assert [_signif(value) for value in RNORM_123] == PRINTED


def test_published_mean_and_limits_of_twenty_random_values():
    analysis = spc.analyse(RNORM_123, baseline_points=20)

    # no moving range reaches 3.267 x MR-bar, so the package's screen_outliers changes nothing here
    assert max(analysis.moving_ranges[1:]) < Decimal("3.267") * analysis.mean_moving_range
    assert [_signif(value) for value in (analysis.mean, *analysis.limits)] == [
        Decimal("0.142"),
        Decimal("-3.01"),
        Decimal("3.29"),
    ]
    # s1: 20 points, all common cause
    assert (len(analysis.values), analysis.signals) == (20, ())


# _snaps/ptd_spc.md, test-ptd_spc.R "it outputs expected content" (s3): facet 0 is the first 10 points, facet 1 the
# last 10, each a chart of its own.


def test_published_mean_and_limits_of_each_facet():
    first, last = (spc.analyse(half, baseline_points=10) for half in (RNORM_123[:10], RNORM_123[10:]))

    assert [[_signif(value) for value in (a.mean, *a.limits)] for a in (first, last)] == [
        [Decimal("0.0746"), Decimal("-2.60"), Decimal("2.75")],
        [Decimal("0.209"), Decimal("-3.28"), Decimal("3.70")],
    ]
    assert (first.signals, last.signals) == ((), ())


# test-ptd_spc_standard.R, "setting fix_after_n_points changes the calculations".


def test_published_fixing_the_baseline_after_twelve_points_changes_the_limits():
    fixed, unfixed = spc.analyse(RNORM_123, baseline_points=12), spc.analyse(RNORM_123, baseline_points=20)

    assert fixed.limits[0] != unfixed.limits[0]
    assert fixed.limits[1] != unfixed.limits[1]


# test-ptd_spc_standard.R, "it returns expected values": r3 (y[15] set to 10, screen_outliers off, as we do) has other
# limits than r1. The comparisons with r2 need screen_outliers, which we do not implement.


def test_published_an_outlier_moves_the_limits_when_not_screened():
    with_outlier = list(RNORM_123)
    with_outlier[14] = Decimal(10)

    r1, r3 = spc.analyse(RNORM_123, baseline_points=20), spc.analyse(with_outlier, baseline_points=20)

    assert r1.limits[0] != r3.limits[0]
    assert r1.limits[1] != r3.limits[1]
