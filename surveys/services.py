"""Writes with rules: templates and their statement versions, surveys, and responses (never lost, never doubled)."""

import datetime
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from surveys.models import (
    CLOSING_GRACE,
    PAIRING_ALPHABET,
    PAIRING_CODE_LENGTH,
    Answer,
    ItemPhase,
    Phase,
    QuestionnaireTemplate,
    Response,
    SharedLink,
    Source,
    Statement,
    StatementKind,
    Survey,
    SurveyItem,
    TemplateItem,
    WhatHappenedNext,
    shared_link_token_hash,
)
from surveys.results.pooling import session_released
from surveys.rollups import rollup_count_response
from surveys.selectors import survey_items as survey_items_of
from surveys.selectors import template_items
from workshops.models import Session

TEXT_ANSWER_MAX_LENGTH = 2000


class SurveyNotOpen(Exception):
    """The survey does not take answers now (not yet open, or closed)."""


# Once a questionnaire's answers are released to results, nothing may add to them: a figure that changed by one
# person between two downloads would give that person's answers away (surveys/results/pooling.py).
RELEASED = (
    "This questionnaire closed and its answers went into the results, so it takes no more answers: one more person "
    "would change figures that others have already seen, and give that person's answers away."
)


# --- Templates and statement versions ---


@transaction.atomic
def template_copy(*, template, partnership):
    """The partnership's own copy of a national template, to which its lead may add local statements."""
    if not template.is_national:
        raise ValidationError("Only a national questionnaire can be copied.")
    existing = QuestionnaireTemplate.objects.filter(partnership=partnership, based_on=template).first()
    if existing:
        return existing
    title = f"{template.title}: {partnership.council_area or partnership.name}"
    if QuestionnaireTemplate.objects.filter(partnership=partnership, title__iexact=title).exists():
        raise ValidationError(f"{partnership} already has a questionnaire called “{title}”.")
    return QuestionnaireTemplate.objects.create(partnership=partnership, based_on=template, title=title)


@transaction.atomic
def template_item_add(*, template, text, hint="", kind=StatementKind.SCALE, phase=ItemPhase.BOTH, required=True):
    """Add a new statement at the end. A copy's statements are local to its partnership."""
    statement = Statement.objects.create(partnership=template.partnership, kind=kind, text=text, hint=hint)
    last = template.items.aggregate(last=Max("position"))["last"] or 0
    return TemplateItem.objects.create(
        template=template, statement=statement, position=last + 1, phase=phase, required=required
    )


def statement_in_use(statement, *, besides_item=None):
    """Asked by a survey, answered, or shared with another template: then its wording is frozen."""
    other_items = statement.template_items.exclude(pk=besides_item.pk if besides_item else None)
    return statement.survey_items.exists() or statement.answers.exists() or other_items.exists()


@transaction.atomic
def template_item_update(*, item, text, hint, phase, required, position):
    """Change an item; new wording of a statement already in use becomes a new version of it.

    Surveys keep the version they were created with, and answers stay with the words they answered.
    """
    item = TemplateItem.objects.select_for_update().select_related("statement").get(pk=item.pk)
    statement = item.statement
    if (text, hint) != (statement.text, statement.hint):
        if statement_in_use(statement, besides_item=item):
            latest = Statement.objects.filter(family=statement.family).aggregate(latest=Max("version"))["latest"]
            item.statement = Statement.objects.create(
                family=statement.family,
                version=latest + 1,
                partnership=statement.partnership,
                kind=statement.kind,
                text=text,
                hint=hint,
            )
        else:
            statement.text, statement.hint = text, hint
            statement.save(update_fields=["text", "hint"])
    item.phase, item.required, item.position = phase, required, position
    item.save(update_fields=["statement", "phase", "required", "position"])
    return item


@transaction.atomic
def template_item_remove(*, item):
    """Remove a statement from a template; a statement nobody else uses goes with it."""
    statement = item.statement
    item.delete()
    if not statement_in_use(statement):
        statement.delete()


# --- Surveys ---

# A wrong or used code must not stop someone sending their answers (a shared phone offers the last person's).
NO_CODE_HINT = " Check it, or leave the box empty to send your answers without it."


