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
from surveys.forms import share_form
from surveys.models import ProgrammeRelease, SharedLinkKind
from surveys.results import exports, programme
from surveys.views.results import EXPORTED, charted, download_name, page_context, results_download
from workshops.models import Session
from workshops.permissions import get_programme_for_user


def _release_of(item):
    return ProgrammeRelease.objects.filter(programme=item).first()


@login_required
def programme_results(request, pk):
    item = get_programme_for_user(request, pk)
    return programme_results_page(request, item)


def programme_results_page(request, item, *, shared=None):
    release = _release_of(item)
    results = _results(item, release)
    context = page_context() | {
        "programme": item,
        "release": release,
        "shared": shared,
        "share_form": None if shared else share_form(request, SharedLinkKind.PROGRAMME_RESULTS, item),
        "can_release": not shared and can(request.user, item.partnership, Need.MANAGE),
        "sessions_held": Session.objects.filter(programme=item).count(),
        "results": results,
        "statements": charted([entry.figures for entry in results.statements]) if results else [],
        "bands": [(entry.figures, entry.bands) for entry in results.statements if entry.bands] if results else [],
        "downloads": {
            "results_csv": reverse("surveys:programme-results-csv", args=[item.pk]),
            "results_ods": reverse("surveys:programme-results-ods", args=[item.pk]),
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
def programme_results_download(request, pk, fmt):
    """results.csv or .ods at the programme's scope: the statements' rows, then each dose band's (as on the screen)."""
    item = get_programme_for_user(request, pk)
    export_record(user=request.user, what=EXPORTED[fmt], scope=item.partnership, filters={"programme": item.title})
    results = _results(item, _release_of(item))
    statements = results.statements if results else []
    entries = [("programme", item.title, entry.figures) for entry in statements]
    entries += [
        (f"programme, answered at {band.label}", item.title, band.figures)
        for entry in statements
        for band in entry.bands
    ]
    return results_download(request, fmt, entries=entries, name=item.title, scope=f"Programme: {item.title}")


@login_required
def programme_responses_csv(request, pk):
    """responses.csv at the programme's scope: the answers its figures count; the pairing id is the person's
    across the programme. The session column names the programme, never the session of an answer."""
    item = get_programme_for_user(request, pk)
    export_record(user=request.user, what="Responses (CSV)", scope=item.partnership, filters={"programme": item.title})
    results = _results(item, _release_of(item))
    lines = [exports.RESPONSES_HEADER]
    if results:
        statements = {entry.figures.statement.id: entry.figures.statement for entry in results.statements}
        for response, pairing, phase, statement_id, value in programme.responses_rows(results):
            statement = statements[statement_id]
            lines.append([response, pairing, phase, item.title, statement.text, statement.version, _value(value)])
    return csv_download(csv_lines(lines), download_name("responses", item.title))


def _value(value):
    return "" if value is None else value
