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
- Phases: after a tested change, people may start a new phase. Each phase is analysed as a series of its own,
  with its own baseline (its first points) and median, and every rule applied within it: nothing carries
  across a phase start. Nothing starts a phase but a person (see `phase_bounds` and `analyse_phases`).
"""

import bisect
import itertools
import statistics
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import ClassVar

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

    # The shape a point takes for the strongest rule that flags it: the chart never relies on colour alone.
    shapes: ClassVar[tuple] = ((ASTRONOMICAL, "diamond"), (SHIFT, "square"), (TREND, "triangle"))
    # A run chart draws no process limits: its `limits` are the astronomical rule's, used in words only.
    process_limits: ClassVar[None] = None

    @property
    def centre(self):
        return self.median

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


def points_outside(values, limits, rule=ASTRONOMICAL):
    """A `rule` signal for each point beyond `limits` (low, high): astronomical here, outside the process limits
    on an XmR chart."""
    low, high = limits
    return [
        Signal(rule, ABOVE if value > high else BELOW, (index,))
        for index, value in enumerate(values)
        if value < low or value > high
    ]


def flags_of(values, signals):
    """Per point, the rules of `signals` that cover it, each once, in the order the signals give them."""
    flags = [[] for _ in values]
    for signal in signals:
        for index in signal.indices:
            if signal.rule not in flags[index]:
                flags[index].append(signal.rule)
    return tuple(tuple(rules) for rules in flags)


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
        signals += points_outside(values, limits)
    return Analysis(
        values=values,
        median=centre,
        baseline_count=len(baseline),
        useful=useful,
        runs=runs,
        runs_limits=runs_limits,
        limits=limits,
        signals=tuple(signals),
        flags=flags_of(values, signals),
    )


# --- Phases ---


@dataclass(frozen=True)
class PhaseAnalysis:
    """One phase of a series: the index of its first point in the whole series, and its own analysis, whose
    indices count from the phase's first point."""

    first: int
    analysis: object  # an Analysis here, an spc.XmrAnalysis for an XmR chart

    @property
    def stop(self):
        return self.first + len(self.analysis.values)

    def signals(self):
        """Its signals, with indices in the whole series."""
        return [
            replace(signal, indices=tuple(self.first + index for index in signal.indices))
            for signal in self.analysis.signals
        ]


def phase_bounds(dates, starts):
    """The (first, stop) index ranges of a series' phases: the points before the first start, then one per start.

    `dates` are the points' dates in order, `starts` the days the later phases start, in order. A point dated on
    a start belongs to the phase it starts. A phase without points has first == stop.
    """
    edges = [0, *(bisect.bisect_left(dates, start) for start in starts), len(dates)]
    return list(itertools.pairwise(edges))


def analyse_phases(values, bounds, baseline_points=BASELINE_POINTS, rules=analyse):
    """Each phase analysed on its own, with `rules` (this module's `analyse`, or `spc.analyse`): its own
    baseline of its first `baseline_points` points, its own centre line, its own signals."""
    values = tuple(as_decimal(value) for value in values)
    return tuple(PhaseAnalysis(first, rules(values[first:stop], baseline_points)) for first, stop in bounds)


def phase_flags(phases):
    """The rules that flag each point of the whole series."""
    return tuple(flags for phase in phases for flags in phase.analysis.flags)


def date_position(dates, day):
    """Where `day` falls along a series dated `dates` (in order), counted in points: the index of the point on
    that day, or a fraction of the way between the points either side. None outside the charted dates."""
    if not dates or day < dates[0] or day > dates[-1]:
        return None
    after = bisect.bisect_left(dates, day)
    if dates[after] == day:
        return Decimal(after)
    before = after - 1
    return before + Decimal((day - dates[before]).days) / Decimal((dates[after] - dates[before]).days)


# --- Drawing: where things go on the SVG, in its own coordinates ---

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 16, 44
MAX_DATE_LABELS = 6
PHASE_BAND = 18  # above the plot: the phases' labels
MARKER_ROW, MARKER_ROWS, MARKER_RADIUS = 22, 3, 9  # above that: the numbered markers, in up to three rows
CENTRE_LABEL = (80, 20)  # the room a label such as "Median 12.5" takes beside its line (12 px text, a point's size)


def _crowded(points, label_x, line_y):
    """(any point where a label from `label_x` would be above the line at `line_y`, any where it would be below)."""
    label_width, label_height = CENTRE_LABEL
    near = [point["y"] for point in points if label_x - 8 <= point["x"] <= label_x + label_width]
    return (
        any(line_y - label_height <= y <= line_y for y in near),
        any(line_y <= y <= line_y + label_height for y in near),
    )


def _label_below(points, label_x, centre_y):
    """True if a centre line's label must go under its line: a point sits where it would be above, none below."""
    above, below = _crowded(points, label_x, centre_y)
    return above and not below


def _target_label(points, segments, left, right, target_y):
    """Where the target line's label goes: at its right end, above the line, unless points would cover it there;
    then the first clear place of: under it, at the left end above it, under it there. The left end is clear only
    where no centre line's label is near the target line."""
    label_width, label_height = CENTRE_LABEL
    # The centre lines whose labels start where one at the left end would be.
    labels = [segment["centre_y"] for segment in segments if segment["label_x"] <= left + 4 + label_width]
    left_clear = all(abs(centre_y - target_y) > 2 * label_height for centre_y in labels)
    places = [
        {"x": right, "anchor": "end", "below": False},
        {"x": right, "anchor": "end", "below": True},
        {"x": left + 4, "anchor": "start", "below": False},
        {"x": left + 4, "anchor": "start", "below": True},
    ]
    for place in places:
        if place["anchor"] == "start" and not left_clear:
            continue
        label_x = place["x"] - label_width if place["anchor"] == "end" else place["x"]
        if not _crowded(points, label_x, target_y)[place["below"]]:
            return place
    return places[0]


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
    """A chart of one phase: see `draw`."""
    return draw((PhaseAnalysis(0, analysis),), target=target, width=width, height=height)


