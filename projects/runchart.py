"""Run charts: the median and the four IHI run-chart rules, as pure functions of a series in time order.

The conventions, also explained on every measure page:

- Median: of the first BASELINE_POINTS points (all of them while there are fewer), then extended over the
  later points, so that a change can show against the baseline rather than move the line with it.
- Shift: SHIFT_LENGTH (6) or more consecutive points all above or all below the median. A point exactly on
  the median neither breaks a shift nor counts towards it.
- Trend: TREND_LENGTH (5) or more consecutive points all going up or all going down. A point equal to the
  one before it neither adds to a trend nor breaks it.
- Runs: a run is one or more consecutive points on the same side of the median, ignoring points on it.
  Too few or too many runs are judged with the published table (Perla, Provost and Murray 2011, as used by
  the IHI) for 10 to 60 useful observations, that is points not on the median. Outside that range the rule
  is not applied.
- Astronomical point: a value obviously different from the rest, taken as outside M +/- 3 x 1.4826 x MAD,
  where M is the median of all the points and MAD their median absolute deviation from M. 1.4826 x MAD
  estimates the standard deviation of normal data without letting the odd point inflate it, so this is a
  robust "three sigma". Not applied with fewer than MIN_POINTS_FOR_ASTRONOMICAL points, or when most points
  are equal (MAD of zero).
"""

import itertools
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

BASELINE_POINTS = 12
SHIFT_LENGTH = 6
TREND_LENGTH = 5
MAD_TO_SD = Decimal("1.4826")
ASTRONOMICAL_SDS = 3
MIN_POINTS_FOR_ASTRONOMICAL = 10

SHIFT, TREND, RUNS, ASTRONOMICAL = "shift", "trend", "runs", "astronomical"
ABOVE, BELOW, UP, DOWN, TOO_FEW, TOO_MANY = "above", "below", "up", "down", "too_few", "too_many"

# Perla, Provost & Murray (2011), "The run chart: a simple analytical tool for learning from variation in
# healthcare processes", BMJ Quality & Safety 20:46-51, table 1 (after Swed & Eisenhart 1943), as the IHI
# teaches it. Useful observations (points not on the median): (lower, upper). Fewer runs than `lower` are
# too few; more than `upper` are too many.
RUNS_TABLE = {
    10: (3, 9), 11: (3, 10), 12: (3, 11), 13: (4, 11), 14: (4, 12), 15: (5, 12), 16: (5, 13), 17: (5, 13),
    18: (6, 14), 19: (6, 15), 20: (6, 16), 21: (7, 16), 22: (7, 17), 23: (7, 17), 24: (8, 18), 25: (8, 18),
    26: (9, 19), 27: (10, 19), 28: (10, 20), 29: (10, 20), 30: (11, 21), 31: (11, 22), 32: (11, 22),
    33: (11, 22), 34: (12, 23), 35: (13, 23), 36: (13, 24), 37: (13, 25), 38: (14, 25), 39: (14, 26),
    40: (15, 26), 41: (16, 26), 42: (16, 27), 43: (17, 27), 44: (17, 28), 45: (17, 29), 46: (17, 30),
    47: (18, 30), 48: (18, 31), 49: (19, 31), 50: (19, 32), 51: (20, 32), 52: (20, 33), 53: (21, 33),
    54: (21, 34), 55: (22, 34), 56: (22, 35), 57: (23, 35), 58: (23, 36), 59: (24, 36), 60: (24, 37),
}  # fmt: skip


@dataclass(frozen=True)
class Signal:
    """One rule that fired: which points (none for the runs rule) and which way."""

    rule: str
    direction: str
    indices: tuple = ()


@dataclass(frozen=True)
class Analysis:
    values: tuple
    median: Decimal | None = None
    baseline_count: int = 0
    useful: int = 0
    runs: int = 0
    runs_limits: tuple | None = None
    limits: tuple | None = None  # (low, high) outside which a point is astronomical
    signals: tuple = ()
    flags: tuple = field(default=())  # per point, the rules that flag it

    def signals_of(self, rule):
        return [signal for signal in self.signals if signal.rule == rule]


