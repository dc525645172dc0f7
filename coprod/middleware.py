import logging
import re
import time
import uuid

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db.models import Sum
from django.http import HttpResponseNotAllowed
from django.shortcuts import render
from django.utils.cache import patch_cache_control

from coprod.log import request_id, scrub

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"
SESSION_STARTED = "coprod_session_started"
SESSION_SEEN = "coprod_session_seen"
SESSION_ABSOLUTE_LIFETIME = 12 * 60 * 60  # seconds
SESSION_RENEW_EVERY = 5 * 60  # seconds
# A proxy's request id is kept only if it is short and plain: it goes into every log line and the audit trail.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

logger = logging.getLogger("coprod.requests")


def request_log(get_response):
    """One line per request: id, method, path (never the query string), status and duration.

    Query strings, bodies, names, emails, answers and pairing codes stay out of the log. The public survey path
    holds its token (or short code), so it is logged as /s/…/ (or /q/…/). The id is the proxy's X-Request-ID if
    it looks like one, a new one otherwise.
    """

    def middleware(request):
        incoming = request.headers.get("X-Request-ID", "") if settings.TRUST_REQUEST_ID else ""
        request_id.set(incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex)
        started = time.monotonic()
        response = get_response(request)  # never raises: Django turns exceptions into responses
        path = scrub(request.path)
        logger.info("%s %s %s %.0fms", request.method, path, response.status_code, (time.monotonic() - started) * 1000)
        response.headers["X-Request-ID"] = request_id.get()
        # Django logs a 4xx or 5xx ("Not Found: /x") after the middleware returns: keep the id until the response
        # is closed, as Django's own handler does with request.close.
        response._resource_closers.append(lambda: request_id.set("-"))
        return response

    return middleware


def client_ip(request):
    """The client's address: from the proxy's header when CLIENT_IP_META_KEY names one."""
    return request.META.get(settings.CLIENT_IP_META_KEY) or request.META.get("REMOTE_ADDR", "")


def login_username(request, credentials):
    """The username django-axes records for a login attempt, cut to its column's length.

    Junk (a megabyte-long "username") must be counted as a failed guess, not raise a database error.
    """
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(username)[:150]


class LoginThrottle(AxesDatabaseHandler):
    """django-axes' database handler, which locks a username from an address, plus a lock on the whole address.

    Axes compares one failure limit (AXES_FAILURE_LIMIT) with every parameter set, so the pair and the address
    cannot have different figures through its settings alone. Past LOGIN_ADDRESS_FAILURE_LIMIT failures across
    usernames within the cool-off, an address counts as locked for every username: axes then refuses even the
    right password, answers with its lockout page and sends user_locked_out, as it does for a locked pair.
    """

    def get_failures(self, request, credentials=None):
        failures = super().get_failures(request, credentials)
        from_address = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(total=Sum("failures_since_start"))["total"]
        if (from_address or 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures


def permissions_policy(get_response):
    """CoProd uses no camera, microphone, location or payment: say so to the browser on every response."""

    def middleware(request):
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response

    return middleware


def private_no_store(get_response):
    """What a signed-in person is shown is theirs: nothing of it stays in a shared PC's cache or behind Back.

    Every response to a signed-in request (pages, exports, redirects) gets `Cache-Control: private, no-store`.
    """

    def middleware(request):
        response = get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response

    return middleware


def method_not_allowed_page(get_response):
    """Django answers a wrong method (a link or bookmark to a form's address) with an empty 405: give it a page."""

    def middleware(request):
        response = get_response(request)
        if isinstance(response, HttpResponseNotAllowed):
            page = render(request, "405.html", status=405)
            page.headers["Allow"] = response.headers["Allow"]
            return page
        return response

    return middleware


def session_lifetime(get_response):
    """Sign users out after 30 idle minutes, and 12 hours after they signed in however active.

    The idle clock is Django's session expiry (SESSION_COOKIE_AGE), renewed by saving the session at most
    every few minutes rather than on every request.
    """

    def middleware(request):
        if request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(SESSION_STARTED, 0) > SESSION_ABSOLUTE_LIFETIME:
                logout(request)
                return redirect_to_login(request.get_full_path())
            if now - request.session.get(SESSION_SEEN, 0) > SESSION_RENEW_EVERY:
                request.session[SESSION_SEEN] = now
        return get_response(request)

    return middleware


def stamp_session(sender, request, user, **kwargs):
    """On login (a user_logged_in receiver): start the session's clocks."""
    request.session[SESSION_STARTED] = request.session[SESSION_SEEN] = int(time.time())
