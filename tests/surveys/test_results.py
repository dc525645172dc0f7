"""Figures, headlines and small-number suppression (surveys.results), on hand-worked cases and stored answers."""

import datetime
import uuid

import pytest

from surveys import results, services
from surveys.models import Phase
from surveys.results import SUPPRESSED, Counts, StatementRef, figures_from
from surveys.stats import paired_change
from tests.factories import (
    AttendanceFactory,
    LocalityFactory,
    PartnershipFactory,
    ProgrammeFactory,
    SessionFactory,
)
from tests.surveys.conftest import STATEMENTS, scale_ids, submit

UNDERSTANDING = StatementRef(
    1,
    "I have a sound understanding of the work undertaken by AHPs and third sector organisations within my partnership.",
    1,
)
# The source's session, with its n's: 34 answered both; 10 agreed before (29%), 27 after (79%).
SOURCE = Counts(
    pre=(2, 6, 16, 8, 2), pre_dont_know=3, post=(0, 1, 6, 17, 10), both=9, improved=18, worsened=1, neither=6
)


# --- Figures ---


def test_figures_of_the_source_session():
    figures = figures_from(UNDERSTANDING, SOURCE)

    assert [figures.n_pre, figures.n_post, figures.n_paired] == [34, 34, 34]
    assert [round(figures.pct_agree_pre, 1), round(figures.pct_agree_post, 1)] == [29.4, 79.4]
    assert [figures.dont_know_pre, figures.dont_know_post] == [3, 0]
    assert figures.change == paired_change(both=9, improved=18, worsened=1, neither=6)
    assert [round(value, 1) for value in (figures.paired_pct_agree_pre, figures.paired_pct_agree_post)] == [29.4, 79.4]
    assert [round(figures.change_pp, 1), round(figures.ci_low_pp, 1), round(figures.ci_high_pp, 1)] == [
        50.0,
        27.7,
        65.5,
    ]
    assert round(figures.relative_change_pct) == 170
    assert figures.p_value == pytest.approx(7.63e-05, rel=1e-3)
    assert [(label, count, round(share, 1)) for label, count, share in figures.pre.rows] == [
        ("Strongly disagree", 2, 5.9),
        ("Disagree", 6, 17.6),
        ("Neither agree nor disagree", 16, 47.1),
        ("Agree", 8, 23.5),
        ("Strongly agree", 2, 5.9),
    ]


def test_headline_of_the_source_session_says_n_points_and_interval():
    assert figures_from(UNDERSTANDING, SOURCE).headline == (
        "Among the 34 people who answered both questionnaires, the share agreeing they have a sound understanding "
        "of the work undertaken by AHPs and third sector organisations within their partnership rose from 29% to "
        "79% (+50 points, 95% CI +28 to +65)."
    )


def test_headline_of_a_fall_uses_minus_signs():
    statement = StatementRef(2, "I am aware of local and national resources.", 1)

    headline = figures_from(statement, Counts(both=3, worsened=5, neither=4)).headline

    assert headline == (
        "Among the 12 people who answered both questionnaires, the share agreeing they are aware of local and "
        "national resources fell from 67% to 25% (\u221242 points, 95% CI \u221264 to \u22126)."
    )


def test_headline_when_everyone_agrees_before_and_after():
    statement = StatementRef(3, "Services listen to me.", 1)

    figures = figures_from(statement, Counts(pre=(0, 0, 0, 6, 6), post=(0, 0, 0, 2, 10), both=12))

    assert figures.change_pp == 0
    assert figures.p_value == 1.0
    assert figures.headline == (
        "Among the 12 people who answered both questionnaires, the share agreeing with “Services listen to me” "
        "stayed at 100% (0 points, 95% CI \u221224 to +24)."
    )


