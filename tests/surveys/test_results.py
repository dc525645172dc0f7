"""Figures, headlines and the disclosure rule (surveys.results), on hand-worked cases and stored answers."""

import dataclasses
import datetime
import uuid

import pytest

from surveys import services
from surveys.models import Phase
from surveys.results import pooling, wording
from surveys.results.figures import SUPPRESSED, Counts, StatementRef, figures_from, threshold
from surveys.stats import paired_change
from tests.factories import (
    AttendanceFactory,
    LocalityFactory,
    PartnershipFactory,
    ProgrammeFactory,
    SessionFactory,
)
from tests.surveys.conftest import STATEMENTS, release, scale_ids, submit
from workshops.models import Session

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
    assert figures.could_be_chance
    assert figures.headline == (
        "Among the 12 people who answered both questionnaires, the share agreeing with “Services listen to me” "
        "stayed at 100% (95% CI \u221224 to +24 points): no clear change."
    )


def test_headline_says_a_change_whose_interval_includes_no_change_could_be_chance():
    statement = StatementRef(4, "I have a sound understanding of the work.", 1)

    figures = figures_from(statement, Counts(both=1, improved=6, worsened=2, neither=2))

    assert (figures.conclusive, figures.could_be_chance) == (True, True)
    assert figures.headline == (
        "Among the 11 people who answered both questionnaires, the share agreeing they have a sound understanding "
        "of the work went from 27% to 64%, but with only 11 pairs this could be chance: 95% CI \u221212 to +69 "
        "points."
    )
    # "only" where there are fewer than 30 pairs
    many = figures_from(statement, Counts(both=6, improved=8, worsened=5, neither=11)).headline
    assert many.endswith(", but with 30 pairs this could be chance: 95% CI \u221214 to +32 points.")


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
    assert wording.agreeing_with(text) == f"the share agreeing {expected}"


@pytest.mark.parametrize(
    ("counts", "relative"),
    [
        (SOURCE, 170),  # 34 pairs, 10 of them agreeing before
        (Counts(both=4, improved=8, neither=11), None),  # 23 pairs but only 4 agreeing before: +200% means little
        (Counts(both=5, improved=3, neither=1), None),  # 5 agreeing before, but only 9 pairs
        (Counts(both=5, improved=5), 100),  # 10 pairs, 5 agreeing before
    ],
)
def test_relative_change_shown_only_on_ten_pairs_with_five_agreeing_before(counts, relative):
    figures = figures_from(UNDERSTANDING, counts)

    assert figures.relative_shown is (relative is not None)
    assert (None if figures.relative_change_pct is None else round(figures.relative_change_pct)) == relative


# --- Small numbers ---


def test_figures_at_a_session_scope_withhold_a_group_left_out():
    """3 answered before and 3 both (not counted, fewer than 5); 10 after, counted in full."""
    counts = Counts(post=(0, 1, 2, 3, 4), left_out=(1, 0, 1))

    figures = figures_from(UNDERSTANDING, counts, session_scope=True)

    assert [figures.n_pre, figures.pct_agree_pre, figures.pre, figures.dont_know_pre] == [SUPPRESSED] * 4
    assert [figures.n_post, figures.pct_agree_post, figures.dont_know_post] == [10, 70.0, 0]
    assert [figures.n_paired, figures.change_pp, figures.ci_low_pp, figures.p_value] == [SUPPRESSED] * 4
    assert figures.relative_change_pct is None
    assert str(SUPPRESSED) == "fewer than 5"
    assert figures.headline == (
        "Too few responses to draw conclusions: fewer than 5 people answered both questionnaires."
    )
    assert figures.left_out_note == (
        "Fewer than 5 people answered before: their answers are not shown. "
        "Fewer than 5 people answered both questionnaires: the change is not shown."
    )
    counted = figures_from(UNDERSTANDING, Counts(pre=(5, 5, 0, 0, 0), pre_dont_know=2), session_scope=True)
    assert (counted.n_pre, counted.dont_know_pre, counted.n_paired, counted.left_out_note) == (10, 2, 0, "")


