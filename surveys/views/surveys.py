"""Staff side of a session's surveys: set up, open, close and reopen, window, QR code, poster, projector, paper,
and publishing "What happened next" at their addresses once they have closed."""

import io
import uuid

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from coprod.permissions import Need, can
from coprod.services import save_once
from surveys import selectors, services
from surveys.forms import PaperFormSet, SurveySetupForm, SurveyWindowForm
from surveys.home import PHASE_WORDS
from surveys.models import CLOSING_GRACE, Phase, Source, WhatHappenedNext
from surveys.permissions import get_survey_for_user
from workshops.permissions import get_session_for_user

PAPER_ROWS = 10
PAPER_ROWS_MAX = 100


@login_required
def session_surveys(request, pk):
    session = get_session_for_user(request, pk)
    by_phase = selectors.session_surveys(session)
    surveys = [(phase, by_phase.get(phase)) for phase in (Phase.PRE, Phase.POST)]
    for _phase, survey in surveys:
        if survey:
            survey.public_url = request.build_absolute_uri(survey.get_public_url())
            survey.current_state = survey.state()
            survey.released = survey.is_released()
            if survey.closing_moment:
                survey.release_time = survey.closing_moment + CLOSING_GRACE
    can_write = can(request.user, session.partnership, Need.WRITE)
    missing = [phase for phase, survey in surveys if survey is None]
    context = {
        "session": session,
        "surveys": surveys,
        "can_write": can_write,
        "missing": missing,
        "next_published": WhatHappenedNext.objects.filter(session=session).first(),
        # As services.what_happened_next_publish checks it, from the surveys in hand.
        "next_publishable": bool(by_phase) and all(survey.released for survey in by_phase.values()),
    }
    if missing and can_write:
        context |= setup_form_context(session, missing=missing)
    return render(request, "surveys/session_surveys.html", context)


SETUP_PREFIX = "setup"  # the form shares the session page with the register's


def setup_form_context(session, *, missing, form=None, now=None):
    """What the set-up form shows: the form, and when each `missing` questionnaire would be open."""
    windows = []
    for phase in missing:
        opens_at, closes_at = services.survey_window_default(session=session, phase=phase, now=now)
        windows.append({"word": PHASE_WORDS[phase], "opens_at": opens_at, "closes_at": closes_at})
    return {
        "session": session,
        "setup_form": form or SurveySetupForm(session=session, prefix=SETUP_PREFIX),
        "setup_windows": windows,
        "setup_both": len(missing) == 2,
    }


@login_required
def survey_create(request, pk):
    """Set up the session's questionnaires before and after in one step (or the one it lacks)."""
    session = get_session_for_user(request, pk, Need.WRITE)
    existing = selectors.session_surveys(session)
    missing = [phase for phase in (Phase.PRE, Phase.POST) if phase not in existing]
    if request.method == "GET" and not missing:
        messages.info(request, "This session already has both questionnaires.")
        return redirect("surveys:session-surveys", session.pk)
    form = SurveySetupForm(request.POST or None, session=session, prefix=SETUP_PREFIX)
    if form.is_valid():
        data = form.cleaned_data
        try:
            return save_once(
                request=request, key=data["submission_key"], save=lambda: _set_up(request, session, data["template"])
            )
        except ValidationError as error:
            for field, errors in error.update_error_dict({}).items():
                form.add_error(field if field in form.fields else None, errors)
    return render(
        request,
        "surveys/survey_setup.html",
        setup_form_context(session, missing=missing, form=form) | {"cancel_url": session.get_absolute_url()},
    )


def _set_up(request, session, template):
    result = services.survey_pair_create(session=session, template=template)
    made = " and ".join(PHASE_WORDS[survey.phase] for survey in result.created)
    kept = " and ".join(PHASE_WORDS[survey.phase] for survey in result.kept)
    if not result.created:
        messages.info(request, "This session already has both questionnaires: they are kept as they were.")
    elif result.kept:
        messages.success(
            request, f"Questionnaire {made} the session set up. The one {kept} it was already there and is kept."
        )
    else:
        messages.success(request, "Questionnaires before and after the session set up: show their QR codes.")
    return (result.created + result.kept)[0]


