"""Formatting for project pages (numbers as people write them, shares as percentages), and the projects
that came out of a session, for the session page and for the people who were there ("What happened next")."""

from decimal import Decimal

from django import template
from django.db.models.functions import Lower

from coprod.panels import Scope
from projects import dashboard, selectors
from projects.models import Project, Stage

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


@register.inclusion_tag("projects/_what_happened_next.html")
def session_public_projects(session):
    """For the people at `session`: the projects from it shown to them, each with its latest update: one query."""
    return {"projects": list(selectors.shown_at_session(session))}


BOARD_PROJECTS = 12  # a board paper names this many, most advanced first, so that it keeps to two pages


@register.inclusion_tag("projects/_board_projects.html")
def board_projects(partnership, filters):
    """A board paper's projects: the partnership's dashboard figures under the same filters (stages, "Did it
    last?"), so that the paper and the dashboard agree."""
    # The partnership's own row: counted over its sessions alone, not the whole country's beside it.
    mine = filters | {"partnership": partnership}
    row = dashboard.outcomes(scope=Scope(partnership=partnership, filters=mine)).context["rows"][0]
    listed = list(selectors.from_sessions(partnership, filters)[: BOARD_PROJECTS + 1])
    return {
        "row": row,
        "projects": listed[:BOARD_PROJECTS],
        "more": row.counts.get("total", 0) - BOARD_PROJECTS if len(listed) > BOARD_PROJECTS else 0,
        "partnership": partnership,
        "stages": list(zip(Stage.labels, row.stages, strict=True)),
        "lasted": [question for question in row.lasted if question.answered],
    }
