"""The register (add, mark, remove, bulk) and the partnership's attendee records (edit, merge, erase)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coprod.models import Partnership, Sector
from coprod.permissions import Need, can
from coprod.services import save_once
from workshops import selectors, services
from workshops.forms import (
    AttendanceMarkForm,
    AttendeeAddForm,
    AttendeeFilterForm,
    AttendeeForm,
    AttendeeMergeForm,
    BulkRegisterForm,
    BulkRegisterSaveForm,
)
from workshops.models import Attendance, AttendanceStatus, AttendeeRole, SessionStatus
from workshops.permissions import get_attendee_for_user, get_session_for_user
from workshops.views.sessions import session_page

PAGE_SIZE = 50
BULK_PREVIEW_ROWS = 100


def _register_url(session, *, page=None, anchor="register"):
    query = f"?page={page}" if page and page > 1 else ""
    return f"{session.get_absolute_url()}{query}#{anchor}"


@login_required
@require_POST
def attendee_add(request, pk):
    session = get_session_for_user(request, pk, Need.WRITE)
    form = AttendeeAddForm(
        request.POST,
        partnership=session.partnership,
        organisations=selectors.organisations_for_attendees(partnership=session.partnership),
    )
    if form.is_valid():
        try:
            attendance = services.attendance_add(session=session, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{attendance.attendee.name} added to the register.")
            return redirect(_register_url(session, anchor="add-attendee"))
    return session_page(request, session, add_form=form)


def _get_attendance(request, pk, attendance_pk):
    session = get_session_for_user(request, pk, Need.WRITE)
    attendance = get_object_or_404(Attendance.objects.select_related("attendee"), pk=attendance_pk, session=session)
    attendance.session = session
    return attendance


@login_required
@require_POST
def attendance_mark(request, pk, attendance_pk):
    attendance = _get_attendance(request, pk, attendance_pk)
    form = AttendanceMarkForm(request.POST)
    page = None
    if not form.is_valid():
        messages.error(request, "Choose attended or did not attend.")
    else:
        page = form.cleaned_data["page"]
        try:
            services.attendance_mark(attendance=attendance, status=form.cleaned_data["status"])
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            label = AttendanceStatus(attendance.status).label.lower()
            messages.success(request, f"{attendance.attendee.name}: {label}.")
    return redirect(_register_url(attendance.session, page=page, anchor=f"attendance-{attendance.pk}"))


@login_required
@require_POST
def attendance_remove(request, pk, attendance_pk):
    attendance = _get_attendance(request, pk, attendance_pk)
    try:
        services.attendance_remove(attendance=attendance)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"{attendance.attendee.name} removed from the register.")
    return redirect(_register_url(attendance.session))


def _bulk_context(session, **context):
    return {
        "session": session,
        "columns": services.BULK_COLUMNS,
        "sectors": Sector.choices,
        "roles": AttendeeRole.choices,
        "max_rows": services.BULK_MAX_ROWS,
        "preview_rows": BULK_PREVIEW_ROWS,
        "is_open": session.status != SessionStatus.CANCELLED,
        **context,
    }


@login_required
def bulk_register(request, pk):
    """Upload or paste, preview every row's problems, then save all rows or none."""
    session = get_session_for_user(request, pk, Need.WRITE)
    form, preview, save_form = BulkRegisterForm(), None, None
    if request.method == "POST" and request.POST.get("step") == "save":
        checked = BulkRegisterSaveForm(request.POST)
        if not checked.is_valid():
            messages.error(request, "The rows to save were lost on the way: upload the file again.")
        else:
            text = checked.cleaned_data["text"]
            attended = checked.cleaned_data["all_attended"]

            def save():
                saved = services.bulk_register_save(
                    session=session,
                    text=text,
                    status=AttendanceStatus.ATTENDED if attended else AttendanceStatus.REGISTERED,
                )
                messages.success(
                    request,
                    f"{len(saved.rows)} {'person' if len(saved.rows) == 1 else 'people'} added to the register.",
                )
                return session

            try:
                return save_once(request=request, key=checked.cleaned_data["submission_key"], save=save)
            except services.BulkRegisterInvalid as error:
                preview = error.preview  # something changed since the preview: show what
            except ValidationError as error:
                messages.error(request, error.messages[0])
    elif request.method == "POST":
        form = BulkRegisterForm(request.POST, request.FILES)
        if form.is_valid():
            text = form.cleaned_data["csv_text"]
            preview = services.bulk_register_preview(session=session, text=text)
            if preview.is_valid:
                save_form = BulkRegisterSaveForm(
                    initial={"text": text, "all_attended": form.cleaned_data["all_attended"]}
                )
    return render(
        request,
        "workshops/bulk_register.html",
        _bulk_context(session, form=form, preview=preview, save_form=save_form),
    )


