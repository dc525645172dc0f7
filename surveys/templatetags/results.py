"""Formatting for results: percentages, points, intervals, p-values, and "fewer than 5" where withheld."""

from django import template
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from surveys.results.figures import SUPPRESSED
from surveys.results.pooling import MORE_THAN_ATTENDED
from surveys.results.wording import bound, signed, whole

register = template.Library()

NONE = "none"


@register.filter
def withheld(value):
    """True for a figure withheld because it rests on fewer than 5 respondents."""
    return value is SUPPRESSED


@register.filter
def count(value):
    """1,234 or "fewer than 5"."""
    if value is SUPPRESSED:
        return str(SUPPRESSED)
    if value is None:
        return NONE
    return f"{value:,}"


@register.filter
def pct(value):
    """29%, or "fewer than 5", or "none" where nobody answered, or what a rate over 100% would mean."""
    if value is SUPPRESSED or value is MORE_THAN_ATTENDED:
        return str(value)
    if value is None:
        return NONE
    return f"{whole(value)}%"


@register.filter
def points(value):
    """+50 points, or -12 points with a true minus sign."""
    if value is SUPPRESSED:
        return str(SUPPRESSED)
    if value is None:
        return NONE
    word = "point" if abs(whole(value)) == 1 else "points"
    return f"{signed(value)} {word}"


@register.filter
def interval(figures):
    """The 95% confidence interval of the change: "+31 to +66"."""
    if figures.change is SUPPRESSED:
        return str(SUPPRESSED)
    if not figures.change:
        return NONE
    return f"{bound(figures.ci_low_pp)} to {bound(figures.ci_high_pp)}"


@register.filter
def p_value(value):
    """p < 0.001, p = 0.034, p = 0.21."""
    if value is SUPPRESSED:
        return str(SUPPRESSED)
    if value is None:
        return NONE
    if value < 0.001:
        return "p < 0.001"
    return f"p = {value:.2g}" if value < 0.1 else f"p = {value:.2f}"


@register.filter
def relative(value):
    """+172% relative: always labelled as relative, never to be read as points."""
    if value is SUPPRESSED:
        return str(SUPPRESSED)
    if value is None:
        return "not defined (nobody agreed before)"
    return f"{signed(value)}% relative"


@register.filter
def count_and_share(pair):
    """A distribution row's "12 (35%)"."""
    if pair is SUPPRESSED:
        return str(SUPPRESSED)
    number, share = pair
    return f"{number} ({whole(share)}%)" if share is not None else f"{number}"


@register.filter
def subtract(value, other):
    return value - other


# --- Charts: SVG written here rather than in templates, as one string each (a screen draws dozens of them) ---