@pytest.mark.parametrize(
    ("paired", "conclusive", "headline_start"),
    [
        (0, False, "Too few responses to draw conclusions: nobody has answered both questionnaires yet."),
        (1, False, "Too few responses to draw conclusions: only 1 person answered both questionnaires"),
        (9, False, "Too few responses to draw conclusions: only 9 people answered both questionnaires"),
        (10, True, "Among the 10 people who answered both questionnaires"),
    ],
)
def test_headline_switches_to_too_few_below_ten_paired(paired, conclusive, headline_start):
    figures = figures_from(UNDERSTANDING, Counts(improved=paired // 2, neither=paired - paired // 2))

    assert figures.conclusive is conclusive
    assert figures.headline.startswith(headline_start)


def test_figures_with_nobody_answering():
    figures = figures_from(UNDERSTANDING, Counts())

    assert [figures.n_pre, figures.n_post, figures.n_paired] == [0, 0, 0]
    assert [figures.pct_agree_pre, figures.pct_agree_post, figures.change, figures.change_pp] == [None] * 4
    assert figures.pre.shares == (None,) * 5


def test_figures_with_one_person_agreeing_only_after():
    figures = figures_from(UNDERSTANDING, Counts(pre=(0, 1, 0, 0, 0), post=(0, 0, 0, 1, 0), improved=1))

    assert [figures.pct_agree_pre, figures.pct_agree_post, figures.change_pp] == [0.0, 100.0, 100.0]
    assert figures.relative_change_pct is None  # nobody agreed before: a relative change is not defined
    assert figures.p_value == 1.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I am aware of the ALLIANCE.", "they are aware of the ALLIANCE"),
        ("I feel confident with self-management in my work.", "they feel confident with self-management in their work"),
        ("I know whom to contact when I need help.", "they know whom to contact when they need help"),
        ("I'm involved in decisions that affect me.", "they're involved in decisions that affect them"),
        ("Services treat carers as equal partners.", "with “Services treat carers as equal partners”"),
    ],
)
def test_agreeing_with_turns_first_person_into_third(text, expected):
    assert results.agreeing_with(text) == f"the share agreeing {expected}"


# --- Small numbers ---


def test_figures_suppressed_below_five_respondents():
    counts = Counts(pre=(1, 1, 0, 1, 0), pre_dont_know=2, post=(0, 1, 2, 3, 4), improved=1, neither=2)

    figures = figures_from(UNDERSTANDING, counts, suppress=True)
    shown = figures_from(UNDERSTANDING, counts)

    assert [figures.n_pre, figures.pct_agree_pre, figures.pre, figures.dont_know_pre] == [SUPPRESSED] * 4
    assert [figures.n_post, figures.pct_agree_post, figures.dont_know_post] == [10, 70.0, 0]
    assert figures_from(UNDERSTANDING, Counts(pre=(5, 5, 0, 0, 0), pre_dont_know=2), suppress=True).dont_know_pre == 2
    assert [figures.n_paired, figures.change_pp, figures.ci_low_pp, figures.p_value] == [SUPPRESSED] * 4
    assert figures.headline == (
        "Too few responses to draw conclusions: fewer than 5 people answered both questionnaires."
    )
    assert [shown.n_pre, shown.n_paired, shown.dont_know_pre] == [3, 3, 2]  # a session's own debrief


# --- From stored answers ---


def _answers(survey, rows, **kwargs):
    return [submit(survey, row, **kwargs).response for row in rows]


def test_session_figures_from_stored_answers(pre_survey, post_survey):
    pres = _answers(pre_survey, [[2, 4, None]] * 6 + [[4, 4, 4]] * 4)
    for pre in pres:
        submit(post_survey, [4, 5, 2], pairing_code=pre.pairing_code)
    submit(post_survey, [1, 1, 1])  # unpaired

    figures = results.session_figures(pre_survey.session)

    assert [figure.statement.text for figure in figures] == STATEMENTS
    assert [(f.n_pre, f.n_post, f.n_paired) for f in figures] == [(10, 11, 10), (10, 11, 10), (4, 11, 4)]
    assert [round(f.pct_agree_pre) for f in figures] == [40, 100, 100]
    assert [round(f.pct_agree_post) for f in figures] == [91, 91, 0]
    assert [(f.change.n_paired, f.change_pp) for f in figures] == [(10, 60.0), (10, 0.0), (4, -100.0)]
    assert [f.conclusive for f in figures] == [True, True, False]
    assert [f.dont_know_pre for f in figures] == [0, 0, 6]


