"""Formatting for project pages (numbers as people write them, shares as percentages), and the projects
that came out of a session, for the session page."""

from decimal import Decimal

from django import template
from django.db.models.functions import Lower

from projects import selectors
from projects.models import Project

register = template.Library()


@register.filter
def number(value):
    """12.50 -> 12.5, 40.00 -> 40; anything that is not a number is shown as it is."""
    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value))
        except ArithmeticError:
            return value
    value = value.quantize(Decimal("0.01")) if value.as_tuple().exponent < -2 else value
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def share(part, whole):
    """The whole-number percentage `part` is of `whole`, or an en dash when there is no whole."""
    if not whole:
        return "–"
    return f"{round(100 * part / whole)}%"


@register.inclusion_tag("projects/_session_projects.html")
def session_projects(session, user):
    """The projects that came out of `session` that `user` may see, each with its stage: one query."""
    projects = selectors.register_projects(projects=Project.objects.visible_to(user), filters={"session": session})
    return {"projects": list(projects.order_by(Lower("title"), "pk"))}