def test_figures_at_a_session_scope_say_where_only_the_pairs_answers_count():
    """6 pairs, and fewer than 5 who answered only after: "after" counts the pairs' own answers."""
    counts = Counts(pre=(0, 6, 0, 0, 0), post=(0, 0, 0, 6, 0), improved=6, left_out=(0, 1, 0))

    figures = figures_from(UNDERSTANDING, counts, session_scope=True)

    assert (figures.n_pre, figures.n_post, figures.n_paired, figures.pct_agree_post) == (6, 6, 6, 100.0)
    assert figures.left_out_note == (
        "Fewer than 5 people answered only after: to protect them, “after” counts only the 6 people who answered both."
    )


def test_figures_at_a_pooled_scope_show_what_they_count_and_say_what_they_left_out():
    counts = Counts(post=(0, 1, 2, 3, 4), left_out=(2, 0, 1))

    figures = figures_from(UNDERSTANDING, counts)

    assert [figures.n_pre, figures.n_post, figures.n_paired, figures.pct_agree_pre, figures.change] == [
        0,
        10,
        0,
        None,
        None,
    ]
    assert figures.headline == (
        "Too few responses to draw conclusions: no pairs are counted here (groups of fewer than 5 are left out)."
    )
    assert figures.left_out_note == (
        "Left out to protect groups of fewer than 5 people: answers before from 2 sessions, pairs from 1 session."
    )
    assert figures_from(UNDERSTANDING, SOURCE).left_out_note == ""


def test_threshold_follows_the_setting(settings):
    settings.SMALL_NUMBER_THRESHOLD = 10

    figures = figures_from(UNDERSTANDING, Counts(left_out=(1, 1, 1)), session_scope=True)

    assert threshold() == 10
    assert (str(figures.n_pre), figures.headline) == (
        "fewer than 10",
        "Too few responses to draw conclusions: fewer than 10 people answered both questionnaires.",
    )


# --- From stored answers ---


def _answers(survey, rows, **kwargs):
    return [submit(survey, row, **kwargs).response for row in rows]


def test_session_figures_from_stored_answers(pre_survey, post_survey):
    pres = _answers(pre_survey, [[2, 4, None]] * 6 + [[4, 4, 4]] * 4)
    for pre in pres:
        submit(post_survey, [4, 5, 2], pairing_code=pre.pairing_code)
    submit(post_survey, [1, 1, 1])  # unpaired
    release(pre_survey, post_survey)

    figures = pooling.session_figures(pre_survey.session)

    # Statements 1 and 2: 10 pairs count, and so do all 10 answers before; the 1 person who answered only after is
    # fewer than 5, so "after" counts the pairs' own answers. Statement 3: 6 said "Don't know" before, so 4
    # answered before on the scale and 4 both: neither counts; the 11 answers after count in full.
    assert [figure.statement.text for figure in figures] == STATEMENTS
    assert [(f.n_pre, f.n_post, f.n_paired) for f in figures] == [
        (10, 10, 10),
        (10, 10, 10),
        (SUPPRESSED, 11, SUPPRESSED),
    ]
    assert [f.pct_agree_pre for f in figures] == [40.0, 100.0, SUPPRESSED]
    assert [f.pct_agree_post for f in figures] == [100.0, 100.0, 0.0]
    assert [(f.change.n_paired, f.change_pp) for f in figures[:2]] == [(10, 60.0), (10, 0.0)]
    assert figures[2].change is SUPPRESSED
    assert [f.conclusive for f in figures] == [True, True, False]
    assert [f.dont_know_pre for f in figures] == [0, 0, SUPPRESSED]
    assert [f.left_out_note for f in figures] == [
        "Fewer than 5 people answered only after: to protect them, “after” counts only the 10 people who answered "
        "both.",
    ] * 2 + [
        "Fewer than 5 people answered before: their answers are not shown. "
        "Fewer than 5 people answered both questionnaires: the change is not shown."
    ]


