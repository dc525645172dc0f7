"""Logging in with a second factor, and managing it.

A password alone logs in only people who need no second factor. Anyone else is not logged in after the
password: the session holds a pending login (who, for a few minutes) until a code from their authenticator
app or a recovery code completes it, or, for someone required to use two-factor authentication who has
not set it up, until they set up an authenticator. Only then does Django's login run, and django-otp marks the
session as verified (request.user.is_verified()). A session that lacks the second factor it now needs (someone
made a lead while logged in with a password alone) gives it through the same two steps (coprod.two_factor).
"""

import time
from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from coprod import services
from coprod.forms import AuthenticatorConfirmForm, TwoFactorCodeForm, TwoFactorRemoveForm
from coprod.models import RecoveryCode, RecoveryCodes
from coprod.permissions import require_alliance_staff, two_factor_required

PENDING = "coprod_two_factor_pending"
PENDING_SECONDS = 10 * 60


class LoginView(auth_views.LoginView):
    """Django's login (password, throttled by django-axes), then the second step where one is due."""

    def form_valid(self, form):
        user = form.get_user()
        has_device = user_has_device(user)
        if not has_device and not two_factor_required(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "at": int(time.time()),
            "next": self.get_success_url(),
        }
        return redirect("login-code" if has_device else "two-factor-setup")


def _pending_user(request):
    pending = request.session.get(PENDING)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    return get_user_model().objects.filter(pk=pending["user"], is_active=True).first()


def _verified(request, user, device, default):
    """Complete the pending login, or verify the logged-in session, with the device that accepted a code.

    Returns where they were going: the pending login's destination, or the ?next= the step was sent with.
    """
    if request.user.is_authenticated:
        request.session.cycle_key()  # the session gains rights: give it a new id, as a login does
        target = request.GET.get("next", "")
    else:
        pending = request.session.pop(PENDING)
        auth_login(request, user, backend=pending["backend"])
        target = pending["next"]
    otp_login(request, device)
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure())
    return target if safe else reverse(default)


@never_cache
@sensitive_post_parameters("code")
def login_code(request):
    if request.user.is_verified() or (request.user.is_authenticated and not user_has_device(request.user)):
        return redirect("home")
    user = request.user if request.user.is_authenticated else _pending_user(request)
    if user is None:
        messages.info(request, "Your login has timed out: please log in again.")
        return redirect("login")
    form = TwoFactorCodeForm(request.POST or None)
    if form.is_valid():
        try:
            device = services.two_factor_check(user=user, code=form.cleaned_data["code"])
        except services.TwoFactorThrottled:
            form.add_error("code", "Too many wrong codes in a row. Wait a minute, then try again.")
        else:
            if device is None:
                form.add_error("code", "That code is not right, or has been used. Check it and try again.")
            else:
                target = _verified(request, user, device, default="home")
                if isinstance(device, RecoveryCodes):
                    left = RecoveryCode.objects.filter(device__user=user).count()
                    messages.warning(
                        request,
                        f"You logged in with a recovery code: {left} left. "
                        "New ones are under Two-factor authentication.",
                    )
                return redirect(target)
    return render(request, "registration/login_code.html", {"form": form})


@never_cache
@sensitive_post_parameters("code")
def two_factor_setup(request):
    """Set up an authenticator app: for a login or session that must have one, or for a user who wants one."""
    user = request.user if request.user.is_authenticated else _pending_user(request)
    if user is None:
        return redirect_to_login(reverse("two-factor"))
    if user_has_device(user) and not request.user.is_verified():
        # A password alone never adds a device to an account that has one.
        return redirect("login-code")
    form = AuthenticatorConfirmForm(request.POST or None)
    if form.is_valid():
        codes = services.authenticator_confirm(user=user, code=form.cleaned_data["code"])
        if codes is not None:
            device = TOTPDevice.objects.get(user=user, confirmed=True)
            target = _verified(request, user, device, default="two-factor")
            return render(request, "registration/two_factor_codes.html", {"codes": codes, "continue_url": target})
        if request.user.is_authenticated and not TOTPDevice.objects.filter(user=user, confirmed=False):
            messages.info(request, "Your authenticator app is already set up.")  # a second click of the button
            return redirect("two-factor")
        form.add_error("code", "That code is not right. Check the app shows CoProd, and enter the code it shows now.")
    device = services.authenticator_pending(user=user)
    qr = segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=4)
    return render(
        request,
        "registration/two_factor_setup.html",
        {"form": form, "qr": qr, "key": _grouped(device), "pending_login": not request.user.is_authenticated},
    )


def _grouped(device):
    """The secret as people type it into an app: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@never_cache
def two_factor(request, remove_form=None):
    user = request.user
    return render(
        request,
        "registration/two_factor.html",
        {
            "enabled": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "required": two_factor_required(user),
            "codes_left": RecoveryCode.objects.filter(device__user=user).count(),
            "remove_form": remove_form or TwoFactorRemoveForm(user=user),
        },
    )


@login_required
@require_POST
@never_cache
def recovery_codes_new(request):
    if not request.user.is_verified():  # new codes are a second factor: only for a session that gave one
        raise PermissionDenied
    codes = services.recovery_codes_replace(user=request.user)
    if isinstance(request.user.otp_device, RecoveryCodes):  # logged in with an old code: its device is gone
        otp_login(request, RecoveryCodes.objects.get(user=request.user))
    return render(
        request, "registration/two_factor_codes.html", {"codes": codes, "continue_url": reverse("two-factor")}
    )


@login_required
@require_POST
@sensitive_post_parameters("password")
def two_factor_remove(request):
    user = request.user
    if two_factor_required(user):
        raise PermissionDenied
    form = TwoFactorRemoveForm(request.POST, user=user)
    if not form.is_valid():
        return two_factor(request, remove_form=form)
    services.two_factor_remove(user=user, by=user)
    messages.success(request, "Two-factor authentication is off: you log in with your password alone.")
    return redirect("two-factor")


@login_required
@require_POST
def user_two_factor_reset(request, pk):
    """ALLIANCE staff, for someone who lost their phone and their recovery codes."""
    require_alliance_staff(request.user)
    user = get_object_or_404(get_user_model(), pk=pk)
    services.two_factor_remove(user=user, by=request.user)
    messages.success(request, f"Two-factor authentication reset for {user}: they set it up again at their next login.")
    return redirect("user-edit", pk=user.pk)


def admin_login(request):
    """The admin logs in through CoProd's own login, second factor included."""
    return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