def test_session_summary_counts_responses_and_attendance(pre_survey, post_survey):
    for _ in range(4):
        AttendanceFactory(session=pre_survey.session, status="attended")
    AttendanceFactory(session=pre_survey.session, status="absent")
    pre = submit(pre_survey, [4, 4, 4]).response
    submit(pre_survey, [4, 4, 4])
    submit(post_survey, [4, 4, 4], pairing_code=pre.pairing_code)

    summary = results.session_summary(pre_survey.session)

    assert summary == {
        "pre_responses": 2,
        "post_responses": 1,
        "paired": 1,
        "attended": 4,
        "pre_rate": 50.0,
        "post_rate": 25.0,
    }


def test_written_answers_grouped_by_question(post_survey):
    text_id = post_survey.items.get(statement__kind="text").statement_id
    for written in ["Call the Trust.", "Use the resources."]:
        services.response_submit(
            survey=post_survey,
            submission_key=uuid.uuid4(),
            answers=dict(zip(scale_ids(post_survey), [4, 4, 4], strict=True)) | {text_id: written},
        )

    written = results.session_written_answers(post_survey.session)

    assert [(question, sorted(answers)) for question, answers in written] == [
        ("What will you do differently?", ["Call the Trust.", "Use the resources."])
    ]


def _session_with_answers(partnership, template, *, pairs, date=datetime.date(2026, 3, 12), **session_fields):
    """A session of `partnership` where `pairs` people answer 2, 2, 2 before and 4, 4, 4 after."""
    session = SessionFactory(partnership=partnership, date=date, **session_fields)
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    for response in _answers(pre, [[2, 2, 2]] * pairs):
        submit(post, [4, 4, 4], pairing_code=response.pairing_code)
    return session


def test_partnership_figures_pool_sessions_and_leave_others_out(partnership, other_partnership, template):
    _session_with_answers(partnership, template, pairs=6)
    _session_with_answers(partnership, template, pairs=7)
    _session_with_answers(other_partnership, template, pairs=20)

    figures = results.partnership_figures(partnership, {})

    assert [(f.n_pre, f.n_post, f.n_paired, f.change_pp) for f in figures] == [(13, 13, 13, 100.0)] * 3


def test_partnership_figures_pool_only_identical_statement_versions(partnership, template):
    _session_with_answers(partnership, template, pairs=6)
    item = template.items.order_by("position").first()
    services.template_item_update(
        item=item, text="I understand what AHPs do.", hint="", phase="both", required=True, position=1
    )
    _session_with_answers(partnership, template, pairs=8)

    figures = results.partnership_figures(partnership, {})

    assert [(f.statement.text, f.statement.version, f.n_paired) for f in figures] == [
        (STATEMENTS[0], 1, 6),
        (STATEMENTS[1], 1, 14),
        (STATEMENTS[2], 1, 14),
        ("I understand what AHPs do.", 2, 8),
    ]


def test_partnership_figures_follow_the_filters(partnership, template):
    locality = LocalityFactory(partnership=partnership)
    programme = ProgrammeFactory(partnership=partnership)
    _session_with_answers(partnership, template, pairs=5, date=datetime.date(2025, 11, 5))
    _session_with_answers(partnership, template, pairs=6, date=datetime.date(2026, 2, 5), locality=locality)
    _session_with_answers(partnership, template, pairs=7, date=datetime.date(2026, 2, 6), kind="lab")
    _session_with_answers(partnership, template, pairs=8, date=datetime.date(2026, 4, 6), programme=programme)

    def paired(**filters):
        return next(figure.n_paired for figure in results.partnership_figures(partnership, filters))

    assert paired() == 26
    assert paired(date_from=datetime.date(2026, 1, 1)) == 21
    assert paired(date_from=datetime.date(2026, 1, 1), date_to=datetime.date(2026, 3, 31)) == 13
    assert paired(kind="lab") == 7
    assert paired(locality=locality) == 6
    assert paired(programme=programme) == 8


