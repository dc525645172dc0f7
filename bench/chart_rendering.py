"""Why results charts and long tables are written as strings: the national screen's charts, both ways.

    DEBUG=1 .venv/bin/python bench/chart_rendering.py

Renders what the national screen draws per statement (the partnerships' forest plot and their table of
figures, 32 partnerships) ten times, as one screen of ten statements does: once through a Django template loop
with the same filters, once through the string builders in surveys/templatetags/results.py. Prints the median
of 20 screens each. Needs no database.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coprod.settings")
os.environ.setdefault("DEBUG", "1")

import django

django.setup()

from django.template import engines  # noqa: E402

from surveys import charts  # noqa: E402
from surveys.results.figures import Counts, StatementRef, figures_from  # noqa: E402
from surveys.templatetags.results import figures_rows, forest_chart  # noqa: E402

PARTNERSHIPS, STATEMENTS, SCREENS = 32, 10, 20

TEMPLATE = """{% load l10n results %}{% localize off %}<figure class="forest-chart">
<svg viewBox="0 0 {{ chart.width }} {{ chart.height }}" role="img">{% for tick in chart.ticks %}
<line class="chart-gridline" x1="{{ tick.x }}" x2="{{ tick.x }}" y1="{{ chart.top }}" y2="{{ chart.axis_y }}"></line>
<text class="chart-label" x="{{ tick.x }}" y="{{ chart.tick_label_y }}" text-anchor="middle">{{ tick.label }}</text>
{% endfor %}{% for row in chart.intervals %}
<text class="chart-row-label" x="{{ chart.label_x }}" y="{{ row.y }}" text-anchor="end">{{ row.label }}</text>
{% if row.note %}<text x="{{ chart.zero }}" y="{{ row.y }}">{{ row.note }}</text>
{% elif row.pooled %}<polygon class="forest-pooled" points="{{ row.diamond }}"></polygon>
{% else %}<line class="forest-interval" x1="{{ row.low }}" x2="{{ row.high }}" y1="{{ row.y }}" y2="{{ row.y }}"></line>
<rect class="forest-point" x="{{ row.x|add:-5 }}" y="{{ row.y|add:-5 }}" width="10" height="10"></rect>{% endif %}
{% endfor %}</svg></figure>
<table>{% for figures in rows %}<tr><th scope="row">{{ figures.label }}</th><td>{{ figures.n_pre|count }}</td>
<td>{{ figures.pct_agree_pre|pct }}</td><td>{{ figures.n_post|count }}</td><td>{{ figures.pct_agree_post|pct }}</td>
<td>{{ figures.n_paired|count }}</td><td>{{ figures.change_pp|points }}</td><td>{{ figures|interval }}</td></tr>
{% endfor %}</table>{% endlocalize %}"""


def main():
    statement = StatementRef(1, "I have a sound understanding of the work undertaken by AHPs.", 1)
    counts = Counts(pre=(3, 5, 8, 6, 4), post=(1, 2, 6, 10, 7), both=8, improved=10, worsened=2, neither=6)
    rows = [figures_from(statement, counts, label=f"Partnership {number} HSCP") for number in range(PARTNERSHIPS)]
    pooled = figures_from(statement, sum((row.counts for row in rows), Counts()), label="Scotland")
    chart = charts.forest(rows, pooled)
    template = engines["django"].from_string(TEMPLATE)
    ways = {
        "template loop": lambda: template.render({"chart": chart, "rows": rows}),
        "string builder": lambda: forest_chart(pooled, chart, "forest") + figures_rows(rows, "partnership"),
    }
    print(f"forest plot and table of {PARTNERSHIPS} partnerships, x {STATEMENTS} statements (one national screen)")
    for name, render in ways.items():
        render()
        times = []
        for _ in range(SCREENS):
            start = time.perf_counter()
            for _ in range(STATEMENTS):
                render()
            times.append(1000 * (time.perf_counter() - start))
        print(f"  {name:15} {statistics.median(times):6.1f} ms median per screen")


if __name__ == "__main__":
    main()
