"""A programme's change across its series: each person's first "before" against their last "after".

A person is the one code they keep for the whole programme (surveys.views.public: the first questionnaire of any
of its sessions gives it; later ones carry it), never a name or a place on the register. Answers without a code
cannot be followed and are left out here; they count in their sessions' results.

Counted once, when the programme's lead releases its results (ProgrammeRelease), over the sessions whose
questionnaires were all released by then. Figures that moved with each new session could single out the few people
whose last "after" it changed; released once, they never move.

The disclosure rule is the sessions' (surveys.results.pooling), with the programme as the one group: per statement,
the pairs count where T or more people answered both on the scale; the first answers before count in full where T
or more people gave one and those outside the counted pairs are none or T or more, else only the pairs' own; the
same for the last answers after. Dose bands (how many of the programme's sessions a person answered at) are
merged with a neighbour until each has T or more pairs, and not shown where one band is left: no difference of
two figures shown is a group smaller than T.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from coprod.disclosure import SUPPRESSED, threshold
from surveys.models import Answer, Phase, Response, StatementKind, Survey, SurveyItem, released_q
from surveys.results.figures import Counts, figures_from
from surveys.results.pooling import statement_refs
from workshops.models import Session

AGREE = 4  # "Agree" and "Strongly agree" are 4 and 5
FIRST_AND_LAST = "answered a first questionnaire before and a last one after"
DOSE_BANDS = ((1, 3), (4, 6), (7, None))  # sessions answered at: 1-3, 4-6, 7 or more


@dataclass(frozen=True)
class Person:
    """One code's answers across the programme: the responses counted, and how many sessions it answered at."""

    first_before: object  # response id, or None
    last_after: object
    sessions: int


@dataclass
class Band:
    label: str
    figures: object  # Figures of the band's pairs only


@dataclass
class StatementResult:
    figures: object
    bands: list  # [Band], empty where the pairs are not split
    before: dict  # {code: value} counted: the first answers before
    after: dict  # ... the last answers after
    pairs: dict  # {code: (before, after)} counted in the change


@dataclass
class ProgrammeResults:
    sessions: list  # the counted sessions, in date order
    people: dict  # {code: Person}
    with_before: object  # people who gave a first "before" (or SUPPRESSED)
    matched: object  # of whom found a last "after" (or SUPPRESSED)
    statements: list  # [StatementResult], in questionnaire order

    @property
    def match_rate(self):
        if SUPPRESSED in (self.with_before, self.matched) or not self.with_before:
            return None
        return 100 * self.matched / self.with_before


def counted_sessions(programme, release):
    """The programme's sessions whose questionnaires were all released when its results were."""
    unreleased = Survey.objects.filter(session=OuterRef("pk")).exclude(released_q(release.released_at))
    return (
        Session.objects.filter(programme=programme)
        .filter(Exists(Survey.objects.filter(session=OuterRef("pk"))))
        .exclude(Exists(unreleased))
        .order_by("date", "pk")
    )


def people(sessions):
    """{code: Person} over `sessions` (in date order), in one query."""
    order = {session.pk: index for index, session in enumerate(sessions)}
    rows = (
        Response.objects.filter(survey__session__in=list(order))
        .exclude(pairing_code="")
        .values_list("pk", "pairing_code", "survey__phase", "survey__session_id")
    )
    first, last, seen = {}, {}, defaultdict(set)
    for pk, code, phase, session_id in sorted(rows, key=lambda row: order[row[3]]):
        seen[code].add(session_id)
        if phase == Phase.PRE:
            first.setdefault(code, (order[session_id], pk))
        else:
            last[code] = (order[session_id], pk)
    found = {}
    for code, sessions_seen in seen.items():
        before, after = first.get(code), last.get(code)
        if after and before and after[0] < before[0]:
            after = None  # an "after" from before their first "before" is no change across the series
        found[code] = Person(before and before[1], after and after[1], len(sessions_seen))
    return found


def programme_results(programme, release):
    """The programme's figures (ProgrammeResults), in a fixed number of queries whatever its size."""
    sessions = list(counted_sessions(programme, release))
    found = people(sessions)
    responses = {}
    for code, person in found.items():
        for pk in (person.first_before, person.last_after):
            if pk:
                responses[pk] = code
    answers = defaultdict(dict)  # {statement id: {(code, phase): value}}
    for response_id, phase, statement_id, value in Answer.objects.filter(
        response_id__in=list(responses), statement__kind=StatementKind.SCALE
    ).values_list("response_id", "response__survey__phase", "statement_id", "value"):
        answers[statement_id][(responses[response_id], phase)] = value
    refs = statement_refs([{"statement_id": statement_id} for statement_id in answers])
    positions = dict(
        SurveyItem.objects.filter(survey__session__in=sessions, statement_id__in=list(answers))
        .order_by("-survey__session__date")
        .values_list("statement_id", "position")
    )
    statements = []
    for statement_id in sorted(answers, key=lambda pk: (positions.get(pk, 0), pk)):
        counts, before, after, pairs = statement_counts(answers[statement_id])
        figures = figures_from(refs[statement_id], counts, session_scope=True, pairs_described=FIRST_AND_LAST)
        statements.append(StatementResult(figures, dose_bands(refs[statement_id], pairs, found), before, after, pairs))
    with_before = [person for person in found.values() if person.first_before]
    matched = sum(1 for person in with_before if person.last_after)
    return ProgrammeResults(sessions, found, _shown(len(with_before)), _shown(matched), statements)


