import logging
import secrets
from base64 import b32encode
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from coprod.models import (
    Invitation,
    Membership,
    Partnership,
    RecoveryCode,
    RecoveryCodes,
    Role,
    SubmissionKey,
    code_normalise,
)

security_log = logging.getLogger("coprod.security")


def save_once(*, request, key, save):
    """Run `save()` once per form key and redirect to what it made.

    A repeat of the same key (double click, refresh-resubmit, back-and-submit) is sent to the first
    submit's result. The unique key, inserted in the same transaction as the writes, is the guard.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = SubmissionKey.objects.create(key=key, user=request.user, redirect_url="")
        except IntegrityError:
            previous = SubmissionKey.objects.filter(key=key, user=request.user).first()
            return redirect(previous.redirect_url if previous and previous.redirect_url else "home")
        result = save()
        record.redirect_url = result.get_absolute_url()
        record.save(update_fields=["redirect_url"])
    return redirect(record.redirect_url)


def _lock_for_lead_change(membership):
    """The membership, locked, after its partnership's row: two changes to one partnership's leads take turns, so
    two leads stepping down at the same moment cannot both see the other one still there."""
    Partnership.objects.select_for_update().filter(pk=membership.partnership_id).exists()
    locked = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if locked is None:
        raise ValidationError("This person was taken out of the partnership meanwhile.")
    return locked


def _leads_left_after(membership):
    others = Membership.objects.filter(partnership=membership.partnership, role=Role.LEAD).exclude(pk=membership.pk)
    return others.exists()


@transaction.atomic
def user_create(*, email, first_name, last_name, is_alliance_staff=False, request=None, partnership=None):
    """A new user who chooses their own password through an emailed single-use link."""
    user = get_user_model()(
        username=email, email=email, first_name=first_name, last_name=last_name, is_alliance_staff=is_alliance_staff
    )
    user.set_unusable_password()
    user.save()
    if request is not None:
        transaction.on_commit(lambda: user_invite(user=user, partnership=partnership, request=request))
    return user


@dataclass(frozen=True)
class Added:
    membership: object = None  # a new account, added at once (its owner sets a password through the email)
    invitation: object = None  # an existing account, invited: a member once its owner accepts


@transaction.atomic
def membership_add(*, partnership, email, first_name, last_name, role, request=None, invited_by=None):
    """A new account is made, added and emailed a link to set its password. An existing account is never added
    without its owner's say: it gets an invitation, by email and on its home page, that it accepts or declines."""
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is None:
        user = user_create(
            email=email, first_name=first_name, last_name=last_name, request=request, partnership=partnership
        )
        return Added(membership=Membership.objects.create(user=user, partnership=partnership, role=role))
    if Membership.objects.filter(user=user, partnership=partnership).exists():
        raise ValidationError(f"{email} is already a member of {partnership}.")
    invitation, created = Invitation.objects.get_or_create(
        user=user, partnership=partnership, defaults={"role": role, "invited_by": invited_by}
    )
    if not created and invitation.role != role:
        invitation.role = role
        invitation.save(update_fields=["role"])
    if request is not None:
        transaction.on_commit(lambda: invitation_send(invitation=invitation, request=request))
    return Added(invitation=invitation)


def invitation_send(*, invitation, request):
    context = {"invitation": invitation, "url": request.build_absolute_uri(invitation.get_absolute_url())}
    send_mail(
        f"You are invited to join {invitation.partnership} on CoProd",
        render_to_string("registration/invitation_email.txt", context),
        None,
        [invitation.user.email],
    )


@transaction.atomic
def invitation_answer(*, invitation, accept):
    """Accepted: a member with the role offered (kept as it is if a member already). Declined: gone, nothing kept."""
    invitation = Invitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if invitation is None:
        raise ValidationError("This invitation has been answered already.")
    membership = None
    if accept:
        membership, _ = Membership.objects.get_or_create(
            user=invitation.user, partnership=invitation.partnership, defaults={"role": invitation.role}
        )
    invitation.delete()
    return membership


@transaction.atomic
def membership_change_role(*, membership, role):
    membership = _lock_for_lead_change(membership)
    if membership.role == Role.LEAD and role != Role.LEAD and not _leads_left_after(membership):
        raise ValidationError("A partnership needs at least one lead: appoint another lead first.")
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, membership):
    membership = _lock_for_lead_change(membership)
    if membership.role == Role.LEAD and not _leads_left_after(membership):
        raise ValidationError("A partnership needs at least one lead: appoint another lead first.")
    membership.delete()


def user_invite(*, user, partnership, request):
    """Email a new member a link to choose their password: single use, expires after PASSWORD_RESET_TIMEOUT."""
    context = {
        "user": user,
        "partnership": partnership,
        "protocol": "https" if request.is_secure() else "http",
        "domain": request.get_host(),
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
    }
    subject = f"You have been added to {partnership} on CoProd" if partnership else "Your CoProd account"
    send_mail(subject, render_to_string("registration/invite_email.txt", context), None, [user.email])


# Two-factor authentication: an authenticator app (django-otp's TOTP device) and recovery codes (a device of our
# own, each code single-use and stored hashed). A code of six digits is an authenticator's; anything else a
# recovery code.
RECOVERY_CODE_COUNT = 10


class TwoFactorThrottled(Exception):
    """Too many wrong codes in a row: django-otp makes the device wait longer after each one."""


def authenticator_pending(*, user):
    """The authenticator the user is setting up (made on first call): its secret works once a code confirms it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@transaction.atomic
def authenticator_confirm(*, user, code):
    """Confirm the pending authenticator with a code from it, replacing any earlier one.

    Returns the new recovery codes (to show once), or None when the code is wrong or nothing is pending.
    """
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
    if device is None or not device.verify_token(code_normalise(code)):
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    security_log.info("two-factor authenticator set up user=%s", user.pk)
    return recovery_codes_replace(user=user)


@transaction.atomic
def recovery_codes_replace(*, user, codes=None):
    """New recovery codes for the user (random unless given, as the demo's are); the old ones stop working.

    Returns the codes, to show once.
    """
    RecoveryCodes.objects.filter(user=user).delete()
    device = RecoveryCodes.objects.create(user=user, name="Recovery codes")
    codes = codes or _recovery_codes_random()
    RecoveryCode.objects.bulk_create(RecoveryCode.of(device, code) for code in codes)
    return codes


def _recovery_codes_random():
    """Ten codes of twelve base32 characters, as abcd-efgh-jkmn, whose last four (their locators) all differ."""
    by_locator = {}
    while len(by_locator) < RECOVERY_CODE_COUNT:
        code = b32encode(secrets.token_bytes(10)).decode().lower()[:12]
        by_locator.setdefault(code[-RecoveryCode.LOCATOR_LENGTH :], code)
    return [f"{code[:4]}-{code[4:8]}-{code[8:]}" for code in by_locator.values()]


def two_factor_check(*, user, code):
    """The device that accepts the code (a recovery code is used up), or None. Raises TwoFactorThrottled."""
    code = code_normalise(code)
    model = TOTPDevice if code.isdigit() and len(code) == 6 else RecoveryCodes
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            return None
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            raise TwoFactorThrottled
        if not device.verify_token(code):
            security_log.warning("two-factor code refused user=%s", user.pk)
            return None
    return device


@transaction.atomic
def two_factor_remove(*, user, by):
    """Remove the user's authenticator and recovery codes: by themselves (where not required) or by ALLIANCE staff
    for someone who lost their phone, who then sets up a new one at their next login."""
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCodes.objects.filter(user=user).delete()
    security_log.info("two-factor removed user=%s by=%s", user.pk, by.pk)
