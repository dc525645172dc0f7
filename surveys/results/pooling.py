"""Which answers count, in grouped SQL over the rollups (surveys.rollups): one query per table on a screen.

The disclosure rule, the same at every scope (a session's debrief, a partnership, a quarter, the country) and in
every export. For each session and statement version, with T = settings.SMALL_NUMBER_THRESHOLD (default 5):

- its pairs (people who answered both questionnaires on the scale) count where there are T or more;
- its answers before count in full where T or more answered before and, if its pairs count, the people who
  answered only before are none or T or more; else, where its pairs count, only the pairs' own answers before
  count; else none. The same for the answers after.

So every figure is a sum of groups of T or more people, and so is the difference of any two figures (between
scopes, filters, phases or the pairs): no subtraction brings a smaller group back. The pairs never outnumber the
answers before or after, at any scope, and a scope's figures are the sum of the rows shown under it.

Released at close. A session's answers count only once every one of its questionnaires is released: closed, and
past the grace for forms still open on phones (surveys.models.CLOSING_GRACE). After that nothing can add to
them (surveys.services refuses), so two downloads taken at any two moments differ by whole sessions. The one
exception is the room's own debrief, live for the session's lead and facilitators (`session_figures(live=True)`),
under the same rule.
"""

from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, TruncQuarter
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual

from coprod.models import Partnership
from surveys.models import (
    ROLLUP_PAIRED_FIELDS,
    Answer,
    Phase,
    SessionRollup,
    Statement,
    StatementKind,
    StatementRollup,
    Survey,
    SurveyItem,
    released_q,
)
from surveys.results.figures import GROUPS, SUPPRESSED, Counts, StatementRef, figures_from, threshold
from workshops.models import Attendance, AttendanceStatus, Session
from workshops.selectors import period_start, session_filter

ZERO = Value(0, output_field=IntegerField())
ONE = Value(1, output_field=IntegerField())

# --- The rule, as conditions on a rollup row (one session, one statement version) ---


def _at_least(column, count):
    return Q(GreaterThanOrEqual(F(column), count))


def pairs_count(rollup=""):
    """The session's pairs count: T or more answered both questionnaires on the scale.

    `rollup`: the path to the rollup row from the query's model ("rollup__"), where the query is not on rollups.
    """
    return _at_least(f"{rollup}paired_n", threshold())


def phase_counts_in_full(phase, rollup=""):
    """All the session's answers of `phase` ("pre" or "post") count; see the module's docstring.

    Those outside the counted pairs are weighed twice: their answers on the scale (which the distribution shows,
    beside the pairs') and with whoever answered "Don't know" (a count shown beside the shares). Each must be none
    or T or more. `rollup` as in `pairs_count`.
    """
    outside = F(f"{rollup}{phase}_n") - F(f"{rollup}paired_n")
    with_dont_know = outside + F(f"{rollup}{phase}_dont_know")

    def none_or_enough(count):
        return Q(Exact(count, 0)) | Q(GreaterThanOrEqual(count, threshold()))

    outside_counts = none_or_enough(outside) & none_or_enough(with_dont_know)
    return _at_least(f"{rollup}{phase}_n", threshold()) & (~pairs_count(rollup) | outside_counts)


def _counted(full, pairs, column, paired_column=None):
    """The column as counted: whole where `full`, the pairs' own answers where only they count, else 0."""
    whens = [When(full, then=F(column))]
    if paired_column:
        whens.append(When(pairs, then=F(paired_column)))
    return Sum(Case(*whens, default=ZERO, output_field=IntegerField()))


def counted_sums():
    """{name: Sum} of every counted column, and how many sessions' groups were left out (Counts.from_row)."""
    pairs = pairs_count()
    sums = {}
    for phase in ("pre", "post"):
        full = phase_counts_in_full(phase)
        for value in (1, 2, 3, 4, 5):
            sums[f"{phase}_{value}"] = _counted(full, pairs, f"{phase}_{value}", f"paired_{phase}_{value}")
        sums[f"{phase}_dont_know"] = _counted(full, pairs, f"{phase}_dont_know")
        answered = Q(GreaterThan(F(f"{phase}_n"), 0)) | Q(GreaterThan(F(f"{phase}_dont_know"), 0))
        sums[f"left_out_{phase}"] = Sum(
            Case(When(full, then=ZERO), When(answered, then=ONE), default=ZERO, output_field=IntegerField())
        )
    for name in ROLLUP_PAIRED_FIELDS:
        sums[name] = _counted(pairs, None, name)
    # A session with pairs whose pairs on this statement are too few, or none on the scale (one said "Don't know"):
    # "fewer than 5", never a telling "nobody".
    had_pairs = Q(paired_n__gt=0) | Q(session__rollup__paired__gt=0)
    sums["left_out_paired"] = Sum(
        Case(When(pairs, then=ZERO), When(had_pairs, then=ONE), default=ZERO, output_field=IntegerField())
    )
    return sums