@transaction.atomic
def survey_create(*, session, phase, template, opens_at=None, closes_at=None, now=None):
    """The session's survey for a phase, with its own copy of the template's statements for that phase.

    Not once the session's results are released: a new questionnaire would change which of its answers count.
    """
    if Survey.objects.filter(session=session).released(now).exists():
        raise ValidationError(
            {
                "phase": "This session's questionnaire has closed and its answers went into the results: log a new "
                "session for a new questionnaire."
            }
        )
    items = [item for item in template_items(template) if item.asked_in(phase)]
    if not items:
        raise ValidationError({"template": "This questionnaire has no statements for that phase."})
    try:
        with transaction.atomic():
            survey = Survey.objects.create(
                session=session, phase=phase, template=template, opens_at=opens_at, closes_at=closes_at
            )
    except IntegrityError:
        raise ValidationError(
            {"phase": f"This session already has a questionnaire {Phase(phase).label.lower()}."}
        ) from None
    SurveyItem.objects.bulk_create(
        SurveyItem(survey=survey, statement=item.statement, position=number, required=item.required)
        for number, item in enumerate(items, start=1)
    )
    return survey


# How long the questionnaire before a session stays open after its planned end: a session that started late.
RUNNING_LATE = datetime.timedelta(hours=1)
# How long a questionnaire stays open after the session (or, for one logged afterwards, after it is set up):
# time to answer the one after at home, and for the lead to key in the paper forms from the room.
AFTERWARDS = datetime.timedelta(days=7)


def survey_window_default(*, session, phase, now=None):
    """(opens_at, closes_at) for a questionnaire set up now; None for "straight away".

    Set up before the session has ended (a live session, today or later):
    - before: open straight away, so that the lead can try it and early arrivals can answer, until an hour after the
      planned end, so that a session that starts late still takes the late arrivals' answers;
    - after: open from the session's start (never before the session, so nobody answers "after" it too early; a
      session running late or finishing early finds it open), until a week after its end.
    Set up once the session has ended (logged afterwards, or still running past its planned end): both open straight
    away for a week, for the paper forms and the late answers; a window already over would refuse them all.
    A window can always be changed afterwards, and "Open now" opens one that has not opened yet.
    """
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(session.date, session.start_time, tzinfo=tz)
    end = datetime.datetime.combine(session.date, session.end_time, tzinfo=tz)
    if end <= now:
        return None, now + AFTERWARDS
    if phase == Phase.PRE:
        return None, end + RUNNING_LATE
    return (start if start > now else None), end + AFTERWARDS


@dataclass(frozen=True)
class SetUp:
    created: list  # the surveys made now, before first
    kept: list  # those the session already had, left as they were


@transaction.atomic
def survey_pair_create(*, session, template, now=None):
    """The session's questionnaires before and after, from one template, each with its default window
    (survey_window_default). A phase the session already has keeps its survey: it is reported, not duplicated.

    The session's row is locked first, so two submits at once make one pair: the second finds the first's surveys.
    """
    now = now or timezone.now()
    Session.objects.select_for_update().only("pk").get(pk=session.pk)
    existing = {survey.phase: survey for survey in Survey.objects.filter(session=session)}
    created = []
    for phase in (Phase.PRE, Phase.POST):
        if phase in existing:
            continue
        opens_at, closes_at = survey_window_default(session=session, phase=phase, now=now)
        try:
            survey = survey_create(
                session=session, phase=phase, template=template, opens_at=opens_at, closes_at=closes_at, now=now
            )
        except ValidationError as error:
            if "template" in error.message_dict:  # which of the two it is, and the other is not made either
                word = "before" if phase == Phase.PRE else "after"
                raise ValidationError(
                    {"template": f"“{template.title}” has no statements to ask {word} the session: choose another."}
                ) from None
            raise
        created.append(survey)
    kept = [existing[phase] for phase in (Phase.PRE, Phase.POST) if phase in existing]
    return SetUp(created=created, kept=kept)


def survey_set_window(*, survey, opens_at, closes_at, now=None):
    # As stored: a form may already have put the new times on `survey`.
    if Survey.objects.get(pk=survey.pk).is_released(now):
        raise ValidationError(RELEASED)
    survey.opens_at, survey.closes_at = opens_at, closes_at
    survey.save(update_fields=["opens_at", "closes_at", "updated_at"])
    return survey


def survey_close(*, survey, now=None):
    """Close now: the window is kept, so reopening can restore it. Closing a closed survey changes nothing (moving
    its closing later would take back answers already released)."""
    now = now or timezone.now()
    if survey.closing_moment and survey.closing_moment <= now:
        return survey
    survey.closed_at = now
    survey.save(update_fields=["closed_at", "updated_at"])
    return survey


