"""Chart layouts for results, drawn as SVG by templates/surveys/_chart_*.html: no JavaScript, no inline styles.

Every chart is given in numbers here (positions in the SVG's own units) and the templates only place them.
Colours come from the stylesheet (classes), from a diverging brown-to-teal palette that people with the
common colour-vision deficiencies tell apart; the disagree side is also hatched, every segment wide enough
carries its percentage, and each chart has a table with the same figures next to it. Every row drawn names the
number of people it rests on, "After (n=34)", so that a printed chart (without its table) still says it.
"""

import math
from dataclasses import dataclass

from surveys.models import Scale
from surveys.results.figures import SUPPRESSED
from surveys.results.wording import whole

WIDTH = 640
LABEL_WIDTH = 148  # the row labels on the left, up to "Before (n=120,000)" and "2026 Q1 (n=12,345)"
RIGHT_MARGIN = 16
FOREST_LABEL_WIDTH = 248
FOREST_LABEL_CHARS = 30  # a longer partnership name is shortened (the table has it whole), never its n
BAR_HEIGHT = 28
MIN_LABELLED = 30  # SVG units: narrower segments go without their percentage (the table has it)


# Brown (disagree) to teal (agree), after ColorBrewer's BrBG, which stays distinct with the common colour-vision
# deficiencies; the two disagree fills are hatched patterns (templates/surveys/_chart_defs.html), so the sides
# differ by texture too. "dark" segments carry white labels, the others dark ones (4.5:1 or more).
FILLS = {1: "url(#answer-fill-1)", 2: "url(#answer-fill-2)", 3: "#d9d9d9", 4: "#80cdc1", 5: "#01665e"}
TONES = {1: "dark", 2: "light", 3: "light", 4: "light", 5: "dark"}
ANSWER_KEY = [{"value": value, "label": label, "fill": FILLS[value]} for value, label in Scale.choices]


def with_n(label, n, *, chars=None):
    """ "After (n=34)": a row's label and how many people its figure rests on; shortened to `chars` if need be."""
    n_part = "" if n is SUPPRESSED else f" (n={n:,})"  # where suppressed, the row's note says "fewer than 5"
    if chars and len(label) + len(n_part) > chars:
        label = label[: chars - len(n_part) - 1] + "…"
    return f"{label}{n_part}"


@dataclass(frozen=True)
class Segment:
    value: int  # 1..5
    x: float
    width: float
    label: str  # "29%" or "" when too narrow

    @property
    def fill(self):
        return FILLS[self.value]

    @property
    def tone(self):
        return TONES[self.value]

    @property
    def centre(self):
        return round(self.x + self.width / 2, 2)


@dataclass(frozen=True)
class Bar:
    name: str
    y: float
    segments: tuple
    note: str = ""  # instead of segments: "fewer than 5", "no answers"

    @property
    def middle_y(self):
        return self.y + BAR_HEIGHT / 2


def diverging_bars(figures):
    """Before and after as bars centred on the middle of "Neither": disagreeing left, agreeing right."""
    left, right = LABEL_WIDTH, WIDTH - RIGHT_MARGIN
    middle = (left + right) / 2
    scale = (right - left) / 2 / 100  # 100% on either side
    bars = []
    for index, (name, distribution) in enumerate((("Before", figures.pre), ("After", figures.post))):
        y = 26 + index * 40
        if distribution is SUPPRESSED:
            bars.append(Bar(name, y, (), note=f"{SUPPRESSED}: not shown"))
            continue
        if not distribution or not distribution.n:
            left_out = figures.counts.left_out[index]
            bars.append(Bar(name, y, (), note=f"{SUPPRESSED} per session: left out" if left_out else "no answers"))
            continue
        shares = distribution.shares
        x = middle - (shares[0] + shares[1] + shares[2] / 2) * scale
        segments = []
        for value, share in zip(Scale.values, shares, strict=True):
            width = share * scale
            segments.append(
                Segment(value, round(x, 2), round(width, 2), f"{whole(share)}%" if width >= MIN_LABELLED else "")
            )
            x += width
        bars.append(Bar(with_n(name, distribution.n), y, tuple(segments)))
    ticks = [{"x": round(middle + share * scale, 2), "label": f"{abs(share)}%"} for share in (-100, -50, 0, 50, 100)]
    return {
        "width": WIDTH,
        "height": 126,
        "left": left,
        "right": right,
        "middle": middle,
        "bar_height": BAR_HEIGHT,
        "bars": bars,
        "ticks": ticks,
        "axis_y": 102,
        "tick_label_y": 118,
        "label_x": left - 8,
        "top": 26,
        "key": ANSWER_KEY,
    }


