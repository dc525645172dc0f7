"""Programmes, their attendance grid and CPD certificates for the people who completed them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from coprod.permissions import Need, can, writable_partnerships
from coprod.services import save_once
from workshops import selectors
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


@login_required
def certificate(request, pk, attendee_pk):
    """A completer's printable CPD certificate; nobody else has one, so any other id is a 404."""
    programme = get_programme_for_user(request, pk)
    certificates = selectors.programme_certificates(programme=programme, attendee_pk=attendee_pk)
    if not certificates:
        raise Http404("No such certificate.")
    return render(request, "workshops/certificate.html", {"programme": programme, "certificate": certificates[0]})


@login_required
def certificates_all(request, pk):
    """Every completer's certificate on one page, one per printed A4 sheet."""
    programme = get_programme_for_user(request, pk)
    return render(
        request,
        "workshops/certificate_all.html",
        {"programme": programme, "certificates": selectors.programme_certificates(programme=programme)},
    )
