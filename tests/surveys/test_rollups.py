"""Rollups: counted in the submission's own transaction, and always equal to a recount of the raw answers."""

import io
import random
import threading
import uuid

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connections

from surveys import services
from surveys.models import ROLLUP_FIELDS, Answer, Response, SessionRollup, StatementRollup
from surveys.rollups import rollups_rebuild
from tests.factories import SessionFactory
from tests.surveys.conftest import scale_ids, submit

SQLITE = settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")


def rollup_table(*, with_partnership=False):
    """Every statement rollup as {(session, statement): {field: count}} (and its partnership, if asked)."""
    return {
        (row.session_id, row.statement_id): {name: getattr(row, name) for name in ROLLUP_FIELDS}
        | ({"partnership": row.partnership_id} if with_partnership else {})
        for row in StatementRollup.objects.all()
    }


def session_table():
    return sorted(SessionRollup.objects.values_list("session_id", "pre_responses", "post_responses", "paired"))


def recount():
    """The same counts, worked out in Python from the answers (a second, independent way to the same result)."""
    table = {}
    answers = Answer.objects.filter(statement__kind="scale").select_related("response__survey")
    before = {(answer.response_id, answer.statement_id): answer.value for answer in answers}
    for answer in answers:
        survey = answer.response.survey
        row = table.setdefault((survey.session_id, answer.statement_id), dict.fromkeys(ROLLUP_FIELDS, 0))
        row[f"{survey.phase}_{'dont_know' if answer.value is None else answer.value}"] += 1
        pre_value = before.get((answer.response.paired_with_id, answer.statement_id))
        if survey.phase == "post" and answer.value is not None and pre_value is not None:
            cell = {
                (True, True): "paired_both",
                (False, True): "paired_improved",
                (True, False): "paired_worsened",
                (False, False): "paired_neither",
            }[pre_value >= 4, answer.value >= 4]
            row[cell] += 1
            # The pairs' own answers, which results count where a few people answered only one questionnaire.
            row[f"paired_pre_{pre_value}"] += 1
            row[f"paired_post_{answer.value}"] += 1
    return table


def test_rollup_counts_a_paired_response(pre_survey, post_survey):
    first, second, third = scale_ids(pre_survey)
    pre = submit(pre_survey, [4, 2, None]).response

    submit(post_survey, [5, 4, 3], pairing_code=pre.pairing_code)

    session = pre_survey.session_id
    zero = dict.fromkeys(ROLLUP_FIELDS, 0)
    assert rollup_table() == {
        (session, first): zero | {"pre_4": 1, "post_5": 1, "paired_both": 1, "paired_pre_4": 1, "paired_post_5": 1},
        (session, second): zero
        | {"pre_2": 1, "post_4": 1, "paired_improved": 1, "paired_pre_2": 1, "paired_post_4": 1},
        # "Don't know" before: counted, but not in the paired table nor among the pairs' answers.
        (session, third): zero | {"pre_dont_know": 1, "post_3": 1},
    }
    assert session_table() == [(session, 1, 1, 1)]


def test_rollup_ignores_written_answers_and_unpaired_posts(pre_survey, post_survey):
    text_id = post_survey.items.get(statement__kind="text").statement_id
    first = scale_ids(post_survey)[0]

    services.response_submit(
        survey=post_survey,
        submission_key=uuid.uuid4(),
        answers=dict(zip(scale_ids(post_survey), [1, 2, 3], strict=True)) | {text_id: "Phone the third sector."},
    )

    assert [key[1] for key in rollup_table()] == scale_ids(post_survey)
    assert rollup_table()[pre_survey.session_id, first]["post_1"] == 1
    assert session_table() == [(pre_survey.session_id, 0, 1, 0)]


def test_rollup_unchanged_by_a_repeat_or_a_refused_submission(pre_survey):
    key = uuid.uuid4()
    answers = dict(zip(scale_ids(pre_survey), [4, 4, 4], strict=True))
    services.response_submit(survey=pre_survey, submission_key=key, answers=answers)
    before = rollup_table()

    services.response_submit(survey=pre_survey, submission_key=key, answers=answers)  # a double click
    with pytest.raises(ValidationError):
        services.response_submit(survey=pre_survey, submission_key=uuid.uuid4(), answers=answers | {999999: 4})

    assert rollup_table() == before
    assert session_table() == [(pre_survey.session_id, 1, 0, 0)]


