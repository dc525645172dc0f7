"""Peer 2's bench tasks, run by bench/peers/run.py in its venv: django-form-surveys 2.5.0."""

import json
from pathlib import Path

from common_tasks import AGREEMENT, QUESTIONS, SEED_RESPONSES, analyse, batches, migrate, seed_rng, visit_round_trips
from django.db.models import Count
from django.urls import reverse
from djf_surveys.models import TYPE_FIELD, Answer, Question, Survey, UserAnswer

NAME = "Bench questionnaire, 10 statements"
VALUES = [choice.replace(" ", "_").lower() for choice in AGREEMENT]  # what the form stores (forms.make_choices)


def _survey():
    return Survey.objects.get(name=NAME)


def _form_path(survey):
    return reverse("djf_surveys:create", kwargs={"slug": survey.slug})


def seed():
    """One survey (its forms are one page) open to anonymous answers: 10 required radio questions on a 5-point
    agreement scale. Then 100,000 responses of 10 answers each, bulk-created with the package's models."""
    migrate()
    survey = Survey.objects.create(name=NAME, description="Before the session.", can_anonymous_user=True)
    questions = [
        Question.objects.create(
            survey=survey,
            label=f"Bench statement {number}: I agree with this.",
            type_field=TYPE_FIELD.radio,
            choices=", ".join(AGREEMENT),
            required=True,
            ordering=number,
        )
        for number in range(1, QUESTIONS + 1)
    ]
    for batch in batches(seed_rng()):
        responses = UserAnswer.objects.bulk_create(UserAnswer(survey=survey) for _ in batch)
        Answer.objects.bulk_create(
            Answer(question=question, value=VALUES[pick], user_answer=response)
            for response, (_number, picks) in zip(responses, batch, strict=True)
            for question, pick in zip(questions, picks, strict=True)
        )
    analyse()
    return {
        "form_path": _form_path(survey),
        "responses": UserAnswer.objects.filter(survey=survey).count(),
        "answers": Answer.objects.filter(user_answer__survey=survey).count(),
    }


def reconcile(receipts_path):
    """Rows stored by the bench against the acknowledged submissions. The package gives a phone no id for what
    it stored, so only the numbers can be compared: all rows but the seeded ones."""
    receipts = json.loads(Path(receipts_path).read_text())
    responses = UserAnswer.objects.filter(survey=_survey())
    per_response = responses.annotate(n=Count("answer")).order_by().values_list("n", flat=True).distinct()
    return {
        "acknowledged": len(receipts),
        "stored": responses.count() - SEED_RESPONSES,
        "answers_per_response": sorted(per_response),
    }


def round_trips():
    survey = _survey()
    data = {f"field_survey_{question.pk}": VALUES[3] for question in survey.questions.all()}
    return visit_round_trips(_form_path(survey), data)