def _n(value):
    """An SVG coordinate: short, never localised ("12.5", not "12,5")."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _svg_open(css, chart, chart_id, title, desc):
    return (
        f'<svg class="{css}" viewBox="0 0 {chart["width"]} {chart["height"]}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def _gridlines(chart, top):
    return "".join(
        f'<line class="chart-gridline" x1="{_n(tick["x"])}" x2="{_n(tick["x"])}" y1="{top}" y2="{chart["axis_y"]}">'
        f'</line><text class="chart-label" x="{_n(tick["x"])}" y="{chart["tick_label_y"]}" text-anchor="middle">'
        f"{escape(tick['label'])}</text>"
        for tick in chart["ticks"]
    )


def _row_label(x, y, label, extra=""):
    return (
        f'<text class="chart-label chart-row-label{extra}" x="{_n(x)}" y="{_n(y)}" text-anchor="end" '
        f'dominant-baseline="middle">{escape(label)}</text>'
    )


def _note(x, y, note, anchor="start"):
    return (
        f'<text class="chart-label chart-note" x="{_n(x)}" y="{_n(y)}" dx="{6 if anchor == "start" else 0}" '
        f'text-anchor="{anchor}" dominant-baseline="middle">{escape(note)}</text>'
    )


@register.simple_tag
def diverging_chart(figures, chart, chart_id):
    """Before and after as stacked bars centred on "Neither", with their key; the table has every figure."""
    chart_id = f"{chart_id}-{figures.statement.id}"
    desc = (
        f"Agree or strongly agree: {pct(figures.pct_agree_pre)} before ({count(figures.n_pre)} answered), "
        f"{pct(figures.pct_agree_post)} after ({count(figures.n_post)} answered). Disagreeing answers extend left "
        "of the centre line, agreeing ones right. Every figure is in the table below."
    )
    middle = _n(chart["middle"])
    parts = [
        '<figure class="answer-chart">',
        _svg_open("answer-chart-svg", chart, chart_id, f"Answers before and after: {figures.statement.text}", desc),
        f'<text class="chart-label chart-side" x="{middle}" y="14" dx="-8" text-anchor="end">&#8592; Disagree</text>'
        f'<text class="chart-label chart-side" x="{middle}" y="14" dx="8" text-anchor="start">Agree &#8594;</text>',
        _gridlines(chart, chart["top"]),
    ]
    for bar in chart["bars"]:
        parts.append(_row_label(chart["label_x"], bar.middle_y, bar.name))
        if bar.note:
            parts.append(_note(chart["middle"], bar.middle_y, bar.note, anchor="middle"))
            continue
        for segment in bar.segments:
            if not segment.width:
                continue
            parts.append(
                f'<rect class="answer-segment" x="{_n(segment.x)}" y="{bar.y}" width="{_n(segment.width)}" '
                f'height="{chart["bar_height"]}" fill="{segment.fill}"></rect>'
            )
            if segment.label:
                parts.append(
                    f'<text class="segment-label segment-label-{segment.tone}" x="{_n(segment.centre)}" '
                    f'y="{_n(bar.middle_y)}" text-anchor="middle" dominant-baseline="middle">{segment.label}</text>'
                )
    parts.append(
        f'<line class="chart-centre" x1="{middle}" x2="{middle}" y1="{chart["top"]}" y2="{chart["axis_y"]}"></line>'
        '</svg><figcaption><ul class="chart-key answer-key">'
    )
    parts += [
        '<li><svg class="key-swatch" viewBox="0 0 16 16" aria-hidden="true" focusable="false">'
        f'<rect width="16" height="16" fill="{item["fill"]}" class="answer-segment"></rect></svg> '
        f"{escape(item['label'])}</li>"
        for item in chart["key"]
    ]
    parts.append("</ul></figcaption></figure>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


@register.simple_tag
def forest_chart(figures, chart, chart_id):
    """Each partnership's change with its 95% CI; the country as a diamond."""
    desc = (
        "For each partnership, the change in percentage points among people who answered both questionnaires, "
        "with its 95% confidence interval as a line; Scotland as a whole is the diamond at the bottom. "
        "Partnerships with too few paired responses are not drawn. Every figure is in the table below."
    )
    title = f"Change in the share agreeing, by partnership: {figures.statement.text}"
    caption = "Squares: partnerships; diamond: Scotland."
    return changes_chart(chart, f"{chart_id}-{figures.statement.id}", title, desc, caption)


@register.simple_tag
def changes_chart(chart, chart_id, title, desc, key):
    """A forest plot (surveys.charts.changes): each row's change with its 95% CI, pooled rows as diamonds."""
    zero = _n(chart["zero"])
    parts = [
        '<figure class="forest-chart">',
        _svg_open("forest-chart-svg", chart, chart_id, title, desc),
        _gridlines(chart, chart["top"]),
        f'<line class="chart-centre" x1="{zero}" x2="{zero}" y1="{chart["top"]}" y2="{chart["axis_y"]}"></line>',
    ]
    for row in chart["intervals"]:
        parts.append(_row_label(chart["label_x"], row.y, row.label, " chart-pooled-label" if row.pooled else ""))
        if row.note:
            parts.append(_note(chart["zero"], row.y, row.note))
        elif row.pooled:
            parts.append(f'<polygon class="forest-pooled" points="{row.diamond}"></polygon>')
        else:
            parts.append(
                f'<line class="forest-interval" x1="{_n(row.low)}" x2="{_n(row.high)}" y1="{row.y}" y2="{row.y}">'
                f'</line><rect class="forest-point" x="{_n(row.x - 5)}" y="{row.y - 5}" width="10" height="10">'
                "</rect>"
            )
    parts.append(
        '</svg><figcaption class="chart-caption">Change in percentage points (after minus before), with 95% '
        f"confidence intervals. {escape(key)} n: people who answered both questionnaires.</figcaption></figure>"
    )
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


