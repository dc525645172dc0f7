"""XmR (individuals) charts with NHS England's Making Data Count rules, as pure functions of a series in time order.

The conventions, also explained on every measure page that uses them:

- Mean: of the first `baseline_points` points (all of them while there are fewer), then extended over the later
  points, like the run chart's median: the limits are fixed from the baseline, not moved by the change.
- Moving range: the difference, ignoring its sign, between each point and the one before it. The mean moving range
  (MR-bar) is the mean of the baseline's moving ranges.
- Process limits: mean +/- 2.66 x MR-bar. 2.66 is 3 / 1.128: three sigma, where sigma = MR-bar / 1.128 estimates
  the standard deviation from neighbouring points.
- The rules, each a sign of special cause variation:
  - Outside the limits: a point above the upper process limit or below the lower one.
  - Shift: SHIFT_LENGTH (7) or more consecutive points all above the mean, or all below it. A point exactly on
    the mean ends the run.
  - Trend: TREND_LENGTH (7) or more consecutive points each higher than the one before, or each lower. A point
    equal to the one before it ends the trend.
  - Two of three near a limit: 2 of 3 consecutive points more than two sigma from the mean on the same side,
    yet inside the process limits (a point outside them is flagged by the first rule), and none of the three on the
    other side of the mean. Those two (or three) points are flagged.
- With fewer than 2 baseline points, or moving ranges all 0 (every baseline value equal), there are no limits:
  the shift and trend rules still apply, the two rules about limits do not.

NHS England's guidance and the NHS-R community's NHSRplotthedots package apply the same conventions;
tests/projects/test_spc_published.py checks these functions against the package's worked examples. Unlike NHS England's
own tool, the package by default leaves out moving ranges of 3.267 x MR-bar or more when it sets the limits; we do not.
"""

import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from projects.runchart import (
    ABOVE,
    BASELINE_POINTS,
    BELOW,
    DOWN,
    SHIFT,
    TREND,
    UP,
    Signal,
    as_decimal,
    flags_of,
    points_outside,
    side,
)

LIMIT_FACTOR = Decimal("2.66")
D2 = Decimal("1.128")  # the bias-correction constant for moving ranges of two points
NEAR_SIGMAS = 2
SHIFT_LENGTH = 7
TREND_LENGTH = 7
OUTSIDE, TWO_OF_THREE = "outside_limits", "two_of_three"


@dataclass(frozen=True)
class XmrAnalysis:
    values: tuple
    mean: Decimal | None = None
    baseline_count: int = 0
    moving_ranges: tuple = ()  # None for the first point, which has no point before it
    mean_moving_range: Decimal | None = None
    limits: tuple | None = None  # (lower, upper) process limits
    near_limits: tuple | None = None  # (lower, upper): two sigma from the mean
    signals: tuple = ()
    flags: tuple = field(default=())  # per point, the rules that flag it

    shapes: ClassVar[tuple] = (
        (OUTSIDE, "diamond"),
        (SHIFT, "square"),
        (TREND, "triangle"),
        (TWO_OF_THREE, "triangle-down"),
    )

    @property
    def centre(self):
        return self.mean

    @property
    def process_limits(self):
        return self.limits

    def signals_of(self, rule):
        return [signal for signal in self.signals if signal.rule == rule]


def mean(values):
    return sum(values, Decimal(0)) / len(values) if values else None


def moving_ranges(values):
    return tuple(abs(after - before) for before, after in itertools.pairwise(values))


def process_limits(centre, mean_moving_range):
    """((lower, upper) process limits, (lower, upper) two-sigma lines), or (None, None) where they cannot be set."""
    if centre is None or not mean_moving_range:
        return None, None
    reach = LIMIT_FACTOR * mean_moving_range
    near = NEAR_SIGMAS * mean_moving_range / D2
    return (centre - reach, centre + reach), (centre - near, centre + near)


def shifts(values, centre, length=SHIFT_LENGTH):
    """Runs of `length` or more points on one side of `centre`; a point on it ends the run."""
    found = []
    for where, group in itertools.groupby(range(len(values)), key=lambda index: side(values[index], centre)):
        indices = tuple(group)
        if where and len(indices) >= length:
            found.append(Signal(SHIFT, ABOVE if where > 0 else BELOW, indices))
    return found


def trends(values, length=TREND_LENGTH):
    """`length` or more points each higher (or each lower) than the one before; a repeated value ends it."""
    found, start = [], 0
    steps = [side(after, before) for before, after in itertools.pairwise(values)]  # steps[i]: point i to i + 1
    for direction, group in itertools.groupby(steps):
        count = len(list(group))
        if direction and count + 1 >= length:
            found.append(Signal(TREND, UP if direction > 0 else DOWN, tuple(range(start, start + count + 1))))
        start += count
    return found


def near_limit_sides(values, limits, near_limits):
    """Per point: +1 beyond the upper two-sigma line (but not the upper limit), -1 likewise below, else 0."""
    low, high = limits
    near_low, near_high = near_limits
    return [(near_high < value <= high) - (low <= value < near_low) for value in values]


def two_of_three(values, centre, limits, near_limits):
    """2 of 3 consecutive points near the same limit, none of the three on the other side of `centre`.

    NHS England's tool and NHSRplotthedots ask the whole window to be on one side: two points near the upper limit
    with a point below the mean between them are no signal. Overlapping windows on the same side make one signal.
    """
    near = near_limit_sides(values, limits, near_limits)
    sides = [side(value, centre) for value in values]
    found = []
    for start in range(len(values) - 2):
        window = range(start, start + 3)
        for where in (1, -1):
            hits = [index for index in window if near[index] == where]
            if len(hits) < 2 or any(sides[index] == -where for index in window):
                continue
            direction = ABOVE if where > 0 else BELOW
            last = found[-1] if found else None
            if last and last.direction == direction and last.indices[-1] >= start:
                found[-1] = Signal(TWO_OF_THREE, direction, tuple(sorted({*last.indices, *hits})))
            else:
                found.append(Signal(TWO_OF_THREE, direction, tuple(hits)))
    return found


def analyse(values, baseline_points=BASELINE_POINTS):
    """Every Making Data Count rule on the series, against the mean and limits of its first `baseline_points`."""
    values = tuple(as_decimal(value) for value in values)
    if not values:
        return XmrAnalysis(values=values)
    baseline = values[:baseline_points]
    centre = mean(baseline)
    baseline_ranges = moving_ranges(baseline)
    mean_moving_range = mean(baseline_ranges)
    limits, near = process_limits(centre, mean_moving_range)
    signals = []
    if limits:
        signals += points_outside(values, limits, OUTSIDE)
    signals += shifts(values, centre) + trends(values)
    if limits:
        signals += two_of_three(values, centre, limits, near)
    return XmrAnalysis(
        values=values,
        mean=centre,
        baseline_count=len(baseline),
        moving_ranges=(None, *moving_ranges(values)),
        mean_moving_range=mean_moving_range,
        limits=limits,
        near_limits=near,
        signals=tuple(signals),
        flags=flags_of(values, signals),
    )
