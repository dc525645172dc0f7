from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from coprod.models import Membership, Role, SubmissionKey


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


@transaction.atomic
def membership_add(*, partnership, email, first_name, last_name, role, request=None):
    """Add the user with this email to the partnership, creating and inviting them if they are new."""
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is None:
        user = user_create(
            email=email, first_name=first_name, last_name=last_name, request=request, partnership=partnership
        )
    if Membership.objects.filter(user=user, partnership=partnership).exists():
        raise ValidationError(f"{user} is already a member of {partnership}.")
    return Membership.objects.create(user=user, partnership=partnership, role=role)


@transaction.atomic
def membership_change_role(*, membership, role):
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == Role.LEAD and role != Role.LEAD and not _leads_left_after(membership):
        raise ValidationError("A partnership needs at least one lead: appoint another lead first.")
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, membership):
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
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