def test_partnership_sessions_hide_small_sessions_and_leave_them_out_of_the_total(partnership, template):
    small = _session_with_answers(partnership, template, pairs=3, date=datetime.date(2026, 3, 3))
    middle = _session_with_answers(partnership, template, pairs=12, date=datetime.date(2026, 3, 2))
    large = _session_with_answers(partnership, template, pairs=20, date=datetime.date(2026, 3, 1))
    for _ in range(6):
        AttendanceFactory(session=small, status="attended")
    for _ in range(24):
        AttendanceFactory(session=middle, status="attended")

    rows, total = results.partnership_sessions(partnership, {})
    shown, shown_total = results.partnership_sessions(partnership, {}, suppress=False)

    assert [row.session for row in rows] == [small, middle, large]
    assert [(row.pre_responses, row.post_responses, row.paired) for row in rows] == [
        (SUPPRESSED, SUPPRESSED, SUPPRESSED),
        (12, 12, 12),
        (20, 20, 20),
    ]
    assert [rows[0].attended, rows[0].pre_rate, rows[0].pairing_rate] == [6, SUPPRESSED, SUPPRESSED]
    # The total is of the sessions shown: 32 - 20 - 12 reveals nothing.
    assert (total.pre_responses, total.post_responses, total.paired, total.pairing_rate) == (32, 32, 32, 100.0)
    # Its response rates are of the one session shown with a register (12 of 24), not 32 of the 30 attended.
    assert (total.attended, total.pre_rate, total.post_rate, total.without_register) == (30, 50.0, 50.0, 1)
    assert [row.pre_responses for row in shown] == [3, 12, 20]
    assert (shown_total.pre_responses, round(shown[0].pre_rate)) == (35, 50)


def test_partnership_trend_by_quarter_leaves_small_sessions_out(partnership, template):
    _session_with_answers(partnership, template, pairs=3, date=datetime.date(2025, 12, 1))
    _session_with_answers(partnership, template, pairs=2, date=datetime.date(2026, 1, 15))
    _session_with_answers(partnership, template, pairs=9, date=datetime.date(2026, 2, 15))
    _session_with_answers(partnership, template, pairs=30, date=datetime.date(2026, 5, 1))

    pooled, trend = results.partnership_trend(partnership, {})

    assert [(figures.statement.text, figures.n_paired) for figures in pooled] == [(text, 39) for text in STATEMENTS]
    assert pooled == results.partnership_figures(partnership, {})
    assert [item.statement.text for item in trend] == STATEMENTS
    assert [(quarter.label, quarter.n_paired, quarter.paired_pct_agree_post) for quarter in trend[0].quarters] == [
        ("2025 Q4", SUPPRESSED, SUPPRESSED),  # its one session had 3 people: in none of the pooled figures
        ("2026 Q1", 9, 100.0),  # 9, not 11: the 2-person session is left out
        ("2026 Q2", 30, 100.0),
    ]


def test_no_subtraction_between_the_session_table_and_the_trend_reveals_a_small_session(partnership, template):
    """Sessions of 3 (January), 20 (February) and 10 (April): Q1 minus February's 20 must not give 3."""
    _session_with_answers(partnership, template, pairs=3, date=datetime.date(2026, 1, 10))
    _session_with_answers(partnership, template, pairs=20, date=datetime.date(2026, 2, 10))
    _session_with_answers(partnership, template, pairs=10, date=datetime.date(2026, 4, 10))

    rows, total = results.partnership_sessions(partnership, {})
    _pooled, trend = results.partnership_trend(partnership, {})

    assert [row.paired for row in rows] == [10, 20, SUPPRESSED]
    assert [(quarter.label, quarter.n_paired) for quarter in trend[0].quarters] == [("2026 Q1", 20), ("2026 Q2", 10)]
    assert total.paired == 30


