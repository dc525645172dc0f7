"""Results: honest pre/post figures for a session, a partnership or the whole country, from the rollups.

Every figure says how many people it rests on. Shares are of the respondents who gave an answer on the scale
("Don't know" is left out); the change is in percentage points among the people who answered both
questionnaires (paired), with Newcombe's 95% confidence interval and the exact McNemar p-value (surveys.stats).
Answers are only ever added up for one statement version: the rollups are per statement version.

Reads are grouped in SQL over the rollups (surveys.rollups): one query per table on a screen, whatever the
number of sessions, responses or answers.

Small numbers. Outside a session's own debrief, a figure resting on fewer than 5 respondents is shown as
"fewer than 5" (suppressed), and so is a rate or share that rests on it. So that no subtraction can bring a
small group back (a quarter minus the sessions shown in it, the country minus its partnerships, one filter's
total minus another's), small groups are also left out of every pooled figure: a session's answers to a
statement count towards partnership, quarter and national figures only where 5 or more of its people answered
it on the scale, and its pairs towards the change where 5 or more answered both questionnaires. Where its pairs
count, its answers before (or after) count only if those who answered only before (only after) are none or 5
or more: else the share agreeing among all who answered less the share among the pairs would give away a few
people's answers. The pairs, the headline, are kept. Every pooled figure is then a sum of groups of 5 or more,
and so is any difference of two of them. The session's own debrief counts them all.
"""

import functools
import math
import re
import uuid
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, TextField, Value
from django.db.models.functions import Cast, Coalesce, TruncQuarter
from django.db.models.lookups import Exact, GreaterThanOrEqual

from coprod.models import Partnership
from surveys.models import (
    ROLLUP_FIELDS,
    ROLLUP_PAIRED_FIELDS,
    Answer,
    Phase,
    Scale,
    SessionRollup,
    Statement,
    StatementKind,
    StatementRollup,
    Survey,
    SurveyItem,
)
from workshops.models import Attendance, AttendanceStatus, Session

THRESHOLD = 5  # fewer respondents than this: suppressed outside the session's own debrief
GROUPS = ("pre", "post", "paired")
HEADLINE_MIN_PAIRED = 10  # fewer people who answered both than this: no headline, a warning instead
AGREE_VALUES = (Scale.AGREE, Scale.STRONGLY_AGREE)


