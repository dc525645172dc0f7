"""Results screens (a session's debrief, a partnership's, the national one) and their two CSV exports.

Each screen and its downloads share one permission check and one set of filters: a session's results are for
its partnership's members and ALLIANCE staff, a partnership's for its members and ALLIANCE staff, the national
results for ALLIANCE staff only. A session's lead and facilitators see its debrief live, while its questionnaires
are open; everyone else, every pooled figure and every download only once they are released
(surveys.results.pooling).
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify

from coprod.audit import export_record
from coprod.csv_export import csv_download
from coprod.models import Partnership
from coprod.permissions import Need, can, get_partnership_for_user, require_alliance_staff
from surveys import charts
from surveys.forms import ResultsFilterForm
from surveys.models import CLOSING_GRACE, SurveyItem
from surveys.results import exports, pooling
from surveys.results.figures import HEADLINE_MIN_PAIRED, threshold
from workshops.models import Session
from workshops.permissions import get_session_for_user

NATIONAL_NAME = "Scotland"


def _page_context():
    return {
        "headline_min": HEADLINE_MIN_PAIRED,
        "threshold": threshold(),
        "grace_minutes": int(CLOSING_GRACE.total_seconds() // 60),
    }


def _charted(figures):
    return [{"figures": figure, "chart": charts.diverging_bars(figure)} for figure in figures]


def _downloads(request, results_url, responses_url):
    """Both exports for the screen's own scope and filters, side by side."""
    query = request.GET.urlencode()
    suffix = f"?{query}" if query else ""
    return {"results_csv": results_url + suffix, "responses_csv": responses_url + suffix}


def _valid_filters(form):
    """The cleaned filters, or None when they are invalid (the page then shows the errors and no figures)."""
    if not form.is_bound:
        return {}
    return form.cleaned_data if form.is_valid() else None


@login_required
def results_home(request):
    """Where the nav's "Results" leads: the national results for ALLIANCE staff, else one's partnership's."""
    if request.user.is_alliance_staff:
        return redirect("surveys:national-results")
    partnerships = list(Partnership.objects.visible_to(request.user).only("pk", "name").order_by("name"))
    if len(partnerships) == 1:
        return redirect("surveys:partnership-results", partnerships[0].pk)
    return render(request, "surveys/results_choose.html", {"partnerships": partnerships})


@login_required
def session_results(request, pk):
    """The facilitator's debrief: the room's figures, live for its lead and facilitators, for others once released."""
    session = get_session_for_user(request, pk)
    live = can(request.user, session.partnership, Need.WRITE)
    released = pooling.session_released(session)
    shown = live or released
    return render(
        request,
        "surveys/results_session.html",
        _page_context()
        | {
            "session": session,
            "has_questionnaire": SurveyItem.objects.filter(survey__session=session).exists(),
            "live": live and not released,
            "released": released,
            "statements": _charted(pooling.session_figures(session, live=True)) if shown else [],
            "summary": pooling.session_summary(session) if shown else None,
            "written": pooling.session_written_answers(session) if shown else [],
            "downloads": _downloads(
                request,
                reverse("surveys:session-results-csv", args=[session.pk]),
                reverse("surveys:session-responses-csv", args=[session.pk]),
            ),
        },
    )


@login_required
def partnership_results(request, pk):
    partnership = get_partnership_for_user(request, pk)
    form = ResultsFilterForm(request.GET or None, partnership=partnership)
    filters = _valid_filters(form)
    context = _page_context() | {
        "partnership": partnership,
        "form": form,
        "filters_described": form.described(),
        "downloads": _downloads(
            request,
            reverse("surveys:partnership-results-csv", args=[partnership.pk]),
            reverse("surveys:partnership-responses-csv", args=[partnership.pk]),
        ),
    }
    if filters is not None:
        sessions, total = pooling.partnership_sessions(partnership, filters)
        figures, trend = pooling.partnership_trend(partnership, filters)
        context |= {
            "statements": _charted(figures),
            "sessions": sessions,
            "total": total,
            "unreleased": pooling.unreleased_sessions(
                Session.objects.filter(partnership=partnership).filter(pooling.session_filter(filters))
            ),
            "trend": [{"trend": item, "chart": charts.dumbbells(item.quarters)} for item in trend],
        }
    return render(request, "surveys/results_partnership.html", context)