def test_no_filter_difference_reveals_a_small_session(partnership, template):
    _session_with_answers(partnership, template, pairs=2, date=datetime.date(2026, 1, 10))
    _session_with_answers(partnership, template, pairs=10, date=datetime.date(2026, 2, 10))

    everything = results.partnership_figures(partnership, {})
    from_february = results.partnership_figures(partnership, {"date_from": datetime.date(2026, 2, 1)})

    assert [figures.n_paired for figures in everything] == [figures.n_paired for figures in from_february] == [10] * 3
    assert everything == from_february


def test_national_results_side_by_side_leave_small_groups_out_of_scotland(template):
    names = ["Aberdeen City HSCP", "Glasgow City HSCP", "North Ayrshire HSCP"]
    for name, pairs in zip(names, [3, 12, 30], strict=True):
        _session_with_answers(PartnershipFactory(name=name), template, pairs=pairs)

    national = results.national_results({})

    assert [item.figures.statement.text for item in national] == STATEMENTS
    # Scotland minus Glasgow and North Ayrshire (shown here and on their own screens) is 0, not Aberdeen's 3.
    assert [(item.figures.label, item.figures.n_paired) for item in national] == [("Scotland", 42)] * 3
    assert [(row.label, row.n_pre, row.n_paired) for row in national[0].partnerships] == [
        ("Aberdeen City HSCP", SUPPRESSED, SUPPRESSED),
        ("Glasgow City HSCP", 12, 12),
        ("North Ayrshire HSCP", 30, 30),
    ]


def test_pooled_figures_leave_out_a_small_phase_of_a_session_but_keep_its_other_phase(partnership, template):
    session = SessionFactory(partnership=partnership)
    _answers(services.survey_create(session=session, phase=Phase.PRE, template=template), [[2, 2, 2]] * 3)
    _answers(services.survey_create(session=session, phase=Phase.POST, template=template), [[4, 4, 4]] * 10)
    _session_with_answers(partnership, template, pairs=6)

    figures = results.partnership_figures(partnership, {})[0]

    assert (figures.n_pre, figures.n_post, figures.n_paired) == (6, 16, 6)


@pytest.mark.parametrize("only", [Phase.PRE, Phase.POST])
def test_no_subtraction_between_all_and_paired_reveals_one_respondent(partnership, template, only):
    """5 pairs who disagree before and after, and 1 who answered only before (or only after) and agreed.

    Shown with the pairs, 6 x 16.7% agreeing - 5 x 0% agreeing among the pairs would give that one person's answer:
    the pairs stay, the 6 answers of that phase are left out.
    """
    session = SessionFactory(partnership=partnership)
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    for response in _answers(pre, [[2, 2, 2]] * 5):
        submit(post, [2, 2, 2], pairing_code=response.pairing_code)
    submit(pre if only == Phase.PRE else post, [4, 4, 4])

    figures = results.partnership_figures(partnership, {})[0]
    scotland = results.national_results({})[0].figures
    debrief = results.session_figures(session)[0]

    def shown(f):
        return [f.n_pre, f.pct_agree_pre, f.n_post, f.pct_agree_post, f.n_paired, f.paired_pct_agree_pre, f.change_pp]

    pairs = [5, 0.0, 0.0]
    if only == Phase.PRE:
        assert shown(figures) == shown(scotland) == [SUPPRESSED, SUPPRESSED, 5, 0.0, *pairs]
    else:
        assert shown(figures) == shown(scotland) == [5, 0.0, SUPPRESSED, SUPPRESSED, *pairs]
    assert (debrief.n_pre + debrief.n_post, debrief.n_paired) == (11, 5)  # the room's own debrief shows them all


def test_national_results_leave_local_statements_out(partnership, template):
    copy = services.template_copy(template=template, partnership=partnership)
    services.template_item_add(template=copy, text="I know our local carers' centre.")
    session = SessionFactory(partnership=partnership)
    pre = services.survey_create(session=session, phase=Phase.PRE, template=copy)
    submit(pre, [4, 4, 4, 4])

    national = results.national_results({})
    local = results.partnership_figures(partnership, {}, suppress=False)

    assert [item.figures.statement.text for item in national] == STATEMENTS
    assert [figure.statement.text for figure in local] == STATEMENTS + ["I know our local carers' centre."]
