"""Results screens (a session's debrief, a partnership's, the national one) and their two CSV exports.

Each screen and its downloads share one permission check and one set of filters: a session's results are for
its partnership's members and ALLIANCE staff, a partnership's for its members and ALLIANCE staff, the national
results for ALLIANCE staff only. Figures come from surveys.results (grouped SQL over the rollups).
"""

import csv
import hashlib
import io
import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import slugify

from coprod.audit import export_record
from coprod.models import Partnership
from coprod.permissions import get_partnership_for_user, require_alliance_staff
from surveys import charts, results
from surveys.forms import ResultsFilterForm
from surveys.models import SurveyItem
from workshops.models import Session
from workshops.permissions import get_session_for_user

RESULTS_HEADER = [
    "scope",
    "scope_name",
    "statement",
    "statement_version",
    "n_pre",
    "n_post",
    "n_paired",
    "pct_agree_pre",
    "pct_agree_post",
    "paired_pct_agree_pre",
    "paired_pct_agree_post",
    "change_pp",
    "ci_low_pp",
    "ci_high_pp",
    "p_value",
    "relative_change_pct",
    "suppressed",
]
RESPONSES_HEADER = [
    "response_id",
    "pairing_id",
    "phase",
    "session",
    "statement",
    "statement_version",
    "value",
]
# A spreadsheet runs a cell that starts with one of these as a formula: such cells get a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NATIONAL_NAME = "Scotland"
EXPORT_CHUNK_ROWS = 5000


# --- Screens ---


def _charted(figures):
    return [{"figures": figure, "chart": charts.diverging_bars(figure)} for figure in figures]


def _downloads(request, results_url, responses_url):
    """Both exports for the screen's own scope and filters, side by side."""
    query = request.GET.urlencode()
    suffix = f"?{query}" if query else ""
    return {"results_csv": results_url + suffix, "responses_csv": responses_url + suffix}


