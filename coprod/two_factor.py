"""Every request of someone who must use two-factor authentication carries a session that passed it.

The login asks for the second factor (coprod.account_views), but rights can grow during a session: a
facilitator logged in with a password alone may be made a lead, ALLIANCE staff or an administrator. Their next
request goes to the code step (or to setting up an authenticator, if they have none) before anything else.
django-otp's OTPMiddleware, earlier in MIDDLEWARE, provides request.user.is_verified().
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django_otp import user_has_device

from coprod.permissions import two_factor_required

PUBLIC_PREFIXES = ("/s/", "/q/", settings.STATIC_URL)  # attendees' questionnaires and short codes, static files


def require_verified(get_response):
    def middleware(request):
        user = request.user
        if user.is_authenticated and not user.is_verified() and not _open(request.path) and two_factor_required(user):
            step = "login-code" if user_has_device(user) else "two-factor-setup"
            return redirect_to_login(request.get_full_path(), reverse(step))
        return get_response(request)

    return middleware


def _open(path):
    """The pages that give the second factor, logging in or out, and the public ones."""
    steps = {reverse("login"), reverse("login-code"), reverse("two-factor-setup"), reverse("logout")}
    return path in steps or path.startswith(PUBLIC_PREFIXES)
