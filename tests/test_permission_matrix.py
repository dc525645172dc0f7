"""Every URL, every persona, the exact status.

Anonymous users are sent to log in (302), outsiders (members of another partnership) get 404 for
anything of `partnership`, members without the role get 403. A test below fails when a URL pattern
has no row here, or a view that handles a form has no POST row, so new pages cannot skip the matrix.
"""

import datetime
import inspect
import re

import pytest
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from coprod.models import Invitation, Role
from projects.follow_up import add_months
from projects.models import MeasurePhase, ProjectFollowUp, Stage, StageChange
from surveys.models import BoardPaper, SharedLink, SharedLinkKind
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

OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 403, 404, 405
BAD_REQUEST = 400


def statuses(anonymous, outsider, viewer, facilitator, lead, alliance):
    return dict(zip(PERSONAS, [anonymous, outsider, viewer, facilitator, lead, alliance], strict=True))


READ_PAGE = statuses(REDIRECT, NOT_FOUND, OK, OK, OK, OK)
MANAGE_PAGE = statuses(REDIRECT, NOT_FOUND, FORBIDDEN, FORBIDDEN, OK, OK)
SIGNED_IN_PAGE = statuses(REDIRECT, OK, OK, OK, OK, OK)
EVERYONE_PAGE = statuses(OK, OK, OK, OK, OK, OK)
ALLIANCE_PAGE = statuses(REDIRECT, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK)
# Sessions and registers: leads and facilitators; ALLIANCE staff read them but write only where they are members.
WRITE_PAGE = statuses(REDIRECT, NOT_FOUND, FORBIDDEN, OK, OK, FORBIDDEN)
WRITE_ACTION = statuses(REDIRECT, NOT_FOUND, FORBIDDEN, REDIRECT, REDIRECT, FORBIDDEN)

