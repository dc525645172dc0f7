"""Progress: dated updates, learning points and PDSA cycles."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from coprod.permissions import Need
from projects import services
from projects.forms import LearningPointForm, PdsaForm, ProgressUpdateForm
from projects.permissions import get_pdsa_for_user, get_project_for_user


def _form_page(request, *, project, form, title, submit_label, intro=""):
    return render(
        request,
        "projects/form_page.html",
        {"project": project, "form": form, "title": title, "submit_label": submit_label, "intro": intro},
    )


@login_required
def update_add(request, pk):
    project = get_project_for_user(request, pk, Need.WRITE)
    form = ProgressUpdateForm(request.POST or None)
    if form.is_valid():
        try:
            services.progress_update_add(project=project, author=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Update added.")
            return redirect(project)
    return _form_page(request, project=project, form=form, title="Add an update", submit_label="Add update")


@login_required
def learning_add(request, pk):
    project = get_project_for_user(request, pk, Need.WRITE)
    form = LearningPointForm(request.POST or None)
    if form.is_valid():
        try:
            services.learning_point_add(project=project, author=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Learning point added.")
            return redirect(project)
    return _form_page(
        request, project=project, form=form, title="Add a learning point", submit_label="Add learning point"
    )


@login_required
def pdsa_add(request, pk):
    project = get_project_for_user(request, pk, Need.WRITE)
    form = PdsaForm(request.POST or None)
    if form.is_valid():
        services.pdsa_cycle_add(project=project, **form.cleaned_data)
        messages.success(request, "PDSA cycle added. Come back to it to write up Do, Study and Act.")
        return redirect(project)
    return _form_page(
        request,
        project=project,
        form=form,
        title="New PDSA cycle",
        submit_label="Save PDSA cycle",
        intro="Plan a small test of change and predict what will happen. Fill in Do, Study and Act as the "
        "cycle goes, each with its date.",
    )


@login_required
def pdsa_edit(request, pk):
    cycle = get_pdsa_for_user(request, pk, Need.WRITE)
    form = PdsaForm(request.POST or None, instance=cycle)
    if form.is_valid():
        form.save()
        messages.success(request, "PDSA cycle saved.")
        return redirect(cycle.project)
    return _form_page(
        request, project=cycle.project, form=form, title=f"PDSA cycle: {cycle}", submit_label="Save PDSA cycle"
    )