def test_session_figures_count_once_released_and_live_for_the_room_before(pre_survey, post_survey):
    for pre in _answers(pre_survey, [[2, 2, 2]] * 6):
        submit(post_survey, [4, 4, 4], pairing_code=pre.pairing_code)
    services.survey_close(survey=pre_survey)
    services.survey_close(survey=post_survey)  # closed, but forms still open on phones may come in

    before_release = pooling.session_figures(pre_survey.session)
    live = pooling.session_figures(pre_survey.session, live=True)
    release(pre_survey, post_survey)
    released = pooling.session_figures(pre_survey.session)

    assert before_release == []
    assert [(f.n_pre, f.n_post, f.n_paired, f.change_pp) for f in live] == [(6, 6, 6, 100.0)] * 3
    assert released == live
    assert pooling.session_released(pre_survey.session)


def test_session_released_only_once_every_questionnaire_is(pre_survey, post_survey):
    release(pre_survey)

    assert (pre_survey.is_released(), post_survey.is_released()) == (True, False)
    assert not pooling.session_released(pre_survey.session)
    assert pooling.session_figures(pre_survey.session) == []


def test_session_summary_counts_responses_and_attendance(pre_survey, post_survey):
    for _ in range(8):
        AttendanceFactory(session=pre_survey.session, status="attended")
    AttendanceFactory(session=pre_survey.session, status="absent")
    pres = _answers(pre_survey, [[4, 4, 4]] * 7)
    for pre in pres[:5]:
        submit(post_survey, [4, 4, 4], pairing_code=pre.pairing_code)
    submit(post_survey, [4, 4, 4])

    summary = pooling.session_summary(pre_survey.session)

    assert summary == {
        "pre_responses": 7,
        "post_responses": 6,
        "paired": 5,
        "attended": 8,
        "pre_rate": 87.5,
        "post_rate": 75.0,
        "register_short": False,
    }


def test_session_summary_withholds_counts_of_fewer_than_five(pre_survey, post_survey):
    for _ in range(4):
        AttendanceFactory(session=pre_survey.session, status="attended")
    pres = _answers(pre_survey, [[4, 4, 4]] * 5)
    submit(post_survey, [4, 4, 4], pairing_code=pres[0].pairing_code)

    summary = pooling.session_summary(pre_survey.session)

    assert summary == {
        "pre_responses": 5,
        "post_responses": SUPPRESSED,
        "paired": SUPPRESSED,
        "attended": 4,
        "pre_rate": pooling.MORE_THAN_ATTENDED,  # 5 answered, 4 marked as attended: no "125%"
        "post_rate": SUPPRESSED,
        "register_short": True,
    }


def _written(post_survey, texts, *, blank=0):
    """Post responses with these written answers, and `blank` more without one."""
    text_id = post_survey.items.get(statement__kind="text").statement_id
    scale = dict(zip(scale_ids(post_survey), [4, 4, 4], strict=True))
    for answers in [scale | {text_id: written} for written in texts] + [scale] * blank:
        services.response_submit(survey=post_survey, submission_key=uuid.uuid4(), answers=answers)


def test_written_answers_grouped_by_question(post_survey):
    _written(post_survey, ["Call the Trust.", "Use the resources."], blank=3)

    written = pooling.session_written_answers(post_survey.session)

    assert [(question, sorted(answers)) for question, answers in written] == [
        ("What will you do differently?", ["Call the Trust.", "Use the resources."])
    ]


def test_written_answers_withheld_from_a_questionnaire_of_fewer_than_five(post_survey):
    _written(post_survey, ["Call the Trust.", "Use the resources."], blank=2)

    assert pooling.session_written_answers(post_survey.session) == []


def _session_with_answers(partnership, template, *, pairs, date=datetime.date(2026, 3, 12), **session_fields):
    """A released session of `partnership` where `pairs` people answer 2, 2, 2 before and 4, 4, 4 after."""
    session = SessionFactory(partnership=partnership, date=date, **session_fields)
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    for response in _answers(pre, [[2, 2, 2]] * pairs):
        submit(post, [4, 4, 4], pairing_code=response.pairing_code)
    release(pre, post)
    return session