def released(rollups, now=None):
    """Only the rows of sessions whose questionnaires are all released (closed, and past the grace)."""
    unreleased = Survey.objects.unreleased(now).filter(session_id=OuterRef("session_id"))
    return rollups.filter(~Exists(unreleased))


def session_released(session, now=None):
    """Every questionnaire of the session is released (and it has one)."""
    counts = Survey.objects.filter(session=session).aggregate(
        total=Count("pk"), unreleased=Count("pk", filter=~released_q(now))
    )
    return counts["total"] > 0 and not counts["unreleased"]


# --- Grouped reads ---


def _grouped(rollups, *by):
    """One row per statement version (and per `by`), the counted answers summed in SQL.

    Grouped on ids alone, so that the database can hash them (grouping on the statements' text too would sort
    every rollup row); the wording comes after, from `statement_refs`. The sums are named apart from the columns, which
    their conditions read.
    """
    sums = {f"sum_{name}": total for name, total in counted_sums().items()}
    rows = rollups.values(*by, "statement_id").annotate(**sums).order_by()
    return [{name.removeprefix("sum_"): value for name, value in row.items()} for row in rows]


def statement_refs(rows):
    """{statement id: StatementRef} for the statements of `rows`, in one query."""
    ids = {row["statement_id"] for row in rows}
    if not ids:
        return {}
    statements = Statement.objects.filter(pk__in=ids).values_list("pk", "text", "version", "family")
    return {pk: StatementRef(pk, text, version, family) for pk, text, version, family in statements}


def pooled_figures(rollups):
    """Figures per statement version over every rollup in `rollups`, in the order statements were made."""
    rows = _grouped(rollups)
    refs = statement_refs(rows)
    figures = [figures_from(refs[row["statement_id"]], Counts.from_row(row)) for row in rows]
    return sorted(figures, key=lambda figure: figure.statement.id)


# --- Session: the facilitator's debrief ---


def session_figures(session, *, live=False):
    """Figures for each statement version the session asked, in the questionnaire's order.

    Released answers only, unless `live` (the room's own debrief, for its lead and facilitators): the same rule,
    on the answers so far.
    """
    rollups = StatementRollup.objects.filter(session=session)
    rows = _grouped(rollups if live else released(rollups))
    refs = statement_refs(rows)
    # "post" before "pre" ("post" sorts first): the order people last saw.
    positions = {}
    for statement_id, position in (
        SurveyItem.objects.filter(survey__session=session)
        .order_by("survey__phase")
        .values_list("statement_id", "position")
    ):
        positions.setdefault(statement_id, position)
    figures = [figures_from(refs[row["statement_id"]], Counts.from_row(row), session_scope=True) for row in rows]
    return sorted(figures, key=lambda figure: (positions.get(figure.statement.id, 0), figure.statement.id))


def _shown(count):
    return SUPPRESSED if 0 < count < threshold() else count


def session_summary(session):
    """Responses before and after, paired, and attended (from the register), as the session's debrief shows them.

    Every response so far: for the live debrief, or once the session is released (when nothing more can come).
    """
    rollup = SessionRollup.objects.filter(session=session).first() or SessionRollup(session=session)
    attended = session.attendances.filter(status=AttendanceStatus.ATTENDED).count()
    counts = {"pre": rollup.pre_responses, "post": rollup.post_responses, "paired": rollup.paired}
    hidden = {key for key, count in counts.items() if 0 < count < threshold()}
    return {
        "pre_responses": _shown(counts["pre"]),
        "post_responses": _shown(counts["post"]),
        "paired": _shown(counts["paired"]),
        "attended": attended,
        "pre_rate": SUPPRESSED if "pre" in hidden else _rate(counts["pre"], attended),
        "post_rate": SUPPRESSED if "post" in hidden else _rate(counts["post"], attended),
        "register_short": max(counts["pre"], counts["post"]) > attended,
    }