@register.simple_tag
def dumbbell_chart(statement, chart, chart_id):
    """Share agreeing before (circle) and after (square) among paired respondents, by quarter."""
    chart_id = f"{chart_id}-{statement.id}"
    desc = (
        "For each quarter, among people who answered both questionnaires: the share agreeing before (circle) and "
        "after (square), joined by a line. Every figure is in the table below."
    )
    parts = [
        '<figure class="dumbbell-chart">',
        _svg_open(
            "dumbbell-chart-svg",
            chart,
            chart_id,
            f"Share agreeing before and after, by quarter: {statement.text}",
            desc,
        ),
        _gridlines(chart, 6),
    ]
    for row in chart["rows"]:
        parts.append(_row_label(chart["label_x"], row["y"], row["label"]))
        if row["note"]:
            parts.append(_note(chart["left"], row["y"], row["note"]))
            continue
        before, after, y = _n(row["before"]), _n(row["after"]), row["y"]
        parts.append(
            f'<line class="dumbbell-bar" x1="{before}" x2="{after}" y1="{y}" y2="{y}"></line>'
            f'<circle class="dumbbell-before" cx="{before}" cy="{y}" r="6"></circle>'
            f'<rect class="dumbbell-after" x="{_n(row["after"] - 6)}" y="{y - 6}" width="12" height="12"></rect>'
        )
    parts.append(
        '</svg><figcaption><ul class="chart-key">'
        '<li><svg class="key-swatch" viewBox="-8 -8 16 16" aria-hidden="true" focusable="false">'
        '<circle class="dumbbell-before" r="6"></circle></svg> Before</li>'
        '<li><svg class="key-swatch" viewBox="-8 -8 16 16" aria-hidden="true" focusable="false">'
        '<rect class="dumbbell-after" x="-6" y="-6" width="12" height="12"></rect></svg> After</li>'
        "</ul></figcaption></figure>"
    )
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


# --- Long tables: rows written here as one string (a partnership has hundreds of sessions, the country dozens
# of partnerships per statement); the templates keep the tables' captions and headers. ---


def _cells(*values):
    """Cells of figures: text made by the filters above (digits, signs, "fewer than 5"), nothing to escape."""
    return "<td>" + "</td><td>".join(values) + "</td>"


@register.simple_tag
def session_rows(rows, shared=None):
    """A partnership's sessions: responses and rates, withheld where they rest on fewer than 5.

    Through a `shared` link, the sessions' names link nowhere (their pages are the members')."""
    out = []
    # One reverse() for the lot: the debrief's address with a stand-in for the session's id.
    pattern = reverse("surveys:session-results", args=[987654321]).split("987654321")
    for row in rows:
        session = row.session
        url = f"{pattern[0]}{session.pk}{pattern[1]}"
        registered = bool(row.attended)
        name = escape(session.title) if shared else f'<a href="{url}">{escape(session.title)}</a>'
        out.append(
            f'<tr><th scope="row">{name}</th>'
            + _cells(
                f"{session.date.day} {session.date:%b %Y}",
                count(row.attended),
                count(row.pre_responses),
                pct(row.pre_rate) if registered else "no register",
                count(row.post_responses),
                pct(row.post_rate) if registered else "no register",
                count(row.paired),
                pct(row.pairing_rate),
            )
            + "</tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 (escaped above)


@register.simple_tag
def figures_rows(rows, kind):
    """Rows of figures side by side: partnerships (kind "partnership") or quarters (kind "quarter")."""
    out = []
    for figures in rows:
        head = f'<tr><th scope="row">{escape(figures.label)}</th>'
        if kind == "partnership":
            cells = _cells(
                count(figures.n_pre),
                pct(figures.pct_agree_pre),
                count(figures.n_post),
                pct(figures.pct_agree_post),
                count(figures.n_paired),
                points(figures.change_pp),
                interval(figures),
            )
        else:
            cells = _cells(
                count(figures.n_paired),
                pct(figures.paired_pct_agree_pre),
                pct(figures.paired_pct_agree_post),
                points(figures.change_pp),
                interval(figures),
            )
        out.append(f"{head}{cells}</tr>")
    return mark_safe("".join(out))  # noqa: S308 (escaped above)
