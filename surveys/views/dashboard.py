"""The dashboard: Scotland at a glance for ALLIANCE staff, a partnership's own beside Scotland for its members.

The page is the panels the apps register (coprod.panels: activity and outcomes from surveys.dashboard, what came
of it from projects), under the results' filters; dashboard.csv holds every figure the page shows.
"""

from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify

from coprod import panels
from coprod.audit import export_record
from coprod.csv_export import csv_download, csv_lines
from coprod.models import Partnership
from coprod.permissions import get_partnership_for_user, require_alliance_staff
from coprod.workbook import WITHHELD, cover_rows, workbook, workbook_download
from surveys.forms import DashboardFilterForm, share_form
from surveys.models import CLOSING_GRACE, SharedLinkKind, Survey
from surveys.results import pooling
from surveys.results.figures import SUPPRESSED, threshold
from workshops.models import Session

CSV_HEADER = ("section", "scope", "period", "figure", "category", "value")


def _scope(request, partnership=None, query=None):
    """(form, Scope or None when the filters are invalid), under `query` (a QueryDict; by default the request's)."""
    query = request.GET if query is None else query
    form = DashboardFilterForm(query or None, partnership=partnership)
    if form.is_bound and not form.is_valid():
        return form, None
    data = dict(form.cleaned_data) if form.is_bound else {}
    period = data.pop("period", None) or "year"
    data.pop("partnership", None)
    return form, panels.Scope(partnership=partnership, filters=data, period=period)


