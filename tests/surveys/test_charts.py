"""The results charts as drawn: surveys/charts.py lays them out, the results template tags write the SVG.

Each test parses the SVG as XML (so it must be well-formed) and checks where things are on the chart's own axis.
"""

import itertools
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import render_to_string

from surveys import charts
from surveys.models import Scale
from surveys.results.figures import Counts, StatementRef, figures_from
from surveys.templatetags.results import diverging_chart, dumbbell_chart, forest_chart

STATEMENT = StatementRef(id=7, text="I have a sound understanding of the work of AHPs.", version=1)
# ColorBrewer's BrBG (9 classes), which people with the common colour-vision deficiencies tell apart, and the
# neutral grey the charts use for "Neither" (BrBG's own near-white would vanish on the white page).
BRBG = {"#8c510a", "#bf812d", "#dfc27d", "#f6e8c3", "#f5f5f5", "#c7eae5", "#80cdc1", "#35978f", "#01665e"}
NEUTRAL = "#d9d9d9"


def figures(
    pre=(0, 0, 0, 0, 0),
    post=(0, 0, 0, 0, 0),
    *,
    paired=(0, 0, 0, 0),
    left_out=(0, 0, 0),
    label="",
    statement=STATEMENT,
    session_scope=False,
):
    """Figures from counted answers, as surveys.results.pooling hands them over; paired: both, improved, worsened,
    neither; left_out: sessions whose answers before, after or pairs were left out (groups of fewer than 5)."""
    both, improved, worsened, neither = paired
    counts = Counts(
        pre=pre, post=post, both=both, improved=improved, worsened=worsened, neither=neither, left_out=left_out
    )
    return figures_from(statement, counts, label=label, session_scope=session_scope)


def parse(markup):
    """Fails unless the markup is well-formed XML."""
    return ET.fromstring(markup)  # noqa: S314 (our own markup, not untrusted data)


def svg_of(markup):
    """The chart's <svg> from a tag's <figure>."""
    return parse(markup).find("svg")


def ticks(svg):
    """{tick label: x} from the gridlines and the label under each."""
    children = list(svg)
    return {
        children[index + 1].text: float(child.get("x1"))
        for index, child in enumerate(children)
        if child.get("class") == "chart-gridline"
    }


def row_labels(svg):
    """{row label: y} in the order drawn."""
    return {text.text: float(text.get("y")) for text in svg.iter("text") if "chart-row-label" in text.get("class")}


def notes(svg):
    return {float(text.get("y")): text.text for text in svg.iter("text") if "chart-note" in text.get("class")}


def at(svg, tag, y, y_attribute="y"):
    return [element for element in svg.iter(tag) if float(element.get(y_attribute)) == y]


def centred_at(svg, y):
    """The rects (points, squares) drawn centred on the row at y."""
    return [rect for rect in svg.iter("rect") if float(rect.get("y")) + float(rect.get("height")) / 2 == y]


# --- Diverging stacked bars ---


def test_diverging_bars_widths_follow_the_shares_and_centre_on_neither():
    shown = figures(pre=(2, 3, 5, 6, 4), post=(0, 1, 3, 8, 8))

    svg = svg_of(diverging_chart(shown, charts.diverging_bars(shown), "chart"))

    centre = svg.find("line[@class='chart-centre']")
    middle = float(centre.get("x1"))
    labels = row_labels(svg)
    assert list(labels) == ["Before (n=20)", "After (n=20)"]
    half = ticks(svg)["100%"] - middle  # 100% on either side of the centre
    for label, shares in [("Before (n=20)", [10, 15, 25, 30, 20]), ("After (n=20)", [5, 15, 40, 40])]:
        y = labels[label] - charts.BAR_HEIGHT / 2
        rects = at(svg, "rect", y)
        assert [float(rect.get("width")) for rect in rects] == pytest.approx([s * half / 100 for s in shares], abs=0.01)
        for before, after in itertools.pairwise(rects):  # stacked edge to edge
            assert float(after.get("x")) == pytest.approx(float(before.get("x")) + float(before.get("width")), abs=0.02)
        neither = next(rect for rect in rects if rect.get("fill") == charts.FILLS[3])
        assert float(neither.get("x")) + float(neither.get("width")) / 2 == pytest.approx(middle, abs=0.01)
    # Nobody strongly disagreed after: no segment for it; segments narrower than MIN_LABELLED carry no label.
    assert [rect.get("fill") for rect in at(svg, "rect", labels["After (n=20)"] - charts.BAR_HEIGHT / 2)] == [
        charts.FILLS[value] for value in (2, 3, 4, 5)
    ]
    assert [text.text for text in svg.iter("text") if "segment-label" in text.get("class")] == [
        "15%",
        "25%",
        "30%",
        "20%",
        "15%",
        "40%",
        "40%",
    ]


