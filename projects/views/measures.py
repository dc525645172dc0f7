"""Measures, their data points and charts: run or XmR, with a baseline people fix and phases they start."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from coprod.permissions import Need, can
from coprod.services import save_once
from projects import runchart, selectors, services, spc
from projects.forms import ChartSettingsForm, DataPointForm, MeasureForm, PhaseForm
from projects.permissions import get_measure_for_user, get_phase_for_user, get_point_for_user, get_project_for_user


@login_required
def measure_add(request, pk):
    project = get_project_for_user(request, pk, Need.WRITE)
    form = MeasureForm(request.POST or None, project=project)
    if form.is_valid():
        try:
            measure = services.measure_add(project=project, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Measure added. Now add its data points.")
            return redirect(measure)
    return render(
        request,
        "projects/form_page.html",
        {"project": project, "form": form, "title": "New measure", "submit_label": "Add measure"},
    )


@login_required
def measure_edit(request, pk):
    measure = get_measure_for_user(request, pk, Need.WRITE)
    form = MeasureForm(request.POST or None, instance=measure, project=measure.project)
    if form.is_valid():
        form.save()
        messages.success(request, "Measure saved.")
        return redirect(measure)
    return render(
        request,
        "projects/form_page.html",
        {"project": measure.project, "form": form, "title": f"Edit {measure}", "submit_label": "Save measure"},
    )


def _settings_form(measure, data=None):
    return ChartSettingsForm(
        data, initial={"chart_type": measure.chart_type, "baseline_points": measure.baseline_points}
    )


def _measure_page(request, measure, *, point_form=None, settings_form=None, phase_form=None):
    """The measure's page; a form that failed comes back with its errors, the others fresh."""
    return render(
        request,
        "projects/measure_detail.html",
        {
            "measure": measure,
            "project": measure.project,
            "chart": selectors.measure_chart(measure),
            "point_form": DataPointForm() if point_form is None else point_form,
            "settings_form": _settings_form(measure) if settings_form is None else settings_form,
            "phase_form": PhaseForm() if phase_form is None else phase_form,
            "can_write": can(request.user, measure.project.partnership, Need.WRITE),
            "rules": runchart,
            "spc": spc,
        },
    )


@login_required
def measure_detail(request, pk):
    measure = get_measure_for_user(request, pk)
    return _measure_page(request, measure)


@login_required
@require_POST
def point_add(request, pk):
    measure = get_measure_for_user(request, pk, Need.WRITE)
    form = DataPointForm(request.POST)
    if form.is_valid():
        try:
            point = services.data_point_add(measure=measure, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Value for {date_format(point.date, 'j F Y')} added.")
            return redirect(measure)
    return _measure_page(request, measure, point_form=form)


@login_required
@require_POST
def point_delete(request, pk):
    point = get_point_for_user(request, pk, Need.WRITE)
    point.delete()
    messages.success(request, f"Value for {date_format(point.date, 'j F Y')} deleted.")
    return redirect(point.measure)


@login_required
@require_POST
def chart_settings(request, pk):
    measure = get_measure_for_user(request, pk, Need.WRITE)
    form = _settings_form(measure, request.POST)
    if form.is_valid():
        try:
            services.measure_chart_set(measure=measure, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Chart saved.")
            return redirect(measure)
    return _measure_page(request, measure, settings_form=form)


@login_required
@require_POST
def phase_add(request, pk):
    measure = get_measure_for_user(request, pk, Need.WRITE)
    form = PhaseForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data

        def save():
            phase = services.measure_phase_start(
                measure=measure, user=request.user, starts_on=data["starts_on"], reason=data["reason"]
            )
            messages.success(request, f"New phase from {date_format(phase.starts_on, 'j F Y')}: {phase.reason}")
            return phase

        try:
            return save_once(request=request, key=data["submission_key"], save=save)
        except ValidationError as error:
            form.add_error(None, error)
    return _measure_page(request, measure, phase_form=form)


@login_required
def phase_remove(request, pk):
    """A page that asks first; the POST removes the phase, whose values join the phase before."""
    phase = get_phase_for_user(request, pk, Need.WRITE)
    if request.method == "POST":
        services.measure_phase_remove(phase=phase)
        messages.success(request, f"Phase from {date_format(phase.starts_on, 'j F Y')} removed.")
        return redirect(phase.measure)
    return render(
        request,
        "projects/phase_remove.html",
        {"phase": phase, "measure": phase.measure, "project": phase.measure.project},
    )
