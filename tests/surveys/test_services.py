"""Services: surveys copy their statements, statements keep versions, responses are stored once and paired."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from surveys import services
from surveys.models import (
    CLOSING_GRACE,
    PAIRING_ALPHABET,
    Answer,
    Phase,
    Response,
    SessionRollup,
    Source,
    Statement,
    StatementRollup,
    Survey,
    SurveyItem,
    TemplateItem,
)
from surveys.selectors import template_items
from tests.factories import QuestionnaireTemplateFactory, SessionFactory, StatementFactory, TemplateItemFactory
from tests.surveys.conftest import release, scale_ids, submit

# --- Surveys ---


def test_survey_create_copies_template_statements_for_its_phase(session, template):
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)

    assert [(i.position, i.statement.text[:20], i.required) for i in pre.items.select_related("statement")] == [
        (1, "I have a sound under", True),
        (2, "I am aware of local ", True),
        (3, "I feel confident usi", True),
    ]
    assert [(i.position, i.statement.text[:20], i.required) for i in post.items.select_related("statement")] == [
        (1, "I have a sound under", True),
        (2, "I am aware of local ", True),
        (3, "I feel confident usi", True),
        (4, "What will you do dif", False),
    ]


def test_survey_create_twice_for_a_phase_refused(pre_survey, template):
    with pytest.raises(ValidationError) as error:
        services.survey_create(session=pre_survey.session, phase=Phase.PRE, template=template)

    assert error.value.message_dict == {"phase": ["This session already has a questionnaire before the session."]}


def test_survey_create_from_empty_template_refused(session):
    with pytest.raises(ValidationError) as error:
        services.survey_create(session=session, phase=Phase.PRE, template=QuestionnaireTemplateFactory())

    assert error.value.message_dict == {"template": ["This questionnaire has no statements for that phase."]}


def test_survey_keeps_its_statements_when_template_changes_later(pre_survey, template):
    first = TemplateItem.objects.filter(template=template).order_by("position").first()

    services.template_item_update(
        item=first, text="Reworded.", hint="", phase=first.phase, required=True, position=first.position
    )
    services.template_item_remove(item=TemplateItem.objects.get(template=template, position=2))
    services.template_item_add(template=template, text="A new statement.")

    assert [item.statement.text[:20] for item in pre_survey.items.select_related("statement")] == [
        "I have a sound under",
        "I am aware of local ",
        "I feel confident usi",
    ]


def test_survey_close_and_reopen(pre_survey):
    now = timezone.now()
    pre_survey.closes_at = now - datetime.timedelta(minutes=20)  # ended, but within the grace: not released yet
    pre_survey.save()

    services.survey_reopen(survey=pre_survey, now=now)
    pre_survey.refresh_from_db()
    assert (pre_survey.state(now), pre_survey.closes_at, pre_survey.closed_at) == ("open", None, None)

    services.survey_close(survey=pre_survey, now=now)
    pre_survey.refresh_from_db()
    assert (pre_survey.state(now), pre_survey.closed_at) == ("closed", now)


# --- Released at close: nothing more may change a released questionnaire's answers ---


def _stored(session):
    """What a released session holds: its surveys' windows, its responses and its rollups."""
    return (
        sorted(Survey.objects.filter(session=session).values_list("phase", "opens_at", "closes_at", "closed_at")),
        Response.objects.filter(survey__session=session).count(),
        sorted(StatementRollup.objects.filter(session=session).values_list("statement_id", "pre_4", "post_4")),
        list(SessionRollup.objects.filter(session=session).values_list("pre_responses", "post_responses")),
    )


@pytest.fixture
def released(pre_survey, post_survey):
    """The session's two questionnaires, each with an answer, closed more than CLOSING_GRACE ago."""
    pre = submit(pre_survey, [4, 4, 4]).response
    submit(post_survey, [4, 4, 4], pairing_code=pre.pairing_code)
    release(pre_survey, post_survey)
    for survey in (pre_survey, post_survey):
        survey.refresh_from_db()
    return pre_survey, post_survey


