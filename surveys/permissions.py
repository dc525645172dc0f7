"""Fetch questionnaire objects for a user: another partnership's are a 404, a missing role a 403.

National templates are read by every signed-in user and changed by ALLIANCE staff only. A partnership's
copy is read by its members (and ALLIANCE staff) and changed by its lead. Surveys follow their session:
leads and facilitators run them, viewers and ALLIANCE staff read them.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from coprod.permissions import Need, can, check_partnership
from surveys.models import BoardPaper, QuestionnaireTemplate, Survey, TemplateItem


def check_template(user, template, need=Need.READ):
    if template.is_national:
        if need > Need.READ and not user.is_alliance_staff:
            raise PermissionDenied
        return
    check_partnership(user, template.partnership, need)


def can_edit_template(user, template):
    if template.is_national:
        return user.is_alliance_staff
    return can(user, template.partnership, Need.MANAGE)


def get_template_for_user(request, pk, need=Need.READ):
    template = get_object_or_404(QuestionnaireTemplate.objects.select_related("partnership", "based_on"), pk=pk)
    check_template(request.user, template, need)
    return template


def get_template_item_for_user(request, pk, item_pk):
    """An item the user may change: one of the template's own (a copy's national items are not its own)."""
    template = get_template_for_user(request, pk, Need.MANAGE)
    return get_object_or_404(
        TemplateItem.objects.select_related("statement", "template"), pk=item_pk, template=template
    )


def get_survey_for_user(request, pk, need=Need.READ):
    survey = get_object_or_404(
        Survey.objects.select_related("session__partnership", "template"),
        pk=pk,
    )
    check_partnership(request.user, survey.session.partnership, need)
    return survey


def can_share(user, partnership):
    """Who may make and revoke read-only links to a scope's results: its leads and facilitators; ALLIANCE staff for
    the national ones (partnership None)."""
    if partnership is None:
        return user.is_authenticated and user.is_alliance_staff
    return can(user, partnership, Need.WRITE)


def check_share(user, partnership):
    """404 for outsiders, 403 for those who may read but not share."""
    if partnership is None:
        if not user.is_alliance_staff:
            raise PermissionDenied
        return
    check_partnership(user, partnership, Need.WRITE)


def get_board_paper_for_user(request, pk, need=Need.READ):
    """A board paper is read by its partnership's members and ALLIANCE staff, written by its leads and facilitators."""
    paper = get_object_or_404(BoardPaper.objects.select_related("partnership", "created_by"), pk=pk)
    check_partnership(request.user, paper.partnership, need)
    return paper
