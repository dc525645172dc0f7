"""The dashboard's first two sections: activity (sessions, who came, responses) and outcomes at a glance.

Each is a panel (coprod.panels) built from a few grouped queries over every partnership, whatever the scope: a
partnership's row and Scotland's come from the same rows, so Scotland is always the sum of the partnerships and a
whole period the sum of its years or quarters. Counts of people follow the small-numbers rule: answers through
surveys.results.pooling, the register through coprod.disclosure.protect.
"""

from dataclasses import dataclass, field

from coprod.disclosure import SUPPRESSED, protect
from coprod.models import Partnership, Sector
from coprod.panels import NATIONAL_NAME, Panel
from surveys import charts
from surveys.results import pooling
from surveys.results.figures import Counts, figures_from
from surveys.results.wording import whole
from workshops import selectors
from workshops.models import SessionKind

RESPONSE_FIELDS = ("sessions", "pre", "post", "paired", "left_out")
RATES = ("pre_rate", "post_rate", "pairing_rate")


def _add(totals, row, names):
    for name in names:
        totals[name] = totals.get(name, 0) + row[name]


def _rate(row, name):
    base = row.get(f"{name}_base", 0)
    return 100 * row[f"{name}_part"] / base if base else None


@dataclass
class ActivityRow:
    label: str
    held: dict = field(default_factory=dict)  # {kind: count}, plus "total"
    attended: int = 0
    sectors: dict = field(default_factory=dict)  # {label: count or SUPPRESSED}
    roles: dict = field(default_factory=dict)
    responses: dict = field(default_factory=dict)  # RESPONSE_FIELDS and the rates' parts
    is_total: bool = False

    @property
    def rates(self):
        return {name: _rate(self.responses, name) for name in RATES}

    @property
    def held_by_kind(self):
        return [self.held.get(kind, 0) for kind in SessionKind.values]


def _activity_rows(key_of, label_of, held, mix, responses):
    """ActivityRows keyed by `key_of(row)` (a partnership, a period, or Scotland), from the three grouped reads."""
    rows = {}

    def row_for(source):
        key = key_of(source)
        if key not in rows:
            rows[key] = ActivityRow(label_of(key))
        return rows[key]

    for source in held:
        row = row_for(source)
        row.held[source["kind"]] = row.held.get(source["kind"], 0) + source["held"]
    sector_counts, role_counts = {}, {}
    for source in mix:
        row = row_for(source)
        row.attended += source["attended"]
        _add(sector_counts.setdefault(key_of(source), {}), source, [f"sector_{sector}" for sector in Sector.values])
        _add(role_counts.setdefault(key_of(source), {}), source, [f"role_{group}" for group in selectors.ROLE_GROUPS])
    for source in responses:
        _add(
            row_for(source).responses,
            source,
            [*RESPONSE_FIELDS, *(f"{r}_{p}" for r in RATES for p in ("part", "base"))],
        )
    for key, row in rows.items():
        row.held["total"] = sum(row.held.values())
        sectors = protect(sector_counts.get(key, {f"sector_{sector}": 0 for sector in Sector.values}))
        row.sectors = {label: sectors.get(f"sector_{value}", 0) for value, label in Sector.choices}
        roles = protect(role_counts.get(key, {f"role_{group}": 0 for group in selectors.ROLE_GROUPS}))
        row.roles = {label: roles.get(f"role_{group}", 0) for group, (label, _) in selectors.ROLE_GROUPS.items()}
    return rows


