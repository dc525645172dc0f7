"""Measures, their data points and run charts."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from coprod.permissions import Need, can
from projects import runchart, selectors, services
from projects.forms import DataPointForm, MeasureForm
from projects.permissions import get_measure_for_user, get_point_for_user, get_project_for_user


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


def _measure_page(request, measure, point_form, status=200):
    return render(
        request,
        "projects/measure_detail.html",
        {
            "measure": measure,
            "project": measure.project,
            "chart": selectors.measure_chart(measure),
            "point_form": point_form,
            "can_write": can(request.user, measure.project.partnership, Need.WRITE),
            "rules": runchart,
        },
        status=status,
    )


@login_required
def measure_detail(request, pk):
    measure = get_measure_for_user(request, pk)
    return _measure_page(request, measure, DataPointForm())


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
    return _measure_page(request, measure, form)


@login_required
@require_POST
def point_delete(request, pk):
    point = get_point_for_user(request, pk, Need.WRITE)
    point.delete()
    messages.success(request, f"Value for {date_format(point.date, 'j F Y')} deleted.")
    return redirect(point.measure)