def _render(request, form, scope, partnership=None, *, query=None, shared=None):
    if partnership:
        csv_url = reverse("surveys:partnership-dashboard-csv", args=[partnership.pk])
        ods_url = reverse("surveys:partnership-dashboard-ods", args=[partnership.pk])
    else:
        csv_url, ods_url = reverse("surveys:dashboard-csv"), reverse("surveys:dashboard-ods")
    query = (request.GET if query is None else query).urlencode()
    suffix = f"?{query}" if query else ""
    kind = SharedLinkKind.PARTNERSHIP_DASHBOARD if partnership else SharedLinkKind.NATIONAL_DASHBOARD
    context = {
        "shared": shared,
        "share_form": None if shared else share_form(request, kind, partnership),
        "form": form,
        "partnership": partnership,
        "scope": scope,
        "filters_described": form.described(),
        "query": query,
        "csv_url": csv_url + suffix,
        "ods_url": ods_url + suffix,
        "threshold": threshold(),
        "grace_minutes": int(CLOSING_GRACE.total_seconds() // 60),
    }
    if scope is not None:
        sessions = Session.objects.filter(pooling.session_filter(scope.filters))
        if partnership:
            sessions = sessions.filter(partnership=partnership)
        context["panels"] = _panels(scope, shared=bool(shared))
        context["unreleased"] = pooling.unreleased_sessions(sessions)
    return render(request, "surveys/dashboard.html", context)


def _panels(scope, *, shared=False):
    """The dashboard's panels, rendered, as cached until what they read changes or the clock releases answers.

    `shared`: for a read-only link, without links to members' pages."""
    key = (
        scope.partnership.pk if scope.partnership else None,
        sorted((name, getattr(value, "pk", value)) for name, value in scope.filters.items()),
        scope.period,
        threshold(),
        Survey.objects.release_stamp(),
        shared,
    )
    context = {"scope": scope, "partnership": scope.partnership, "threshold": threshold(), "shared": shared}
    return panels.rendered("dashboard", key=key, context=context, scope=scope)


@login_required
def dashboard(request):
    """Scotland, every partnership side by side (ALLIANCE staff). Others go to their partnership's dashboard."""
    if not request.user.is_alliance_staff:
        partnerships = list(Partnership.objects.visible_to(request.user).only("pk", "name").order_by("name"))
        if len(partnerships) == 1:
            return redirect("surveys:partnership-dashboard", partnerships[0].pk)
        return render(request, "surveys/results_choose.html", {"partnerships": partnerships, "dashboard": True})
    form, scope = _scope(request)
    if form.is_bound and scope is not None and form.cleaned_data.get("partnership"):
        # One partnership chosen: its own dashboard, Scotland beside it, under the same filters.
        query = QueryDict(mutable=True)
        query.update(request.GET)
        query.pop("partnership")
        url = reverse("surveys:partnership-dashboard", args=[form.cleaned_data["partnership"].pk])
        return redirect(f"{url}?{query.urlencode()}" if query else url)
    return _render(request, form, scope)


@login_required
def partnership_dashboard(request, pk):
    partnership = get_partnership_for_user(request, pk)
    form, scope = _scope(request, partnership)
    return _render(request, form, scope, partnership)


def dashboard_page(request, partnership, query, *, shared):
    """A dashboard (national where `partnership` is None) under the frozen filters of a `shared` link."""
    form, scope = _scope(request, partnership, query)
    return _render(request, form, scope, partnership, query=query, shared=shared)


# --- dashboard.csv, and dashboard.ods with the same cells: one sheet per section ---

CSV, ODS = "csv", "ods"
EXPORTED = {CSV: "Dashboard (CSV)", ODS: "Dashboard (spreadsheet)"}
SHEET_HEADER = ("Scope", "Period", "Figure", "Category", "Value (a count, unless Figure names a unit)")
SOURCE = (
    "CoProd: the sessions the partnerships logged, their registers, the answers to the questionnaires before and "
    "after them (counted once a session's questionnaires have closed), and the improvement projects that came of them."
)


def _notes():
    small = f"fewer than {threshold()}"
    return [
        ("Scope", f"{panels.NATIONAL_NAME} (every partnership added up) or one partnership."),
        ("Period", "The whole period the filters cover, or one year or quarter of it."),
        ("Figure", "What is counted. A unit in brackets: (%) a percentage, 0 to 100; (points) percentage points."),
        ("Category", "Which part of the figure: a kind of session, a sector or role, a statement (S1, S2, ...)."),
        (
            "Value",
            "The figure. Empty where there is none: nothing to divide by, or no pairs counted because every group "
            f"was of {small} people (dashboard.csv leaves these empty too).",
        ),
        (WITHHELD, f"Withheld to protect people: the figure rests on {small} people (dashboard.csv: “{small}”)."),
        (
            "Small numbers",
            f"Answers count only in groups of {threshold()} or more people, as in results.csv. Counts of people "
            f"from the registers withhold every count from 1 to {threshold() - 1}, and then enough others beside "
            "it that none can be worked out from a total.",
        ),
        (
            "95% confidence interval",
            "Of the change among people who answered both questionnaires: Newcombe's method 10 (1998) for paired "
            "proportions, from Wilson score intervals.",
        ),
    ]


def _sheets(rows, name):
    """dashboard.csv's rows as one table per section, in order; withheld cells as WITHHELD."""
    sections = {}
    for section, *cells, value in rows:
        withheld = value is SUPPRESSED or value == str(SUPPRESSED)
        sections.setdefault(section, []).append([*cells, WITHHELD if withheld else value])
    return [(section, f"{section}: {name}", SHEET_HEADER, lines) for section, lines in sections.items()]


def _download(request, form, scope, name, fmt):
    export_record(
        user=request.user,
        what=EXPORTED[fmt],
        scope=scope.partnership if scope else None,
        filters=request.GET.dict(),
    )
    rows = [row for panel in _panels(scope) for row in panel.csv_rows] if scope else []
    filename = f"dashboard-{slugify(name)[:60]}"
    if fmt == CSV:
        return csv_download(csv_lines([CSV_HEADER, *rows]), filename)
    if scope is None:
        filters = ["not valid, so nothing is counted"]
    else:
        filters = [*form.described(), f"over time by {scope.period}"]
    if scope and scope.partnership:
        where = f"Partnership: {name}, beside {panels.NATIONAL_NAME}"
    else:
        where = f"{panels.NATIONAL_NAME}: every partnership, side by side"
    cover = cover_rows(scope=where, filters=filters, source=SOURCE, contact=request.user)
    content = workbook(title=f"Dashboard: {name}", cover=cover, notes=_notes(), sheets=_sheets(rows, name))
    return workbook_download(content, filename)


@login_required
def dashboard_download(request, fmt):
    require_alliance_staff(request.user)
    form, scope = _scope(request)
    return _download(request, form, scope, panels.NATIONAL_NAME, fmt)


@login_required
def partnership_dashboard_download(request, pk, fmt):
    partnership = get_partnership_for_user(request, pk)
    form, scope = _scope(request, partnership)
    return _download(request, form, scope, partnership.name, fmt)