def test_rollups_agree_with_raw_answers_after_random_submissions(
    template, partnership, other_partnership, pre_survey, post_survey
):
    other = SessionFactory(partnership=other_partnership)
    other_pre = services.survey_create(session=other, phase="pre", template=template)
    other_post = services.survey_create(session=other, phase="post", template=template)
    rng = random.Random(5)
    values = [1, 2, 3, 4, 5, None]
    for pre, post in [(pre_survey, post_survey), (other_pre, other_post)]:
        codes = []
        for person in range(30):
            paper = person % 4 == 0
            chosen = [rng.choice(values) for _ in range(3)]
            if paper:  # a paper form may leave statements out, and carries a code written on it
                code = f"P{person:02d}{rng.choice('ABCDEFGH')}XY"
                answers = {sid: v for sid, v in zip(scale_ids(pre), chosen, strict=True) if rng.random() < 0.8}
                services.response_submit(
                    survey=pre,
                    submission_key=uuid.uuid4(),
                    answers=answers,
                    pairing_code=code,
                    source="paper",
                    check_required=False,
                )
                codes.append(code)
            else:
                codes.append(submit(pre, chosen).response.pairing_code)
        rng.shuffle(codes)
        for person in range(36):
            code = codes[person] if person < 25 else ""  # 25 pair with an earlier "before", 11 do not
            chosen = [rng.choice(values) for _ in range(3)]
            submit(post, chosen, pairing_code=code, source="paper" if person % 5 == 0 else "online")
    counted = rollup_table(with_partnership=True)

    assert rollup_table() == recount()
    assert {session: row["partnership"] for (session, _), row in counted.items()} == {
        pre_survey.session_id: partnership.pk,
        other.pk: other_partnership.pk,
    }
    assert rollups_rebuild() == (6, 2)
    assert rollup_table(with_partnership=True) == counted
    assert session_table() == sorted([(pre_survey.session_id, 30, 36, 25), (other.pk, 30, 36, 25)])


def test_rebuild_rollups_command_recounts_from_answers(pre_survey, post_survey):
    pre = submit(pre_survey, [4, 4, 4]).response
    submit(post_survey, [2, 5, None], pairing_code=pre.pairing_code)
    expected = rollup_table()
    StatementRollup.objects.update(pre_4=99, paired_both=0)
    SessionRollup.objects.all().delete()
    out = io.StringIO()

    call_command("rebuild_rollups", stdout=out)

    assert out.getvalue() == "Rollups rebuilt: 3 statement rows across 1 sessions.\n"
    assert rollup_table() == expected
    assert session_table() == [(pre_survey.session_id, 1, 1, 1)]


def test_rebuild_rollups_of_nothing_stores_nothing(db):
    assert rollups_rebuild() == (0, 0)
    assert (StatementRollup.objects.count(), SessionRollup.objects.count()) == (0, 0)


THREADS = 40


@pytest.mark.skipif(
    SQLITE,
    reason="SQLite's in-memory test database lets one writer in at a time: the race is only meaningful on "
    "PostgreSQL (CI).",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_each_counted_once(pre_survey, post_survey):
    """40 different people answering at the same moment: every one counted, in both tables, none lost."""
    pres = [submit(pre_survey, [2, 2, 2]).response for _ in range(THREADS)]
    start = threading.Barrier(THREADS)
    errors = []

    def answer(code):
        try:
            start.wait()
            submit(post_survey, [5, 4, None], pairing_code=code)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=answer, args=(pre.pairing_code,)) for pre in pres]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    first, second, third = scale_ids(pre_survey)
    session = pre_survey.session_id
    assert errors == []
    assert Response.objects.filter(survey=post_survey).count() == THREADS
    assert rollup_table() == recount()
    assert [rollup_table()[session, sid]["paired_improved"] for sid in (first, second, third)] == [40, 40, 0]
    assert session_table() == [(session, THREADS, THREADS, THREADS)]
