"""Many values of a measure at once: a grid to type or correct them, rows pasted from a spreadsheet (checked, then
saved all or none), and the values as CSV."""

import itertools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify

from coprod.audit import export_record
from coprod.csv_export import csv_download, csv_lines
from coprod.forms import OnceForm
from coprod.permissions import Need
from coprod.services import save_once
from projects import paste, services
from projects.forms import GRID_STORED_ROWS, PasteForm, PasteSaveForm, ValueFormSet
from projects.permissions import get_measure_for_user

PREVIEW_ROWS = 200
CSV_HEADER = ["date", "value", "note"]  # as the paste reads them back


def _grid(points):
    """The latest stored values, each correctable, then empty rows."""
    initial = [
        {"date": point.date, "value": paste.format_value(point.value), "note": point.note}
        for point in points[-GRID_STORED_ROWS:]
    ]
    return ValueFormSet(initial=initial, prefix="values")


def _page(request, measure, points, *, formset=None, grid_key=None, paste_form=None, preview=None, save_form=None):
    return render(
        request,
        "projects/measure_values.html",
        {
            "measure": measure,
            "project": measure.project,
            "formset": formset if formset is not None else _grid(points),
            "grid_key": grid_key if grid_key is not None else OnceForm(prefix="grid"),
            "older_count": max(0, len(points) - GRID_STORED_ROWS),
            "paste_form": paste_form if paste_form is not None else PasteForm(),
            "preview": preview,
            "preview_rows": PREVIEW_ROWS,
            "save_form": save_form,
            "max_rows": paste.MAX_ROWS,
        },
    )


def _saved_message(saved):
    if not (saved.added or saved.updated or saved.deleted):
        return "Nothing changed: every value was already stored as given."
    parts = [f"{saved.added} added", f"{saved.updated} updated"]
    if saved.deleted:
        parts.append(f"{saved.deleted} deleted")
    return f"Values saved: {', '.join(parts)}."


def _store(request, measure, points, delete=()):
    saved = services.data_points_save(measure=measure, points=points, delete=delete)
    messages.success(request, _saved_message(saved))
    return measure


def _preview(text, points):
    return paste.parse(text, today=timezone.localdate()).compare({point.date: point for point in points})


def _save_grid(request, measure, points):
    grid_key = OnceForm(request.POST, prefix="grid")
    formset = ValueFormSet(request.POST, prefix="values")
    if not grid_key.is_valid():
        messages.error(request, "The form arrived without its key: check the rows and save again.")
        grid_key = None
    elif formset.is_valid():
        try:
            return save_once(
                request=request,
                key=grid_key.cleaned_data["submission_key"],
                save=lambda: _store(request, measure, formset.points(), formset.deleted_dates()),
            )
        except ValidationError as error:
            grid_key.add_error(None, error)
    return _page(request, measure, points, formset=formset, grid_key=grid_key)


def _check_paste(request, measure, points):
    form = PasteForm(request.POST)
    preview = save_form = None
    if form.is_valid():
        preview = _preview(form.cleaned_data["text"], points)
        if preview.is_valid:
            save_form = PasteSaveForm(prefix="save", initial={"text": form.cleaned_data["text"]})
    return _page(request, measure, points, paste_form=form, preview=preview, save_form=save_form)


def _save_paste(request, measure, points):
    form = PasteSaveForm(request.POST, prefix="save")
    if not form.is_valid():
        messages.error(request, "The rows to save were lost on the way: paste them again.")
        return _page(request, measure, points)
    text = form.cleaned_data.get("text", "")  # absent only when a used key clears the errors (OnceForm)
    preview = _preview(text, points)
    if preview.is_valid:
        try:
            return save_once(
                request=request,
                key=form.cleaned_data["submission_key"],
                save=lambda: _store(request, measure, preview.points()),
            )
        except ValidationError as error:  # something changed since the check: say what
            preview.problems += error.messages
    return _page(request, measure, points, paste_form=PasteForm(initial={"text": text}), preview=preview)


@login_required
def measure_values(request, pk):
    """Type or correct values in a grid, or paste them from a spreadsheet: a date already stored gets the new value."""
    measure = get_measure_for_user(request, pk, Need.WRITE)
    points = list(measure.points.all())
    if request.method != "POST":
        return _page(request, measure, points)
    step = request.POST.get("step")
    if step == "check":
        return _check_paste(request, measure, points)
    if step == "save":
        return _save_paste(request, measure, points)
    return _save_grid(request, measure, points)


@login_required
def measure_points_csv(request, pk):
    """The measure's values: date (ISO), value and note, in a form the paste reads back."""
    measure = get_measure_for_user(request, pk)
    points = list(measure.points.all())
    export_record(
        user=request.user,
        what="Measure values (CSV)",
        scope=measure.project.partnership,
        filters={"project": measure.project.title, "measure": measure.name},
    )
    rows = ([point.date.isoformat(), paste.format_value(point.value), point.note] for point in points)
    return csv_download(
        csv_lines(itertools.chain([CSV_HEADER], rows)), f"{slugify(measure.name)[:60] or 'measure'}-values"
    )
