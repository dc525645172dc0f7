"""“Did it last?” on a project's page (projects/follow_up.py), from the timeline the page has already."""

from django import template

from projects import follow_up

register = template.Library()


@register.simple_tag
def follow_up_rows(project, timeline):
    """Each question of a project that reached its last stage; none, and no query, for any other project."""
    return follow_up.project_rows(project, timeline)
