"""A project: record it (from a session or a register), its page, edit, partners and stage."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render

from coprod.permissions import Need, can, get_partnership_for_user, writable_partnerships
from coprod.services import save_once
from projects import selectors, services
from projects.forms import (
    PartnerFormSet,
    ProjectCreateForm,
    ProjectForm,
    StageForm,
    organisations_for_partners,
)
from projects.permissions import get_project_for_user
from workshops.permissions import get_session_for_user


def _pk(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("No such page.") from None


def _where_from(request):
    """The partnership (and session) a new project belongs to: from ?session=, ?partnership=, or the
    user's only partnership. (None, None) when the user must choose among several."""
    if "session" in request.GET:
        session = get_session_for_user(request, _pk(request.GET["session"]), Need.WRITE)
        return session.partnership, session
    if "partnership" in request.GET:
        return get_partnership_for_user(request, _pk(request.GET["partnership"]), Need.WRITE), None
    mine = list(writable_partnerships(request.user)[:2])
    if not mine:
        raise PermissionDenied
    return (mine[0], None) if len(mine) == 1 else (None, None)


@login_required
def project_create(request):
    partnership, session = _where_from(request)
    if partnership is None:
        return render(
            request, "projects/choose_partnership.html", {"partnerships": list(writable_partnerships(request.user))}
        )
    initial = {"sessions": [session], "locality": session.locality} if session else {}
    form = ProjectCreateForm(request.POST or None, partnership=partnership, initial=initial)
    if form.is_valid():

        def save():
            project = services.project_create(partnership=partnership, user=request.user, **form.service_arguments())
            messages.success(request, "Project recorded at the idea stage. Now add its partners.")
            return project

        try:
            return save_once(request=request, key=form.cleaned_data["submission_key"], save=save)
        except ValidationError as error:
            form.add_error(None, error)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "partnership": partnership, "session": session, "title": "New improvement project"},
    )


@login_required
def project_detail(request, pk):
    project = get_project_for_user(request, pk)
    partners = list(project.partners.select_related("organisation"))
    cycles = list(project.pdsa_cycles.all())
    return render(
        request,
        "projects/project_detail.html",
        {
            "project": project,
            "partners": partners,
            "multi_agency": selectors.is_multi_agency(partners),
            "sector_count": len({partner.organisation.sector for partner in partners}),
            "modes": list(project.modes.all()),
            "sessions": list(project.sessions.order_by("date", "pk")),
            "priorities": list(project.priorities.all()),
            "timeline": list(project.stage_changes.select_related("changed_by")),
            "updates": list(project.updates.select_related("author")),
            "learning_points": list(project.learning_points.all()),
            "cycles": cycles,
            "charts": selectors.measure_charts(project, cycles),
            "can_write": can(request.user, project.partnership, Need.WRITE),
        },
    )


@login_required
def project_edit(request, pk):
    project = get_project_for_user(request, pk, Need.WRITE)
    form = ProjectForm(request.POST or None, instance=project, partnership=project.partnership)
    if form.is_valid():
        try:
            services.project_update(project=project, **form.service_arguments())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Project saved.")
            return redirect(project)
    return render(
        request,
        "projects/project_form.html",
        {"form": form, "partnership": project.partnership, "project": project, "title": f"Edit {project}"},
    )


@login_required
def project_partners(request, pk):
    project = get_project_for_user(request, pk, Need.WRITE)
    organisations = organisations_for_partners()
    current = [
        {"organisation": partner.organisation_id, "role": partner.role}
        for partner in project.partners.select_related("organisation")
    ]
    formset = PartnerFormSet(
        request.POST or None, initial=current, form_kwargs={"organisations": organisations}, prefix="partners"
    )
    if formset.is_valid():
        try:
            services.project_set_partners(project=project, partners=formset.partners())
        except ValidationError as error:
            formset._non_form_errors = formset.error_class(error.messages)
        else:
            messages.success(request, "Partners saved.")
            return redirect(project)
    return render(request, "projects/partners_form.html", {"project": project, "formset": formset})


@login_required
def project_stage(request, pk):
    project = get_project_for_user(request, pk, Need.WRITE)
    form = StageForm(request.POST or None, project=project)
    if form.is_valid():
        data = form.cleaned_data
        try:
            change = services.project_move_stage(
                project=project, to_stage=data["to_stage"], date=data["date"], user=request.user, reason=data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Moved to the {change.get_to_stage_display().lower()} stage.")
            return redirect(project)
    return render(
        request,
        "projects/stage_form.html",
        {"project": project, "form": form, "timeline": list(project.stage_changes.select_related("changed_by"))},
    )