def test_survey_reopen_refused_once_released(released):
    pre_survey, _post_survey = released
    before = _stored(pre_survey.session)

    with pytest.raises(ValidationError) as error:
        services.survey_reopen(survey=pre_survey)

    assert error.value.messages == [services.RELEASED]
    assert _stored(pre_survey.session) == before


def test_survey_set_window_refused_once_released(released):
    pre_survey, _post_survey = released
    before = _stored(pre_survey.session)
    tomorrow = timezone.now() + datetime.timedelta(days=1)

    with pytest.raises(ValidationError) as error:
        services.survey_set_window(survey=pre_survey, opens_at=None, closes_at=tomorrow)

    assert error.value.messages == [services.RELEASED]
    assert _stored(pre_survey.session) == before


@pytest.mark.parametrize("phase", [Phase.PRE, Phase.POST])
def test_response_submit_on_paper_refused_once_released(released, phase):
    survey = released[0] if phase == Phase.PRE else released[1]
    before = _stored(survey.session)

    with pytest.raises(ValidationError) as error:
        submit(survey, [5, 5, 5], source=Source.PAPER)

    assert error.value.messages == [services.RELEASED]
    assert _stored(survey.session) == before


def test_response_submit_repeat_of_a_stored_paper_form_after_release_is_no_error(pre_survey):
    key = uuid.uuid4()
    answers = dict.fromkeys(scale_ids(pre_survey), 4)
    services.response_submit(survey=pre_survey, submission_key=key, answers=answers, source=Source.PAPER)
    release(pre_survey)

    repeat = services.response_submit(survey=pre_survey, submission_key=key, answers=answers, source=Source.PAPER)

    assert (repeat.created, Response.objects.count()) == (False, 1)


def test_survey_create_for_a_released_session_refused(pre_survey, template):
    submit(pre_survey, [4, 4, 4])
    release(pre_survey)
    before = _stored(pre_survey.session)

    with pytest.raises(ValidationError) as error:
        services.survey_create(session=pre_survey.session, phase=Phase.POST, template=template)

    assert error.value.message_dict == {
        "phase": [
            "This session's questionnaire has closed and its answers went into the results: log a new session for a "
            "new questionnaire."
        ]
    }
    assert _stored(pre_survey.session) == before


def test_closed_survey_within_the_grace_still_reopens_takes_paper_and_gets_a_partner(pre_survey, template):
    now = timezone.now()
    services.survey_close(survey=pre_survey, now=now - CLOSING_GRACE + datetime.timedelta(minutes=1))

    paper = submit(pre_survey, [4, 4, 4], source=Source.PAPER)
    post = services.survey_create(session=pre_survey.session, phase=Phase.POST, template=template)
    services.survey_reopen(survey=pre_survey, now=now)
    pre_survey.refresh_from_db()

    assert (paper.created, post.phase, pre_survey.state(now), pre_survey.is_released(now)) == (
        True,
        Phase.POST,
        "open",
        False,
    )
    assert Response.objects.filter(survey=pre_survey, source=Source.PAPER).count() == 1


def test_survey_released_exactly_when_the_grace_has_passed(pre_survey):
    closed = timezone.now() - datetime.timedelta(hours=1)
    services.survey_close(survey=pre_survey, now=closed)

    moments = [closed + CLOSING_GRACE - datetime.timedelta(seconds=1), closed + CLOSING_GRACE]

    assert [pre_survey.is_released(moment) for moment in moments] == [False, True]
    assert [Survey.objects.released(moment).filter(pk=pre_survey.pk).exists() for moment in moments] == [False, True]
    assert [Survey.objects.unreleased(moment).filter(pk=pre_survey.pk).exists() for moment in moments] == [True, False]


# --- Statement versions ---


def test_template_item_update_rewords_unused_statement_in_place(template):
    item = TemplateItem.objects.filter(template=template).order_by("position").first()
    statement_id = item.statement_id

    services.template_item_update(item=item, text="New words.", hint="A hint.", phase="pre", required=False, position=9)

    item.refresh_from_db()
    assert (item.statement_id, item.statement.text, item.statement.hint, item.statement.version) == (
        statement_id,
        "New words.",
        "A hint.",
        1,
    )
    assert (item.phase, item.required, item.position) == ("pre", False, 9)


