"""Questionnaire templates: national ones for ALLIANCE staff, partnership copies with local statements for leads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from coprod.models import Partnership, Role
from coprod.permissions import Need, require_alliance_staff
from coprod.services import save_once
from surveys import selectors, services
from surveys.forms import TemplateCopyForm, TemplateCreateForm, TemplateForm, TemplateItemAddForm, TemplateItemEditForm
from surveys.permissions import can_edit_template, get_template_for_user, get_template_item_for_user


def _led_partnerships(user):
    """Where the user may keep a partnership copy: partnerships they lead (any, for ALLIANCE staff)."""
    if user.is_alliance_staff:
        return Partnership.objects.order_by("name")
    return Partnership.objects.filter(memberships__user=user, memberships__role=Role.LEAD).order_by("name")


@login_required
def template_list(request):
    national, copies = selectors.templates_for_list(request.user)
    return render(
        request,
        "surveys/template_list.html",
        {"national": national, "copies": copies, "can_create": request.user.is_alliance_staff},
    )


@login_required
def template_create(request):
    require_alliance_staff(request.user)
    form = TemplateCreateForm(request.POST or None)
    if form.is_valid():
        messages.success(request, "National questionnaire created. Now add its statements.")
        return save_once(request=request, key=form.cleaned_data["submission_key"], save=form.save)
    return render(
        request,
        "surveys/form_page.html",
        {"form": form, "title": "New national questionnaire", "cancel_url": reverse("surveys:template-list")},
    )


@login_required
def template_detail(request, pk):
    template = get_template_for_user(request, pk)
    items = selectors.template_items(template)
    for item in items:
        item.is_own = item.template_id == template.pk
    can_copy = (
        template.is_national
        and _led_partnerships(request.user).exclude(questionnaire_templates__based_on=template).exists()
    )
    return render(
        request,
        "surveys/template_detail.html",
        {
            "template": template,
            "items": items,
            "can_edit": can_edit_template(request.user, template),
            "can_copy": can_copy,
            "copies": list(
                template.copies.select_related("partnership").filter(
                    partnership__in=Partnership.objects.visible_to(request.user)
                )
            ),
        },
    )


@login_required
def template_edit(request, pk):
    template = get_template_for_user(request, pk, Need.MANAGE)
    form = TemplateForm(request.POST or None, instance=template)
    if form.is_valid():
        form.save()
        messages.success(request, "Questionnaire saved.")
        return redirect(template)
    return render(
        request,
        "surveys/form_page.html",
        {"form": form, "title": f"Edit {template}", "cancel_url": template.get_absolute_url()},
    )


@login_required
def template_copy(request, pk):
    template = get_template_for_user(request, pk)
    partnerships = _led_partnerships(request.user).exclude(questionnaire_templates__based_on=template)
    if not template.is_national or not _led_partnerships(request.user).exists():
        raise PermissionDenied
    form = TemplateCopyForm(request.POST or None, partnerships=partnerships)
    if form.is_valid():
        try:
            copy = services.template_copy(template=template, partnership=form.cleaned_data["partnership"])
        except ValidationError as error:
            form.add_error("partnership", error)
        else:
            messages.success(request, "Your partnership's copy is ready: add local statements to it.")
            return redirect(copy)
    return render(
        request,
        "surveys/form_page.html",
        {
            "form": form,
            "title": f"Copy {template} for your partnership",
            "intro": "The copy always asks the national statements, with the national wording, so that results "
            "compare across Scotland. Your partnership can add its own statements after them.",
            "submit_label": "Make a copy",
            "cancel_url": template.get_absolute_url(),
        },
    )


@login_required
def template_item_add(request, pk):
    template = get_template_for_user(request, pk, Need.MANAGE)
    form = TemplateItemAddForm(request.POST or None, initial={"phase": "both", "required": True})
    if form.is_valid():
        services.template_item_add(template=template, **form.cleaned_data)
        messages.success(request, "Statement added.")
        return redirect(template)
    return render(
        request,
        "surveys/form_page.html",
        {
            "form": form,
            "title": f"Add a statement to {template}",
            "submit_label": "Add statement",
            "cancel_url": template.get_absolute_url(),
        },
    )


@login_required
def template_item_edit(request, pk, item_pk):
    item = get_template_item_for_user(request, pk, item_pk)
    template = item.template
    statement = item.statement
    initial = {
        "text": statement.text,
        "hint": statement.hint,
        "phase": item.phase,
        "required": item.required,
        "position": item.position,
    }
    form = TemplateItemEditForm(request.POST or None, initial=initial)
    if form.is_valid():
        updated = services.template_item_update(item=item, **form.cleaned_data)
        if updated.statement_id != statement.pk:
            messages.success(
                request,
                f"Saved as version {updated.statement.version}: surveys already set up keep the earlier wording, "
                "and results never mix the two.",
            )
        else:
            messages.success(request, "Statement saved.")
        return redirect(template)
    return render(
        request,
        "surveys/form_page.html",
        {
            "form": form,
            "title": "Edit a statement",
            "intro": "Surveys already set up keep the wording they were set up with. Changing the words of a statement "
            "already asked saves a new version of it, so results only ever combine answers to the same words.",
            "cancel_url": template.get_absolute_url(),
        },
    )


@login_required
@require_POST
def template_item_remove(request, pk, item_pk):
    item = get_template_item_for_user(request, pk, item_pk)
    services.template_item_remove(item=item)
    messages.success(request, "Statement removed from this questionnaire. Surveys already set up keep it.")
    return redirect(item.template)
