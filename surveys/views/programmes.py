"""A programme's results: the change across its series, released once by its lead (surveys.results.programme).

For the programme partnership's members and ALLIANCE staff, like a partnership's results; releasing them is the
lead's. Before the release the page says what is counted so far and why nothing is shown yet.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coprod.audit import export_record
from coprod.csv_export import csv_download, csv_lines
from coprod.permissions import Need, can
from surveys.models import ProgrammeRelease
from surveys.results import exports, programme
from surveys.views.results import _charted, _filename, _page_context
from workshops.models import Session
from workshops.permissions import get_programme_for_user


def _release_of(item):
    return ProgrammeRelease.objects.filter(programme=item).first()


@login_required
def programme_results(request, pk):
    item = get_programme_for_user(request, pk)
    release = _release_of(item)
    results = _results(item, release)
    context = _page_context() | {
        "programme": item,
        "release": release,
        "can_release": can(request.user, item.partnership, Need.MANAGE),
        "sessions_held": Session.objects.filter(programme=item).count(),
        "results": results,
        "statements": _charted([entry.figures for entry in results.statements]) if results else [],
        "bands": [(entry.figures, entry.bands) for entry in results.statements if entry.bands] if results else [],
        "downloads": {
            "results_csv": reverse("surveys:programme-results-csv", args=[item.pk]),
            "responses_csv": reverse("surveys:programme-responses-csv", args=[item.pk]),
        },
    }
    return render(request, "surveys/results_programme.html", context)


@login_required
@require_POST
def programme_release(request, pk):
    """The lead releases the programme's results: once, over the sessions released by now."""
    item = get_programme_for_user(request, pk, need=Need.MANAGE)
    try:
        with transaction.atomic():
            ProgrammeRelease.objects.create(programme=item, released_by=request.user)
    except IntegrityError:  # released already (a double click, or another lead at the same moment)
        pass
    else:
        messages.success(request, "The programme's results are released: they will not change from now on.")
    return redirect("surveys:programme-results", item.pk)


def _results(item, release):
    return programme.programme_results(item, release) if release else None


@login_required
def programme_results_csv(request, pk):
    """results.csv at the programme's scope: the statements' rows, then each dose band's (as on the screen)."""
    item = get_programme_for_user(request, pk)
    export_record(user=request.user, what="Results (CSV)", scope=item.partnership, filters={"programme": item.title})
    results = _results(item, _release_of(item))
    rows = []
    for entry in results.statements if results else []:
        rows.append(exports.results_row("programme", item.title, entry.figures))
    for entry in results.statements if results else []:
        for band in entry.bands:
            rows.append(exports.results_row(f"programme, answered at {band.label}", item.title, band.figures))
    return csv_download(exports.results_lines(rows), _filename("results", item.title))


@login_required
def programme_responses_csv(request, pk):
    """responses.csv at the programme's scope: the answers its figures count; the pairing id is the person's
    across the programme."""
    item = get_programme_for_user(request, pk)
    export_record(user=request.user, what="Responses (CSV)", scope=item.partnership, filters={"programme": item.title})
    results = _results(item, _release_of(item))
    lines = [exports.RESPONSES_HEADER]
    if results:
        names = {session.pk: f"{session.title} ({session.date:%-d %b %Y})" for session in results.sessions}
        statements = {entry.figures.statement.id: entry.figures.statement for entry in results.statements}
        for response, pairing, phase, session_id, statement_id, value in programme.responses_rows(results):
            statement = statements[statement_id]
            lines.append(
                [response, pairing, phase, names[session_id], statement.text, statement.version, _value(value)]
            )
    return csv_download(csv_lines(lines), _filename("responses", item.title))


def _value(value):
    return "" if value is None else value