def as_decimal(value):
    """Exact arithmetic, so a point is on the median when it equals it, not when a float rounds to it."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def median(values):
    return statistics.median(values) if values else None


def side(value, centre):
    """+1 above the median, -1 below, 0 on it."""
    return (value > centre) - (value < centre)


def shifts(values, centre, length=SHIFT_LENGTH):
    """Runs of `length` or more points on one side of `centre`, skipping points on it."""
    found, current, current_side = [], [], 0

    def close():
        if len(current) >= length:
            found.append(Signal(SHIFT, ABOVE if current_side > 0 else BELOW, tuple(current)))

    for index, value in enumerate(values):
        where = side(value, centre)
        if where == 0:
            continue
        if where != current_side:
            close()
            current, current_side = [], where
        current.append(index)
    close()
    return found


def trends(values, length=TREND_LENGTH):
    """`length` or more points going all up or all down; a repeated value is skipped, not counted."""
    counted = [index for index, value in enumerate(values) if index == 0 or value != values[index - 1]]
    found = []

    def close(first, last, direction):
        if last - first + 1 >= length:
            span = tuple(range(counted[first], counted[last] + 1))  # repeats inside the span belong to it
            found.append(Signal(TREND, UP if direction > 0 else DOWN, span))

    start, direction = 0, 0
    for position in range(1, len(counted)):
        step = side(values[counted[position]], values[counted[position - 1]])  # never 0: repeats are gone
        if step != direction:
            close(start, position - 1, direction)
            start, direction = position - 1, step  # the turning point starts the next streak
    close(start, len(counted) - 1, direction)
    return found


def count_runs(values, centre):
    """(runs, useful observations): points on the median are left out of both."""
    sides = [where for where in (side(value, centre) for value in values) if where]
    runs = sum(1 for before, after in itertools.pairwise(sides) if before != after) + bool(sides)
    return runs, len(sides)


def runs_signal(runs, useful):
    limits = RUNS_TABLE.get(useful)
    if limits is None:
        return None, None
    lower, upper = limits
    if runs < lower:
        return limits, Signal(RUNS, TOO_FEW)
    if runs > upper:
        return limits, Signal(RUNS, TOO_MANY)
    return limits, None


def astronomical_limits(values):
    """M +/- 3 x 1.4826 x MAD over all the points, or None where the rule cannot judge."""
    if len(values) < MIN_POINTS_FOR_ASTRONOMICAL:
        return None
    centre = median(values)
    mad = median([abs(value - centre) for value in values])
    if mad == 0:
        return None
    reach = ASTRONOMICAL_SDS * MAD_TO_SD * mad
    return centre - reach, centre + reach


def astronomical_points(values, limits):
    low, high = limits
    return [
        Signal(ASTRONOMICAL, ABOVE if value > high else BELOW, (index,))
        for index, value in enumerate(values)
        if value < low or value > high
    ]


def analyse(values, baseline_points=BASELINE_POINTS):
    """Every rule on the series, against the median of its first `baseline_points` points."""
    values = tuple(as_decimal(value) for value in values)
    if not values:
        return Analysis(values=values)
    baseline = values[:baseline_points]
    centre = median(baseline)
    signals = shifts(values, centre) + trends(values)
    runs, useful = count_runs(values, centre)
    runs_limits, too_few_or_many = runs_signal(runs, useful)
    if too_few_or_many:
        signals.append(too_few_or_many)
    limits = astronomical_limits(values)
    if limits:
        signals += astronomical_points(values, limits)
    flags = [[] for _ in values]
    for signal in signals:
        for index in signal.indices:
            if signal.rule not in flags[index]:
                flags[index].append(signal.rule)
    return Analysis(
        values=values,
        median=centre,
        baseline_count=len(baseline),
        useful=useful,
        runs=runs,
        runs_limits=runs_limits,
        limits=limits,
        signals=tuple(signals),
        flags=tuple(tuple(rules) for rules in flags),
    )


# --- Drawing: where things go on the SVG, in its own coordinates ---

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 16, 44
MAX_DATE_LABELS = 6
# The shape a point takes for the strongest rule that flags it: the chart never relies on colour alone.
SHAPE_ORDER = [(ASTRONOMICAL, "diamond"), (SHIFT, "square"), (TREND, "triangle")]


def nice_step(span, ticks=5):
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` gridlines over `span`."""
    span = as_decimal(span) or Decimal(1)
    raw = span / ticks
    power = Decimal(10) ** (raw.adjusted())
    for multiple in (1, 2, Decimal("2.5"), 5, 10):
        if raw <= multiple * power:
            return multiple * power
    return 10 * power


def layout(analysis, *, target=None, width=WIDTH, height=HEIGHT):
    """Coordinates of the points, the median and target lines, and the axis labels of a run chart."""
    values = analysis.values
    if not values:
        return None
    candidates = [*values, analysis.median] + ([as_decimal(target)] if target is not None else [])
    low, high = min(candidates), max(candidates)
    if low == high:
        low, high = low - 1, high + 1
    step = nice_step(high - low)
    bottom_value = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    top_value = (high / step).to_integral_value(rounding="ROUND_CEILING") * step
    plot_width, plot_height = width - LEFT - RIGHT, height - TOP - BOTTOM
    gap = Decimal(plot_width) / max(len(values) - 1, 1)

    def x(index):
        return round(LEFT + (gap * index if len(values) > 1 else Decimal(plot_width) / 2), 1)

    def y(value):
        return round(TOP + (top_value - value) / (top_value - bottom_value) * plot_height, 1)

    points = []
    for index, value in enumerate(values):
        flags = analysis.flags[index]
        shape = next((shape for rule, shape in SHAPE_ORDER if rule in flags), "circle")
        points.append({"index": index, "x": x(index), "y": y(value), "shape": shape})
    every = -(-len(values) // MAX_DATE_LABELS)  # ceiling division
    date_indices = list(range(0, len(values), every))
    if date_indices[-1] != len(values) - 1:
        # The last point is always labelled; a regular label too close to it would overlap, so it gives way.
        if len(date_indices) > 1 and len(values) - 1 - date_indices[-1] < every:
            date_indices.pop()
        date_indices.append(len(values) - 1)
    ticks, tick = [], bottom_value
    while tick <= top_value:
        ticks.append({"value": tick, "y": y(tick)})
        tick += step
    return {
        "width": width,
        "height": height,
        "left": LEFT,
        "right": width - RIGHT,
        "top": TOP,
        "bottom": height - BOTTOM,
        "points": points,
        "path": " ".join(f"{'M' if point['index'] == 0 else 'L'}{point['x']},{point['y']}" for point in points),
        "median_y": y(analysis.median),
        "baseline_end_x": x(analysis.baseline_count - 1) if len(values) > 1 else width - RIGHT,
        "target_y": y(as_decimal(target)) if target is not None else None,
        "y_ticks": ticks,
        "x_labels": [
            {"index": index, "x": x(index), "anchor": "end" if index == len(values) - 1 and index else "middle"}
            for index in date_indices
        ],
    }