def test_diverging_bars_show_a_note_instead_of_a_suppressed_or_empty_bar():
    # A session's debrief where 3 answered before (fewer than 5: not counted) and nobody after.
    shown = figures(left_out=(1, 0, 0), session_scope=True)

    svg = svg_of(diverging_chart(shown, charts.diverging_bars(shown), "chart"))

    labels = row_labels(svg)
    assert list(labels) == ["Before", "After"]
    assert notes(svg) == {labels["Before"]: "fewer than 5: not shown", labels["After"]: "no answers"}
    assert svg.findall("rect") == []


# --- Forest plot ---


def test_forest_draws_each_interval_where_its_change_and_ci_fall_on_the_axis():
    rows = [
        figures(paired=(4, 12, 0, 4), label="Aberdeen City HSCP"),  # +60 points among 20
        figures(paired=(5, 4, 3, 8), label="Fife HSCP"),  # +5 points among 20: the CI crosses 0
        figures(paired=(1, 3, 1, 2), label="Angus HSCP"),  # 7 answered both: too few to show
        figures(left_out=(1, 1, 1), label="Moray HSCP"),  # its one session's 3 pairs: left out
    ]
    pooled = figures(paired=(10, 19, 4, 14), label="Scotland")

    svg = svg_of(forest_chart(pooled, charts.forest(rows, pooled), "forest"))

    axis = ticks(svg)
    zero = axis["0"]

    def x_of(points):
        return zero + points * (axis["+20"] - zero) / 20

    labels = row_labels(svg)
    assert list(labels) == [
        "Aberdeen City HSCP (n=20)",
        "Fife HSCP (n=20)",
        "Angus HSCP (n=7)",
        "Moray HSCP (n=0)",
        "Scotland (n=47)",
    ]
    assert float(svg.find("line[@class='chart-centre']").get("x1")) == pytest.approx(zero)
    for label, figure in [("Aberdeen City HSCP (n=20)", rows[0]), ("Fife HSCP (n=20)", rows[1])]:
        (whisker,) = at(svg, "line", labels[label], "y1")
        (point,) = centred_at(svg, labels[label])
        assert float(whisker.get("x1")) == pytest.approx(x_of(figure.ci_low_pp), abs=0.02)
        assert float(whisker.get("x2")) == pytest.approx(x_of(figure.ci_high_pp), abs=0.02)
        assert float(point.get("x")) + 5 == pytest.approx(x_of(figure.change_pp), abs=0.02)
    fife = at(svg, "line", labels["Fife HSCP (n=20)"], "y1")[0]
    assert float(fife.get("x1")) < zero < float(fife.get("x2"))  # inconclusive: the whisker crosses the zero line
    diamond = [float(number) for point in svg.find("polygon").get("points").split() for number in point.split(",")]
    y = labels["Scotland (n=47)"]
    low, change, high = x_of(pooled.ci_low_pp), x_of(pooled.change_pp), x_of(pooled.ci_high_pp)
    assert diamond == pytest.approx([low, y, change, y - 8, high, y, change, y + 8], abs=0.02)
    assert notes(svg) == {
        labels["Angus HSCP (n=7)"]: "too few to show",
        labels["Moray HSCP (n=0)"]: "fewer than 5 per session: left out",
    }
    assert at(svg, "line", labels["Angus HSCP (n=7)"], "y1") == []
    assert at(svg, "line", labels["Moray HSCP (n=0)"], "y1") == []


def test_forest_shortens_a_long_name_but_keeps_its_n():
    long_name = "Clackmannanshire and Stirling Health and Social Care Partnership"
    rows = [figures(paired=(40, 700, 100, 394), label=long_name)]

    svg = svg_of(forest_chart(rows[0], charts.forest(rows, rows[0]), "forest"))

    assert next(iter(row_labels(svg))) == "Clackmannanshire an… (n=1,234)"
    assert len("Clackmannanshire an… (n=1,234)") == charts.FOREST_LABEL_CHARS


# --- Dumbbells ---


