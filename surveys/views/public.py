"""The attendee's questionnaire at /s/<token>/: anonymous, no account, never lost, never doubled.

The form is exempt from CSRF on purpose: nobody is signed in, so there is no session a forged request could
ride on, and a phone left on the page for hours must not have its answers refused. What guards it instead:
the one-time submission key (a unique constraint), a per-client rate limit, strict validation (400 for what
no browser sends) and a cap on the body's size.
"""

import uuid

from django.conf import settings
from django.core.exceptions import BadRequest, ValidationError
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited

from coprod.middleware import client_ip
from surveys import selectors, services
from surveys.forms import SCALE_CHOICES, ResponseForm
from surveys.models import PAIRING_ALPHABET, Phase

# A full questionnaire with two long written answers is well under this; anything bigger is not a browser.
MAX_BODY_BYTES = 100 * 1024
PAIRING_COOKIE_DAYS = 7
ALWAYS_ALLOWED_FIELDS = {"submission_key", "csrfmiddlewaretoken"}


def pairing_cookie_name(session_id):
    return f"coprod_pair_{session_id}"


# Private: no shared cache may hand one form's key to two phones. No "no-store": going back to the form
# shows the same form, with the same key, so sending it again shows the same thank-you page.
@cache_control(private=True, no_cache=True, max_age=0)
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def survey_answer(request, token):
    survey = selectors.survey_for_answering(token)
    if survey is None:
        return render(request, "surveys/public/unknown.html", status=404)
    if request.method == "POST":
        return _submit(request, survey)
    state = survey.state()
    if state != "open":
        return render(request, "surveys/public/not_open.html", {"survey": survey, "state": state})
    code = _code_on_device(request, survey)
    initial = {"submission_key": uuid.uuid4()}
    if survey.phase == Phase.POST and code:
        initial["pairing_code"] = code
    form = ResponseForm(survey=survey, initial=initial)
    return _form_page(request, survey, form, code_on_device=code)


def _submit(request, survey):
    _check_body_size(request)
    if is_ratelimited(
        request, group="surveys:submit", key=_client, rate=settings.SURVEY_RATE_LIMIT, method="POST", increment=True
    ):
        form = ResponseForm(request.POST, survey=survey)
        return _form_page(request, survey, form, rate_limited=True, status=429)
    form = ResponseForm(request.POST, survey=survey)
    unexpected = set(request.POST) - set(form.fields) - ALWAYS_ALLOWED_FIELDS
    if unexpected:
        raise BadRequest("Answers to statements this questionnaire does not ask.")
    if not form.is_valid():
        if form.has_error("submission_key"):
            raise BadRequest("A questionnaire form always carries its key.")
        return _form_page(request, survey, form)
    try:
        submitted = services.response_submit(
            survey=survey,
            submission_key=form.cleaned_data["submission_key"],
            answers=form.answers(),
            pairing_code=form.cleaned_data.get("pairing_code", ""),
        )
    except services.SurveyNotOpen:
        return render(request, "surveys/public/not_open.html", {"survey": survey, "state": survey.state()})
    except ValidationError as error:
        for field, messages in error.update_error_dict({}).items():
            form.add_error(field if field in form.fields else None, messages)
        return _form_page(request, survey, form)
    response = render(request, "surveys/public/thanks.html", {"survey": survey, "response": submitted.response})
    code = submitted.response.pairing_code
    if survey.phase == Phase.PRE and code:
        response.set_cookie(
            pairing_cookie_name(survey.session_id),
            code,
            max_age=PAIRING_COOKIE_DAYS * 24 * 60 * 60,
            path="/s/",
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    return response


def _client(group, request):
    """Who the rate limit counts: the client's address, found the same way as for login throttling."""
    return client_ip(request)


def _check_body_size(request):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BadRequest("Content-Length is not a number.") from None
    if length > MAX_BODY_BYTES:
        raise BadRequest("Too much data for a questionnaire.")


def _code_on_device(request, survey):
    """The pairing code this device got from the session's first questionnaire, if it looks like one."""
    code = request.COOKIES.get(pairing_cookie_name(survey.session_id), "")
    if len(code) == 6 and all(char in PAIRING_ALPHABET for char in code):
        return code
    return ""


def _form_page(request, survey, form, *, code_on_device="", rate_limited=False, status=200):
    context = {
        "survey": survey,
        "session": survey.session,
        "form": form,
        "fields": form.statement_fields(),
        "code_on_device": code_on_device,
        "rate_limited": rate_limited,
        "choices": SCALE_CHOICES,
        "scale_count": sum(1 for item in survey.asked if item.statement.is_scale),
        "threshold": settings.SMALL_NUMBER_THRESHOLD,
    }
    return render(request, "surveys/public/answer.html", context, status=status)