# (URL name, kwargs from the `world` objects, method, expected status per persona)
# POSTs send a form with none of the page's fields: allowed personas see the form again with errors (200) or are
# redirected; refused ones are refused before any field is read. The form is not empty, so that views which
# bind it with `request.POST or None` take their POST path.
POST_BODY = {"matrix": "not a field"}
MATRIX = [
    ("invitation", {"pk": "invitation"}, "get", statuses(REDIRECT, OK, *[NOT_FOUND] * 4)),
    ("invitation", {"pk": "invitation"}, "post", statuses(REDIRECT, REDIRECT, *[NOT_FOUND] * 4)),
    # Home: the day's work; ALLIANCE staff land on the national dashboard (a redirect).
    ("home", {}, "get", statuses(OK, OK, OK, OK, OK, REDIRECT)),
    ("partnership-list", {}, "get", SIGNED_IN_PAGE),
    ("partnership-create", {}, "get", ALLIANCE_PAGE),
    ("partnership-create", {}, "post", ALLIANCE_PAGE),
    ("partnership-detail", {"pk": "partnership"}, "get", READ_PAGE),
    ("partnership-edit", {"pk": "partnership"}, "get", MANAGE_PAGE),
    ("partnership-edit", {"pk": "partnership"}, "post", MANAGE_PAGE),
    ("partnership-list-edit", {"pk": "partnership", "kind": "localities"}, "get", MANAGE_PAGE),
    ("partnership-list-edit", {"pk": "partnership", "kind": "localities"}, "post", MANAGE_PAGE),
    ("member-add", {"pk": "partnership"}, "post", MANAGE_PAGE),
    ("member-edit", {"pk": "partnership", "member_pk": "membership"}, "get", MANAGE_PAGE),
    ("member-edit", {"pk": "partnership", "member_pk": "membership"}, "post", MANAGE_PAGE),
    (
        "member-remove",
        {"pk": "partnership", "member_pk": "membership"},
        "post",
        statuses(REDIRECT, NOT_FOUND, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT),
    ),
    # The audit trail: a partnership's for its leads (and ALLIANCE staff), everything for ALLIANCE staff.
    ("partnership-audit-trail", {"pk": "partnership"}, "get", MANAGE_PAGE),
    ("audit-trail", {}, "get", ALLIANCE_PAGE),
    ("user-list", {}, "get", ALLIANCE_PAGE),
    ("user-create", {}, "get", ALLIANCE_PAGE),
    ("user-create", {}, "post", ALLIANCE_PAGE),
    ("user-edit", {"pk": "someone"}, "get", ALLIANCE_PAGE),
    ("user-edit", {"pk": "someone"}, "post", ALLIANCE_PAGE),
    # Signing in, out and passwords: Django's views, open to everyone where they must be. The page that sets a new
    # password, without the session a good reset link starts, says the link is invalid.
    ("login", {}, "get", EVERYONE_PAGE),
    ("login", {}, "post", EVERYONE_PAGE),
    ("logout", {}, "post", statuses(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    ("password_change", {}, "get", SIGNED_IN_PAGE),
    ("password_change", {}, "post", SIGNED_IN_PAGE),
    ("password_change_done", {}, "get", SIGNED_IN_PAGE),
    ("password_reset", {}, "get", EVERYONE_PAGE),
    ("password_reset", {}, "post", EVERYONE_PAGE),
    ("password_reset_done", {}, "get", EVERYONE_PAGE),
    ("password_reset_confirm", {"uidb64": "MQ", "token": "set-password"}, "get", EVERYONE_PAGE),
    ("password_reset_confirm", {"uidb64": "MQ", "token": "set-password"}, "post", EVERYONE_PAGE),
    ("password_reset_complete", {}, "get", EVERYONE_PAGE),
    # Two-factor authentication: each user's own; resetting someone else's is ALLIANCE staff's. The second step
    # of a login is for a pending login only: with none, anonymous users go back to log in, others home.
    ("login-code", {}, "get", statuses(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    ("login-code", {}, "post", statuses(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT)),
    ("two-factor", {}, "get", SIGNED_IN_PAGE),
    ("two-factor-setup", {}, "get", SIGNED_IN_PAGE),
    ("two-factor-setup", {}, "post", SIGNED_IN_PAGE),
    (
        "two-factor-recovery-codes",
        {},
        "post",
        statuses(REDIRECT, OK, FORBIDDEN, FORBIDDEN, OK, OK),  # leads and ALLIANCE staff log in with a second factor
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
    ("organisation-create", {}, "post", statuses(REDIRECT, OK, FORBIDDEN, OK, OK, OK)),
    ("organisation-detail", {"pk": "organisation"}, "get", SIGNED_IN_PAGE),
    ("organisation-edit", {"pk": "organisation"}, "get", statuses(REDIRECT, FORBIDDEN, FORBIDDEN, OK, OK, OK)),
    ("organisation-edit", {"pk": "organisation"}, "post", statuses(REDIRECT, FORBIDDEN, FORBIDDEN, OK, OK, OK)),
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
    (
        "workshops:certificates-send",
        {"pk": "programme"},
        "post",
        statuses(REDIRECT, NOT_FOUND, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT),
    ),
    ("workshops:certificate-check", {}, "get", EVERYONE_PAGE),
    ("workshops:certificate-note", {}, "get", statuses(*[NOT_FOUND] * 6)),  # no key: no note to write
    ("workshops:certificate-note", {}, "post", statuses(*[NOT_FOUND] * 6)),
    # Questionnaires: national templates are ALLIANCE staff's, a partnership's copy its lead's; surveys follow
    # their session (leads and facilitators run them).
    ("surveys:template-list", {}, "get", SIGNED_IN_PAGE),
    ("surveys:template-create", {}, "get", ALLIANCE_PAGE),
    ("surveys:template-create", {}, "post", ALLIANCE_PAGE),
    ("surveys:template-detail", {"pk": "national_template"}, "get", SIGNED_IN_PAGE),
    ("surveys:template-detail", {"pk": "template_copy"}, "get", READ_PAGE),
    ("surveys:template-edit", {"pk": "national_template"}, "get", ALLIANCE_PAGE),
    ("surveys:template-edit", {"pk": "national_template"}, "post", ALLIANCE_PAGE),
    ("surveys:template-edit", {"pk": "template_copy"}, "get", MANAGE_PAGE),
    ("surveys:template-edit", {"pk": "template_copy"}, "post", MANAGE_PAGE),
    # Copying is for leads (of any partnership: the outsider is one) and ALLIANCE staff.
    ("surveys:template-copy", {"pk": "national_template"}, "get", statuses(REDIRECT, OK, FORBIDDEN, FORBIDDEN, OK, OK)),
    (
        "surveys:template-copy",
        {"pk": "national_template"},
        "post",
        statuses(REDIRECT, OK, FORBIDDEN, FORBIDDEN, OK, OK),
    ),
    ("surveys:template-item-add", {"pk": "template_copy"}, "get", MANAGE_PAGE),
    ("surveys:template-item-add", {"pk": "template_copy"}, "post", MANAGE_PAGE),
    ("surveys:template-item-edit", {"pk": "template_copy", "item_pk": "local_item"}, "get", MANAGE_PAGE),
    ("surveys:template-item-edit", {"pk": "template_copy", "item_pk": "local_item"}, "post", MANAGE_PAGE),
    (
        "surveys:template-item-remove",
        {"pk": "template_copy", "item_pk": "local_item"},
        "post",
        statuses(REDIRECT, NOT_FOUND, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT),
    ),
    ("surveys:session-surveys", {"pk": "session"}, "get", READ_PAGE),
    ("surveys:survey-create", {"pk": "session"}, "get", WRITE_PAGE),
    ("surveys:survey-create", {"pk": "session"}, "post", WRITE_PAGE),
    # "What happened next" at the questionnaires' addresses: published (once they are released) and unpublished by
    # the session's writers; refused before release with a message (a redirect, as after publishing).
    ("surveys:what-happened-next-publish", {"pk": "session"}, "post", WRITE_ACTION),
    ("surveys:what-happened-next-unpublish", {"pk": "session"}, "post", WRITE_ACTION),
    ("surveys:survey-edit", {"pk": "survey"}, "get", WRITE_PAGE),
    ("surveys:survey-edit", {"pk": "survey"}, "post", WRITE_ACTION),  # both times are optional: saved
    ("surveys:survey-open", {"pk": "survey"}, "post", WRITE_ACTION),
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
    ("surveys:session-results-ods", {"pk": "session"}, "get", READ_PAGE),
    ("surveys:session-responses-csv", {"pk": "session"}, "get", READ_PAGE),
    ("surveys:partnership-results", {"pk": "partnership"}, "get", READ_PAGE),
    ("surveys:programme-results", {"pk": "programme"}, "get", READ_PAGE),
    ("surveys:programme-results-csv", {"pk": "programme"}, "get", READ_PAGE),
    ("surveys:programme-results-ods", {"pk": "programme"}, "get", READ_PAGE),
    ("surveys:programme-responses-csv", {"pk": "programme"}, "get", READ_PAGE),
    (
        "surveys:programme-release",
        {"pk": "programme"},
        "post",
        statuses(REDIRECT, NOT_FOUND, FORBIDDEN, FORBIDDEN, REDIRECT, REDIRECT),
    ),
    ("surveys:partnership-results-csv", {"pk": "partnership"}, "get", READ_PAGE),
    ("surveys:partnership-results-ods", {"pk": "partnership"}, "get", READ_PAGE),
    ("surveys:partnership-responses-csv", {"pk": "partnership"}, "get", READ_PAGE),
    ("surveys:national-results", {}, "get", ALLIANCE_PAGE),
    ("surveys:national-results-csv", {}, "get", ALLIANCE_PAGE),
    ("surveys:national-results-ods", {}, "get", ALLIANCE_PAGE),
    ("surveys:national-responses-csv", {}, "get", ALLIANCE_PAGE),
    # The dashboard: Scotland's for ALLIANCE staff, others go to their partnership's (a redirect); a partnership's
    # for its members and ALLIANCE staff.
    ("surveys:dashboard", {}, "get", statuses(REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, OK)),
    ("surveys:dashboard-csv", {}, "get", ALLIANCE_PAGE),
    ("surveys:dashboard-ods", {}, "get", ALLIANCE_PAGE),
    ("surveys:partnership-dashboard", {"pk": "partnership"}, "get", READ_PAGE),
    ("surveys:partnership-dashboard-csv", {"pk": "partnership"}, "get", READ_PAGE),
    ("surveys:partnership-dashboard-ods", {"pk": "partnership"}, "get", READ_PAGE),
    # Read-only links: made and revoked by a scope's writers (ALLIANCE staff: the national ones), listed for its
    # members; the link itself is open to anyone holding its token (an unknown one: 404 for everyone).
    # Board papers: read by members and ALLIANCE staff, made and edited by leads and facilitators.
    ("surveys:board-paper-list", {"pk": "partnership"}, "get", READ_PAGE),
    ("surveys:board-paper-create", {"pk": "partnership"}, "get", WRITE_PAGE),
    ("surveys:board-paper-create", {"pk": "partnership"}, "post", WRITE_PAGE),
    ("surveys:board-paper", {"pk": "board_paper"}, "get", READ_PAGE),
    ("surveys:board-paper-edit", {"pk": "board_paper"}, "get", WRITE_PAGE),
    ("surveys:board-paper-edit", {"pk": "board_paper"}, "post", WRITE_PAGE),
    ("surveys:shared-view", {"token": "matrix-unknown-token"}, "get", statuses(*[NOT_FOUND] * 6)),
    ("surveys:shared-view", {"token": "matrix-unknown-token"}, "post", statuses(*[NOT_ALLOWED] * 6)),
    ("surveys:shared-links", {"pk": "partnership"}, "get", READ_PAGE),
    ("surveys:national-shared-links", {}, "get", ALLIANCE_PAGE),
    # Without the page's kind and target, nothing to share: 404 (with them, see tests/surveys/test_shared_links.py).
    ("surveys:shared-link-create", {}, "post", statuses(REDIRECT, *[NOT_FOUND] * 5)),
    ("surveys:shared-link-revoke", {"pk": "shared_link"}, "post", WRITE_ACTION),
    # The attendee's questionnaire is public: the same answer for everyone, signed in or not. A POST without
    # the form's one-time key: 400.
    ("surveys:survey-answer", {"token": "matrix-survey-token-0001"}, "get", EVERYONE_PAGE),
    (
        "surveys:survey-answer",
        {"token": "matrix-survey-token-0001"},
        "post",
        statuses(BAD_REQUEST, BAD_REQUEST, BAD_REQUEST, BAD_REQUEST, BAD_REQUEST, BAD_REQUEST),
    ),
    # The same on a shared tablet, and the short address, which leads to it (a wrong code: 404, for everyone).
    ("surveys:survey-kiosk", {"token": "matrix-survey-token-0001"}, "get", EVERYONE_PAGE),
    (
        "surveys:survey-kiosk",
        {"token": "matrix-survey-token-0001"},
        "post",
        statuses(BAD_REQUEST, BAD_REQUEST, BAD_REQUEST, BAD_REQUEST, BAD_REQUEST, BAD_REQUEST),
    ),
    ("surveys:short-code", {}, "get", EVERYONE_PAGE),
    ("surveys:short-code", {}, "post", statuses(*[NOT_ALLOWED] * 6)),
    ("surveys:survey-short", {"code": "mtrx-2345"}, "get", statuses(*[REDIRECT] * 6)),  # to its questionnaire
    ("surveys:survey-short", {"code": "MTRX-2346"}, "get", statuses(*[NOT_FOUND] * 6)),
    ("surveys:survey-short", {"code": "mtrx-2345"}, "post", statuses(*[NOT_ALLOWED] * 6)),
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
    # Many values at once (a grid, or pasted rows checked then saved) for writers; the values as CSV for readers.
    ("projects:measure-values", {"pk": "measure"}, "get", WRITE_PAGE),
    ("projects:measure-values", {"pk": "measure"}, "post", WRITE_PAGE),
    ("projects:measure-points-csv", {"pk": "measure"}, "get", READ_PAGE),
    # A measure's chart: run or XmR and its baseline, its phases (removing one asks first).
    ("projects:measure-chart", {"pk": "measure"}, "post", WRITE_PAGE),
    ("projects:phase-add", {"pk": "measure"}, "post", WRITE_PAGE),
    ("projects:phase-remove", {"pk": "phase"}, "get", WRITE_PAGE),
    ("projects:phase-remove", {"pk": "phase"}, "post", WRITE_ACTION),
    # "Did it last?": the question six months after a project closed (answered already: a writer may change it).
    ("projects:follow-up", {"pk": "closed_project", "due": 6}, "get", WRITE_PAGE),
    ("projects:follow-up", {"pk": "closed_project", "due": 6}, "post", WRITE_PAGE),
]


# Patterns that cannot be in the matrix: they have no name to reverse. Each is tested where it is defined. The
# admin's own URLs are left out too (see _url_patterns): the admin lets in staff only, after CoProd's login.
NOT_IN_MATRIX = {
    "admin/login/",  # sends everyone to CoProd's login: tests/coprod/test_two_factor.py
    "bench/bare/",  # routed only when BENCH_BARE_VIEW=1, for bench/load_survey.py; never in production
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
        # The outsider, invited to join: theirs alone to answer (accept or decline), everyone else's a 404.
        "invitation": Invitation.objects.create(user=outsider, partnership=partnership, role=Role.VIEWER),
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
        "shared_link": SharedLink.objects.create(
            kind=SharedLinkKind.PARTNERSHIP_RESULTS, partnership=partnership, token_hash="0" * 64
        ),
        "board_paper": BoardPaper.objects.create(
            partnership=partnership, period_start=datetime.date(2026, 4, 1), period_end=datetime.date(2026, 6, 30)
        ),
        **_projects(partnership),
    }


def _questionnaires(partnership, session):
    """A national template, the partnership's copy with one local statement, and the session's open pre survey."""
    national = QuestionnaireTemplateFactory()
    TemplateItemFactory(template=national)
    template_copy = QuestionnaireTemplateFactory(partnership=partnership, based_on=national)
    local_item = TemplateItemFactory(template=template_copy, statement=StatementFactory(partnership=partnership))
    survey = SurveyFactory(session=session, template=national, token="matrix-survey-token-0001", short_code="MTRX2345")
    return {"national_template": national, "template_copy": template_copy, "local_item": local_item, "survey": survey}


def _projects(partnership):
    """A project with a PDSA cycle and a measure with one data point and a second phase; a project closed seven
    months ago whose six-month "Did it last?" question is answered."""
    project = ProjectFactory(partnership=partnership)
    measure = MeasureFactory(project=project)
    return {
        "project": project,
        "pdsa": PdsaCycleFactory(project=project),
        "measure": measure,
        "point": DataPointFactory(measure=measure),
        "phase": MeasurePhase.objects.create(
            measure=measure, starts_on=datetime.date(2025, 3, 3), reason="Referral form simplified."
        ),
        "closed_project": _closed_project(partnership),
    }


def _closed_project(partnership):
    project = ProjectFactory(partnership=partnership, stage=Stage.CLOSED)
    closed_on = add_months(timezone.localdate(), -7)
    StageChange.objects.create(project=project, from_stage=Stage.SPREAD, to_stage=Stage.CLOSED, date=closed_on)
    ProjectFollowUp.objects.create(
        project=project,
        due=6,
        due_on=add_months(closed_on, 6),
        outcome="embedded",
        reason="The walking group runs every week.",
        answered_at=timezone.now(),
    )
    return project


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kwargs", "method", "expected"), MATRIX, ids=[f"{row[0]}-{row[2]}" for row in MATRIX])
def test_permission_matrix_status(world, as_persona, persona, name, kwargs, method, expected):
    client = as_persona(persona)
    url = reverse(name, kwargs={key: world[value].pk if value in world else value for key, value in kwargs.items()})

    response = client.get(url) if method == "get" else client.post(url, POST_BODY)

    assert response.status_code == expected[persona]
    if persona == "anonymous" and expected[persona] == REDIRECT and name != "surveys:survey-short":
        assert response.url.startswith(reverse("login"))


# A view handles POST if it reads the posted form or asks which method it was called with.
HANDLES_POST = re.compile(r"request\.POST|request\.method|require_POST|require_http_methods")


def _methods(view):
    """The methods a view answers: GET unless it is POST-only, and POST if it handles a form."""
    if hasattr(view, "view_class"):  # Django's class-based views: login, logout, passwords
        return {m for m in ("get", "post") if m in view.view_class.http_method_names and hasattr(view.view_class, m)}
    source = inspect.getsource(inspect.unwrap(view))  # decorators included
    methods = set() if "@require_POST" in source else {"get"}
    if HANDLES_POST.search(source):
        methods.add("post")
    return methods


def _url_patterns(resolver=None, namespace="", prefix=""):
    """(name, pattern) of every URL outside the admin, which guards itself; unnamed ones by their route."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = f"{prefix}{entry.pattern}"
        if isinstance(entry, URLResolver):
            if entry.namespace != "admin":
                yield from _url_patterns(
                    entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace, route
                )
        else:
            yield (f"{namespace}{entry.name}" if entry.name else route), entry


def test_permission_matrix_covers_every_url_and_method():
    wanted = {
        (name, method)
        for name, pattern in _url_patterns()
        if name not in NOT_IN_MATRIX
        for method in _methods(pattern.callback)
    }
    covered = {(name, method) for name, _kwargs, method, _expected in MATRIX}

    assert sorted(wanted - covered) == []
