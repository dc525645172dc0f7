"""Every URL, every persona, the exact status.

Anonymous users are sent to log in (302), outsiders (members of another partnership) get 404 for
anything of `partnership`, members without the role get 403. A test below fails when a URL pattern
has no row here, so new pages cannot skip the matrix.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from coprod.models import Role
from tests.conftest import PERSONAS
from tests.factories import (
    AttendanceFactory,
    DataPointFactory,
    MeasureFactory,
    MembershipFactory,
    OrganisationFactory,
    PdsaCycleFactory,
    ProgrammeFactory,
    ProjectFactory,
    QuestionnaireTemplateFactory,
    SessionFactory,
    StatementFactory,
    SurveyFactory,
    TemplateItemFactory,
    UserFactory,
)

OK, REDIRECT, FORBIDDEN, NOT_FOUND = 200, 302, 403, 404
BAD_REQUEST = 400


def statuses(anonymous, outsider, viewer, facilitator, lead, alliance):
    return dict(zip(PERSONAS, [anonymous, outsider, viewer, facilitator, lead, alliance], strict=True))


READ_PAGE = statuses(REDIRECT, NOT_FOUND, OK, OK, OK, OK)
MANAGE_PAGE = statuses(REDIRECT, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK, OK)
SIGNED_IN_PAGE = statuses(REDIRECT, OK, OK, OK, OK, OK)
ALLIANCE_PAGE = statuses(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)
# Sessions and registers: leads and facilitators; ALLIANCE staff read them but write only where they are members.
WRITE_PAGE = statuses(REDIRECT, NOT_FOUND, FORBIDDEN, OK, OK, FORBIDDEN)
WRITE_ACTION = statuses(REDIRECT, NOT_FOUND, FORBIDDEN, REDIRECT, REDIRECT, FORBIDDEN)

# (URL name, kwargs from the `world` objects, method, expected status per persona)
# POSTs send an empty form: allowed personas see the form again with errors (200) or are redirected.
MATRIX = [
    ("home", {}, "get", statuses(OK, OK, OK, OK, OK, OK)),
    ("partnership-list", {}, "get", SIGNED_IN_PAGE),
    ("partnership-create", {}, "get", statuses(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)),
    ("partnership-detail", {"pk": "partnership"}, "get", READ_PAGE),
    ("partnership-edit", {"pk": "partnership"}, "get", MANAGE_PAGE),
    ("partnership-list-edit", {"pk": "partnership", "kind": "localities"}, "get", MANAGE_PAGE),
    ("member-add", {"pk": "partnership"}, "post", MANAGE_PAGE),
    ("member-edit", {"pk": "partnership", "member_pk": "membership"}, "get", MANAGE_PAGE),
    (
        "member-remove",
        {"pk": "partnership", "member_pk": "membership"},
        "post",
        statuses(REDIRECT, NOT_FOUND, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT),
    ),
    # The audit trail: a partnership's for its leads (and ALLIANCE staff), everything for ALLIANCE staff.
    ("partnership-audit-trail", {"pk": "partnership"}, "get", MANAGE_PAGE),
    ("audit-trail", {}, "get", statuses(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)),
    ("user-list", {}, "get", statuses(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)),
    ("user-create", {}, "get", statuses(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)),
    ("user-edit", {"pk": "someone"}, "get", statuses(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)),
    # Two-factor authentication: each user's own; resetting someone else's is ALLIANCE staff's.
    ("login-code", {}, "get", statuses(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    ("two-factor", {}, "get", SIGNED_IN_PAGE),
    ("two-factor-setup", {}, "get", SIGNED_IN_PAGE),
    (
        "two-factor-recovery-codes",
        {},
        "post",
        statuses(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ),
    ("two-factor-remove", {}, "post", statuses(REDIRECT, FORBIDDEN, OK, OK, FORBIDDEN, FORBIDDEN)),
    (
        "user-two-factor-reset",
        {"pk": "someone"},
        "post",
        statuses(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, REDIRECT),
    ),
    ("organisation-list", {}, "get", SIGNED_IN_PAGE),
    ("organisation-create", {}, "get", statuses(REDIRECT, OK, FORBIDDEN, OK, OK, OK)),
    ("organisation-detail", {"pk": "organisation"}, "get", SIGNED_IN_PAGE),
    ("organisation-edit", {"pk": "organisation"}, "get", statuses(REDIRECT, FORBIDDEN, FORBIDDEN, OK, OK, OK)),
    # Sessions and attendance
    ("workshops:session-list", {}, "get", SIGNED_IN_PAGE),
    ("workshops:session-create", {}, "get", statuses(REDIRECT, OK, FORBIDDEN, OK, OK, FORBIDDEN)),
    ("workshops:session-create", {}, "post", statuses(REDIRECT, OK, FORBIDDEN, OK, OK, FORBIDDEN)),
    ("workshops:session-detail", {"pk": "session"}, "get", READ_PAGE),
    ("workshops:session-edit", {"pk": "session"}, "get", WRITE_PAGE),
    ("workshops:session-edit", {"pk": "session"}, "post", WRITE_PAGE),
    ("workshops:session-cancel", {"pk": "session"}, "get", WRITE_PAGE),
    ("workshops:session-cancel", {"pk": "session"}, "post", WRITE_ACTION),
    ("workshops:attendee-add", {"pk": "session"}, "post", WRITE_PAGE),
    ("workshops:attendance-mark", {"pk": "session", "attendance_pk": "attendance"}, "post", WRITE_ACTION),
    ("workshops:attendance-remove", {"pk": "session", "attendance_pk": "attendance"}, "post", WRITE_ACTION),
    ("workshops:bulk-register", {"pk": "session"}, "get", WRITE_PAGE),
    ("workshops:bulk-register", {"pk": "session"}, "post", WRITE_PAGE),
    ("workshops:bulk-register-template", {}, "get", SIGNED_IN_PAGE),
    ("workshops:attendee-list", {}, "get", SIGNED_IN_PAGE),
    ("workshops:attendee-detail", {"pk": "attendee"}, "get", READ_PAGE),
    ("workshops:attendee-edit", {"pk": "attendee"}, "get", WRITE_PAGE),
    ("workshops:attendee-edit", {"pk": "attendee"}, "post", WRITE_PAGE),
    ("workshops:attendee-merge", {"pk": "attendee"}, "get", MANAGE_PAGE),
    ("workshops:attendee-merge", {"pk": "attendee"}, "post", MANAGE_PAGE),
    ("workshops:attendee-erase", {"pk": "attendee"}, "get", MANAGE_PAGE),
    (
        "workshops:attendee-erase",
        {"pk": "attendee"},
        "post",
        statuses(REDIRECT, NOT_FOUND, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT),
    ),
    # Programmes and CPD certificates
    ("workshops:programme-list", {}, "get", SIGNED_IN_PAGE),
    ("workshops:programme-create", {}, "get", statuses(REDIRECT, OK, FORBIDDEN, OK, OK, FORBIDDEN)),
    ("workshops:programme-create", {}, "post", statuses(REDIRECT, OK, FORBIDDEN, OK, OK, FORBIDDEN)),
    ("workshops:programme-detail", {"pk": "programme"}, "get", READ_PAGE),
    (
        "workshops:programme-edit",
        {"pk": "programme"},
        "get",
        statuses(REDIRECT, NOT_FOUND, FORBIDDEN, OK, OK, FORBIDDEN),
    ),
    (
        "workshops:programme-edit",
        {"pk": "programme"},
        "post",
        statuses(REDIRECT, NOT_FOUND, FORBIDDEN, OK, OK, FORBIDDEN),
    ),
    ("workshops:certificate", {"pk": "programme", "attendee_pk": "programme_completer"}, "get", READ_PAGE),
    ("workshops:certificates-all", {"pk": "programme"}, "get", READ_PAGE),
    # Questionnaires: national templates are ALLIANCE staff's, a partnership's copy its lead's; surveys follow
    # their session (leads and facilitators run them).
    ("surveys:template-list", {}, "get", SIGNED_IN_PAGE),
    ("surveys:template-create", {}, "get", statuses(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)),
    ("surveys:template-detail", {"pk": "national_template"}, "get", SIGNED_IN_PAGE),
    ("surveys:template-detail", {"pk": "template_copy"}, "get", READ_PAGE),
    (
        "surveys:template-edit",
        {"pk": "national_template"},
        "get",
        statuses(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    ),
    ("surveys:template-edit", {"pk": "template_copy"}, "get", MANAGE_PAGE),
    (
        "surveys:template-copy",
        {"pk": "national_template"},
        "get",
        statuses(REDIRECT, OK, FORBIDDEN, FORBIDDEN, OK, OK),
    ),
    ("surveys:template-item-add", {"pk": "template_copy"}, "get", MANAGE_PAGE),
    ("surveys:template-item-add", {"pk": "template_copy"}, "post", MANAGE_PAGE),
    ("surveys:template-item-edit", {"pk": "template_copy", "item_pk": "local_item"}, "get", MANAGE_PAGE),
    (
        "surveys:template-item-remove",
        {"pk": "template_copy", "item_pk": "local_item"},
        "post",
        statuses(REDIRECT, NOT_FOUND, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT),
    ),
    ("surveys:session-surveys", {"pk": "session"}, "get", READ_PAGE),
    ("surveys:survey-create", {"pk": "session"}, "get", WRITE_PAGE),
    ("surveys:survey-create", {"pk": "session"}, "post", WRITE_PAGE),
    ("surveys:survey-edit", {"pk": "survey"}, "get", WRITE_PAGE),
    ("surveys:survey-edit", {"pk": "survey"}, "post", WRITE_PAGE),
    ("surveys:survey-close", {"pk": "survey"}, "post", WRITE_ACTION),
    ("surveys:survey-reopen", {"pk": "survey"}, "post", WRITE_ACTION),
    ("surveys:survey-qr", {"pk": "survey"}, "get", READ_PAGE),
    ("surveys:survey-poster", {"pk": "survey"}, "get", READ_PAGE),
    ("surveys:survey-projector", {"pk": "survey"}, "get", READ_PAGE),
    ("surveys:survey-count", {"pk": "survey"}, "get", READ_PAGE),
    ("surveys:survey-paper", {"pk": "survey"}, "get", WRITE_PAGE),
    ("surveys:survey-paper", {"pk": "survey"}, "post", WRITE_PAGE),
    # Results: a session's and a partnership's for its members and ALLIANCE staff, with their exports; the
    # national results for ALLIANCE staff only. "Results" in the nav leads everyone somewhere (a redirect).
    ("surveys:results", {}, "get", statuses(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    ("surveys:session-results", {"pk": "session"}, "get", READ_PAGE),
    ("surveys:session-results-csv", {"pk": "session"}, "get", READ_PAGE),
    ("surveys:session-responses-csv", {"pk": "session"}, "get", READ_PAGE),
    ("surveys:partnership-results", {"pk": "partnership"}, "get", READ_PAGE),
    ("surveys:partnership-results-csv", {"pk": "partnership"}, "get", READ_PAGE),
    ("surveys:partnership-responses-csv", {"pk": "partnership"}, "get", READ_PAGE),
    ("surveys:national-results", {}, "get", ALLIANCE_PAGE),
    ("surveys:national-results-csv", {}, "get", ALLIANCE_PAGE),
    ("surveys:national-responses-csv", {}, "get", ALLIANCE_PAGE),
    # The attendee's questionnaire is public: the same answer for everyone, signed in or not. An empty POST
    # lacks the form's one-time key: 400.
    ("surveys:survey-answer", {"token": "matrix-survey-token-0001"}, "get", statuses(OK, OK, OK, OK, OK, OK)),
    (
        "surveys:survey-answer",
        {"token": "matrix-survey-token-0001"},
        "post",
        statuses(BAD_REQUEST, BAD_REQUEST, BAD_REQUEST, BAD_REQUEST, BAD_REQUEST, BAD_REQUEST),
    ),
    # Improvement projects: members read; leads and facilitators write; ALLIANCE staff read everywhere but write
    # only where they are members. Outsiders are leads elsewhere: they may record projects in their own partnership.
    ("projects:project-list", {}, "get", SIGNED_IN_PAGE),
    ("projects:project-export", {}, "get", SIGNED_IN_PAGE),
    ("projects:project-summary", {}, "get", SIGNED_IN_PAGE),
    ("projects:project-register", {"pk": "partnership"}, "get", READ_PAGE),
    ("projects:project-register-export", {"pk": "partnership"}, "get", READ_PAGE),
    ("projects:project-create", {}, "get", statuses(REDIRECT, OK, FORBIDDEN, OK, OK, FORBIDDEN)),
    ("projects:project-create", {}, "post", statuses(REDIRECT, OK, FORBIDDEN, OK, OK, FORBIDDEN)),
    ("projects:project-detail", {"pk": "project"}, "get", READ_PAGE),
    ("projects:project-edit", {"pk": "project"}, "get", WRITE_PAGE),
    ("projects:project-edit", {"pk": "project"}, "post", WRITE_PAGE),
    ("projects:project-partners", {"pk": "project"}, "get", WRITE_PAGE),
    ("projects:project-partners", {"pk": "project"}, "post", WRITE_PAGE),
    ("projects:project-stage", {"pk": "project"}, "get", WRITE_PAGE),
    ("projects:project-stage", {"pk": "project"}, "post", WRITE_PAGE),
    ("projects:update-add", {"pk": "project"}, "get", WRITE_PAGE),
    ("projects:update-add", {"pk": "project"}, "post", WRITE_PAGE),
    ("projects:learning-add", {"pk": "project"}, "get", WRITE_PAGE),
    ("projects:learning-add", {"pk": "project"}, "post", WRITE_PAGE),
    ("projects:pdsa-add", {"pk": "project"}, "get", WRITE_PAGE),
    ("projects:pdsa-add", {"pk": "project"}, "post", WRITE_PAGE),
    ("projects:pdsa-edit", {"pk": "pdsa"}, "get", WRITE_PAGE),
    ("projects:pdsa-edit", {"pk": "pdsa"}, "post", WRITE_PAGE),
    ("projects:measure-add", {"pk": "project"}, "get", WRITE_PAGE),
    ("projects:measure-add", {"pk": "project"}, "post", WRITE_PAGE),
    ("projects:measure-detail", {"pk": "measure"}, "get", READ_PAGE),
    ("projects:measure-edit", {"pk": "measure"}, "get", WRITE_PAGE),
    ("projects:measure-edit", {"pk": "measure"}, "post", WRITE_PAGE),
    ("projects:point-add", {"pk": "measure"}, "post", WRITE_PAGE),
    ("projects:point-delete", {"pk": "point"}, "post", WRITE_ACTION),
]

# URLs that belong to Django or its admin, which guard themselves.
NOT_IN_MATRIX = {
    "admin",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}


@pytest.fixture
def world(partnership, lead, facilitator, viewer, outsider, alliance):
    """One of each object, all belonging to `partnership`."""
    organisation = OrganisationFactory()
    organisation.partnerships.add(partnership)
    programme = ProgrammeFactory(partnership=partnership, completion_threshold=1)
    programme_completer = AttendanceFactory(
        session=SessionFactory(partnership=partnership, programme=programme, status="held")
    ).attendee
    session = SessionFactory(partnership=partnership)
    attendance = AttendanceFactory(session=session, status="registered")
    return {
        "session": session,
        "attendance": attendance,
        "attendee": attendance.attendee,
        "programme": programme,
        "programme_completer": programme_completer,
        "partnership": partnership,
        "membership": MembershipFactory(partnership=partnership, role=Role.VIEWER),
        "organisation": organisation,
        "someone": UserFactory(),
        **_questionnaires(partnership, session),
        **_projects(partnership),
    }


def _questionnaires(partnership, session):
    """A national template, the partnership's copy with one local statement, and the session's open pre survey."""
    national = QuestionnaireTemplateFactory()
    TemplateItemFactory(template=national)
    template_copy = QuestionnaireTemplateFactory(partnership=partnership, based_on=national)
    local_item = TemplateItemFactory(template=template_copy, statement=StatementFactory(partnership=partnership))
    survey = SurveyFactory(session=session, template=national, token="matrix-survey-token-0001")
    return {"national_template": national, "template_copy": template_copy, "local_item": local_item, "survey": survey}


def _projects(partnership):
    """A project with a PDSA cycle and a measure with one data point."""
    project = ProjectFactory(partnership=partnership)
    measure = MeasureFactory(project=project)
    return {
        "project": project,
        "pdsa": PdsaCycleFactory(project=project),
        "measure": measure,
        "point": DataPointFactory(measure=measure),
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "method", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_permission_matrix_status(world, as_persona, persona, name, kwargs, method, expected):
    client = as_persona(persona)
    url = reverse(name, kwargs={key: world[value].pk if value in world else value for key, value in kwargs.items()})

    response = getattr(client, method)(url)

    assert response.status_code == expected[persona]
    if persona == "anonymous" and expected[persona] == REDIRECT:
        assert response.url.startswith(reverse("login"))


def _all_url_names(resolver=None, namespace=""):
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            yield from _all_url_names(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


def test_permission_matrix_covers_every_url():
    covered = {row[0] for row in MATRIX} | NOT_IN_MATRIX
    assert sorted(set(_all_url_names()) - covered) == []