class Suppressed:
    """A figure withheld because it rests on fewer than 5 respondents (or would reveal one that does)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __str__(self):
        return f"fewer than {THRESHOLD}"

    def __repr__(self):
        return "SUPPRESSED"

    def __bool__(self):
        return False


SUPPRESSED = Suppressed()


@functools.lru_cache(maxsize=8192)
def paired_change(**cells):
    """surveys.stats.paired_change, remembered: it depends on the four cells alone, and screens ask again.

    Imported on first use: scipy weighs about 70 MB, which a worker that only serves questionnaires (or an
    export) need not carry.
    """
    from surveys import stats

    return stats.paired_change(**cells)


def is_suppressed(value):
    return value is SUPPRESSED


# --- Counts and figures ---


@dataclass(frozen=True)
class StatementRef:
    id: int
    text: str
    version: int
    family: uuid.UUID | None = None


@dataclass(frozen=True)
class Counts:
    """Rollup sums for one statement version over some sessions."""

    pre: tuple = (0, 0, 0, 0, 0)  # answers 1..5
    pre_dont_know: int = 0
    post: tuple = (0, 0, 0, 0, 0)
    post_dont_know: int = 0
    both: int = 0
    improved: int = 0
    worsened: int = 0
    neither: int = 0
    left_out: tuple = (0, 0, 0)  # respondents before, after and in both, of groups left out of the above

    @classmethod
    def from_row(cls, row):
        def get(name):
            return row.get(name) or 0

        return cls(
            pre=tuple(get(f"pre_{value}") for value in range(1, 6)),
            pre_dont_know=get("pre_dont_know"),
            post=tuple(get(f"post_{value}") for value in range(1, 6)),
            post_dont_know=get("post_dont_know"),
            both=get("paired_both"),
            improved=get("paired_improved"),
            worsened=get("paired_worsened"),
            neither=get("paired_neither"),
            left_out=tuple(get(f"left_out_{group}") for group in GROUPS),
        )

    def __add__(self, other):
        return Counts(
            pre=tuple(a + b for a, b in zip(self.pre, other.pre, strict=True)),
            pre_dont_know=self.pre_dont_know + other.pre_dont_know,
            post=tuple(a + b for a, b in zip(self.post, other.post, strict=True)),
            post_dont_know=self.post_dont_know + other.post_dont_know,
            both=self.both + other.both,
            improved=self.improved + other.improved,
            worsened=self.worsened + other.worsened,
            neither=self.neither + other.neither,
            left_out=tuple(a + b for a, b in zip(self.left_out, other.left_out, strict=True)),
        )

    @property
    def n_pre(self):
        return sum(self.pre)

    @property
    def n_post(self):
        return sum(self.post)

    @property
    def n_paired(self):
        return self.both + self.improved + self.worsened + self.neither

    def n(self, key):
        return {"pre": self.n_pre, "post": self.n_post, "paired": self.n_paired}[key]

    def only_left_out(self, key):
        """Everybody of this phase (or pair) was in a group under 5: there is someone, but no figure to show."""
        return self.n(key) == 0 and self.left_out[GROUPS.index(key)] > 0


@dataclass(frozen=True)
class Distribution:
    """All five answers of one phase: counts, and shares of those who answered on the scale."""

    counts: tuple
    dont_know: int

    @property
    def n(self):
        return sum(self.counts)

    @property
    def shares(self):
        return tuple(100 * count / self.n for count in self.counts) if self.n else (None,) * 5

    @property
    def rows(self):
        """(label, count, share) per answer, Strongly disagree first."""
        return list(zip(Scale.labels, self.counts, self.shares, strict=True))


def _share_agreeing(counts):
    n = sum(counts)
    return 100 * (counts[3] + counts[4]) / n if n else None


@dataclass
class Figures:
    """Everything shown for one statement version in one scope (a session, partnership, quarter or country).

    Any field may be SUPPRESSED; percentages and the change are None where nobody answered.
    """

    statement: StatementRef
    n_pre: object
    n_post: object
    n_paired: object
    pct_agree_pre: object
    pct_agree_post: object
    pre: object  # Distribution
    post: object
    change: object  # surveys.stats.PairedChange
    dont_know_pre: object = 0
    dont_know_post: object = 0
    label: str = ""
    hidden: frozenset = field(default_factory=frozenset)

    def _paired(self, name):
        if self.change is SUPPRESSED:
            return SUPPRESSED
        return getattr(self.change, name) if self.change else None

    @property
    def paired_pct_agree_pre(self):
        return self._paired("pct_pre")

    @property
    def paired_pct_agree_post(self):
        return self._paired("pct_post")

    @property
    def change_pp(self):
        return self._paired("change_pp")

    @property
    def ci_low_pp(self):
        return self._paired("ci_low_pp")

    @property
    def ci_high_pp(self):
        return self._paired("ci_high_pp")

    @property
    def p_value(self):
        return self._paired("p_value")

    @property
    def relative_change_pct(self):
        return self._paired("relative_change_pct")

    @property
    def conclusive(self):
        """Enough people answered both questionnaires for a headline."""
        return bool(self.change) and self.change.n_paired >= HEADLINE_MIN_PAIRED

    @property
    def headline(self):
        return headline(self)

    @property
    def answer_rows(self):
        """[(answer, before, after)] with (count, share) cells, or SUPPRESSED, for the table under the chart."""

        def cells(distribution):
            if distribution is SUPPRESSED:
                return [SUPPRESSED] * 5
            return list(zip(distribution.counts, distribution.shares, strict=True))

        return list(zip(Scale.labels, cells(self.pre), cells(self.post), strict=True))


def figures_from(statement, counts, *, suppress=False, label=""):
    """The figures of `counts`; with `suppress`, any phase (or the pairs) of 1-4 respondents withheld."""
    hidden = set()
    if suppress:
        hidden = {key for key in GROUPS if 0 < counts.n(key) < THRESHOLD or counts.only_left_out(key)}
    pre = Distribution(counts.pre, counts.pre_dont_know)
    post = Distribution(counts.post, counts.post_dont_know)
    change = paired_change(both=counts.both, improved=counts.improved, worsened=counts.worsened, neither=counts.neither)
    return Figures(
        statement=statement,
        n_pre=SUPPRESSED if "pre" in hidden else counts.n_pre,
        n_post=SUPPRESSED if "post" in hidden else counts.n_post,
        n_paired=SUPPRESSED if "paired" in hidden else counts.n_paired,
        pct_agree_pre=SUPPRESSED if "pre" in hidden else _share_agreeing(counts.pre),
        pct_agree_post=SUPPRESSED if "post" in hidden else _share_agreeing(counts.post),
        pre=SUPPRESSED if "pre" in hidden else pre,
        post=SUPPRESSED if "post" in hidden else post,
        change=SUPPRESSED if "paired" in hidden else change,
        dont_know_pre=SUPPRESSED if "pre" in hidden else counts.pre_dont_know,
        dont_know_post=SUPPRESSED if "post" in hidden else counts.post_dont_know,
        label=label,
        hidden=frozenset(hidden),
    )


# --- Small numbers ---


def _respondents(group):
    """The rollup row's respondents on the scale before ("pre"), after ("post"), or in both ("paired")."""
    return F(f"{group}_n")