def session_written_answers(session):
    """[(question, [answers])] for the session's written questions, answers in no meaningful order.

    Only of a questionnaire that T or more people answered; every answer so far (see `session_summary`).
    """
    rollup = SessionRollup.objects.filter(session=session).first() or SessionRollup(session=session)
    responses = {Phase.PRE: rollup.pre_responses, Phase.POST: rollup.post_responses}
    phases = [phase for phase, count in responses.items() if count >= threshold()]
    answers = (
        Answer.objects.filter(
            response__survey__session=session, response__survey__phase__in=phases, statement__kind=StatementKind.TEXT
        )
        .exclude(text="")
        .values_list("statement_id", "statement__text", "text")
        # By the text: never an order that could be lined up with responses.csv's rows, or with arrival.
        .order_by("statement_id", "text")
    )
    grouped = {}
    for statement_id, question, text in answers:
        grouped.setdefault(statement_id, (question, []))[1].append(text)
    return list(grouped.values())


class MoreThanAttended:
    """A response rate that would be over 100%: more answered than the register marks as attended."""

    def __str__(self):
        return "no rate (more answered than marked attended)"


MORE_THAN_ATTENDED = MoreThanAttended()


def _rate(part, whole_count):
    """A percentage; MORE_THAN_ATTENDED rather than an impossible one, where the register is short."""
    if not whole_count:
        return None
    return MORE_THAN_ATTENDED if part > whole_count else 100 * part / whole_count


# --- Partnership ---


def partnership_rollups(partnership, filters):
    rollups = StatementRollup.objects.filter(partnership=partnership).filter(session_filter(filters, "session__"))
    return released(rollups)


def partnership_figures(partnership, filters):
    return pooled_figures(partnership_rollups(partnership, filters))


def unreleased_sessions(sessions):
    """How many of `sessions` (a queryset) have a questionnaire whose answers are not released yet."""
    return sessions.filter(Exists(Survey.objects.unreleased().filter(session=OuterRef("pk")))).count()


@dataclass
class SessionRow:
    session: Session
    attended: int
    pre_responses: object
    post_responses: object
    paired: object
    pre_rate: object
    post_rate: object
    pairing_rate: object
    without_register: int = 0  # of the total row: sessions left out of its response rates
    small: int = 0  # of the total row: sessions with a figure of fewer than T, left out of that figure's total


def partnership_sessions(partnership, filters):
    """(rows, total row) for each released session with a questionnaire, latest first: response and pairing rates.

    Response rate: responses / people marked as attended. Pairing rate: responses after the session that were
    linked to one before it / responses after. The total adds up the rows' figures as shown.
    """
    has_survey = Exists(Survey.objects.filter(session=OuterRef("pk")))
    unreleased = Exists(Survey.objects.unreleased().filter(session=OuterRef("pk")))
    # Counted per session through the attendance index, rather than by grouping the whole register.
    attended = (
        Attendance.objects.filter(session=OuterRef("pk"), status=AttendanceStatus.ATTENDED)
        .order_by()
        .values("session")
        .annotate(count=Count("pk"))
    )
    sessions = list(
        Session.objects.filter(partnership=partnership)
        .filter(session_filter(filters))
        .filter(has_survey)
        .exclude(unreleased)
        .annotate(
            attended=Coalesce(Subquery(attended.values("count")), ZERO),
            pre_responses=Coalesce(F("rollup__pre_responses"), ZERO),
            post_responses=Coalesce(F("rollup__post_responses"), ZERO),
            paired=Coalesce(F("rollup__paired"), ZERO),
        )
        .only("pk", "title", "date", "partnership_id")
        .order_by("-date", "-start_time", "pk")
    )
    counts = {
        session.pk: {
            "pre": session.pre_responses,
            "post": session.post_responses,
            "paired": session.paired,
            "attended": session.attended,
        }
        for session in sessions
    }
    hides = {pk: {key for key in GROUPS if 0 < row[key] < threshold()} for pk, row in counts.items()}
    rows = [
        _session_row(session, counts[session.pk], _rates(counts[session.pk]), hides[session.pk]) for session in sessions
    ]
    # The total adds up what the rows show; a rate divides over the same sessions on both sides: those that show
    # both its figures and have some to divide by (a register, for the response rates), and no more answers than
    # that (a short register gives no rate).
    totals = {
        measure: sum(row[measure] for pk, row in counts.items() if measure not in hides[pk]) for measure in GROUPS
    }
    totals["attended"] = sum(session.attended for session in sessions)

    def total_rate(part, base):
        kept = [row for pk, row in counts.items() if not hides[pk] & {part, base} and 0 < row[base] >= row[part]]
        return _rate(sum(row[part] for row in kept), sum(row[base] for row in kept))

    rates = {"pre": total_rate("pre", "attended"), "post": total_rate("post", "attended")}
    total = _session_row(None, totals, rates | {"paired": total_rate("paired", "post")}, set())
    total.without_register = sum(1 for session in sessions if not session.attended)
    total.small = sum(1 for hidden in hides.values() if hidden)
    return rows, total