def test_template_item_update_rewords_asked_statement_as_new_version(pre_survey, template):
    submit(pre_survey, [4, 4, 4])
    item = TemplateItem.objects.filter(template=template).order_by("position").first()
    old = item.statement

    services.template_item_update(item=item, text="New words.", hint="", phase="both", required=True, position=1)

    item.refresh_from_db()
    old.refresh_from_db()
    assert (old.text, old.version) == (STATEMENT_1, 1)
    assert (item.statement.text, item.statement.version, item.statement.family) == ("New words.", 2, old.family)
    assert Answer.objects.filter(statement=old).count() == 1
    assert SurveyItem.objects.filter(survey=pre_survey, position=1).get().statement_id == old.pk


STATEMENT_1 = "I have a sound understanding of the work undertaken by AHPs and third sector organisations."


def test_template_item_update_without_new_words_keeps_version(pre_survey, template):
    item = TemplateItem.objects.filter(template=template).order_by("position").first()
    statement = item.statement

    services.template_item_update(
        item=item, text=statement.text, hint=statement.hint, phase="post", required=False, position=5
    )

    item.refresh_from_db()
    assert (item.statement_id, Statement.objects.filter(family=statement.family).count()) == (statement.pk, 1)


def test_template_item_remove_deletes_unused_statement_and_keeps_asked_one(pre_survey, template):
    asked = TemplateItem.objects.get(template=template, position=1)
    unused = TemplateItemFactory(template=template, statement=StatementFactory(text="Never asked."), position=5)

    services.template_item_remove(item=asked)
    services.template_item_remove(item=unused)

    assert Statement.objects.filter(pk=asked.statement_id).exists()
    assert not Statement.objects.filter(pk=unused.statement_id).exists()


# --- Partnership copies ---


def test_template_copy_asks_national_statements_then_local_ones(template, partnership):
    copy = services.template_copy(template=template, partnership=partnership)
    services.template_item_add(template=copy, text="I know the Irvine locality's community groups.")

    items = template_items(copy)

    assert [item.statement.text[:24] for item in items] == [
        "I have a sound understan",
        "I am aware of local and ",
        "I feel confident using a",
        "What will you do differe",
        "I know the Irvine locali",
    ]
    assert [item.statement.partnership_id for item in items] == [None, None, None, None, partnership.pk]
    assert (copy.title, copy.based_on_id) == ("Test questionnaire: North Ayrshire", template.pk)


def test_template_copy_once_per_partnership(template, partnership):
    first = services.template_copy(template=template, partnership=partnership)

    assert services.template_copy(template=template, partnership=partnership) == first


def test_survey_from_copy_follows_later_national_rewording(template, partnership):
    copy = services.template_copy(template=template, partnership=partnership)
    item = TemplateItem.objects.get(template=template, position=2)
    services.template_item_update(
        item=item, text="Reworded nationally.", hint="", phase="both", required=True, position=2
    )

    survey = services.survey_create(session=SessionFactory(partnership=partnership), phase="pre", template=copy)

    assert [i.statement.text[:20] for i in survey.items.select_related("statement")] == [
        "I have a sound under",
        "Reworded nationally.",
        "I feel confident usi",
    ]


# --- Responses: stored once, paired by code ---


def test_response_submit_stores_answers_with_day_only(pre_survey):
    ids = scale_ids(pre_survey)
    now = datetime.datetime(2026, 3, 12, 10, 15, tzinfo=datetime.UTC)

    submitted = services.response_submit(
        survey=pre_survey, submission_key=uuid.uuid4(), answers={ids[0]: 4, ids[1]: None, ids[2]: 1}, now=now
    )

    assert submitted.created
    response = Response.objects.get()
    assert (response.survey_id, response.source, response.submitted_on) == (
        pre_survey.pk,
        Source.ONLINE,
        datetime.date(2026, 3, 12),
    )
    assert sorted(response.answers.values_list("statement_id", "value", "text")) == [
        (ids[0], 4, ""),
        (ids[1], None, ""),
        (ids[2], 1, ""),
    ]