def _group(field_name):
    return "paired" if field_name in ROLLUP_PAIRED_FIELDS else field_name.split("_")[0]


def _none_or_5(count):
    return Q(Exact(count, 0)) | Q(GreaterThanOrEqual(count, THRESHOLD))


def _counted(group):
    """A Q over rollup rows: where the session's group counts towards pooled figures (see the module's docstring).

    Where the pairs count, answers before (or after) count only if those who answered only before (only after)
    are none or 5 or more: else the shares of all who answered less the shares of the pairs would give them away.
    """
    counted = Q(GreaterThanOrEqual(_respondents(group), THRESHOLD))
    if group != "paired":
        pairs_counted = Q(GreaterThanOrEqual(_respondents("paired"), THRESHOLD))
        counted &= ~pairs_counted | _none_or_5(_respondents(group) - _respondents("paired"))
    return counted


# --- Wording ---


def whole(number):
    """Half away from zero, as people round: 12.5 -> 13 and -12.5 -> -13 (Python's round() gives 12 and -12)."""
    rounded = math.floor(abs(number) + 0.5)
    return rounded if number >= 0 else -rounded


def signed(number):
    """+50, 0, and -12 written with a true minus sign (U+2212), which screen readers read as "minus"."""
    value = whole(number)
    if value > 0:
        return f"+{value}"
    if value < 0:
        return f"\u2212{-value}"
    return "0"


PRONOUNS = [
    (r"\bI am\b", "they are"),
    (r"\bI'm\b", "they're"),
    (r"\bI was\b", "they were"),
    (r"\bI've\b", "they've"),
    (r"\bI\b", "they"),
    (r"\bmyself\b", "themselves"),
    (r"\bmy\b", "their"),
    (r"\bMy\b", "Their"),
    (r"\bmine\b", "theirs"),
    (r"\bme\b", "them"),
]


def agreeing_with(text):
    """'the share agreeing they have a sound understanding of ...' from 'I have a sound understanding of ...'."""
    words = text.strip().rstrip(".").strip()
    if not re.match(r"^I('m|'ve)?\b", words):
        return f"the share agreeing with “{words}”"
    for pattern, replacement in PRONOUNS:
        words = re.sub(pattern, replacement, words)
    return f"the share agreeing {words}"