def _marker_rows(xs):
    """A row for each marker's number, so that numbers close together do not overlap: the first row with room."""
    ends, rows = [], []
    for x in xs:
        if x is None:
            rows.append(None)
            continue
        row = next((row for row, end in enumerate(ends) if x - end >= 2 * MARKER_RADIUS + 2), None)
        if row is None and len(ends) < MARKER_ROWS:
            row = len(ends)
            ends.append(x)
        elif row is None:
            row = min(range(len(ends)), key=lambda row: ends[row])  # no room anywhere: the least crowded row
        ends[row] = x
        rows.append(row)
    return rows


def draw(phases, *, dates=None, target=None, markers=(), width=WIDTH, height=HEIGHT, date_labels=MAX_DATE_LABELS):
    """Coordinates of everything on a chart of `phases` (PhaseAnalysis, in order): points, each phase's centre
    line (median or mean) as a step, its process limits if it has them, the phase starts, the target line, the
    `markers` (dates, numbered from 1 in the order given; those outside the charted dates are left out) and the
    axis labels. `dates` are the points' dates, needed only to place markers."""
    values = [value for phase in phases for value in phase.analysis.values]
    flags = phase_flags(phases)
    if not values:
        return None
    drawn = [(number, phase) for number, phase in enumerate(phases, start=1) if phase.analysis.values]
    candidates = [*values]
    for _number, phase in drawn:
        candidates.append(phase.analysis.centre)
        candidates += list(phase.analysis.process_limits or ())
    if target is not None:
        candidates.append(as_decimal(target))
    low, high = min(candidates), max(candidates)
    if low == high:
        low, high = low - 1, high + 1
    step = nice_step(high - low)
    bottom_value = (low / step).to_integral_value(rounding="ROUND_FLOOR") * step
    top_value = (high / step).to_integral_value(rounding="ROUND_CEILING") * step

    plot_width = width - LEFT - RIGHT
    gap = Decimal(plot_width) / max(len(values) - 1, 1)
    right = width - RIGHT

    def x(position):
        return round(LEFT + (gap * position if len(values) > 1 else Decimal(plot_width) / 2), 1)

    # Above the plot, from the top: the markers' rows (as many as needed), then the phases' labels.
    positions = [date_position(dates, day) for day in markers]
    rows = _marker_rows([None if position is None else x(position) for position in positions])
    used = [row for row in rows if row is not None]
    marker_band = MARKER_ROW * (max(used) + 1) if used else 0
    phase_band = PHASE_BAND if len(drawn) > 1 else 0
    top = TOP + marker_band + phase_band
    height = height + marker_band + phase_band
    plot_height = height - top - BOTTOM

    def y(value):
        return round(top + (top_value - value) / (top_value - bottom_value) * plot_height, 1)

    points = []
    for index, value in enumerate(values):
        shape = next((shape for rule, shape in phases[0].analysis.shapes if rule in flags[index]), "circle")
        points.append({"index": index, "x": x(index), "y": y(value), "shape": shape})

    segments, previous = [], None
    for number, phase in drawn:
        analysis = phase.analysis
        start = LEFT if phase.first == 0 else round((x(phase.first - 1) + x(phase.first)) / 2, 1)
        end = right if phase.stop == len(values) else round((x(phase.stop - 1) + x(phase.stop)) / 2, 1)
        complete = analysis.baseline_count == len(analysis.values)
        limits = analysis.process_limits
        segment = {
            "number": number,
            "x1": start,
            "x2": end,
            "label_x": start + 4,
            "starts_phase": phase.first > 0,  # a phase start is drawn as a labelled vertical line
            "baseline_end_x": end if complete else x(phase.first + analysis.baseline_count - 1),
            "centre": analysis.centre,
            "centre_y": y(analysis.centre),
            "step_from_y": previous["centre_y"] if previous else None,  # a vertical step from the last phase's
            "upper_y": y(limits[1]) if limits else None,
            "lower_y": y(limits[0]) if limits else None,
        }
        segments.append(segment)
        previous = segment

    placed = []
    for number, (position, row) in enumerate(zip(positions, rows, strict=True), start=1):
        if position is None:
            continue
        centre_y = TOP + MARKER_ROW * row + MARKER_RADIUS
        placed.append({"number": number, "x": x(position), "y": centre_y, "line_top": centre_y + MARKER_RADIUS})

    every = -(-len(values) // date_labels)  # ceiling division
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
    for segment in segments:
        segment["label_below"] = _label_below(points, segment["label_x"], segment["centre_y"])
    return {
        "width": width,
        "height": height,
        "left": LEFT,
        "right": right,
        "top": top,
        "bottom": height - BOTTOM,
        "phase_label_y": TOP + marker_band + 12 if phase_band else None,
        "points": points,
        "path": " ".join(f"{'M' if point['index'] == 0 else 'L'}{point['x']},{point['y']}" for point in points),
        "segments": segments,
        "markers": placed,
        "target_y": y(as_decimal(target)) if target is not None else None,
        "target_label": _target_label(points, segments, LEFT, right, y(as_decimal(target)))
        if target is not None
        else None,
        "y_ticks": ticks,
        "x_labels": [
            {"index": index, "x": x(index), "anchor": "end" if index == len(values) - 1 and index else "middle"}
            for index in date_indices
        ],
    }