def test_response_submit_pre_gets_unambiguous_six_character_code(pre_survey):
    codes = [submit(pre_survey, [4, 4, 4]).response.pairing_code for _ in range(5)]

    assert all(len(code) == 6 and set(code) <= set(PAIRING_ALPHABET) for code in codes)
    assert len(set(codes)) == 5


def test_response_submit_pre_code_collision_draws_again(pre_survey, monkeypatch):
    submit(pre_survey, [4, 4, 4])
    taken = Response.objects.get().pairing_code
    draws = iter([taken, taken, "ZZZ999"])
    monkeypatch.setattr(services, "pairing_code_new", lambda: next(draws))

    submitted = submit(pre_survey, [3, 3, 3])

    assert submitted.response.pairing_code == "ZZZ999"
    assert Response.objects.count() == 2


def test_response_submit_same_key_twice_stores_one(pre_survey):
    key = uuid.uuid4()
    ids = scale_ids(pre_survey)

    first = services.response_submit(survey=pre_survey, submission_key=key, answers=dict.fromkeys(ids, 4))
    second = services.response_submit(survey=pre_survey, submission_key=key, answers=dict.fromkeys(ids, 2))

    assert (first.created, second.created) == (True, False)
    assert second.response.pk == first.response.pk
    assert second.response.pairing_code == first.response.pairing_code
    assert list(Answer.objects.values_list("value", flat=True)) == [4, 4, 4]


def test_response_submit_post_pairs_with_pre_of_same_session(pre_survey, post_survey):
    pre = submit(pre_survey, [2, 2, 2]).response

    post = submit(post_survey, [4, 4, 4], pairing_code=pre.pairing_code.lower()).response

    assert (post.pairing_code, post.paired_with_id) == (pre.pairing_code, pre.pk)


def test_response_submit_post_without_code_stored_unpaired(post_survey):
    post = submit(post_survey, [4, 4, 4]).response

    assert (post.pairing_code, post.paired_with_id) == ("", None)


def test_response_submit_post_with_unknown_code_refused(pre_survey, post_survey):
    submit(pre_survey, [2, 2, 2])

    with pytest.raises(ValidationError) as error:
        submit(post_survey, [4, 4, 4], pairing_code="QQQQQQ")

    assert error.value.message_dict == {
        "pairing_code": ["We could not find this code for this session." + services.NO_CODE_HINT]
    }
    assert Response.objects.filter(survey=post_survey).count() == 0


def test_response_submit_post_code_of_another_session_refused(pre_survey, template, partnership):
    pre = submit(pre_survey, [2, 2, 2]).response
    other = services.survey_create(session=SessionFactory(partnership=partnership), phase="post", template=template)

    with pytest.raises(ValidationError):
        submit(other, [4, 4, 4], pairing_code=pre.pairing_code)


def test_response_submit_post_code_pairs_once(pre_survey, post_survey):
    pre = submit(pre_survey, [2, 2, 2]).response
    submit(post_survey, [4, 4, 4], pairing_code=pre.pairing_code)

    with pytest.raises(ValidationError) as error:
        submit(post_survey, [5, 5, 5], pairing_code=pre.pairing_code)

    assert error.value.message_dict == {
        "pairing_code": ["This code has already been used for this questionnaire." + services.NO_CODE_HINT]
    }
    assert Response.objects.filter(survey=post_survey).count() == 1


@pytest.mark.parametrize("value", [0, 6, "4", True, 4.0])
def test_response_submit_value_off_scale_refused(pre_survey, value):
    ids = scale_ids(pre_survey)

    with pytest.raises(ValidationError):
        services.response_submit(
            survey=pre_survey, submission_key=uuid.uuid4(), answers={ids[0]: value, ids[1]: 4, ids[2]: 4}
        )

    assert Response.objects.count() == 0


def test_response_submit_unknown_statement_refused(pre_survey):
    answers = dict.fromkeys(scale_ids(pre_survey), 4) | {StatementFactory().pk: 4}

    with pytest.raises(ValidationError):
        services.response_submit(survey=pre_survey, submission_key=uuid.uuid4(), answers=answers)

    assert Response.objects.count() == 0


