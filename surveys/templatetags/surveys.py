"""Formatting for questionnaire pages: states, windows, codes, and the attendee's error summary."""

from django import template
from django.utils import dateformat, timezone

from coprod.templatetags.coprod import _form_errors

register = template.Library()

STATE_LABELS = {"open": "Open", "not_yet_open": "Not open yet", "closed": "Closed"}


@register.filter
def survey_state(state):
    return STATE_LABELS.get(state, state)


def _when(moment):
    return dateformat.format(timezone.localtime(moment), "j F Y, H:i")


@register.filter
def survey_window(survey):
    """When the survey takes answers, in words: 'From 12 March 2026, 09:00 until 12 March 2026, 10:30'."""
    if survey.closed_at:
        return f"Closed on {_when(survey.closed_at)}"
    parts = [f"From {_when(survey.opens_at)}" if survey.opens_at else "From when it was set up"]
    parts.append(f"until {_when(survey.closes_at)}" if survey.closes_at else "until someone closes it")
    return " ".join(parts)


@register.filter
def when(moment):
    return _when(moment) if moment else ""


@register.inclusion_tag("surveys/public/_error_summary.html")
def answer_error_summary(form):
    """The error summary of the attendee's page: like {% error_summary %}, focused without JavaScript."""
    return {"errors": list(_form_errors(form))}