def activity(*, scope):
    """Sessions held by kind, who came (by sector and role), responses and pairing: per partnership and over time."""
    held = selectors.sessions_held(filters=scope.filters, period=scope.period)
    mix = selectors.attendance_mix(filters=scope.filters, period=scope.period)
    responses = pooling.response_counts(filters=scope.filters, period=scope.period)
    names = {partnership.pk: partnership.short_name for partnership in Partnership.objects.only("name", "council_area")}
    by_partnership = _activity_rows(lambda row: row["partnership_id"], names.get, held, mix, responses)
    national = _activity_rows(lambda row: NATIONAL_NAME, str, held, mix, responses).get(NATIONAL_NAME)
    national = national or ActivityRow(NATIONAL_NAME)
    national.is_total = True
    # Who came, for Scotland: the partnerships' cells as shown, added up, so that no withheld cell can be worked
    # out by taking the shown ones from a total.
    for name in ("sectors", "roles"):
        cells = [getattr(row, name) for row in by_partnership.values()]
        setattr(national, name, {label: sum(c[label] or 0 for c in cells) for label in getattr(national, name)})
    if scope.partnership:
        rows = [by_partnership.get(scope.partnership.pk) or ActivityRow(scope.name)]
    else:
        rows = sorted(by_partnership.values(), key=lambda row: row.label)

    def in_scope(part):
        return [row for row in part if not scope.partnership or row["partnership_id"] == scope.partnership.pk]

    over_time = _activity_rows(
        lambda row: row["period"],
        lambda day: selectors.period_label(day, scope.period),
        in_scope(held),
        in_scope(mix),
        in_scope(responses),
    )
    table = [*rows, national]
    periods = [over_time[day] for day in sorted(over_time)]
    return Panel(
        template="surveys/_dashboard_activity.html",
        context={
            "rows": table,
            "periods": periods,
            "kinds": SessionKind.choices,
            "sector_labels": Sector.labels,
            "role_labels": [label for label, _ in selectors.ROLE_GROUPS.values()],
        },
        csv_rows=_activity_csv(scope, table, periods),
    )


def _activity_csv(scope, table, periods):
    lines = []
    for rows, period in ((table, "whole period"), (periods, None)):
        for row in rows:
            where, when = (row.label, period) if period else (scope.name, row.label)
            for kind, label in SessionKind.choices:
                lines.append(("Activity", where, when, "Sessions held", label, row.held.get(kind, 0)))
            lines.append(("Activity", where, when, "Sessions held", "All kinds", row.held.get("total", 0)))
            lines.append(("Activity", where, when, "Places attended", "All", row.attended))
            if period:
                lines += [("Activity", where, when, "Places attended", label, n) for label, n in row.sectors.items()]
                lines += [("Activity", where, when, "Places attended", label, n) for label, n in row.roles.items()]
            for name, label in (("pre", "before"), ("post", "after")):
                lines.append(("Activity", where, when, f"Responses {label}", "Counted", row.responses.get(name, 0)))
            lines.append(("Activity", where, when, "Paired responses", "Counted", row.responses.get("paired", 0)))
            rates = row.rates
            for name, label in zip(RATES, ("Response rate before", "Response rate after", "Pairing rate"), strict=True):
                value = rates[name]
                lines.append(("Activity", where, when, f"{label} (%)", "", "" if value is None else whole(value)))
    return lines


# --- Outcomes at a glance ---


@dataclass
class OutcomeRow:
    number: int  # S1, S2, ... in the order the statements were made
    figures: object  # the scope's Figures
    benchmark: object = None  # Scotland's, beside a partnership's
    partnerships: list = field(default_factory=list)  # each partnership's, on the national dashboard
    years: dict = field(default_factory=dict)  # the scope's, {period start: Figures}


