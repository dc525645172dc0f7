"""XmR charts and the Making Data Count rules, on hand-worked series.

Nearly every example starts with the same baseline, worked by hand once here:

    BASELINE = 12, 10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 10
    mean        = 132 / 12 = 11
    moving ranges: eleven of |10 - 12| = 2, so the mean moving range MR-bar = 22 / 11 = 2
    limits      = 11 +/- 2.66 x 2 = 11 +/- 5.32, that is 5.68 to 16.32
    sigma       = MR-bar / 1.128 = 1.7730...; two sigma = 3.5461...
    near a limit: above 11 + 3.5461 = 14.5461 (up to 16.32), or below 11 - 3.5461 = 7.4539 (down to 5.68)

The baseline alternates around the mean and ends below it (10), so no rule fires within it, and a run added after
it starts fresh.
"""

from decimal import Decimal

import pytest

from projects import runchart, spc
from projects.runchart import ABOVE, BELOW, DOWN, SHIFT, TREND, UP, Signal
from projects.spc import OUTSIDE, TWO_OF_THREE

BASELINE = [12, 10] * 6


def _signals(values, **kwargs):
    return [(signal.rule, signal.direction, signal.indices) for signal in spc.analyse(values, **kwargs).signals]


# --- Mean, moving ranges and limits ---


def test_limits_of_the_worked_baseline():
    analysis = spc.analyse(BASELINE)

    assert (analysis.mean, analysis.mean_moving_range, analysis.baseline_count) == (11, 2, 12)
    assert analysis.limits == (Decimal("5.68"), Decimal("16.32"))
    low, high = analysis.near_limits
    assert (round(low, 4), round(high, 4)) == (Decimal("7.4539"), Decimal("14.5461"))


def test_limits_of_a_second_worked_series():
    # 4, 8, 6, 10, 7: mean 35 / 5 = 7; moving ranges 4, 2, 4, 3, so MR-bar = 13 / 4 = 3.25;
    # limits 7 +/- 2.66 x 3.25 = 7 +/- 8.645, that is -1.645 to 15.645
    analysis = spc.analyse([4, 8, 6, 10, 7])

    assert analysis.moving_ranges == (None, 4, 2, 4, 3)
    assert (analysis.mean, analysis.mean_moving_range) == (7, Decimal("3.25"))
    assert analysis.limits == (Decimal("-1.645"), Decimal("15.645"))
    assert analysis.signals == ()


def test_mean_and_limits_come_from_the_baseline_only_and_stay_fixed():
    later = BASELINE + [30, 31, 29]

    analysis = spc.analyse(later)

    assert (analysis.mean, analysis.mean_moving_range, analysis.limits) == (11, 2, spc.analyse(BASELINE).limits)


def test_baseline_of_the_first_n_points():
    # first 4: 12, 10, 12, 10: mean 11, MR-bar 2; the 20s after them do not move it
    analysis = spc.analyse([12, 10, 12, 10, 20, 20], baseline_points=4)

    assert (analysis.mean, analysis.baseline_count, analysis.limits) == (11, 4, (Decimal("5.68"), Decimal("16.32")))


def test_no_limits_while_every_baseline_value_is_equal():
    analysis = spc.analyse([5] * 12 + [6] * 7)

    # MR-bar is 0: limits would flag any difference at all, so the limit rules stand aside; the shift still counts
    assert (analysis.limits, analysis.near_limits) == (None, None)
    assert _signals([5] * 12 + [6] * 7) == [(SHIFT, ABOVE, tuple(range(12, 19)))]


def test_one_point_has_a_mean_but_no_limits():
    analysis = spc.analyse([4])

    assert (analysis.mean, analysis.mean_moving_range, analysis.limits, analysis.signals) == (4, None, None, ())


def test_empty_series():
    assert spc.analyse([]) == spc.XmrAnalysis(values=())


# --- No rule fires ---


def test_the_worked_baseline_has_no_signal():
    assert _signals(BASELINE) == []


def test_ordinary_variation_after_the_baseline_has_no_signal():
    # inside 7.4539 to 14.5461, alternating around 11, nothing rising or falling for long
    assert _signals(BASELINE + [9, 13, 10, 12, 8, 14, 11, 10]) == []


# --- Rule 1: a point outside the process limits ---


def test_outside_above_the_upper_limit():
    assert _signals(BASELINE + [17]) == [(OUTSIDE, ABOVE, (12,))]  # 17 > 16.32


def test_outside_below_the_lower_limit():
    assert _signals(BASELINE + [5]) == [(OUTSIDE, BELOW, (12,))]  # 5 < 5.68


def test_a_point_on_the_limit_is_inside():
    # 16.32 is not above 16.32; it is beyond two sigma, but one near point alone is no signal
    assert _signals(BASELINE + [Decimal("16.32")]) == []


# --- Rule 2: a shift, 7 or more on one side of the mean ---


def test_shift_seven_above_the_mean():
    assert _signals(BASELINE + [12, 13, 12, 13, 12, 13, 12]) == [(SHIFT, ABOVE, tuple(range(12, 19)))]


def test_shift_six_is_not_enough():
    assert _signals(BASELINE + [12, 13, 12, 13, 12, 13]) == []