def _rates(counts):
    """A session's response rates before and after, and its pairing rate."""
    return {
        "pre": _rate(counts["pre"], counts["attended"]),
        "post": _rate(counts["post"], counts["attended"]),
        "paired": _rate(counts["paired"], counts["post"]),
    }


def _session_row(session, counts, rates, hidden):
    def shown(measure, value):
        return SUPPRESSED if measure in hidden else value

    return SessionRow(
        session=session,
        attended=counts["attended"],
        pre_responses=shown("pre", counts["pre"]),
        post_responses=shown("post", counts["post"]),
        paired=shown("paired", counts["paired"]),
        pre_rate=shown("pre", rates["pre"]),
        post_rate=shown("post", rates["post"]),
        pairing_rate=SUPPRESSED if hidden & {"paired", "post"} else rates["paired"],
    )


@dataclass
class TrendStatement:
    statement: StatementRef
    quarters: list  # Figures, label = "2026 Q1"


def quarter_label(day):
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def partnership_trend(partnership, filters):
    """(figures per statement version over the whole period, per statement version the figures of each quarter).

    One grouped query by quarter (of the session's date) and statement version; the whole period is the sum of
    its quarters.
    """
    rows = _grouped(
        partnership_rollups(partnership, filters).annotate(quarter=TruncQuarter("session__date")), "quarter"
    )
    refs = statement_refs(rows)
    by_statement = {}
    for row in rows:
        by_statement.setdefault(refs[row["statement_id"]], {})[row["quarter"]] = Counts.from_row(row)
    pooled, trend = [], []
    for ref in sorted(by_statement, key=lambda ref: ref.id):
        quarters = dict(sorted(by_statement[ref].items()))
        pooled.append(figures_from(ref, sum(quarters.values(), Counts())))
        trend.append(
            TrendStatement(
                statement=ref,
                quarters=[figures_from(ref, counts, label=quarter_label(day)) for day, counts in quarters.items()],
            )
        )
    return pooled, trend


# --- National ---


@dataclass
class NationalStatement:
    figures: object  # Figures: the country
    partnerships: list  # Figures per partnership, label = its name


def national_rollups(filters):
    """National statements only: a partnership's local statements are not asked anywhere else."""
    rollups = StatementRollup.objects.filter(statement__partnership__isnull=True).filter(
        session_filter(filters, "session__")
    )
    return released(rollups)


def national_results(filters):
    """Per national statement version: the country's figures, and each partnership's side by side."""
    rows = _grouped(national_rollups(filters), "partnership_id")
    refs = statement_refs(rows)
    names = dict(Partnership.objects.filter(pk__in={row["partnership_id"] for row in rows}).values_list("pk", "name"))
    by_statement = {}
    for row in rows:
        partnership = row["partnership_id"]
        by_statement.setdefault(refs[row["statement_id"]], {})[names[partnership], partnership] = Counts.from_row(row)
    results = []
    for ref in sorted(by_statement, key=lambda ref: ref.id):
        partnerships = dict(sorted(by_statement[ref].items()))
        total = sum(partnerships.values(), Counts())
        results.append(
            NationalStatement(
                figures=figures_from(ref, total, label="Scotland"),
                partnerships=[figures_from(ref, counts, label=key[0]) for key, counts in partnerships.items()],
            )
        )
    return results


# --- Raw answers for responses.csv ---