def survey_open(*, survey, now=None):
    """Open now a questionnaire whose window has not started yet; its closing time stays. Any other is left as it
    is (a closed one is reopened with survey_reopen), so a second click changes nothing."""
    now = now or timezone.now()
    if survey.state(now) != "not_yet_open":
        return survey
    survey.opens_at = now
    survey.save(update_fields=["opens_at", "updated_at"])
    return survey


def survey_reopen(*, survey, now=None):
    """Open again: clears 'close now', and a window that has already ended. Not once released."""
    now = now or timezone.now()
    if survey.is_released(now):
        raise ValidationError(RELEASED)
    survey.closed_at = None
    fields = ["closed_at", "updated_at"]
    if survey.closes_at and survey.closes_at <= now:
        survey.closes_at = None
        fields.append("closes_at")
    if survey.opens_at and survey.opens_at > now:
        survey.opens_at = None
        fields.append("opens_at")
    survey.save(update_fields=fields)
    return survey


# --- Responses ---


@dataclass(frozen=True)
class Submitted:
    response: Response
    created: bool  # False: this submission key was already stored, and this is that response


def pairing_code_new():
    return "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(PAIRING_CODE_LENGTH))


def pairing_code_clean(value):
    """What someone typed, as stored: capitals, without spaces or dashes."""
    return "".join(value.split()).replace("-", "").upper()


def _check_answers(survey_items, answers):
    by_statement = {item.statement_id: item for item in survey_items}
    unknown = set(answers) - set(by_statement)
    if unknown:
        raise ValidationError("Answers to statements this survey does not ask.")
    for statement_id, value in answers.items():
        statement = by_statement[statement_id].statement
        if statement.kind == StatementKind.SCALE:
            if value is not None and (type(value) is not int or not 1 <= value <= 5):
                raise ValidationError(f"An answer on the scale must be 1 to 5 or Don't know, not {value!r}.")
        elif not isinstance(value, str) or not value.strip() or len(value) > TEXT_ANSWER_MAX_LENGTH:
            raise ValidationError("A written answer must be text of at most 2,000 characters.")


def _find_pre(survey, code):
    return (
        Response.objects.filter(survey__session_id=survey.session_id, survey__phase=Phase.PRE, pairing_code=code)
        .only("id")
        .first()
    )


def _in_programme(programme_id, code, survey):
    """The code answered another questionnaire of the programme's sessions (never another programme's)."""
    return (
        Response.objects.filter(survey__session__programme_id=programme_id, pairing_code=code)
        .exclude(survey=survey)
        .exists()
    )


