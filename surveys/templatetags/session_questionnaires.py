"""The session page's questionnaires (the page is the workshops app's, which knows nothing of surveys)."""

from django import template

from surveys import selectors
from surveys.home import PHASE_WORDS
from surveys.models import Phase
from surveys.views.surveys import setup_form_context

register = template.Library()


@register.inclusion_tag("surveys/_session_questionnaires.html", takes_context=True)
def session_questionnaires(context, session):
    """Each questionnaire's state and count, one click from the projector; for writers, the set-up form for those
    missing. A few queries, whatever the session holds."""
    by_phase = selectors.session_surveys(session)
    surveys = []
    for phase in (Phase.PRE, Phase.POST):
        survey = by_phase.get(phase)
        if survey:
            survey.word = PHASE_WORDS[phase]
            survey.current_state = survey.state()
            surveys.append(survey)
    missing = [phase for phase in (Phase.PRE, Phase.POST) if phase not in by_phase]
    shown = {"session": session, "surveys": surveys, "missing": missing, "setup": False}
    if missing and context.get("can_write") and context.get("is_open"):
        shown |= setup_form_context(session, missing=missing) | {"setup": True}
    return shown
