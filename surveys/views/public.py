"""The attendee's questionnaire at /s/<token>/: anonymous, no account, never lost, never doubled.

Also at /s/<token>/kiosk/ for a device passed round the room (it keeps no code, and starts afresh for the next
person), and reached by the survey's short code at /q/<code>/ (or typed into the box at /q/).

Once the questionnaire has closed and its session's lead has published "What happened next", the same addresses
show the people who were there the session's released results and the projects that came out of it.

The form is exempt from CSRF on purpose: nobody is signed in, so there is no session a forged request could
ride on, and a phone left on the page for hours must not have its answers refused. What guards it instead:
the one-time submission key (a unique constraint), a per-client rate limit, strict validation (400 for what
no browser sends) and a cap on the body's size.
"""

import hashlib
import secrets
import uuid

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from coprod import limits
from coprod.disclosure import threshold
from coprod.middleware import client_ip
from surveys import selectors, services
from surveys.forms import SCALE_CHOICES, ResponseForm, form_stamp
from surveys.models import PAIRING_ALPHABET, SHORT_CODE_LENGTH, Phase, Survey, WhatHappenedNext
from surveys.results import pooling

# A full questionnaire with two long written answers is well under this; anything bigger is not a browser.
MAX_BODY_BYTES = 100 * 1024
PAIRING_COOKIE_DAYS = 7
PROGRAMME_COOKIE_DAYS = 400  # a programme runs for up to a year; browsers keep a cookie 400 days at most
ALWAYS_ALLOWED_FIELDS = {"submission_key", "csrfmiddlewaretoken"}


def pairing_cookie_name(session_id):
    return f"coprod_pair_{session_id}"


def programme_cookie_name(programme_id):
    return f"coprod_programme_{programme_id}"


# Private: no shared cache may hand one form's key to two phones. No "no-store": going back to the form
# shows the same form, with the same key, so sending it again shows the same thank-you page.
@cache_control(private=True, no_cache=True, max_age=0)
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def survey_answer(request, token):
    return _answer(request, token, kiosk=False)


# A shared device: "no-store", so that going back shows the next person a fresh form, not the last one's answers.
# The mode lives in the address (the form posts back to it), never in a cookie, so nothing stays on the device.
@cache_control(private=True, no_store=True, max_age=0)
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def survey_answer_kiosk(request, token):
    return _answer(request, token, kiosk=True)


def _answer(request, token, *, kiosk):
    survey = selectors.survey_for_answering(token)
    if survey is None:
        return render(request, "surveys/public/unknown.html", status=404)
    if request.method == "POST":
        return _submit(request, survey, kiosk=kiosk)
    state = survey.state()
    if state == "closed" and WhatHappenedNext.objects.filter(session_id=survey.session_id).exists():
        return _what_happened_next(request, survey)
    if state != "open":
        return render(request, "surveys/public/not_open.html", {"survey": survey, "state": state})
    code = "" if kiosk else _code_on_device(request, survey)
    if survey.phase == Phase.PRE and code:
        # This device has answered already: ask before a second "before" answer. Answering as someone else goes
        # on in kiosk mode, which leaves this device's code (its owner's) where it is.
        return render(request, "surveys/public/again.html", {"survey": survey})
    if not code and not kiosk and survey.session.programme_id:
        code = _cookie_code(request, programme_cookie_name(survey.session.programme_id))
    return _empty_form_page(request, survey, code=code, kiosk=kiosk)


# The empty form's page and the thank-you page differ from one phone to the next only by a few values: the form's
# key and stamp and the code the device holds; the code given. Each worker renders each page once per
# questionnaire and wording, with slots that no text can contain, and fills the slots in for each phone.
_SLOT = secrets.token_hex(8)
KEY_SLOT, STAMP_SLOT, CODE_SLOT, SPELLED_SLOT = (f"{name}{_SLOT}" for name in ("key", "stamp", "code", "spelled"))