PAGE_CONTEXT = {"headline_min": results.HEADLINE_MIN_PAIRED}


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
    """The facilitator's debrief: every figure of the room, on a projector right after the questionnaire."""
    session = get_session_for_user(request, pk)
    has_questionnaire = SurveyItem.objects.filter(survey__session=session).exists()
    return render(
        request,
        "surveys/results_session.html",
        PAGE_CONTEXT
        | {
            "session": session,
            "has_questionnaire": has_questionnaire,
            "statements": _charted(results.session_figures(session)),
            "summary": results.session_summary(session),
            "written": results.session_written_answers(session),
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
    context = PAGE_CONTEXT | {
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
        sessions, total = results.partnership_sessions(partnership, filters)
        figures, trend = results.partnership_trend(partnership, filters)
        context |= {
            "statements": _charted(figures),
            "sessions": sessions,
            "total": total,
            "trend": [{"trend": item, "chart": charts.dumbbells(item.quarters)} for item in trend],
        }
    return render(request, "surveys/results_partnership.html", context)


@login_required
def national_results(request):
    require_alliance_staff(request.user)
    form = ResultsFilterForm(request.GET or None)
    filters = _valid_filters(form)
    context = PAGE_CONTEXT | {
        "form": form,
        "filters_described": form.described(),
        "downloads": _downloads(
            request, reverse("surveys:national-results-csv"), reverse("surveys:national-responses-csv")
        ),
    }
    if filters is not None:
        national = results.national_results(filters)
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
    return render(request, "surveys/results_national.html", context)


# --- results.csv ---


def safe_cell(value):
    """Text as data, never as a spreadsheet formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


def _number(value, digits=1):
    if value is None or value is results.SUPPRESSED:
        return ""
    return f"{value:.{digits}f}"


def _p(value):
    if value is None or value is results.SUPPRESSED:
        return ""
    return f"{value:.4g}"


def _withheld(figures):
    columns = []
    if figures.n_pre is results.SUPPRESSED:
        columns += ["n_pre", "pct_agree_pre"]
    if figures.n_post is results.SUPPRESSED:
        columns += ["n_post", "pct_agree_post"]
    if figures.n_paired is results.SUPPRESSED:
        columns += RESULTS_HEADER[6:7] + RESULTS_HEADER[9:16]
    return f"fewer than {results.THRESHOLD} respondents: {' '.join(columns)}" if columns else ""


def results_row(scope, scope_name, figures):
    """One row of results.csv: percentages 0-100 with one decimal; withheld cells empty and named in `suppressed`."""

    def n(value):
        return "" if value is results.SUPPRESSED else value

    return [
        scope,
        safe_cell(scope_name),
        safe_cell(figures.statement.text),
        figures.statement.version,
        n(figures.n_pre),
        n(figures.n_post),
        n(figures.n_paired),
        _number(figures.pct_agree_pre),
        _number(figures.pct_agree_post),
        _number(figures.paired_pct_agree_pre),
        _number(figures.paired_pct_agree_post),
        _number(figures.change_pp),
        _number(figures.ci_low_pp),
        _number(figures.ci_high_pp),
        _p(figures.p_value),
        _number(figures.relative_change_pct),
        _withheld(figures),
    ]


def _csv_response(rows, filename):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(RESULTS_HEADER)
    writer.writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}-{timezone.localdate().isoformat()}.csv"'
    return response


def _filename(kind, name):
    return f"{kind}-{slugify(name)[:60]}"


def _filters_or_none(request, partnership=None):
    form = ResultsFilterForm(request.GET or None, partnership=partnership)
    filters = _valid_filters(form)
    return {} if filters is None else filters, filters is None


@login_required
def session_results_csv(request, pk):
    session = get_session_for_user(request, pk)
    name = str(session)
    export_record(user=request.user, what="Results (CSV)", scope=session.partnership, filters={"session": name})
    rows = [results_row("session", name, figure) for figure in results.session_figures(session, suppress=True)]
    return _csv_response(rows, _filename("results", name))


@login_required
def partnership_results_csv(request, pk):
    partnership = get_partnership_for_user(request, pk)
    filters, invalid = _filters_or_none(request, partnership)
    export_record(user=request.user, what="Results (CSV)", scope=partnership, filters=request.GET.dict())
    figures = [] if invalid else results.partnership_figures(partnership, filters)
    rows = [results_row("partnership", partnership.name, figure) for figure in figures]
    return _csv_response(rows, _filename("results", partnership.name))


@login_required
def national_results_csv(request):
    """The country's rows, then each partnership's on the same statements (as on the screen)."""
    require_alliance_staff(request.user)
    filters, invalid = _filters_or_none(request)
    export_record(user=request.user, what="Results (CSV)", scope=None, filters=request.GET.dict())
    national = [] if invalid else results.national_results(filters)
    rows = [results_row("national", NATIONAL_NAME, item.figures) for item in national]
    rows += [results_row("partnership", figure.label, figure) for item in national for figure in item.partnerships]
    return _csv_response(rows, _filename("results", NATIONAL_NAME))


# --- responses.csv: every answer on the scale, anonymised, streamed ---


class OpaqueIds:
    """Stable ids for export that are not database ids: a keyed BLAKE2 hash of the response's UUID.

    The key comes from SECRET_KEY, so ids match across exports of one installation (the same response has the
    same id in a session's and the national export) but cannot be turned back into the response. The pairing
    id is the hash of the "before" response under another personalisation, shared by the two halves of a pair.
    Takes a UUID or its text (with or without dashes, as PostgreSQL and SQLite give it).
    """

    def __init__(self):
        self.key = salted_hmac("surveys.responses-export", "opaque-ids", algorithm="sha256").digest()

    def _hash(self, value, person):
        raw = value.bytes if isinstance(value, uuid.UUID) else bytes.fromhex(value.replace("-", ""))
        return hashlib.blake2b(raw, key=self.key, digest_size=10, person=person).hexdigest()

    def response(self, value):
        return self._hash(value, b"response")

    def pair(self, value):
        return self._hash(value, b"pair")


def _csv_cell(value):
    """One cell as csv.writer would write it (quoted where needed), formulas neutralised."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow([safe_cell(value)])
    return buffer.getvalue()[:-2]


def _responses_rows(sessions, *, suppress):
    """The CSV in chunks of EXPORT_CHUNK_ROWS rows: memory stays flat however many answers there are.

    Straight from a server-side cursor (PostgreSQL; a plain one on SQLite): rows are narrow tuples, and what
    is the same for every answer of a response (its ids, phase and session) is worked out once per response.
    With `suppress`, the answers the pooled figures count (results.answers_for_export).
    """
    names, statements = results.export_labels(sessions=sessions)
    sessions_cells = {pk: _csv_cell(name) for pk, name in names.items()}
    statement_cells = {pk: f"{_csv_cell(text)},{version}" for pk, (text, version) in statements.items()}
    ids = OpaqueIds()
    lines = [",".join(RESPONSES_HEADER) + "\r\n"]
    try:
        sql, params = results.answers_for_export(sessions=sessions, suppress=suppress).query.sql_with_params()
    except EmptyResultSet:  # no sessions at all (invalid filters): Django has no SQL for that, only the header
        yield lines[0]
        return
    last_response, head, pairing, tail = None, "", "", ""
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(EXPORT_CHUNK_ROWS):
            for response_key, before_key, after_key, phase, session_id, statement_id, value, pairs_counted in rows:
                if response_key != last_response:
                    last_response = response_key
                    if after_key is not None:
                        pairing = ids.pair(response_key)
                    elif before_key is not None:
                        pairing = ids.pair(before_key)
                    else:
                        pairing = ""
                    head, tail = f"{ids.response(response_key)},", f",{phase},{sessions_cells[session_id]},"
                shown_pairing = pairing if pairs_counted else ""
                lines.append(
                    f"{head}{shown_pairing}{tail}{statement_cells[statement_id]},{'' if value is None else value}\r\n"
                )
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def _responses_response(sessions, name, *, suppress=True):
    response = StreamingHttpResponse(
        _responses_rows(sessions, suppress=suppress), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{_filename("responses", name)}-{timezone.localdate().isoformat()}.csv"'
    )
    return response


@login_required
def session_responses_csv(request, pk):
    session = get_session_for_user(request, pk)
    export_record(
        user=request.user, what="Responses (CSV)", scope=session.partnership, filters={"session": str(session)}
    )
    # Every answer, like the debrief: the lead's own record of the room.
    return _responses_response(Session.objects.filter(pk=session.pk), str(session), suppress=False)


@login_required
def partnership_responses_csv(request, pk):
    partnership = get_partnership_for_user(request, pk)
    filters, invalid = _filters_or_none(request, partnership)
    export_record(user=request.user, what="Responses (CSV)", scope=partnership, filters=request.GET.dict())
    sessions = Session.objects.none() if invalid else Session.objects.filter(partnership=partnership)
    return _responses_response(sessions.filter(results.session_filter(filters)), partnership.name)


@login_required
def national_responses_csv(request):
    require_alliance_staff(request.user)
    filters, invalid = _filters_or_none(request)
    export_record(user=request.user, what="Responses (CSV)", scope=None, filters=request.GET.dict())
    sessions = Session.objects.none() if invalid else Session.objects.all()
    return _responses_response(sessions.filter(results.session_filter(filters)), NATIONAL_NAME)