@login_required
def survey_edit(request, pk):
    survey = get_survey_for_user(request, pk, Need.WRITE)
    if survey.is_released():
        messages.error(request, services.RELEASED)
        return redirect(survey)
    form = SurveyWindowForm(request.POST or None, instance=survey)
    if form.is_valid():
        try:
            services.survey_set_window(
                survey=survey, opens_at=form.cleaned_data["opens_at"], closes_at=form.cleaned_data["closes_at"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Times saved for the questionnaire {survey.get_phase_display().lower()}.")
            return redirect(survey)
    return render(
        request,
        "surveys/form_page.html",
        {
            "form": form,
            "title": f"When the questionnaire {survey.get_phase_display().lower()} is open",
            "session": survey.session,
            "cancel_url": survey.get_absolute_url(),
        },
    )


@login_required
@require_POST
def survey_close(request, pk):
    survey = get_survey_for_user(request, pk, Need.WRITE)
    services.survey_close(survey=survey)
    minutes = int(CLOSING_GRACE.total_seconds() // 60)
    messages.success(
        request,
        f"The questionnaire {survey.get_phase_display().lower()} is closed. Anyone who had it open on their phone "
        f"can still send it for {minutes} minutes, so that no answers are lost. Then its answers go into the "
        "results, and it takes no more: key in any paper forms, or reopen it, before then.",
    )
    return redirect(survey)


@login_required
@require_POST
def what_happened_next_publish(request, pk):
    session = get_session_for_user(request, pk, Need.WRITE)
    try:
        services.what_happened_next_publish(session=session, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            "“What happened next” is published: the questionnaires’ addresses and QR codes now lead to it.",
        )
    return redirect("surveys:session-surveys", session.pk)


@login_required
@require_POST
def what_happened_next_unpublish(request, pk):
    session = get_session_for_user(request, pk, Need.WRITE)
    services.what_happened_next_unpublish(session=session)
    messages.success(
        request, "“What happened next” is unpublished: the questionnaires’ addresses say they have closed."
    )
    return redirect("surveys:session-surveys", session.pk)


@login_required
@require_POST
def survey_open(request, pk):
    survey = get_survey_for_user(request, pk, Need.WRITE)
    if survey.state() == "closed":
        messages.error(request, "This questionnaire is closed: reopen it to take answers again.")
    else:
        services.survey_open(survey=survey)
        messages.success(request, f"The questionnaire {survey.get_phase_display().lower()} is open now.")
    return redirect(survey)


@login_required
@require_POST
def survey_reopen(request, pk):
    survey = get_survey_for_user(request, pk, Need.WRITE)
    try:
        services.survey_reopen(survey=survey)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"The questionnaire {survey.get_phase_display().lower()} is open again.")
    return redirect(survey)


@login_required
def survey_qr(request, pk):
    survey = get_survey_for_user(request, pk)
    url = request.build_absolute_uri(survey.get_public_url())
    qr = segno.make(url, error="m", micro=False)
    svg = io.BytesIO()
    qr.save(svg, kind="svg", scale=8, border=4, xmldecl=False, title=f"QR code for {url}", nl=False)
    response = HttpResponse(svg.getvalue(), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="questionnaire-{survey.phase}-{survey.session_id}.svg"'
    return response


def _display_context(request, survey):
    return {
        "survey": survey,
        "session": survey.session,
        "public_url": request.build_absolute_uri(survey.get_public_url()),
        "count": selectors.survey_response_count(survey),
    }


@login_required
def survey_poster(request, pk):
    survey = get_survey_for_user(request, pk)
    return render(request, "surveys/poster.html", _display_context(request, survey))


@login_required
def survey_projector(request, pk):
    survey = get_survey_for_user(request, pk)
    return render(request, "surveys/projector.html", _display_context(request, survey))


@never_cache
@login_required
def survey_count(request, pk):
    """The number of responses so far, and nothing else, for the live counter."""
    survey = get_survey_for_user(request, pk)
    return JsonResponse({"count": selectors.survey_response_count(survey)})


class _Rollback(Exception):
    pass


@login_required
def survey_paper(request, pk):
    """Key in paper questionnaires, one row per form, all of a page stored together or not at all."""
    survey = get_survey_for_user(request, pk, Need.WRITE)
    if survey.is_released():
        messages.error(request, services.RELEASED)
        return redirect(survey)
    survey_items = list(survey.items.select_related("statement"))
    rows = _row_count(request)
    formset = PaperFormSet(
        request.POST or None,
        survey_items=survey_items,
        initial=[{"submission_key": uuid.uuid4()} for _ in range(rows)],
    )
    if request.method == "POST" and formset.is_valid():
        filled = [form for form in formset if not form.is_blank()]
        stored = _store_paper(survey, filled)
        if stored is not None:
            new = sum(1 for submitted in stored if submitted.created)
            messages.success(request, f"{new} paper questionnaire{'s'[: new != 1]} saved.")
            return redirect("surveys:survey-paper", survey.pk)
    return render(
        request,
        "surveys/paper.html",
        {
            "survey": survey,
            "session": survey.session,
            "survey_items": survey_items,
            "formset": formset,
            "more_rows": min(rows + PAPER_ROWS, PAPER_ROWS_MAX),
            "can_add_rows": rows < PAPER_ROWS_MAX,
        },
    )


def _row_count(request):
    try:
        return max(1, min(int(request.GET.get("rows", PAPER_ROWS)), PAPER_ROWS_MAX))
    except ValueError:
        return PAPER_ROWS


def _store_paper(survey, forms):
    """The Submitted results, or None after adding each row's problem to its form (nothing stored)."""
    stored, failed = [], False
    try:
        with transaction.atomic():
            for form in forms:
                try:
                    stored.append(
                        services.response_submit(
                            survey=survey,
                            submission_key=form.cleaned_data["submission_key"],
                            answers=form.answers(),
                            pairing_code=form.cleaned_data["pairing_code"],
                            source=Source.PAPER,
                            check_required=False,
                        )
                    )
                except ValidationError as error:
                    failed = True
                    for field, errors in error.update_error_dict({}).items():
                        form.add_error(field if field in form.fields else None, errors)
            if failed:
                raise _Rollback
    except _Rollback:
        return None
    return stored
