"""Peer 1's bench tasks, run by bench/peers/run.py in its venv: django-survey-and-report 1.5.0."""

import datetime
import json
from pathlib import Path

from common_tasks import AGREEMENT, QUESTIONS, analyse, batches, migrate, seed_rng, visit_round_trips
from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify
from survey.models import Answer, Question, Response, Survey

NAME = "Bench questionnaire, 10 statements"
SEED_PREFIX = "seed-"  # the seeded responses' interview_uuid, which tells them from the ones the bench sends
VALUES = [slugify(choice) for choice in AGREEMENT]  # what the form stores: the slug of the choice picked


def _survey():
    return Survey.objects.get(name=NAME)


def seed():
    """One published survey on one page, answerable without an account: 10 required radio questions on a
    5-point agreement scale. Then 100,000 responses of 10 answers each, bulk-created with the package's models."""
    migrate()
    today = timezone.localdate()
    survey = Survey.objects.create(
        name=NAME,
        description="Before the session.",
        is_published=True,
        need_logged_user=False,
        display_method=Survey.ALL_IN_ONE_PAGE,
        publish_date=today,
        expire_date=today + datetime.timedelta(days=365),
    )
    questions = [
        Question.objects.create(
            survey=survey,
            text=f"Bench statement {number}: I agree with this.",
            order=number,
            required=True,
            type=Question.RADIO,
            choices=",".join(AGREEMENT),
        )
        for number in range(1, QUESTIONS + 1)
    ]
    for batch in batches(seed_rng()):
        responses = Response.objects.bulk_create(
            Response(survey=survey, interview_uuid=f"{SEED_PREFIX}{number}") for number, _picks in batch
        )
        answers = []
        for response, (_number, picks) in zip(responses, batch, strict=True):
            for question, pick in zip(questions, picks, strict=True):
                # The body is set after construction, as the package's form does: Answer() checks a body given to
                # it against the choices as typed, not the slugs the form stores.
                answer = Answer(question=question, response=response)
                answer.body = VALUES[pick]
                answers.append(answer)
        Answer.objects.bulk_create(answers)
    analyse()
    return {
        "form_path": survey.get_absolute_url(),
        "responses": Response.objects.filter(survey=survey).count(),
        "answers": Answer.objects.filter(response__survey=survey).count(),
    }


def reconcile(receipts_path):
    """Rows stored by the bench (not seeded) against the acknowledged submissions, by their interview ids."""
    receipts = json.loads(Path(receipts_path).read_text())
    responses = Response.objects.filter(survey=_survey())
    stored = list(responses.exclude(interview_uuid__startswith=SEED_PREFIX).values_list("interview_uuid", flat=True))
    per_response = responses.annotate(n=Count("answers")).order_by().values_list("n", flat=True).distinct()
    return {
        "acknowledged": len(receipts),
        "stored": len(stored),
        "acknowledged_not_stored": len(set(receipts) - set(stored)),
        "stored_not_acknowledged": len(set(stored) - set(receipts)),
        "answers_per_response": sorted(per_response),
    }


def round_trips():
    survey = _survey()
    data = {f"question_{question.pk}": VALUES[3] for question in survey.questions.all()}
    return visit_round_trips(survey.get_absolute_url(), data)