@login_required
def national_results(request):
    require_alliance_staff(request.user)
    form = ResultsFilterForm(request.GET or None)
    filters = _valid_filters(form)
    context = _page_context() | {
        "form": form,
        "filters_described": form.described(),
        "downloads": _downloads(
            request, reverse("surveys:national-results-csv"), reverse("surveys:national-responses-csv")
        ),
    }
    if filters is not None:
        national = pooling.national_results(filters)
        context["statements"] = [
            {
                "figures": item.figures,
                "chart": charts.diverging_bars(item.figures),
                "partnerships": item.partnerships,
                "forest": charts.forest(item.partnerships, item.figures),
            }
            for item in national
        ]
        context["partnership_count"] = len({figure.label for item in national for figure in item.partnerships})
        context["unreleased"] = pooling.unreleased_sessions(Session.objects.filter(pooling.session_filter(filters)))
    return render(request, "surveys/results_national.html", context)


# --- results.csv ---


def _filename(kind, name):
    return f"{kind}-{slugify(name)[:60]}"


def _filters_or_none(request, partnership=None):
    form = ResultsFilterForm(request.GET or None, partnership=partnership)
    filters = _valid_filters(form)
    return {} if filters is None else filters, filters is None


@login_required
def session_results_csv(request, pk):
    """Released figures only, like every download: the live debrief stays in the room."""
    session = get_session_for_user(request, pk)
    name = str(session)
    export_record(user=request.user, what="Results (CSV)", scope=session.partnership, filters={"session": name})
    rows = [exports.results_row("session", name, figure) for figure in pooling.session_figures(session)]
    return csv_download(exports.results_lines(rows), _filename("results", name))


@login_required
def partnership_results_csv(request, pk):
    partnership = get_partnership_for_user(request, pk)
    filters, invalid = _filters_or_none(request, partnership)
    export_record(user=request.user, what="Results (CSV)", scope=partnership, filters=request.GET.dict())
    figures = [] if invalid else pooling.partnership_figures(partnership, filters)
    rows = [exports.results_row("partnership", partnership.name, figure) for figure in figures]
    return csv_download(exports.results_lines(rows), _filename("results", partnership.name))


@login_required
def national_results_csv(request):
    """The country's rows, then each partnership's on the same statements (as on the screen)."""
    require_alliance_staff(request.user)
    filters, invalid = _filters_or_none(request)
    export_record(user=request.user, what="Results (CSV)", scope=None, filters=request.GET.dict())
    national = [] if invalid else pooling.national_results(filters)
    rows = [exports.results_row("national", NATIONAL_NAME, item.figures) for item in national]
    rows += [
        exports.results_row("partnership", figure.label, figure) for item in national for figure in item.partnerships
    ]
    return csv_download(exports.results_lines(rows), _filename("results", NATIONAL_NAME))


# --- responses.csv: the answers the figures count, anonymised, streamed ---


def _responses_download(sessions, name, *, national=False):
    return csv_download(exports.responses_lines(sessions, national=national), _filename("responses", name))


@login_required
def session_responses_csv(request, pk):
    session = get_session_for_user(request, pk)
    export_record(
        user=request.user, what="Responses (CSV)", scope=session.partnership, filters={"session": str(session)}
    )
    return _responses_download(Session.objects.filter(pk=session.pk), str(session))


@login_required
def partnership_responses_csv(request, pk):
    partnership = get_partnership_for_user(request, pk)
    filters, invalid = _filters_or_none(request, partnership)
    export_record(user=request.user, what="Responses (CSV)", scope=partnership, filters=request.GET.dict())
    sessions = Session.objects.none() if invalid else Session.objects.filter(partnership=partnership)
    return _responses_download(sessions.filter(pooling.session_filter(filters)), partnership.name)


@login_required
def national_responses_csv(request):
    require_alliance_staff(request.user)
    filters, invalid = _filters_or_none(request)
    export_record(user=request.user, what="Responses (CSV)", scope=None, filters=request.GET.dict())
    sessions = Session.objects.none() if invalid else Session.objects.all()
    return _responses_download(sessions.filter(pooling.session_filter(filters)), NATIONAL_NAME, national=True)