def _kept_page(request, survey, variant, render_page, fill):
    """`render_page()`'s text, rendered once per worker for this survey's wording and `variant`, slots filled."""
    session = survey.session
    wording = (survey.token, survey.phase, session.title, session.date, session.programme_id, request.path)
    cache_key = "public-page:" + hashlib.sha256(repr((wording, variant)).encode()).hexdigest()
    page = caches["local"].get(cache_key)
    if page is None:
        page = render_page().content.decode()
        caches["local"].set(cache_key, page, timeout=None)
    for slot, value in fill.items():
        page = page.replace(slot, value)
    return HttpResponse(page)


def _empty_form_page(request, survey, *, code, kiosk):
    """The questionnaire, empty but for the code the device holds (the session's after; the programme's, before
    or after)."""

    def render_page():
        initial = {"submission_key": KEY_SLOT, "handed_out": STAMP_SLOT, "pairing_code": CODE_SLOT if code else ""}
        form = ResponseForm(survey=survey, initial=initial)
        return _form_page(request, survey, form, code_on_device=CODE_SLOT if code else "", kiosk=kiosk)

    key = uuid.uuid4()
    variant = ("form", kiosk, bool(code), threshold())
    return _kept_page(
        request, survey, variant, render_page, {KEY_SLOT: str(key), STAMP_SLOT: form_stamp(key), CODE_SLOT: code}
    )


def _thanks_page(request, survey, code, *, kiosk):
    """Thanks, with the code given: also spelled out ("K 7 M P 2 Q"), for a screen reader to read it character by
    character."""

    def render_page():
        context = {"survey": survey, "code": CODE_SLOT if code else "", "spelled": SPELLED_SLOT, "kiosk": kiosk}
        return render(request, "surveys/public/thanks.html", context)

    return _kept_page(
        request, survey, ("thanks", kiosk, bool(code)), render_page, {CODE_SLOT: code, SPELLED_SLOT: " ".join(code)}
    )


