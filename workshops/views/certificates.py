"""The certificate's two public pages: the participant's reflective note, and the check of a number.

Neither needs an account. The note page is reached only through the private link emailed to the participant and
shows nothing of theirs but the programme's title; the check shows only what the printed certificate says anyway.
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_safe

from coprod import limits
from coprod.middleware import client_ip
from workshops import selectors, services
from workshops.forms import CertificateNoteForm
from workshops.models import CERTIFICATE_ALPHABET, CERTIFICATE_NUMBER_LENGTH, Certificate, hash_note_key

CHECK_LIMIT_GROUP = "workshops:certificate-check"
NUMBER_EXAMPLE = "K7MP-2QXR"


# --- The reflective note: /certificates/note/?key=... ---
# The key travels in the query string, never in the path: request logs hold paths only, so the key never reaches them.


@cache_control(private=True, no_store=True)
@require_http_methods(["GET", "HEAD", "POST"])
def certificate_note(request):
    """The form while the link is fresh; a kind word once it is spent (the note saved), expired or unknown."""
    key = (request.POST.get("key") if request.method == "POST" else request.GET.get("key")) or ""
    certificate = None
    if key:
        certificate = Certificate.objects.select_related("programme").filter(note_key_hash=hash_note_key(key)).first()
    if certificate is None:
        return _note_page(request, "unknown", status=404)
    if certificate.note_written_at is not None:
        return _note_page(request, "saved", programme=certificate.programme)
    if certificate.note_link_expires_at <= timezone.now():
        return _note_page(request, "expired", programme=certificate.programme, status=410)

    form = CertificateNoteForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        # Stored, or spent a moment ago by a second submit: either way the page now says the note is saved.
        services.certificate_note_write(certificate=certificate, note=form.cleaned_data["note"])
        return redirect(f"{reverse('workshops:certificate-note')}?{urlencode({'key': key})}")
    return _note_page(request, "form", programme=certificate.programme, form=form, key=key)


def _note_page(request, state, *, status=200, **context):
    return render(request, "workshops/certificate_note.html", {"state": state, **context}, status=status)


# --- The check: /certificates/check/?number=... ---


@cache_control(private=True, no_store=True)
@require_safe
def certificate_check(request):
    """A box for the number (a GET form, like the questionnaire's short code), then what the certificate says.

    Only wrong numbers count against the limit, as for the short code: numbers are drawn at random, so a few
    hundred guesses from one address find nobody.
    """
    typed = (request.GET.get("number") or "").strip()[:40]
    if not typed:
        return _check_page(request, typed)
    number = "".join(typed.split()).replace("-", "").upper()
    if len(number) != CERTIFICATE_NUMBER_LENGTH or any(char not in CERTIFICATE_ALPHABET for char in number):
        return _check_page(
            request,
            typed,
            error=f"Check the number: it has {CERTIFICATE_NUMBER_LENGTH} letters and numbers, without 0, O, 1, I "
            f"or L, for example {NUMBER_EXAMPLE}",
        )
    if limits.spent(CHECK_LIMIT_GROUP, client_ip(request), settings.SURVEY_RATE_LIMIT):
        return _check_page(request, typed, rate_limited=True, status=429)
    certificate = selectors.certificate_for_check(number=number)
    if certificate is None:
        limits.hit(CHECK_LIMIT_GROUP, client_ip(request), settings.SURVEY_RATE_LIMIT)
        return _check_page(
            request,
            typed,
            error=f"There is no certificate with the number {typed}. Check it against the certificate",
            status=404,
        )
    return _check_page(request, typed, certificate=certificate)


def _check_page(request, typed, *, certificate=None, error="", rate_limited=False, status=200):
    context = {
        "typed": typed,
        "certificate": certificate,
        "error": error,
        "rate_limited": rate_limited,
        "example": NUMBER_EXAMPLE,
        "length": CERTIFICATE_NUMBER_LENGTH,
    }
    response = render(request, "workshops/certificate_check.html", context, status=status)
    response.headers["X-Robots-Tag"] = "noindex"  # a holder's name is nobody's search result
    return response