def test_response_submit_missing_required_refused_online_allowed_on_paper(pre_survey):
    first = scale_ids(pre_survey)[0]

    with pytest.raises(ValidationError):
        services.response_submit(survey=pre_survey, submission_key=uuid.uuid4(), answers={first: 4})
    services.response_submit(
        survey=pre_survey, submission_key=uuid.uuid4(), answers={first: 4}, source=Source.PAPER, check_required=False
    )

    assert list(Response.objects.values_list("source", "pairing_code")) == [("paper", "")]


def test_response_submit_closed_survey_refused_unless_a_repeat(pre_survey):
    key = uuid.uuid4()
    answers = dict.fromkeys(scale_ids(pre_survey), 4)
    services.response_submit(survey=pre_survey, submission_key=key, answers=answers)
    later = timezone.now() + services.CLOSING_GRACE + datetime.timedelta(minutes=1)
    services.survey_close(survey=pre_survey, now=timezone.now())

    repeat = services.response_submit(survey=pre_survey, submission_key=key, answers=answers, now=later)
    with pytest.raises(services.SurveyNotOpen):
        services.response_submit(survey=pre_survey, submission_key=uuid.uuid4(), answers=answers, now=later)

    assert (repeat.created, Response.objects.count()) == (False, 1)


def test_response_submit_just_after_closing_accepted(pre_survey):
    """A form handed out before 'close now' and sent a few minutes after it is not thrown away."""
    now = timezone.now()
    services.survey_close(survey=pre_survey, now=now)

    submitted = submit(
        pre_survey,
        [4, 4, 4],
        now=now + datetime.timedelta(minutes=5),
        handed_out_at=now - datetime.timedelta(minutes=2),
    )

    assert submitted.created


@pytest.mark.parametrize("handed_out", [None, "after the close"])
def test_response_submit_after_closing_refuses_a_form_not_handed_out_before(pre_survey, handed_out):
    """Closed means closed: the grace is for forms on phones at the close, not for a key anyone can make up."""
    now = timezone.now()
    services.survey_close(survey=pre_survey, now=now)

    with pytest.raises(services.SurveyNotOpen):
        submit(
            pre_survey,
            [4, 4, 4],
            now=now + datetime.timedelta(minutes=5),
            handed_out_at=now + datetime.timedelta(minutes=1) if handed_out else None,
        )
    assert not pre_survey.responses.exists()


def test_response_submit_not_yet_open_refused(pre_survey):
    pre_survey.opens_at = timezone.now() + datetime.timedelta(hours=1)
    pre_survey.save()

    with pytest.raises(services.SurveyNotOpen):
        submit(pre_survey, [4, 4, 4])


def test_response_submit_text_answer_stored_trimmed(post_survey):
    ids = [item.statement_id for item in post_survey.items.order_by("position")]

    services.response_submit(
        survey=post_survey,
        submission_key=uuid.uuid4(),
        answers={ids[0]: 5, ids[1]: 5, ids[2]: 5, ids[3]: "  Ask people what matters to them.  "},
    )

    assert list(Answer.objects.filter(statement_id=ids[3]).values_list("value", "text")) == [
        (None, "Ask people what matters to them.")
    ]


def test_pairing_code_clean_accepts_what_people_type():
    assert [services.pairing_code_clean(v) for v in ["k7mp2q", " K7M P2Q ", "k7m-p2q"]] == ["K7MP2Q"] * 3


def test_response_submit_failing_midway_stores_nothing(pre_survey, monkeypatch):
    def rollups_fail(**kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "rollup_count_response", rollups_fail)

    with pytest.raises(RuntimeError):
        submit(pre_survey, [4, 4, 4])

    assert (Response.objects.count(), Answer.objects.count(), StatementRollup.objects.count()) == (0, 0, 0)


def test_cancelling_a_session_closes_its_questionnaires_at_once(pre_survey):
    """Before, a cancelled session's open questionnaire still stored answers; now none, not even in the grace."""
    from workshops import services as workshops

    submit(pre_survey, [4, 4, 4])
    workshops.session_cancel(session=pre_survey.session)

    pre_survey.refresh_from_db()
    assert pre_survey.state() == "closed"
    with pytest.raises(services.SurveyNotOpen):
        submit(pre_survey, [4, 4, 4])
    assert pre_survey.responses.count() == 1