def _what_happened_next(request, survey):
    """The session's released figures, as its results.csv has them (the disclosure rule applied, no written answers,
    no names), and the projects shown to the people at its sessions (a projects inclusion tag). Kept by no browser
    or cache, and out of search engines."""
    response = render(
        request,
        "surveys/public/what_happened_next.html",
        {
            "survey": survey,
            "session": survey.session,
            "statements": pooling.session_figures(survey.session),
            "threshold": threshold(),
        },
    )
    patch_cache_control(response, no_store=True)
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _submit(request, survey, *, kiosk):
    _check_body_size(request)
    if limits.hit("surveys:submit", client_ip(request), settings.SURVEY_RATE_LIMIT):
        form = ResponseForm(request.POST, survey=survey)
        return _form_page(request, survey, form, kiosk=kiosk, rate_limited=True, status=429)
    form = ResponseForm(request.POST, survey=survey)
    unexpected = set(request.POST) - set(form.fields) - ALWAYS_ALLOWED_FIELDS
    if unexpected:
        raise BadRequest("Answers to statements this questionnaire does not ask.")
    if not form.is_valid():
        if form.has_error("submission_key"):
            raise BadRequest("A questionnaire form always carries its key.")
        return _form_page(request, survey, form, kiosk=kiosk)
    try:
        submitted = services.response_submit(
            survey=survey,
            submission_key=form.cleaned_data["submission_key"],
            answers=form.answers(),
            pairing_code=form.cleaned_data.get("pairing_code", ""),
            handed_out_at=form.handed_out_at(),
        )
    except services.SurveyNotOpen:
        return render(request, "surveys/public/not_open.html", {"survey": survey, "state": survey.state()})
    except ValidationError as error:
        for field, messages in error.update_error_dict({}).items():
            form.add_error(field if field in form.fields else None, messages)
        return _form_page(request, survey, form, kiosk=kiosk)
    code = submitted.response.pairing_code
    response = _thanks_page(request, survey, code, kiosk=kiosk)
    if code and not kiosk:
        cookies = []
        if survey.phase == Phase.PRE:
            cookies.append((pairing_cookie_name(survey.session_id), PAIRING_COOKIE_DAYS))
        if survey.session.programme_id:
            cookies.append((programme_cookie_name(survey.session.programme_id), PROGRAMME_COOKIE_DAYS))
        for name, days in cookies:
            response.set_cookie(
                name,
                code,
                max_age=days * 24 * 60 * 60,
                path="/s/",
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
    return response


def _check_body_size(request):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise BadRequest("Content-Length is not a number.") from None
    if length > MAX_BODY_BYTES:
        raise BadRequest("Too much data for a questionnaire.")


def _code_on_device(request, survey):
    """The pairing code this device got from the session's first questionnaire, if it looks like one."""
    return _cookie_code(request, pairing_cookie_name(survey.session_id))


def _cookie_code(request, name):
    code = request.COOKIES.get(name, "")
    if len(code) == 6 and all(char in PAIRING_ALPHABET for char in code):
        return code
    return ""


def _form_page(request, survey, form, *, kiosk, code_on_device="", rate_limited=False, status=200):
    context = {
        "kiosk": kiosk,
        "survey": survey,
        "session": survey.session,
        "form": form,
        "fields": form.statement_fields(),
        "code_on_device": code_on_device,
        "asks_code": "pairing_code" in form.fields,
        "rate_limited": rate_limited,
        "choices": SCALE_CHOICES,
        "scale_count": sum(1 for item in survey.asked if item.statement.is_scale),
        "threshold": threshold(),
    }
    return render(request, "surveys/public/answer.html", context, status=status)


# --- The short address: /q/<code>/, or the code typed into the box at /q/ ---

SHORT_CODE_EXAMPLE = "K7MP-2QXR"


@cache_control(private=True, no_cache=True, max_age=0)
@require_http_methods(["GET", "HEAD"])
def short_code_entry(request):
    """A box to type the code in (a GET form: nothing is stored, and it works without a session or cookie)."""
    typed = request.GET.get("code")
    if typed is None:
        return _short_code_page(request, "")
    return _open_by_short_code(request, typed)


@cache_control(private=True, no_cache=True, max_age=0)
@require_http_methods(["GET", "HEAD"])
def survey_short(request, code):
    return _open_by_short_code(request, code)


def _open_by_short_code(request, typed):
    """To the questionnaire; a wrong code is refused with one indexed query, and only so many from one address.

    Only wrong codes count against the limit, so a room on one Wi-Fi typing the right code is never held up.
    """
    typed = typed.strip()[:40]
    code = services.pairing_code_clean(typed)
    if not code:
        return _short_code_page(request, typed, error="Type the code shown on the screen or poster")
    if len(code) != SHORT_CODE_LENGTH or any(char not in PAIRING_ALPHABET for char in code):
        return _short_code_page(
            request,
            typed,
            error=f"Check the code: it has {SHORT_CODE_LENGTH} letters and numbers, without 0, O, 1, I or L, "
            f"for example {SHORT_CODE_EXAMPLE}",
        )
    if _wrong_codes_spent(request):
        return _short_code_page(request, typed, rate_limited=True, status=429)
    token = Survey.objects.filter(short_code=code).values_list("token", flat=True).first()
    if token is None:
        limits.hit("surveys:short-code", client_ip(request), settings.SURVEY_RATE_LIMIT)
        return _short_code_page(
            request,
            typed,
            error=f"There is no questionnaire with the code {typed}. Check it against the screen or poster",
            status=404,
        )
    return redirect("surveys:survey-answer", token=token)


def _wrong_codes_spent(request):
    """This address has sent as many wrong codes as the rate allows."""
    return limits.spent("surveys:short-code", client_ip(request), settings.SURVEY_RATE_LIMIT)


def _short_code_page(request, typed, *, error="", rate_limited=False, status=200):
    context = {
        "typed": typed,
        "error": error,
        "rate_limited": rate_limited,
        "example": SHORT_CODE_EXAMPLE,
        "length": SHORT_CODE_LENGTH,
    }
    return render(request, "surveys/public/short_code.html", context, status=status)
