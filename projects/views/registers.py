"""The project registers (a partnership's and the national one), their CSV export, and the summary."""

import itertools

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models.functions import Lower
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from coprod.audit import export_record
from coprod.csv_export import csv_download, csv_lines
from coprod.models import Partnership, Role
from coprod.permissions import check_partnership, get_partnership_for_user, writable_partnerships
from projects import follow_up, selectors
from projects.forms import RegisterFilterForm
from projects.models import FollowUpDue, FollowUpOutcome, Project, Stage, StarMode

PAGE_SIZE = 25
WRITE_ROLES = {Role.LEAD, Role.FACILITATOR}
CSV_HEADER = [
    "Title",
    "Partnership",
    "Locality",
    "Topic",
    "Stage",
    "Aim statement",
    "Partners (role, sector)",
    "Sectors",
    "Multi-agency",
    "Co-production Star modes",
    "Sessions it came from",
    "People who use services and unpaid carers involved",
    "How they are involved",
    "Last updated",
]


def _filtered(projects, filters):
    """The register's projects under its filters; an invalid filter gives none (the form says why)."""
    if filters.is_bound and not filters.is_valid():
        return projects.none()
    return selectors.register_projects(projects=projects, filters=filters.cleaned_data if filters.is_bound else {})


def _filter_data(request):
    data = request.GET.copy()
    data.pop("page", None)
    return data or None


def _render_register(request, *, projects, filters, partnership=None, can_create):
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    query = _filter_data(request)
    export = (
        reverse("projects:project-register-export", args=[partnership.pk])
        if partnership
        else reverse("projects:project-export")
    )
    session = filters.cleaned_data.get("session") if filters.is_bound and filters.is_valid() else None
    return render(
        request,
        "projects/project_list.html",
        {
            "partnership": partnership,
            "filters": filters,
            "page": page,
            "projects": list(page),
            "session": session,
            "can_create": can_create,
            "export_url": f"{export}?{query.urlencode()}" if query else export,
        },
    )


@login_required
def project_list(request):
    """Every project the user can see: the national register for ALLIANCE staff."""
    partnerships = Partnership.objects.visible_to(request.user).order_by("name")
    filters = RegisterFilterForm(_filter_data(request), partnerships=partnerships)
    projects = (
        Project.objects.visible_to(request.user).for_list().order_by(Lower("partnership__name"), Lower("title"), "pk")
    )
    return _render_register(
        request,
        projects=_filtered(projects, filters),
        filters=filters,
        can_create=writable_partnerships(request.user).exists(),
    )


@login_required
def project_register(request, pk):
    partnership = get_object_or_404(Partnership, pk=pk)
    role = check_partnership(request.user, partnership)
    filters = RegisterFilterForm(_filter_data(request), partnership=partnership)
    projects = Project.objects.filter(partnership=partnership).for_list()
    return _render_register(
        request,
        projects=_filtered(projects, filters),
        filters=filters,
        partnership=partnership,
        can_create=role in WRITE_ROLES,
    )


def _csv_row(project):
    partners = list(project.partners.all())
    return [
        project.title,
        project.partnership.name,
        project.locality.name if project.locality else "",
        project.topic_label,
        project.get_stage_display(),
        project.aim,
        "; ".join(
            f"{partner.organisation.name} ({partner.get_role_display()}, {partner.organisation.get_sector_display()})"
            for partner in partners
        ),
        project.sector_count,
        "Yes" if selectors.is_multi_agency(partners) else "No",
        "; ".join(f"{mode.get_mode_display()}: {mode.how}" for mode in project.modes.all()),
        "; ".join(str(session) for session in project.sessions.all()),
        project.people_involved_count,
        project.people_involved_how,
        timezone.localdate(project.updated_at).isoformat(),
    ]


def _csv_response(projects, name):
    projects = selectors.register_for_export(projects).iterator(chunk_size=500)
    return csv_download(csv_lines(itertools.chain([CSV_HEADER], (_csv_row(project) for project in projects))), name)


@login_required
def project_export(request):
    partnerships = Partnership.objects.visible_to(request.user).order_by("name")
    filters = RegisterFilterForm(_filter_data(request), partnerships=partnerships)
    projects = (
        Project.objects.visible_to(request.user).for_list().order_by(Lower("partnership__name"), Lower("title"), "pk")
    )
    export_record(user=request.user, what="Improvement projects (CSV)", scope=None, filters=_filter_data(request))
    return _csv_response(_filtered(projects, filters), "improvement-projects")


@login_required
def project_register_export(request, pk):
    partnership = get_partnership_for_user(request, pk)
    filters = RegisterFilterForm(_filter_data(request), partnership=partnership)
    projects = Project.objects.filter(partnership=partnership).for_list()
    export_record(
        user=request.user, what="Improvement projects (CSV)", scope=partnership, filters=_filter_data(request)
    )
    return _csv_response(_filtered(projects, filters), "improvement-projects")


@login_required
def project_summary(request):
    rows = selectors.summary_rows(user=request.user)
    answers = follow_up.summary_counts([row["partnership"] for row in rows])
    for row in rows:
        row["lasted"] = follow_up.lasted(answers.get(row["partnership"].pk, {}))
    return render(
        request,
        "projects/summary.html",
        {
            "rows": rows,
            "totals": selectors.summary_totals(rows),
            "lasted_totals": follow_up.lasted_total(row["lasted"] for row in rows),
            "stages": Stage.choices,
            "modes": StarMode.choices,
            "outcomes": FollowUpOutcome.labels,
            "questions": FollowUpDue.labels,
        },
    )