def test_partnership_figures_pool_sessions_and_leave_others_out(partnership, other_partnership, template):
    _session_with_answers(partnership, template, pairs=6)
    _session_with_answers(partnership, template, pairs=7)
    _session_with_answers(other_partnership, template, pairs=20)

    figures = pooling.partnership_figures(partnership, {})

    assert [(f.n_pre, f.n_post, f.n_paired, f.change_pp) for f in figures] == [(13, 13, 13, 100.0)] * 3


def test_partnership_figures_count_released_sessions_only(partnership, template):
    _session_with_answers(partnership, template, pairs=6)
    session = SessionFactory(partnership=partnership)
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    for response in _answers(pre, [[2, 2, 2]] * 7):
        submit(post, [4, 4, 4], pairing_code=response.pairing_code)
    services.survey_close(survey=pre)
    services.survey_close(survey=post)  # closed, but within the grace: not released yet
    unreleased = Session.objects.filter(partnership=partnership)

    figures = pooling.partnership_figures(partnership, {})
    rows, total = pooling.partnership_sessions(partnership, {})
    waiting = pooling.unreleased_sessions(unreleased)
    release(pre, post)

    assert [f.n_paired for f in figures] == [6] * 3
    assert (len(rows), total.paired, waiting) == (1, 6, 1)
    assert [f.n_paired for f in pooling.partnership_figures(partnership, {})] == [13] * 3
    assert pooling.unreleased_sessions(unreleased) == 0


def test_partnership_figures_pool_only_identical_statement_versions(partnership, template):
    _session_with_answers(partnership, template, pairs=6)
    item = template.items.order_by("position").first()
    services.template_item_update(
        item=item, text="I understand what AHPs do.", hint="", phase="both", required=True, position=1
    )
    _session_with_answers(partnership, template, pairs=8)

    figures = pooling.partnership_figures(partnership, {})

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
        return next(figure.n_paired for figure in pooling.partnership_figures(partnership, filters))

    assert paired() == 26
    assert paired(date_from=datetime.date(2026, 1, 1)) == 21
    assert paired(date_from=datetime.date(2026, 1, 1), date_to=datetime.date(2026, 3, 31)) == 13
    assert paired(kind="lab") == 7
    assert paired(locality=locality) == 6
    assert paired(programme=programme) == 8


def test_partnership_sessions_hide_small_sessions_and_leave_them_out_of_the_total(partnership, template, settings):
    small = _session_with_answers(partnership, template, pairs=3, date=datetime.date(2026, 3, 3))
    middle = _session_with_answers(partnership, template, pairs=12, date=datetime.date(2026, 3, 2))
    large = _session_with_answers(partnership, template, pairs=20, date=datetime.date(2026, 3, 1))
    for _ in range(6):
        AttendanceFactory(session=small, status="attended")
    for _ in range(24):
        AttendanceFactory(session=middle, status="attended")

    rows, total = pooling.partnership_sessions(partnership, {})
    settings.SMALL_NUMBER_THRESHOLD = 3
    shown, shown_total = pooling.partnership_sessions(partnership, {})

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
    assert total.small == 1
    # With a threshold of 3, the small session is shown and counted.
    assert [row.pre_responses for row in shown] == [3, 12, 20]
    assert (shown_total.pre_responses, round(shown[0].pre_rate), shown_total.small) == (35, 50, 0)