@login_required
def bulk_register_template(request):
    """An empty register to fill in: the header row only, so no example person is ever imported by mistake."""
    response = HttpResponse("\ufeff" + ",".join(services.BULK_COLUMNS) + "\r\n", content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="coprod-register-template.csv"'
    return response


@login_required
def attendee_list(request):
    partnerships = list(Partnership.objects.visible_to(request.user).order_by("name"))
    filters = AttendeeFilterForm(request.GET, partnerships=partnerships)
    people = selectors.attendees_for_list(user=request.user)
    if filters.is_valid() and filters.cleaned_data["partnership"]:
        people = people.filter(partnership=filters.cleaned_data["partnership"])
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workshops/attendee_list.html",
        {
            "filters": filters,
            "page": page,
            "attendees": list(page),
            "several_partnerships": len(partnerships) > 1,
        },
    )


@login_required
def attendee_detail(request, pk):
    attendee = get_attendee_for_user(request, pk)
    attendances = attendee.attendances.select_related("session__locality").order_by(
        "-session__date", "-session__start_time"
    )
    return render(
        request,
        "workshops/attendee_detail.html",
        {
            "attendee": attendee,
            "attendances": list(attendances),
            "can_write": can(request.user, attendee.partnership, Need.WRITE),
            "can_manage": can(request.user, attendee.partnership, Need.MANAGE),
        },
    )


@login_required
def attendee_edit(request, pk):
    attendee = get_attendee_for_user(request, pk, Need.WRITE)
    if attendee.erased_at:
        messages.error(request, "This attendee was erased: there is nothing to edit.")
        return redirect("workshops:attendee-detail", pk=attendee.pk)
    form = AttendeeForm(request.POST or None, instance=attendee)
    if form.is_valid():
        form.save()
        messages.success(request, "Attendee saved.")
        return redirect("workshops:attendee-detail", pk=attendee.pk)
    return render(
        request,
        "workshops/attendee_form.html",
        {
            "form": form,
            "attendee": attendee,
            "title": f"Edit {attendee.name}",
            "cancel_url": reverse("workshops:attendee-detail", args=[attendee.pk]),
        },
    )


@login_required
def attendee_merge(request, pk):
    attendee = get_attendee_for_user(request, pk, Need.MANAGE)
    form = AttendeeMergeForm(request.POST or None, partnership=attendee.partnership, initial={"keep": attendee.pk})
    if form.is_valid():
        keep, duplicate = form.cleaned_data["keep"], form.cleaned_data["duplicate"]
        try:
            kept = services.attendee_merge(keep=keep, duplicate=duplicate)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Records merged: {kept.name} now holds the sessions of both.")
            return redirect("workshops:attendee-detail", pk=kept.pk)
    return render(request, "workshops/attendee_merge.html", {"form": form, "attendee": attendee})


@login_required
def attendee_erase(request, pk):
    attendee = get_attendee_for_user(request, pk, Need.MANAGE)
    if request.method == "POST":
        try:
            services.attendee_erase(attendee=attendee)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, "The attendee's name, email and organisation are erased. Their attendance stays.")
        return redirect("workshops:attendee-detail", pk=attendee.pk)
    return render(
        request,
        "workshops/attendee_erase.html",
        {"attendee": attendee, "session_count": attendee.attendances.count()},
    )