def answers_for_export(*, sessions, national=False):
    """The scale answers the figures of `sessions` (a Session queryset) count, for responses.csv.

    Narrow value tuples: (response id, pairing key, phase, session id, statement id, value). Ids come as text, so
    that no UUID object is made per row; names come from `export_labels`. The pairing key (the "before"
    response's id) is there only where the pair is counted in the change: both answers on the scale, and the
    session's pairs count. In the order of the responses' random ids (the primary key's order), each response's
    answers together: never in the order they were stored, which a web server's log could line up with its times
    and addresses. Released sessions only; with `national`, national statements only.

    Plain joins and one window, no subquery per answer: correlated subqueries (the rollup's rule, the other half's
    answer looked up twice per row) made PostgreSQL expect a costly query and compile it (JIT) for longer than it
    ran, 1.1 s for a partnership's 63,000 rows instead of 0.35 s (bench/results_scale.py).
    """
    answers = Answer.objects.filter(
        response__survey__session__in=released_sessions(sessions).values("pk"), statement__kind=StatementKind.SCALE
    )
    if national:
        answers = answers.filter(statement__partnership__isnull=True)
    answers = answers.alias(
        # The session's rollup row for the answer's statement (one at most: statement_rollup_once).
        rollup=FilteredRelation(
            "response__survey__session__statement_rollups",
            condition=Q(response__survey__session__statement_rollups__statement_id=F("statement_id")),
        ),
    ).annotate(
        # How many of the pair's two answers to the statement are on the scale. A pair is a "before" response and
        # the "after" one that points to it, of the same session (services._find_pre), so both answers are among
        # the rows here: they share the "before" response's id, which an unpaired response has to itself alone.
        pair_on_scale=Window(
            Count("value"), partition_by=[Coalesce("response__paired_with_id", "response_id"), F("statement_id")]
        ),
    )
    in_pairs = pairs_count(rollup="rollup__") & Q(value__isnull=False, pair_on_scale=2)
    answers = answers.filter(
        (phase_counts_in_full("pre", rollup="rollup__") & Q(response__survey__phase=Phase.PRE))
        | (phase_counts_in_full("post", rollup="rollup__") & Q(response__survey__phase=Phase.POST))
        | in_pairs
    )
    before = Case(
        When(in_pairs, then=Coalesce(Cast("response__paired_with_id", TextField()), Cast("response_id", TextField()))),
        default=Value(None, output_field=TextField()),
    )
    return (
        answers.annotate(response_key=Cast("response_id", TextField()), pairing_key=before)
        .values_list(
            "response_key",
            "pairing_key",
            "response__survey__phase",
            "response__survey__session_id",
            "statement_id",
            "value",
        )
        .order_by("response_id", "statement_id")
    )


def released_sessions(sessions):
    return sessions.exclude(Exists(Survey.objects.unreleased().filter(session=OuterRef("pk"))))


def export_labels(*, sessions):
    """({session id: "Title (12 Mar 2026)"}, {statement id: (text, version)}) for the answers of `sessions`."""
    names = {pk: f"{title} ({day:%-d %b %Y})" for pk, title, day in sessions.values_list("pk", "title", "date")}
    statements = {
        pk: (text, version)
        for pk, text, version in Statement.objects.filter(
            kind=StatementKind.SCALE, survey_items__survey__session__in=sessions.values("pk")
        )
        .distinct()
        .values_list("pk", "text", "version")
    }
    return names, statements


# --- Dashboard: responses and rates, by partnership and period ---


def _period_start(day, period):
    """The first day of `day`'s year or quarter: `workshops.selectors.period_start`, in Python."""
    if period == "year":
        return day.replace(month=1, day=1)
    if period == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    raise ValueError(period)


# Each rate: its part and its base, as in `partnership_sessions`.
RATE_PARTS = (("pre_rate", "pre", "attended"), ("post_rate", "post", "attended"), ("pairing_rate", "paired", "post"))
RESPONSE_SUMS = (
    "sessions",
    *GROUPS,
    "left_out",
    *(f"{rate}_{side}" for rate, _, _ in RATE_PARTS for side in ("part", "base")),
)