def test_dumbbells_place_before_and_after_on_the_share_axis():
    quarters = [
        figures(paired=(2, 6, 0, 2), label="2026 Q1"),  # 20% -> 80% among 10
        figures(paired=(6, 1, 3, 2), label="2026 Q2"),  # 75% -> 58% among 12
        figures(left_out=(1, 1, 1), label="2026 Q3"),  # its one session's 3 pairs: left out
        figures(label="2026 Q4"),  # nobody answered both
    ]

    svg = svg_of(dumbbell_chart(STATEMENT, charts.dumbbells(quarters), "trend-chart"))

    axis = ticks(svg)

    def x_of(share):
        return axis["0%"] + share * (axis["100%"] - axis["0%"]) / 100

    labels = row_labels(svg)
    assert list(labels) == ["2026 Q1 (n=10)", "2026 Q2 (n=12)", "2026 Q3 (n=0)", "2026 Q4 (n=0)"]
    for label, before, after in [("2026 Q1 (n=10)", 20, 80), ("2026 Q2 (n=12)", 75, 7 / 12 * 100)]:
        (circle,) = at(svg, "circle", labels[label], "cy")
        (square,) = centred_at(svg, labels[label])
        (bar,) = at(svg, "line", labels[label], "y1")
        assert float(circle.get("cx")) == pytest.approx(x_of(before), abs=0.02)
        assert float(square.get("x")) + 6 == pytest.approx(x_of(after), abs=0.02)
        assert (float(bar.get("x1")), float(bar.get("x2"))) == pytest.approx((x_of(before), x_of(after)), abs=0.02)
    assert notes(svg) == {
        labels["2026 Q3 (n=0)"]: "fewer than 5 per session: left out",
        labels["2026 Q4 (n=0)"]: "nobody answered both",
    }


# --- Accessible names and colours ---


def all_three(statement=STATEMENT):
    shown = figures(pre=(2, 3, 5, 6, 4), post=(0, 1, 3, 8, 8), paired=(4, 12, 0, 4), statement=statement)
    quarter = figures(paired=(2, 6, 0, 2), label="2026 Q1", statement=statement)
    return [
        diverging_chart(shown, charts.diverging_bars(shown), "chart"),
        forest_chart(shown, charts.forest([shown], shown), "forest"),
        dumbbell_chart(statement, charts.dumbbells([quarter]), "trend-chart"),
    ]


@pytest.mark.parametrize("index", [0, 1, 2], ids=["diverging", "forest", "dumbbell"])
def test_charts_are_images_named_by_their_title_and_description(index):
    statement = StatementRef(id=8, text="I <know> whom to contact & when.", version=1)

    markup = all_three(statement)[index]

    figure = parse(markup)
    svg = figure.find("svg")
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"title[@id='{title_id}']").text.endswith(": I <know> whom to contact & when.")
    assert svg.find(f"desc[@id='{desc_id}']").text.endswith("Every figure is in the table below.")
    # The key's swatches are decoration: the words beside them say it.
    swatches = figure.findall("figcaption//svg")
    assert [swatch.get("aria-hidden") for swatch in swatches] == ["true"] * len(figure.findall(".//li"))


def test_charts_use_the_colour_blind_safe_palette_and_hatch_the_disagree_side():
    defs = parse(render_to_string("surveys/_chart_defs.html").strip())
    patterns = {pattern.get("id"): pattern for pattern in defs.iter("pattern")}
    stylesheet = (Path(settings.BASE_DIR) / "static/css/coprod.css").read_text()

    fills = {rect.get("fill") for markup in all_three() for rect in svg_of(markup).iter("rect") if rect.get("fill")}

    assert fills == set(charts.FILLS.values())
    assert {charts.FILLS[value] for value in (1, 2)} == {"url(#answer-fill-1)", "url(#answer-fill-2)"}
    for value in (1, 2):
        pattern = patterns[f"answer-fill-{value}"]
        assert pattern.find("rect").get("fill") in BRBG
        assert pattern.find("line") is not None  # hatched: told apart by texture too
    assert {charts.FILLS[value] for value in (3, 4, 5)} <= BRBG | {NEUTRAL}
    for css_class in ("forest-point", "forest-pooled", "dumbbell-before", "dumbbell-after"):
        (fill,) = re.findall(rf"\.{css_class} \{{ fill: (#[0-9a-f]{{6}})", stylesheet)
        assert fill in BRBG, css_class
    key = parse(all_three()[0]).find("figcaption")
    assert [(item.find("svg/rect").get("fill"), "".join(item.itertext()).strip()) for item in key.iter("li")] == [
        (charts.FILLS[value], label) for value, label in Scale.choices
    ]