def outcomes(*, scope):
    """Every national statement's paired change with its CI, for the scope (beside Scotland), and by period."""
    counts = pooling.outcome_counts(filters=scope.filters, period=scope.period)
    if not counts:
        return Panel(template="surveys/_dashboard_outcomes.html", context={"outcomes": []})
    partnerships = {p.pk: p for p in Partnership.objects.filter(pk__in={key[0] for key in counts}).order_by("name")}
    mine = scope.partnership.pk if scope.partnership else None
    # Each statement's sums per partnership, and per period over the scope, in one pass over the counts (not one
    # pass per figure: at national scale that was 37 passes over 1,280 counts per statement, 0.3 s a page).
    by_partnership, by_period = {}, {}
    for (pk, day, ref), cell in counts.items():
        by_partnership[ref, pk] = by_partnership.get((ref, pk), Counts()) + cell
        if mine is None or pk == mine:
            by_period[ref, day] = by_period.get((ref, day), Counts()) + cell
    statements = sorted({ref for ref, _ in by_partnership}, key=lambda ref: ref.id)
    rows = []
    for number, ref in enumerate(statements, start=1):
        scotland = sum((cell for (of, _), cell in by_partnership.items() if of == ref), Counts())
        country = figures_from(ref, scotland, label=f"S{number} {NATIONAL_NAME}")
        periods = sorted(day for of, day in by_period if of == ref)
        row = OutcomeRow(
            number=number,
            figures=country,
            years={
                day: figures_from(
                    ref, by_period[ref, day], label=f"S{number} {selectors.period_label(day, scope.period)}"
                )
                for day in periods
            },
        )
        if mine:
            row.benchmark = country
            row.figures = figures_from(ref, by_partnership.get((ref, mine), Counts()), label=f"S{number} {scope.name}")
        else:
            row.partnerships = [
                figures_from(ref, by_partnership.get((ref, pk), Counts()), label=partnership.short_name)
                for pk, partnership in partnerships.items()
            ]
        rows.append(row)
    if mine:
        glance = [
            item
            for row in rows
            for item in (
                charts.ChangeRow(row.figures, gap=row.number > 1),
                charts.ChangeRow(row.benchmark, pooled=True),
            )
        ]
    else:
        glance = [charts.ChangeRow(row.figures, pooled=True) for row in rows]
    days = sorted({day for _, day in by_period})
    trend = [
        charts.ChangeRow(year, gap=index == 0 and row.number > 1)
        for row in rows
        for index, year in enumerate(row.years.values())
    ]
    return Panel(
        template="surveys/_dashboard_outcomes.html",
        context={
            "outcomes": rows,
            # Partnerships down, statements across (national only).
            "matrix": [
                (partnership.short_name, [row.partnerships[index] for row in rows])
                for index, partnership in enumerate(partnerships.values())
            ]
            if not mine
            else [],
            "glance": charts.changes(glance),
            "trend": charts.changes(trend) if trend else None,
            # Statements down, periods across.
            "trend_periods": [selectors.period_label(day, scope.period) for day in days],
            "trend_matrix": [(row, [row.years.get(day) for day in days]) for row in rows],
        },
        csv_rows=_outcomes_csv(scope, rows),
    )


def _outcome_line(where, when, row, figures):
    def cell(value):
        if value is SUPPRESSED:
            return str(SUPPRESSED)
        return "" if value is None else round(value, 1)

    statement = f"S{row.number} {figures.statement.text}"
    return [
        ("Outcomes", where, when, "Paired", statement, cell(figures.n_paired)),
        ("Outcomes", where, when, "Agreeing before, paired (%)", statement, cell(figures.paired_pct_agree_pre)),
        ("Outcomes", where, when, "Agreeing after, paired (%)", statement, cell(figures.paired_pct_agree_post)),
        ("Outcomes", where, when, "Change (points)", statement, cell(figures.change_pp)),
        ("Outcomes", where, when, "95% CI low (points)", statement, cell(figures.ci_low_pp)),
        ("Outcomes", where, when, "95% CI high (points)", statement, cell(figures.ci_high_pp)),
    ]


def _outcomes_csv(scope, rows):
    lines = []
    for row in rows:
        lines += _outcome_line(scope.name, "whole period", row, row.figures)
        if row.benchmark:
            lines += _outcome_line(NATIONAL_NAME, "whole period", row, row.benchmark)
        for figures in row.partnerships:
            lines += _outcome_line(figures.label, "whole period", row, figures)
        for figures in row.years.values():
            lines += _outcome_line(scope.name, figures.label.split(" ", 1)[1], row, figures)
    return lines