def response_submit(
    *,
    survey,
    submission_key,
    answers,
    pairing_code="",
    source=Source.ONLINE,
    now=None,
    check_required=True,
    handed_out_at=None,
):
    """Store one response and its answers in one transaction, once per submission key.

    `answers` maps statement ids to 1-5, None ("Don't know") or text; statements left out were not answered.
    Before the session, an online response gets a fresh pairing code, unique in the survey; a paper one keeps
    the code written on it, if any. After the session, a code must match a "before" response of the same
    session, and each code pairs once. In a programme's session, a code from another of its sessions is kept
    too: a "before" online carries it instead of a new one, an "after" keeps it without this session's "before".
    A repeated submission key returns the stored response (created=False):
    the unique key decides, inside the transaction, so concurrent repeats store exactly one.

    Online, once closed, the grace is for forms handed out before the close (`handed_out_at`, which the page
    signs into the form, surveys.forms.form_stamp): a key made up after it is refused.
    """
    now = now or timezone.now()
    pairing_code = pairing_code_clean(pairing_code)
    in_grace_only = survey.state(now) == "closed" and not (
        handed_out_at is not None and handed_out_at < survey.closing_moment
    )
    if source == Source.ONLINE and (not survey.accepts_answers(now, grace=CLOSING_GRACE) or in_grace_only):
        # Closed now: a repeat of what was sent while it was open still gets its thank-you page.
        existing = Response.objects.filter(submission_key=submission_key).first()
        if existing:
            return _repeat(existing, survey)
        raise SurveyNotOpen
    if survey.is_released(now):  # a paper form keyed in after the answers went into results
        existing = Response.objects.filter(submission_key=submission_key).first()
        if existing:
            return _repeat(existing, survey)
        raise ValidationError(RELEASED)
    survey_items = survey_items_of(survey)
    _check_answers(survey_items, answers)
    if check_required:
        missing = [item.position for item in survey_items if item.required and item.statement_id not in answers]
        if missing:
            raise ValidationError(f"Statements {missing} need an answer.")
    if pairing_code and len(pairing_code) != PAIRING_CODE_LENGTH:
        raise ValidationError({"pairing_code": "A code has 6 letters and numbers."})

    scale_ids = {item.statement_id for item in survey_items if item.statement.kind == StatementKind.SCALE}
    pre = None
    programme_id = survey.session.programme_id
    if survey.phase == Phase.POST and pairing_code:
        pre = _find_pre(survey, pairing_code)
        # In a programme, a code from any of its sessions is the person's across the series (surveys.results
        # .programme), even without this session's "before".
        if pre is None and not (programme_id and _in_programme(programme_id, pairing_code, survey)):
            raise ValidationError({"pairing_code": "We could not find this code for this session." + NO_CODE_HINT})
    # Online, a "before" gets a new code, unless it carries the code of an earlier session of its programme.
    carried = survey.phase == Phase.PRE and source == Source.ONLINE and bool(programme_id and pairing_code)
    if carried and not _in_programme(programme_id, pairing_code, survey):
        raise ValidationError(
            {
                "pairing_code": "We could not find this code for this programme. Check it, or leave the box empty to "
                "get a new code."
            }
        )
    generate = survey.phase == Phase.PRE and source == Source.ONLINE and not carried
    for _attempt in range(10):
        code = pairing_code_new() if generate else pairing_code
        try:
            with transaction.atomic():
                response = Response.objects.create(
                    survey=survey,
                    submission_key=submission_key,
                    pairing_code=code,
                    paired_with=pre,
                    source=source,
                    submitted_on=timezone.localdate(now),
                )
                Answer.objects.bulk_create(
                    Answer(response=response, statement_id=statement_id, **_value_or_text(value))
                    for statement_id, value in answers.items()
                )
                # The results' counts, in the same transaction: a response is counted exactly when it is stored.
                rollup_count_response(survey=survey, answers=answers, scale_ids=scale_ids, pre=pre)
                return Submitted(response, created=True)
        except IntegrityError:
            # The same key committed first by a concurrent request: that one is the response.
            existing = Response.objects.filter(submission_key=submission_key).first()
            if existing:
                return _repeat(existing, survey)
            if not code or not Response.objects.filter(survey=survey, pairing_code=code).exists():
                raise
            if not generate:
                raise ValidationError(
                    {"pairing_code": "This code has already been used for this questionnaire." + NO_CODE_HINT}
                ) from None
            # A generated code collided with another of this survey's: draw again.
    raise RuntimeError("No free pairing code after 10 draws: is the survey full?")


def _repeat(existing, survey):
    if existing.survey_id != survey.pk:
        raise ValidationError("This form belongs to another questionnaire.")
    return Submitted(existing, created=False)


def _value_or_text(value):
    if isinstance(value, str):
        return {"value": None, "text": value.strip()}
    return {"value": value, "text": ""}


# --- "What happened next": the page the people who were there find at the questionnaire's address after it ---

NOT_RELEASED_YET = (
    "“What happened next” can be published once the session’s questionnaires have closed and their answers are in "
    f"the results ({int(CLOSING_GRACE.total_seconds() // 60)} minutes after closing, for forms still open on phones)."
)


def what_happened_next_publish(*, session, user, now=None):
    """Publish the session's page: only once its questionnaires are released, so its figures never move after.

    Publishing a published session changes nothing (a double click, or two leads at once)."""
    if not session_released(session, now):
        raise ValidationError(NOT_RELEASED_YET)
    published, _created = WhatHappenedNext.objects.get_or_create(session=session, defaults={"published_by": user})
    return published


def what_happened_next_unpublish(*, session):
    """Take the page down: the questionnaire's address shows its "closed" page again."""
    WhatHappenedNext.objects.filter(session=session).delete()


def shared_link_create(*, kind, target_id, query, partnership, label, days, user, now=None):
    """A read-only link: (the link, its token). Only the token's sha256 is kept, so the token is shown this once."""
    token = secrets.token_urlsafe(32)  # 256 bits
    now = now or timezone.now()
    link = SharedLink.objects.create(
        kind=kind,
        target_id=target_id,
        query=query,
        partnership=partnership,
        label=label,
        token_hash=shared_link_token_hash(token),
        created_by=user,
        created_at=now,
        expires_at=now + datetime.timedelta(days=days),
    )
    return link, token


def shared_link_revoke(*, link, user, now=None):
    """Withdraw the link at once; a second revoke leaves the first's date and name."""
    if link.revoked_at is None:
        link.revoked_at = now or timezone.now()
        link.revoked_by = user
        link.save(update_fields=["revoked_at", "revoked_by"])
    return link