def test_partnership_trend_by_quarter_leaves_small_sessions_out(partnership, template):
    _session_with_answers(partnership, template, pairs=3, date=datetime.date(2025, 12, 1))
    _session_with_answers(partnership, template, pairs=2, date=datetime.date(2026, 1, 15))
    _session_with_answers(partnership, template, pairs=9, date=datetime.date(2026, 2, 15))
    _session_with_answers(partnership, template, pairs=30, date=datetime.date(2026, 5, 1))

    pooled, trend = pooling.partnership_trend(partnership, {})

    assert [(figures.statement.text, figures.n_paired) for figures in pooled] == [(text, 39) for text in STATEMENTS]
    assert pooled == pooling.partnership_figures(partnership, {})
    assert [item.statement.text for item in trend] == STATEMENTS
    assert [(quarter.label, quarter.n_paired, quarter.paired_pct_agree_post) for quarter in trend[0].quarters] == [
        ("2025 Q4", 0, None),  # its one session had 3 people: in none of the pooled figures
        ("2026 Q1", 9, 100.0),  # 9, not 11: the 2-person session is left out
        ("2026 Q2", 30, 100.0),
    ]
    assert [quarter.left_out_note for quarter in trend[0].quarters] == [
        "Left out to protect groups of fewer than 5 people: answers before from 1 session, answers after from 1 "
        "session, pairs from 1 session.",
    ] * 2 + [""]
    # The whole period is the sum of its quarters.
    for whole, item in zip(pooled, trend, strict=True):
        assert whole.counts == sum((quarter.counts for quarter in item.quarters), Counts())


def test_no_subtraction_between_the_session_table_and_the_trend_reveals_a_small_session(partnership, template):
    """Sessions of 3 (January), 20 (February) and 10 (April): Q1 minus February's 20 must not give 3."""
    _session_with_answers(partnership, template, pairs=3, date=datetime.date(2026, 1, 10))
    _session_with_answers(partnership, template, pairs=20, date=datetime.date(2026, 2, 10))
    _session_with_answers(partnership, template, pairs=10, date=datetime.date(2026, 4, 10))

    rows, total = pooling.partnership_sessions(partnership, {})
    _pooled, trend = pooling.partnership_trend(partnership, {})

    assert [row.paired for row in rows] == [10, 20, SUPPRESSED]
    assert [(quarter.label, quarter.n_paired) for quarter in trend[0].quarters] == [("2026 Q1", 20), ("2026 Q2", 10)]
    assert total.paired == 30


def test_no_filter_difference_reveals_a_small_session(partnership, template):
    _session_with_answers(partnership, template, pairs=2, date=datetime.date(2026, 1, 10))
    _session_with_answers(partnership, template, pairs=10, date=datetime.date(2026, 2, 10))

    everything = pooling.partnership_figures(partnership, {})
    from_february = pooling.partnership_figures(partnership, {"date_from": datetime.date(2026, 2, 1)})

    assert [figures.n_paired for figures in everything] == [figures.n_paired for figures in from_february] == [10] * 3
    # The same counts; only the note differs: the whole period says it left a session out.
    assert [dataclasses.replace(f.counts, left_out=(0, 0, 0)) for f in everything] == [f.counts for f in from_february]
    assert [f.counts.left_out for f in everything] == [(1, 1, 1)] * 3
    assert [f.counts.left_out for f in from_february] == [(0, 0, 0)] * 3


def test_national_results_side_by_side_leave_small_groups_out_of_scotland(template):
    names = ["Aberdeen City HSCP", "Glasgow City HSCP", "North Ayrshire HSCP"]
    for name, pairs in zip(names, [3, 12, 30], strict=True):
        _session_with_answers(PartnershipFactory(name=name), template, pairs=pairs)

    national = pooling.national_results({})

    assert [item.figures.statement.text for item in national] == STATEMENTS
    # Scotland minus Glasgow and North Ayrshire (shown here and on their own screens) is 0, not Aberdeen's 3.
    assert [(item.figures.label, item.figures.n_paired) for item in national] == [("Scotland", 42)] * 3
    assert [(row.label, row.n_pre, row.n_paired) for row in national[0].partnerships] == [
        ("Aberdeen City HSCP", 0, 0),
        ("Glasgow City HSCP", 12, 12),
        ("North Ayrshire HSCP", 30, 30),
    ]
    assert (
        national[0].partnerships[0].left_out_note
        == national[0].figures.left_out_note
        == (
            "Left out to protect groups of fewer than 5 people: answers before from 1 session, answers after from 1 "
            "session, pairs from 1 session."
        )
    )
    # Scotland is the sum of the partnerships' rows.
    for item in national:
        assert item.figures.counts == sum((row.counts for row in item.partnerships), Counts())