def headline(figures):
    """The plain-English headline, or why there is none."""
    n = figures.n_paired
    if n is SUPPRESSED:
        return f"Too few responses to draw conclusions: fewer than {THRESHOLD} people answered both questionnaires."
    if not n:
        return "Too few responses to draw conclusions: nobody has answered both questionnaires yet."
    if not figures.conclusive:
        people = "person" if n == 1 else "people"
        return (
            f"Too few responses to draw conclusions: only {n} {people} answered both questionnaires "
            f"(at least {HEADLINE_MIN_PAIRED} are needed)."
        )
    change = figures.change
    before, after = whole(change.pct_pre), whole(change.pct_post)
    if before == after:
        movement = f"stayed at {before}%"
    else:
        movement = f"{'rose' if after > before else 'fell'} from {before}% to {after}%"
    return (
        f"Among the {n} people who answered both questionnaires, {agreeing_with(figures.statement.text)} "
        f"{movement} ({signed(change.change_pp)} points, 95% CI {signed(change.ci_low_pp)} to "
        f"{signed(change.ci_high_pp)})."
    )


# --- Scopes: which sessions ---


def session_filter(filters, prefix=""):
    """A Q over sessions (or, with prefix "session__", over rows that belong to a session) for the filters."""
    q = Q()
    if filters.get("date_from"):
        q &= Q(**{f"{prefix}date__gte": filters["date_from"]})
    if filters.get("date_to"):
        q &= Q(**{f"{prefix}date__lte": filters["date_to"]})
    for name in ("kind", "programme", "locality"):
        if filters.get(name):
            q &= Q(**{f"{prefix}{name}": filters[name]})
    return q


SUMS = {name: Sum(name) for name in ROLLUP_FIELDS}
# Where small numbers are suppressed, sums leave out each session's small groups (see the module's docstring).
# Named apart from the columns, which their filters read.
SUMS_OF_GROUPS_OF_5 = {f"sum_{name}": Sum(name, filter=_counted(_group(name))) for name in ROLLUP_FIELDS} | {
    f"sum_left_out_{group}": Sum(_respondents(group), filter=~_counted(group)) for group in GROUPS
}
STATEMENT_COLUMNS = ["statement_id", "statement__text", "statement__version", "statement__family"]


def _ref(row):
    return StatementRef(
        id=row["statement_id"],
        text=row["statement__text"],
        version=row["statement__version"],
        family=row["statement__family"],
    )


def _grouped(rollups, *by, suppress):
    """One row per statement version (and per `by`), rollup counts summed in SQL; with `suppress`, without
    each session's groups of fewer than 5.

    Grouped on ids alone, so that the database can hash them (grouping on the statements' text too would sort
    every rollup row); the wording comes after, from `_refs`.
    """
    if not suppress:
        return list(rollups.values(*by, "statement_id").annotate(**SUMS).order_by())
    rows = rollups.values(*by, "statement_id").annotate(**SUMS_OF_GROUPS_OF_5).order_by()
    return [{name.removeprefix("sum_"): value for name, value in row.items()} for row in rows]


def _refs(rows):
    """{statement id: StatementRef} for the statements of `rows`, in one query."""
    ids = {row["statement_id"] for row in rows}
    if not ids:
        return {}
    statements = Statement.objects.filter(pk__in=ids).values_list("pk", "text", "version", "family")
    return {pk: StatementRef(pk, text, version, family) for pk, text, version, family in statements}


# --- Session: the facilitator's debrief ---


def session_figures(session, *, suppress=False):
    """Figures for each statement version the session's questionnaires asked, in the questionnaire's order.

    Not suppressed on the screen: this is the room's own debrief, shown to its partnership's members. Its
    export (which travels) is.
    """
    position = SurveyItem.objects.filter(
        survey__session_id=OuterRef("session_id"), statement_id=OuterRef("statement_id")
    ).order_by("survey__phase")  # "post" before "pre": the order people last saw
    rows = (
        StatementRollup.objects.filter(session=session)
        .annotate(position=Subquery(position.values("position")[:1]))
        .values("position", *STATEMENT_COLUMNS, *ROLLUP_FIELDS)
        .order_by("position", "statement_id")
    )
    return [figures_from(_ref(row), Counts.from_row(row), suppress=suppress) for row in rows]