def test_shift_a_point_on_the_mean_ends_the_run():
    # three above, one on the mean (11), four above: neither run reaches seven
    assert _signals(BASELINE + [12, 13, 12, 11, 13, 12, 13, 12]) == []


def test_shift_below_the_mean():
    assert _signals(BASELINE + [9, 10, 9, 10, 9, 10, 9, 10]) == [(SHIFT, BELOW, tuple(range(11, 20)))]


# --- Rule 3: a trend, 7 or more each higher (or lower) than the one before ---


def test_trend_seven_rising():
    # 10 (the baseline's last), then 8: falling; 8 to 14: seven points, six steps up
    assert _signals(BASELINE + [8, 9, 10, 11, 12, 13, 14]) == [(TREND, UP, tuple(range(12, 19)))]


def test_trend_six_rising_is_not_enough():
    assert _signals(BASELINE + [9, 10, 11, 12, 13, 14]) == []


def test_trend_a_repeated_value_ends_it():
    assert _signals(BASELINE + [8, 9, 10, 10, 11, 12, 13]) == []  # 8, 9, 10 then 10 to 13: three and four points


def test_trend_seven_falling():
    # the baseline's last point (10) to 14 is a rise; 14 down to 8 is seven points falling, none near a limit
    assert _signals(BASELINE + [14, 13, 12, 11, 10, 9, 8]) == [(TREND, DOWN, tuple(range(12, 19)))]


# --- Rule 4: two of three near a limit, on the same side ---


def test_two_of_three_near_the_upper_limit():
    # 15 is beyond 14.5461 and inside 16.32; the 11 between them is on the mean
    assert _signals(BASELINE + [15, 11, 15]) == [(TWO_OF_THREE, ABOVE, (12, 14))]


def test_two_of_three_near_the_lower_limit():
    # 7 and 7.2: below 7.4539, above 5.68
    assert _signals(BASELINE + [7, Decimal("7.2")]) == [(TWO_OF_THREE, BELOW, (12, 13))]


def test_two_of_three_needs_the_same_side():
    assert _signals(BASELINE + [15, 11, 7]) == []


def test_one_of_three_is_not_enough():
    assert _signals(BASELINE + [15, 11, 11, 15]) == []  # the two 15s are three points apart


def test_a_point_outside_the_limits_does_not_count_as_near():
    assert _signals(BASELINE + [17, 11, 15]) == [(OUTSIDE, ABOVE, (12,))]


def test_two_of_three_overlapping_windows_make_one_signal():
    assert _signals(BASELINE + [15, 15, 15]) == [(TWO_OF_THREE, ABOVE, (12, 13, 14))]


# --- Several rules, flags and phases ---


def test_flags_each_point_with_every_rule_that_covers_it():
    # 11 up to 17 by ones after the baseline's 10: eight rising; 12 to 17 above the mean (six: no shift, as 11 is
    # on it); 15 and 16 near the upper limit; 17 outside it
    values = BASELINE + [11, 12, 13, 14, 15, 16, 17]

    analysis = spc.analyse(values)

    assert [(s.rule, s.direction, s.indices) for s in analysis.signals] == [
        (OUTSIDE, ABOVE, (18,)),
        (TREND, UP, tuple(range(11, 19))),
        (TWO_OF_THREE, ABOVE, (16, 17)),
    ]
    assert analysis.flags[18] == (OUTSIDE, TREND)
    assert analysis.flags[16] == (TREND, TWO_OF_THREE)
    assert analysis.flags[12] == (TREND,)
    assert analysis.flags[0] == ()


def test_each_phase_has_its_own_mean_and_limits():
    later = [22, 20] * 6  # mean 21, MR-bar 2: limits 15.68 to 26.32
    values = BASELINE + later

    one_phase = runchart.analyse_phases(values, [(0, 24)], rules=spc.analyse)
    two_phases = runchart.analyse_phases(values, [(0, 12), (12, 24)], rules=spc.analyse)

    # in one phase the later values are all outside the first limits, and a shift above the first mean
    assert [signal.rule for signal in one_phase[0].signals()] == [OUTSIDE] * 12 + [SHIFT]
    assert [(phase.analysis.mean, phase.analysis.limits) for phase in two_phases] == [
        (11, (Decimal("5.68"), Decimal("16.32"))),
        (21, (Decimal("15.68"), Decimal("26.32"))),
    ]
    assert [phase.signals() for phase in two_phases] == [[], []]


def test_phase_signals_count_from_the_start_of_the_whole_series():
    values = BASELINE + [22, 20] * 6 + [30]

    phases = runchart.analyse_phases(values, [(0, 12), (12, 25)], rules=spc.analyse)

    assert phases[1].signals() == [Signal(OUTSIDE, ABOVE, (24,))]  # 30 > 26.32; index 12 within the phase


@pytest.mark.parametrize(
    ("rule", "shape"), [(OUTSIDE, "diamond"), (SHIFT, "square"), (TREND, "triangle"), (TWO_OF_THREE, "triangle-down")]
)
def test_each_rule_has_its_own_shape(rule, shape):
    assert dict(spc.XmrAnalysis.shapes)[rule] == shape