def test_pooled_figures_leave_out_a_small_phase_of_a_session_but_keep_its_other_phase(partnership, template):
    session = SessionFactory(partnership=partnership)
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    _answers(pre, [[2, 2, 2]] * 3)
    _answers(post, [[4, 4, 4]] * 10)
    release(pre, post)
    _session_with_answers(partnership, template, pairs=6)

    figures = pooling.partnership_figures(partnership, {})[0]

    assert (figures.n_pre, figures.n_post, figures.n_paired) == (6, 16, 6)


@pytest.mark.parametrize("only", [Phase.PRE, Phase.POST])
def test_no_subtraction_between_all_and_paired_reveals_one_respondent(partnership, template, only):
    """5 pairs who disagree before and after, and 1 who answered only before (or only after) and agreed.

    Shown with the pairs, 6 x 16.7% agreeing - 5 x 0% agreeing among the pairs would give that one person's answer:
    the pairs stay, and that phase counts only the pairs' own answers. The same in the session's own debrief.
    """
    session = SessionFactory(partnership=partnership)
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    for response in _answers(pre, [[2, 2, 2]] * 5):
        submit(post, [2, 2, 2], pairing_code=response.pairing_code)
    submit(pre if only == Phase.PRE else post, [4, 4, 4])
    release(pre, post)

    figures = pooling.partnership_figures(partnership, {})[0]
    scotland = pooling.national_results({})[0].figures
    debrief = pooling.session_figures(session)[0]

    def shown(f):
        return [f.n_pre, f.pct_agree_pre, f.n_post, f.pct_agree_post, f.n_paired, f.paired_pct_agree_pre, f.change_pp]

    assert shown(figures) == shown(scotland) == shown(debrief) == [5, 0.0, 5, 0.0, 5, 0.0, 0.0]
    word = "before" if only == Phase.PRE else "after"
    assert debrief.left_out_note == (
        f"Fewer than 5 people answered only {word}: to protect them, “{word}” counts only the 5 people who "
        "answered both."
    )
    assert figures.left_out_note == f"Left out to protect groups of fewer than 5 people: answers {word} from 1 session."


def test_pairs_never_outnumber_the_answers_before_or_after(partnership, template):
    """A session of 6 pairs where 4 more answered only after: "after" counts the pairs' own 6, not 10 less 4."""
    session = SessionFactory(partnership=partnership)
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    for response in _answers(pre, [[2, 2, 2]] * 6):
        submit(post, [4, 5, 4], pairing_code=response.pairing_code)
    _answers(post, [[1, 1, 1]] * 4)
    release(pre, post)
    _session_with_answers(partnership, template, pairs=5)

    figures = pooling.partnership_figures(partnership, {})

    assert [(f.n_pre, f.n_post, f.n_paired) for f in figures] == [(11, 11, 11)] * 3
    assert [f.post.counts for f in figures] == [(0, 0, 0, 11, 0), (0, 0, 0, 5, 6), (0, 0, 0, 11, 0)]


def test_national_results_leave_local_statements_out(partnership, template):
    copy = services.template_copy(template=template, partnership=partnership)
    services.template_item_add(template=copy, text="I know our local carers' centre.")
    session = SessionFactory(partnership=partnership)
    pre = services.survey_create(session=session, phase=Phase.PRE, template=copy)
    _answers(pre, [[4, 4, 4, 4]] * 5)
    release(pre)

    national = pooling.national_results({})
    local = pooling.partnership_figures(partnership, {})

    assert [item.figures.statement.text for item in national] == STATEMENTS
    assert [figure.statement.text for figure in local] == STATEMENTS + ["I know our local carers' centre."]
    assert [figure.n_pre for figure in local] == [5] * 4