def session_summary(session):
    """Responses before and after, paired, and attended (from the register)."""
    rollup = SessionRollup.objects.filter(session=session).first() or SessionRollup(session=session)
    attended = session.attendances.filter(status=AttendanceStatus.ATTENDED).count()
    return {
        "pre_responses": rollup.pre_responses,
        "post_responses": rollup.post_responses,
        "paired": rollup.paired,
        "attended": attended,
        "pre_rate": _rate(rollup.pre_responses, attended),
        "post_rate": _rate(rollup.post_responses, attended),
    }


def session_written_answers(session):
    """[(question, [answers])] for the session's written questions, answers in no meaningful order."""
    answers = (
        Answer.objects.filter(response__survey__session=session, statement__kind=StatementKind.TEXT)
        .exclude(text="")
        .values_list("statement_id", "statement__text", "text")
        .order_by("statement_id", "response_id")
    )
    grouped = {}
    for statement_id, question, text in answers:
        grouped.setdefault(statement_id, (question, []))[1].append(text)
    return list(grouped.values())


def _rate(part, whole_count):
    return 100 * part / whole_count if whole_count else None


# --- Partnership ---


def pooled_figures(rollups, *, suppress):
    """Figures per statement version over every rollup in `rollups`, in the order statements were made."""
    rows = _grouped(rollups, suppress=suppress)
    refs = _refs(rows)
    figures = [figures_from(refs[row["statement_id"]], Counts.from_row(row), suppress=suppress) for row in rows]
    return sorted(figures, key=lambda figure: figure.statement.id)


def partnership_rollups(partnership, filters):
    return StatementRollup.objects.filter(partnership=partnership).filter(session_filter(filters, "session__"))


def partnership_figures(partnership, filters, *, suppress=True):
    return pooled_figures(partnership_rollups(partnership, filters), suppress=suppress)


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


def partnership_sessions(partnership, filters, *, suppress=True):
    """(rows, total row) for each session with a questionnaire, latest first: response and pairing rates.

    Response rate: responses / people marked as attended. Pairing rate: responses after the session that were
    linked to one before it / responses after.
    """
    has_survey = Exists(Survey.objects.filter(session=OuterRef("pk")))
    # Counted per session through the attendance index, rather than by grouping the whole register.
    attended = (
        Attendance.objects.filter(session=OuterRef("pk"), status=AttendanceStatus.ATTENDED)
        .order_by()
        .values("session")
        .annotate(count=Count("pk"))
    )
    zero = Value(0, output_field=IntegerField())
    sessions = list(
        Session.objects.filter(partnership=partnership)
        .filter(session_filter(filters))
        .filter(has_survey)
        .annotate(
            attended=Coalesce(Subquery(attended.values("count")), zero),
            pre_responses=Coalesce(F("rollup__pre_responses"), zero),
            post_responses=Coalesce(F("rollup__post_responses"), zero),
            paired=Coalesce(F("rollup__paired"), zero),
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
    hides = {pk: {key for key in GROUPS if suppress and 0 < row[key] < THRESHOLD} for pk, row in counts.items()}
    rows = [
        _session_row(session, counts[session.pk], _rates(counts[session.pk]), hides[session.pk]) for session in sessions
    ]
    # Like the pooled figures, the total leaves out the groups it does not show; and a rate divides over the same
    # sessions on both sides: those that show both its figures and have some to divide by (a register, for the
    # response rates).
    totals = {
        measure: sum(row[measure] for pk, row in counts.items() if measure not in hides[pk]) for measure in GROUPS
    }
    totals["attended"] = sum(session.attended for session in sessions)
    only_left_out = {key for key in GROUPS if totals[key] == 0 and any(key in hidden for hidden in hides.values())}

    def total_rate(part, base):
        kept = [row for pk, row in counts.items() if not hides[pk] & {part, base} and row[base]]
        return _rate(sum(row[part] for row in kept), sum(row[base] for row in kept))

    rates = {"pre": total_rate("pre", "attended"), "post": total_rate("post", "attended")}
    total = _session_row(None, totals, rates | {"paired": total_rate("paired", "post")}, only_left_out)
    total.without_register = sum(1 for session in sessions if not session.attended)
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


def partnership_trend(partnership, filters, *, suppress=True):
    """(figures per statement version over the whole period, per statement version the figures of each quarter).

    One grouped query by quarter (of the session's date) and statement version; the whole period is the sum of
    its quarters.
    """
    rows = _grouped(
        partnership_rollups(partnership, filters).annotate(quarter=TruncQuarter("session__date")),
        "quarter",
        suppress=suppress,
    )
    refs = _refs(rows)
    by_statement = {}
    for row in rows:
        by_statement.setdefault(refs[row["statement_id"]], {})[row["quarter"]] = Counts.from_row(row)
    pooled, trend = [], []
    for ref in sorted(by_statement, key=lambda ref: ref.id):
        quarters = dict(sorted(by_statement[ref].items()))
        pooled.append(figures_from(ref, sum(quarters.values(), Counts()), suppress=suppress))
        trend.append(
            TrendStatement(
                statement=ref,
                quarters=[
                    figures_from(ref, counts, suppress=suppress, label=quarter_label(day))
                    for day, counts in quarters.items()
                ],
            )
        )
    return pooled, trend


# --- National ---


@dataclass
class NationalStatement:
    figures: Figures  # the country
    partnerships: list  # Figures per partnership, label = its name


def national_rollups(filters):
    """National statements only: a partnership's local statements are not asked anywhere else."""
    return StatementRollup.objects.filter(statement__partnership__isnull=True).filter(
        session_filter(filters, "session__")
    )


def national_results(filters, *, suppress=True):
    """Per national statement version: the country's figures, and each partnership's side by side."""
    rows = _grouped(national_rollups(filters), "partnership_id", suppress=suppress)
    refs = _refs(rows)
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
                figures=figures_from(ref, total, suppress=suppress, label="Scotland"),
                partnerships=[
                    figures_from(ref, counts, suppress=suppress, label=key[0]) for key, counts in partnerships.items()
                ],
            )
        )
    return results