def _shown(count):
    return SUPPRESSED if 0 < count < threshold() else count


def _cells(pairs):
    """Counts' paired cells of [(before, after)] on the scale."""
    cells = {"both": 0, "improved": 0, "worsened": 0, "neither": 0}
    for before, after in pairs:
        key = {(True, True): "both", (False, True): "improved", (True, False): "worsened"}.get(
            (before >= AGREE, after >= AGREE), "neither"
        )
        cells[key] += 1
    return cells


def statement_counts(values):
    """(Counts, before, after, pairs) of one statement from {(code, phase): value}, under the rule above: the
    answers counted before and after ({code: value}) and the pairs counted in the change ({code: (before, after)})."""
    before = {code: value for (code, phase), value in values.items() if phase == Phase.PRE}
    after = {code: value for (code, phase), value in values.items() if phase == Phase.POST}
    pairs = {
        code: (before[code], after[code])
        for code in before.keys() & after.keys()
        if before[code] is not None and after[code] is not None
    }
    pairs_count = len(pairs) >= threshold()
    if not pairs_count:
        pairs = {}

    def counted(phase_values):
        outside = len(phase_values.keys() - pairs.keys())
        if len(phase_values) >= threshold() and (not pairs or outside == 0 or outside >= threshold()):
            return phase_values, False
        return {code: value for code, value in phase_values.items() if code in pairs}, bool(phase_values)

    before_counted, before_cut = counted(before)
    after_counted, after_cut = counted(after)

    def scale(phase_values):
        found = [value for value in phase_values.values() if value is not None]
        return tuple(found.count(point) for point in range(1, 6)), len(phase_values) - len(found)

    pre, pre_dont_know = scale(before_counted)
    post, post_dont_know = scale(after_counted)
    had_pairs = any(before.get(code) is not None and after[code] is not None for code in after.keys() & before.keys())
    counts = Counts(
        pre=pre,
        pre_dont_know=pre_dont_know,
        post=post,
        post_dont_know=post_dont_know,
        **_cells(pairs.values()),
        left_out=(int(before_cut), int(after_cut), int(had_pairs and not pairs_count)),
    )
    return counts, before_counted, after_counted, pairs


def dose_bands(statement, pairs, found):
    """[Band] of the statement's counted pairs by sessions answered at, merged until each has T or more pairs."""
    bands = []
    for low, high in DOSE_BANDS:
        members = [pair for code, pair in pairs.items() if low <= found[code].sessions <= (high or low + 99)]
        if members:
            bands.append([low, high, members])
    while len(bands) > 1 and (small := next((band for band in bands if len(band[2]) < threshold()), None)):
        index = bands.index(small)
        other = bands[index + 1] if index + 1 < len(bands) else bands[index - 1]
        low, high = min(small[0], other[0]), None if None in (small[1], other[1]) else max(small[1], other[1])
        merged = [low, high, small[2] + other[2]]
        bands = [band for band in bands if band is not small and band is not other]
        bands.insert(min(index, len(bands)), merged)
        bands.sort(key=lambda band: band[0])
    if len(bands) < 2:
        return []
    return [
        Band(
            _band_label(low, high),
            figures_from(statement, Counts(**_cells(members)), session_scope=True, pairs_described=FIRST_AND_LAST),
        )
        for low, high, members in bands
    ]


def _band_label(low, high):
    if high is None:
        return f"{low} or more sessions"
    if low == high:
        return f"{low} session" if low == 1 else f"{low} sessions"
    return f"{low} to {high} sessions"


def responses_rows(results):
    """responses.csv's rows for the programme: exactly the answers its figures count, one line each.

    (response id, pairing id, phase, statement id, value), ids as OpaqueIds give them for a programme: a pair's two
    answers share the pairing id of the person's first "before". No session: the people who first (or last)
    answered at one session are often fewer than the threshold, and with the pairing id the session would single
    them out.
    """
    from surveys.results.exports import OpaqueIds

    ids = OpaqueIds(scope="programme")
    rows = []
    for item in results.statements:
        for phase, counted in ((Phase.PRE, item.before), (Phase.POST, item.after)):
            for code, value in counted.items():
                person = results.people[code]
                response = person.first_before if phase == Phase.PRE else person.last_after
                pairing = ids.pair(person.first_before) if code in item.pairs else ""
                rows.append(
                    (
                        ids.response(response),
                        pairing,
                        phase,
                        item.figures.statement.id,
                        value,
                    )
                )
    return sorted(rows)