def response_counts(*, filters, period):
    """[{partnership_id, period, sessions, pre, post, paired, left_out, rate parts}] over released sessions.

    The same figures as a partnership's table of sessions (`partnership_sessions`), added up the same way per
    partnership and period: a session's count of responses before, after or paired counts where it is none or T
    or more (else the session is left out of that count, and `left_out` says how many sessions were); a rate
    divides over the sessions that show both its figures and have something to divide by, and no more answers
    than people marked as attended (`<rate>_part` / `<rate>_base`).

    One query, however many sessions: each session's responses (its rollup) and people marked as attended (its
    register), added up here. Grouped by partnership and period in SQL, the attended count was a correlated
    subquery that PostgreSQL ran per session six times over, once for each place the sums read it: 1.3 s at
    national scale (32 partnerships x 150 sessions, bench/results_scale.py), against 0.1 s now.
    """
    limit = threshold()
    # One row per session, grouped on the session alone (its partnership and date depend on it): the registers'
    # rows are hashed once, and the period is worked out per session here rather than per register row in SQL.
    sessions = (
        released_sessions(Session.objects.filter(Exists(Survey.objects.filter(session=OuterRef("pk")))))
        .filter(session_filter(filters))
        .order_by()
        .values("pk", "partnership_id", "date")
        .annotate(
            # In the order of GROUPS: before, after, paired. One rollup row per session: Max is that row's.
            session_pre=Max("rollup__pre_responses"),
            session_post=Max("rollup__post_responses"),
            session_paired=Max("rollup__paired"),
            session_attended=Count("attendances", filter=Q(attendances__status=AttendanceStatus.ATTENDED)),
        )
        .values_list("partnership_id", "date", "session_pre", "session_post", "session_paired", "session_attended")
    )
    columns = (*GROUPS, "attended")  # never withheld: a rate's base needs only some people on the register
    rates = [
        (f"{rate}_part", f"{rate}_base", columns.index(part), columns.index(base)) for rate, part, base in RATE_PARTS
    ]
    totals = {}
    for partnership_id, date, *responses, attended in sessions:
        day = _period_start(date, period)
        counts = [count or 0 for count in responses]
        shown = [not 0 < count < limit for count in counts]
        counts.append(attended)
        shown.append(True)
        row = totals.get((partnership_id, day))
        if row is None:
            row = totals[partnership_id, day] = {"partnership_id": partnership_id, "period": day}
            row |= dict.fromkeys(RESPONSE_SUMS, 0)
        row["sessions"] += 1
        row["left_out"] += not all(shown)
        for name, count, show in zip(GROUPS, counts, shown, strict=False):
            if show:
                row[name] += count
        for part_name, base_name, part, base in rates:
            if shown[part] and shown[base] and 0 < counts[base] >= counts[part]:
                row[part_name] += counts[part]
                row[base_name] += counts[base]
    return list(totals.values())


def outcome_counts(*, filters, period):
    """{(partnership id, period start, statement): Counts} for every national statement version: one grouped query.

    Every scope of the dashboard (Scotland, a partnership, a year) is a sum of these, so they all agree.
    """
    rows = _grouped(
        national_rollups(filters).annotate(period=period_start(period, "session__")), "partnership_id", "period"
    )
    refs = statement_refs(rows)
    return {(row["partnership_id"], row["period"], refs[row["statement_id"]]): Counts.from_row(row) for row in rows}


# --- Home: the latest debriefs' headlines ---


@dataclass(frozen=True)
class Headline:
    statement: StatementRef
    text: str


def sessions_headlines(sessions, now=None):
    """{session id: [Headline]} for several sessions: each statement's headline word for word as the session's
    debrief gives it (`Figures.headline` at the session's scope), in the questionnaire's order, in three queries.

    Released answers only, grouped by session in one query whatever the number of sessions. A headline reads the
    pairs alone, so only the pairs' counted sums are asked for: the same rule (`counted_sums`), a fifth of the SQL
    to build.
    """
    ids = [session.pk for session in sessions]
    if not ids:
        return {}
    sums = counted_sums()
    rows = (
        released(StatementRollup.objects.filter(session_id__in=ids), now)
        .values("session_id", "statement_id")
        .annotate(**{f"sum_{name}": sums[name] for name in [*ROLLUP_PAIRED_FIELDS, "left_out_paired"]})
        .order_by()
    )
    rows = [{name.removeprefix("sum_"): value for name, value in row.items()} for row in rows]
    refs = statement_refs(rows)
    # As in `session_figures`: "post" before "pre", the order people last saw.
    positions = {}
    for session_id, statement_id, position in (
        SurveyItem.objects.filter(survey__session_id__in=ids)
        .order_by("survey__phase")
        .values_list("survey__session_id", "statement_id", "position")
    ):
        positions.setdefault((session_id, statement_id), position)
    rows.sort(key=lambda row: (positions.get((row["session_id"], row["statement_id"]), 0), row["statement_id"]))
    headlines = {pk: [] for pk in ids}
    for row in rows:
        ref = refs[row["statement_id"]]
        figures = figures_from(ref, Counts.from_row(row), session_scope=True)
        headlines[row["session_id"]].append(Headline(statement=ref, text=figures.headline))
    return headlines
