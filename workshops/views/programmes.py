"""Programmes, their attendance grid and CPD certificates for the people who completed them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coprod.permissions import Need, can, writable_partnerships
from coprod.services import save_once
from workshops import selectors, services
from workshops.forms import ProgrammeCreateForm, ProgrammeForm
from workshops.permissions import get_programme_for_user

PAGE_SIZE = 25


@login_required
def programme_list(request):
    programmes = selectors.programmes_for_list(user=request.user)
    page = Paginator(programmes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workshops/programme_list.html",
        {
            "page": page,
            "programmes": list(page),
            "can_create": writable_partnerships(request.user).exists(),
        },
    )


@login_required
def programme_create(request):
    # Leads and facilitators, as for sessions: ALLIANCE staff only where they hold one of those roles.
    partnerships = writable_partnerships(request.user)
    if not partnerships.exists():
        raise PermissionDenied
    initial = {"partnership": partnerships.first()} if partnerships.count() == 1 else {}
    form = ProgrammeCreateForm(request.POST or None, partnerships=partnerships, initial=initial)
    if form.is_valid():
        messages.success(request, "Programme created. Add its sessions from the session form, choosing this programme.")
        return save_once(request=request, key=form.cleaned_data["submission_key"], save=form.save)
    return render(
        request,
        "workshops/programme_form.html",
        {"form": form, "title": "New programme", "cancel_url": reverse("workshops:programme-list")},
    )


@login_required
def programme_detail(request, pk):
    programme = get_programme_for_user(request, pk)
    return render(
        request,
        "workshops/programme_detail.html",
        {
            "programme": programme,
            "grid": selectors.programme_grid(programme=programme),
            "can_write": can(request.user, programme.partnership, Need.WRITE),
            "can_send": can(request.user, programme.partnership, Need.MANAGE),
            "note_link_days": services.note_link_days(),
        },
    )


@login_required
def programme_edit(request, pk):
    programme = get_programme_for_user(request, pk, Need.WRITE)
    partnerships = writable_partnerships(request.user)
    form = ProgrammeForm(request.POST or None, instance=programme, partnerships=partnerships)
    if form.is_valid():
        form.save()
        messages.success(request, "Programme saved.")
        return redirect(programme)
    return render(
        request,
        "workshops/programme_form.html",
        {
            "form": form,
            "title": f"Edit {programme}",
            "programme": programme,
            "cancel_url": programme.get_absolute_url(),
        },
    )


def _issued(request, programme, completions):
    """Attach each completer's certificate row. A lead's page issues those not issued yet: what a lead prints
    carries a number anyone can check. Others see the numbers already issued."""
    if can(request.user, programme.partnership, Need.MANAGE):
        issued = services.certificates_issue(programme=programme, attendees=[c.attendee for c in completions])
    else:
        attendee_ids = [completion.attendee.pk for completion in completions]
        issued = selectors.issued_certificates(programme=programme, attendee_ids=attendee_ids)
    for completion in completions:
        completion.issued = issued.get(completion.attendee.pk)
    return completions


def _certificate_context(request, programme, certificates):
    return {
        "programme": programme,
        "certificates": _issued(request, programme, certificates),
        "check_url": request.build_absolute_uri(reverse("workshops:certificate-check")),
    }


@login_required
def certificate(request, pk, attendee_pk):
    """A completer's printable CPD certificate; nobody else has one, so any other id is a 404."""
    programme = get_programme_for_user(request, pk)
    certificates = selectors.programme_certificates(programme=programme, attendee_pk=attendee_pk)
    if not certificates:
        raise Http404("No such certificate.")
    context = _certificate_context(request, programme, certificates)
    return render(request, "workshops/certificate.html", context | {"certificate": certificates[0]})


@login_required
def certificates_all(request, pk):
    """Every completer's certificate on one page, one per printed A4 sheet."""
    programme = get_programme_for_user(request, pk)
    certificates = selectors.programme_certificates(programme=programme)
    return render(request, "workshops/certificate_all.html", _certificate_context(request, programme, certificates))


@login_required
@require_POST
def certificates_send(request, pk):
    """Email each completer their certificate's number and a link to write their note: once per person."""
    programme = get_programme_for_user(request, pk, Need.MANAGE)
    try:
        result = services.certificates_send(
            programme=programme, user=request.user, absolute_url=request.build_absolute_uri
        )
    except services.CertificateEmailsFailed:
        messages.error(request, "The email server did not take the emails, so none were sent. Try again later.")
        return redirect(programme)
    if result.sent:
        sent = f"Sent {result.sent} certificate email{'s' if result.sent != 1 else ''}."
    else:
        sent = "No emails sent: everyone who completed and has an email on the register has been sent theirs."
    if result.no_email:
        people = "person who completed has" if result.no_email == 1 else "people who completed have"
        sent += f" {result.no_email} {people} no email on the register: print their certificates instead."
    messages.success(request, sent)
    return redirect(programme)