# --- Raw answers for responses.csv ---


def answers_for_export(*, sessions, suppress=False):
    """Scale answers of `sessions` (a Session queryset) for responses.csv, as narrow value tuples.

    (response id, paired "before" response id, paired "after" response id, phase, session id, statement id,
    value, whether the session's pairs count for the statement). Ids come as text, so that no UUID object is
    made per row; names come from `export_labels`. In the order of the responses' random ids (the primary key's
    order), each response's answers together: never in the order they were stored, which a web server's log could
    line up with its times and addresses.

    With `suppress`, exactly the answers the pooled figures count: a session's answers to a statement in one
    phase where that phase's group is counted, and its pairs' answers (with their pairing) where they are
    (`_counted`).
    """
    answers = Answer.objects.filter(
        response__survey__session__in=sessions.values("pk"), statement__kind=StatementKind.SCALE
    )
    pairs_counted = Value(True)
    if suppress:
        rollup = StatementRollup.objects.filter(
            session_id=OuterRef("response__survey__session_id"), statement_id=OuterRef("statement_id")
        )
        pairs_counted = Exists(rollup.filter(_counted("paired")))
        answers = answers.filter(
            Q(Exists(rollup.filter(_counted("pre"))), response__survey__phase=Phase.PRE)
            | Q(Exists(rollup.filter(_counted("post"))), response__survey__phase=Phase.POST)
            # The pairs' own answers, which the change counts even where a phase's group is left out.
            | Q(pairs_counted, response__survey__phase=Phase.PRE, response__paired_post__isnull=False)
            | Q(pairs_counted, response__survey__phase=Phase.POST, response__paired_with__isnull=False)
        )
    return (
        answers.annotate(
            response_key=Cast("response_id", TextField()),
            before_key=Cast("response__paired_with_id", TextField()),
            after_key=Cast("response__paired_post__id", TextField()),
            pairs_counted=pairs_counted,
        )
        .values_list(
            "response_key",
            "before_key",
            "after_key",
            "response__survey__phase",
            "response__survey__session_id",
            "statement_id",
            "value",
            "pairs_counted",
        )
        .order_by("response_id", "statement_id")
    )


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
