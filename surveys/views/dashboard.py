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
from surveys.forms import DashboardFilterForm
from surveys.models import CLOSING_GRACE, Survey
from surveys.results import pooling
from surveys.results.figures import threshold
from workshops.models import Session

CSV_HEADER = ("section", "scope", "period", "figure", "category", "value")


def _scope(request, partnership=None):
    """(form, Scope or None when the filters are invalid)."""
    form = DashboardFilterForm(request.GET or None, partnership=partnership)
    if form.is_bound and not form.is_valid():
        return form, None
    data = dict(form.cleaned_data) if form.is_bound else {}
    period = data.pop("period", None) or "year"
    data.pop("partnership", None)
    return form, panels.Scope(partnership=partnership, filters=data, period=period)


def _render(request, form, scope, partnership=None):
    csv_url = (
        reverse("surveys:partnership-dashboard-csv", args=[partnership.pk])
        if partnership
        else reverse("surveys:dashboard-csv")
    )
    query = request.GET.urlencode()
    context = {
        "form": form,
        "partnership": partnership,
        "scope": scope,
        "filters_described": form.described(),
        "query": query,
        "csv_url": csv_url + (f"?{query}" if query else ""),
        "threshold": threshold(),
        "grace_minutes": int(CLOSING_GRACE.total_seconds() // 60),
    }
    if scope is not None:
        sessions = Session.objects.filter(pooling.session_filter(scope.filters))
        if partnership:
            sessions = sessions.filter(partnership=partnership)
        context["panels"] = _panels(scope)
        context["unreleased"] = pooling.unreleased_sessions(sessions)
    return render(request, "surveys/dashboard.html", context)


def _panels(scope):
    """The dashboard's panels, rendered, as cached until what they read changes or the clock releases answers."""
    key = (
        scope.partnership.pk if scope.partnership else None,
        sorted((name, getattr(value, "pk", value)) for name, value in scope.filters.items()),
        scope.period,
        threshold(),
        Survey.objects.release_stamp(),
    )
    context = {"scope": scope, "partnership": scope.partnership, "threshold": threshold()}
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


def _csv(request, scope, name):
    export_record(
        user=request.user,
        what="Dashboard (CSV)",
        scope=scope.partnership if scope else None,
        filters=request.GET.dict(),
    )
    rows = [row for panel in _panels(scope) for row in panel.csv_rows] if scope else []
    return csv_download(csv_lines([CSV_HEADER, *rows]), f"dashboard-{slugify(name)[:60]}")


@login_required
def dashboard_csv(request):
    require_alliance_staff(request.user)
    _form, scope = _scope(request)
    return _csv(request, scope, panels.NATIONAL_NAME)


@login_required
def partnership_dashboard_csv(request, pk):
    partnership = get_partnership_for_user(request, pk)
    _form, scope = _scope(request, partnership)
    return _csv(request, scope, partnership.name)