@dataclass(frozen=True)
class Interval:
    label: str
    y: float
    x: float | None  # the change
    low: float | None
    high: float | None
    note: str = ""
    pooled: bool = False

    @property
    def diamond(self):
        """The pooled estimate drawn as a diamond as wide as its interval."""
        return f"{self.low},{self.y} {self.x},{self.y - 8} {self.high},{self.y} {self.x},{self.y + 8}"


def _why_not_drawn(figure, otherwise):
    """A row's note where its change is not drawn: withheld, left out for small groups, or too few."""
    if figure.n_paired is SUPPRESSED:
        return str(SUPPRESSED)
    if not figure.n_paired and figure.counts.left_out[2]:
        return f"{SUPPRESSED} per session: left out"
    return otherwise


def forest(rows, pooled, *, row_height=26):
    """Change in points with its 95% CI, one row per partnership, then the country as a diamond.

    Rows without a conclusive change (suppressed, or fewer than 10 people who answered both) carry a note.
    """
    return changes([ChangeRow(figure) for figure in rows] + [ChangeRow(pooled, pooled=True, gap=True)], row_height)


@dataclass(frozen=True)
class ChangeRow:
    figures: object  # Figures, labelled
    pooled: bool = False  # drawn as a diamond: the country, or the benchmark beside a partnership
    gap: bool = False  # a little space above it, to start a new group


def changes(rows, row_height=26):
    """Each row's change in points with its 95% CI on one axis (a forest plot); see `forest`."""
    figures = [row.figures for row in rows]
    drawn = [figure for figure in figures if figure.conclusive]
    lowest = min([-20.0] + [figure.ci_low_pp for figure in drawn])
    highest = max([20.0] + [figure.ci_high_pp for figure in drawn])
    lowest, highest = max(-100, 10 * math.floor(lowest / 10)), min(100, 10 * math.ceil(highest / 10))
    left, right = FOREST_LABEL_WIDTH, WIDTH - RIGHT_MARGIN

    def x_of(points):
        return round(left + (points - lowest) / (highest - lowest) * (right - left), 2)

    intervals = []
    y = 20 - row_height
    for row in rows:
        figure = row.figures
        y += row_height + (10 if row.gap else 0)
        label = with_n(figure.label, figure.n_paired, chars=FOREST_LABEL_CHARS)
        if figure.conclusive:
            intervals.append(
                Interval(
                    label,
                    y,
                    x_of(figure.change_pp),
                    x_of(figure.ci_low_pp),
                    x_of(figure.ci_high_pp),
                    pooled=row.pooled,
                )
            )
        else:
            note = _why_not_drawn(figure, "too few to show")
            intervals.append(Interval(label, y, None, None, None, note=note, pooled=row.pooled))
    step = 10 if highest - lowest <= 80 else 20
    first = step * math.ceil(lowest / step)
    ticks = [
        {"x": x_of(points), "label": f"{points:+d}" if points else "0"} for points in range(first, highest + 1, step)
    ]
    height = y + row_height + 40 - 6
    return {
        "width": WIDTH,
        "height": height,
        "left": left,
        "right": right,
        "zero": x_of(0),
        "intervals": intervals,
        "ticks": ticks,
        "axis_y": height - 30,
        "tick_label_y": height - 14,
        "label_x": left - 8,
        "top": 6,
    }


def dumbbells(quarters, *, row_height=26):
    """Share agreeing before (circle) and after (square) among paired respondents, one row per quarter."""
    left, right = LABEL_WIDTH, WIDTH - RIGHT_MARGIN

    def x_of(share):
        return round(left + share / 100 * (right - left), 2)

    rows = []
    for index, figure in enumerate(quarters):
        y = 20 + index * row_height
        if figure.n_paired is SUPPRESSED or not figure.change:
            note = _why_not_drawn(figure, "nobody answered both")
            rows.append({"label": with_n(figure.label, figure.n_paired), "y": y, "note": note})
            continue
        rows.append(
            {
                "label": with_n(figure.label, figure.n_paired),
                "y": y,
                "before": x_of(figure.paired_pct_agree_pre),
                "after": x_of(figure.paired_pct_agree_post),
                "note": "",
            }
        )
    height = 20 + len(quarters) * row_height + 30
    return {
        "width": WIDTH,
        "height": height,
        "left": left,
        "right": right,
        "rows": rows,
        "ticks": [{"x": x_of(share), "label": f"{share}%"} for share in (0, 25, 50, 75, 100)],
        "axis_y": height - 26,
        "tick_label_y": height - 10,
        "label_x": left - 8,
    }
