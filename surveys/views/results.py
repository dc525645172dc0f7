"""Results screens (a session's debrief, a partnership's, the national one) and their exports.

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
from coprod.workbook import cover_rows, workbook_download
from surveys import charts
from surveys.forms import ResultsFilterForm, share_form
from surveys.models import CLOSING_GRACE, SharedLinkKind, SurveyItem
from surveys.results import exports, pooling
from surveys.results.figures import HEADLINE_MIN_PAIRED, threshold
from workshops.models import Session
from workshops.permissions import get_session_for_user

NATIONAL_NAME = "Scotland"


def page_context():
    return {
        "headline_min": HEADLINE_MIN_PAIRED,
        "threshold": threshold(),
        "grace_minutes": int(CLOSING_GRACE.total_seconds() // 60),
    }


def charted(figures):
    return [{"figures": figure, "chart": charts.diverging_bars(figure)} for figure in figures]


def _downloads(query, results_url, results_ods_url, responses_url):
    """The exports for the screen's own scope and filters (`query`, a QueryDict), side by side."""
    query = query.urlencode()
    suffix = f"?{query}" if query else ""
    return {
        "results_csv": results_url + suffix,
        "results_ods": results_ods_url + suffix,
        "responses_csv": responses_url + suffix,
    }


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
    return session_results_page(request, session, live=can(request.user, session.partnership, Need.WRITE))


def session_results_page(request, session, *, live, shared=None):
    """The debrief's page; through a `shared` link (surveys.SharedLink), released figures only, never written
    answers or downloads."""
    released = pooling.session_released(session)
    shown = live or released
    return render(
        request,
        "surveys/results_session.html",
        page_context()
        | {
            "session": session,
            "has_questionnaire": SurveyItem.objects.filter(survey__session=session).exists(),
            "live": live and not released,
            "released": released,
            "statements": charted(pooling.session_figures(session, live=True)) if shown else [],
            "summary": pooling.session_summary(session) if shown else None,
            "written": pooling.session_written_answers(session) if shown and not shared else [],
            "shared": shared,
            "share_form": share_form(request, SharedLinkKind.SESSION_RESULTS, session, allowed=live and not shared),
            "downloads": _downloads(
                request.GET,
                reverse("surveys:session-results-csv", args=[session.pk]),
                reverse("surveys:session-results-ods", args=[session.pk]),
                reverse("surveys:session-responses-csv", args=[session.pk]),
            ),
        },
    )


@login_required
def partnership_results(request, pk):
    partnership = get_partnership_for_user(request, pk)
    return partnership_results_page(request, partnership, request.GET)


def partnership_results_page(request, partnership, query, *, shared=None):
    """The page under the filters `query` (a QueryDict): the request's, or a `shared` link's frozen ones."""
    form = ResultsFilterForm(query or None, partnership=partnership)
    filters = _valid_filters(form)
    context = page_context() | {
        "partnership": partnership,
        "form": form,
        "filters_described": form.described(),
        "query": query.urlencode(),
        "shared": shared,
        "share_form": None if shared else share_form(request, SharedLinkKind.PARTNERSHIP_RESULTS, partnership),
        "downloads": _downloads(
            query,
            reverse("surveys:partnership-results-csv", args=[partnership.pk]),
            reverse("surveys:partnership-results-ods", args=[partnership.pk]),
            reverse("surveys:partnership-responses-csv", args=[partnership.pk]),
        ),
    }
    if filters is not None:
        sessions, total = pooling.partnership_sessions(partnership, filters)
        figures, trend = pooling.partnership_trend(partnership, filters)
        context |= {
            "statements": charted(figures),
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
    return national_results_page(request, request.GET)


def national_results_page(request, query, *, shared=None):
    form = ResultsFilterForm(query or None)
    filters = _valid_filters(form)
    context = page_context() | {
        "form": form,
        "filters_described": form.described(),
        "query": query.urlencode(),
        "shared": shared,
        "share_form": None if shared else share_form(request, SharedLinkKind.NATIONAL_RESULTS),
        "downloads": _downloads(
            query,
            reverse("surveys:national-results-csv"),
            reverse("surveys:national-results-ods"),
            reverse("surveys:national-responses-csv"),
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


# --- results.csv, and results.ods with the same cells ---

CSV, ODS = "csv", "ods"
EXPORTED = {CSV: "Results (CSV)", ODS: "Results (spreadsheet)"}


def download_name(kind, name):
    return f"{kind}-{slugify(name)[:60]}"


def _filters_described(request, partnership=None):
    """(filters, whether they are invalid, the filters in words for a spreadsheet's cover)."""
    form = ResultsFilterForm(request.GET or None, partnership=partnership)
    filters = _valid_filters(form)
    if filters is None:
        return {}, True, ["not valid, so nothing is counted"]
    return filters, False, form.described()


def _filters_or_none(request, partnership=None):
    filters, invalid, _words = _filters_described(request, partnership)
    return filters, invalid


def results_download(request, fmt, *, entries, name, scope, filters=()):
    """results.csv or results.ods of `entries`, results.csv's rows as (scope, scope_name, figures).

    `scope` and `filters` (in words) go on the spreadsheet's cover.
    """
    if fmt == CSV:
        rows = [exports.results_row(*entry) for entry in entries]
        return csv_download(exports.results_lines(rows), download_name("results", name))
    cover = cover_rows(scope=scope, filters=list(filters), source=exports.RESULTS_SOURCE, contact=request.user)
    content = exports.results_workbook(name=name, cover=cover, entries=entries)
    return workbook_download(content, download_name("results", name))


@login_required
def session_results_download(request, pk, fmt):
    """Released figures only, like every download: the live debrief stays in the room."""
    session = get_session_for_user(request, pk)
    name = str(session)
    export_record(user=request.user, what=EXPORTED[fmt], scope=session.partnership, filters={"session": name})
    entries = [("session", name, figure) for figure in pooling.session_figures(session)]
    return results_download(request, fmt, entries=entries, name=name, scope=f"Session: {name}")


@login_required
def partnership_results_download(request, pk, fmt):
    partnership = get_partnership_for_user(request, pk)
    filters, invalid, described = _filters_described(request, partnership)
    export_record(user=request.user, what=EXPORTED[fmt], scope=partnership, filters=request.GET.dict())
    figures = [] if invalid else pooling.partnership_figures(partnership, filters)
    entries = [("partnership", partnership.name, figure) for figure in figures]
    return results_download(
        request,
        fmt,
        entries=entries,
        name=partnership.name,
        scope=f"Partnership: {partnership.name}",
        filters=described,
    )


@login_required
def national_results_download(request, fmt):
    """The country's rows, then each partnership's on the same statements (as on the screen)."""
    require_alliance_staff(request.user)
    filters, invalid, described = _filters_described(request)
    export_record(user=request.user, what=EXPORTED[fmt], scope=None, filters=request.GET.dict())
    national = [] if invalid else pooling.national_results(filters)
    entries = [("national", NATIONAL_NAME, item.figures) for item in national]
    entries += [("partnership", figure.label, figure) for item in national for figure in item.partnerships]
    return results_download(
        request,
        fmt,
        entries=entries,
        name=NATIONAL_NAME,
        scope=f"{NATIONAL_NAME}: every partnership, then each partnership on its own",
        filters=described,
    )


# --- responses.csv: the answers the figures count, anonymised, streamed ---


def _responses_download(sessions, name, *, national=False):
    return csv_download(exports.responses_lines(sessions, national=national), download_name("responses", name))


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
