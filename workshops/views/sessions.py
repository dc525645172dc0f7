"""Sessions: list, create, edit, cancel, and the session page with its register."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from coprod.models import Partnership
from coprod.permissions import Need, can, writable_partnerships
from coprod.services import save_once
from workshops import selectors, services
from workshops.forms import AttendeeAddForm, SessionCreateForm, SessionFilterForm, SessionForm, SessionPartnershipForm
from workshops.models import SessionStatus
from workshops.permissions import get_session_for_user

PAGE_SIZE = 25
REGISTER_PAGE_SIZE = 100


@login_required
def session_list(request):
    partnerships = list(Partnership.objects.visible_to(request.user).order_by("name"))
    filters = SessionFilterForm(request.GET, partnerships=partnerships)
    now = timezone.localtime()
    sessions = selectors.sessions_for_list(user=request.user, today=now.date(), now=now.time())
    if filters.is_valid():
        data = filters.cleaned_data
        if data["when"]:
            sessions = sessions.filter(is_past=data["when"] == "past")
        for name in ("partnership", "kind", "locality", "programme", "status"):
            if data.get(name):
                sessions = sessions.filter(**{name: data[name]})
        if data["date_from"]:
            sessions = sessions.filter(date__gte=data["date_from"])
        if data["date_to"]:
            sessions = sessions.filter(date__lte=data["date_to"])
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workshops/session_list.html",
        {
            "filters": filters,
            "page": page,
            "sessions": list(page),
            "several_partnerships": len(partnerships) > 1,
            "can_create": writable_partnerships(request.user).exists(),
        },
    )


@login_required
def session_create(request):
    partnerships = writable_partnerships(request.user)
    choices = list(partnerships)
    if not choices:
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    chooser = SessionPartnershipForm(data if "partnership" in data else None, partnerships=partnerships)
    if chooser.is_valid():
        partnership = chooser.cleaned_data["partnership"]
    elif len(choices) == 1:
        partnership = choices[0]
    else:
        return render(request, "workshops/session_partnership.html", {"form": chooser})

    form = SessionCreateForm(request.POST or None, partnership=partnership)
    if form.is_valid():

        def save():
            session = services.session_create(
                partnership=partnership,
                created_by=request.user,
                **form.session_fields(),
            )
            messages.success(request, "Session saved. Now add the people on its register.")
            return session

        try:
            return save_once(request=request, key=form.cleaned_data["submission_key"], save=save)
        except ValidationError as error:
            form.add_error(None, error)
    return render(
        request,
        "workshops/session_form.html",
        {
            "form": form,
            "partnership": partnership,
            "can_choose_partnership": len(choices) > 1,
            "title": "New session",
            "submit_label": "Save session",
            "cancel_url": reverse("workshops:session-list"),
        },
    )


def session_page(request, session, *, add_form=None):
    """The session page: details, the register, the room's mix and, for writers, the add form."""
    can_write = can(request.user, session.partnership, Need.WRITE)
    is_open = session.status != SessionStatus.CANCELLED
    register = Paginator(selectors.session_register(session=session), REGISTER_PAGE_SIZE)
    page = register.get_page(request.GET.get("page"))
    mix = selectors.session_mix(session=session)
    if add_form is None and can_write and is_open:
        add_form = AttendeeAddForm(
            partnership=session.partnership,
            organisations=selectors.organisations_for_attendees(partnership=session.partnership),
        )
    return render(
        request,
        "workshops/session_detail.html",
        {
            "session": session,
            "facilitators": list(session.facilitators.all()),
            "facilitating_organisations": list(session.facilitating_organisations.all()),
            "page": page,
            "attendances": list(page),
            "mix": mix,
            "registered_total": sum(row["registered"] for row in mix["sectors"]),
            "attended_total": sum(row["attended"] for row in mix["sectors"]),
            "can_write": can_write,
            "can_manage": can(request.user, session.partnership, Need.MANAGE),
            "is_open": is_open,
            "add_form": add_form,
        },
    )


@login_required
def session_detail(request, pk):
    return session_page(request, get_session_for_user(request, pk))


@login_required
def session_edit(request, pk):
    session = get_session_for_user(request, pk, Need.WRITE)
    title = f"Edit {session.title}"  # before the form writes what was typed onto the instance
    form = SessionForm(request.POST or None, instance=session, partnership=session.partnership)
    if form.is_valid():
        try:
            services.session_update(session=session, **form.session_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Session saved.")
            return redirect(session)
    return render(
        request,
        "workshops/session_form.html",
        {
            "form": form,
            "partnership": session.partnership,
            "session": session,
            "title": title,
            "submit_label": "Save changes",
            "cancel_url": session.get_absolute_url(),
        },
    )


@login_required
def session_cancel(request, pk):
    session = get_session_for_user(request, pk, Need.WRITE)
    if request.method == "POST":
        try:
            services.session_cancel(session=session)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, "Session cancelled. Its register is kept and closed to changes.")
        return redirect(session)
    return render(request, "workshops/session_cancel.html", {"session": session})
