"""The audit trail: an entry for each create, update and delete, filed under its partnership; nothing of
attendees' identities, answers or secrets in it; exports recorded; the page shows each reader their share."""

import datetime
import json
import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import URLResolver, get_resolver, reverse

from coprod import audit
from coprod.models import AuditEntry, ContextFigure, Invitation
from projects.models import (
    LearningPoint,
    MeasurePhase,
    ProgressUpdate,
    ProjectFollowUp,
    ProjectMode,
    StageChange,
)
from surveys import services as survey_services
from surveys.models import BoardPaper, Phase, Response, SharedLink, WhatHappenedNext
from tests.factories import (
    AttendanceFactory,
    AttendeeFactory,
    DataPointFactory,
    LocalityFactory,
    MeasureFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    PdsaCycleFactory,
    PriorityFactory,
    ProgrammeFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    QuestionnaireTemplateFactory,
    SessionFactory,
    StatementFactory,
    SurveyFactory,
    TemplateItemFactory,
    UserFactory,
)
from workshops import services as workshop_services

CREATE, UPDATE, DELETE, EXPORT = 0, 1, 2, 3
DAY = datetime.date(2026, 3, 12)


def _copy(partnership):
    return QuestionnaireTemplateFactory(partnership=partnership, based_on=QuestionnaireTemplateFactory())


def _project(partnership):
    return ProjectFactory(partnership=partnership)


# label: (make the object in `partnership`, a field to change, its new value, filed under the partnership?)
AUDITED = {
    "coprod.partnership": (lambda p: PartnershipFactory(), "council_area", "Fife", "itself"),
    "coprod.locality": (lambda p: LocalityFactory(partnership=p), "name", "Irvine", True),
    "coprod.priority": (lambda p: PriorityFactory(partnership=p), "title", "Unpaid carers", True),
    "coprod.contextfigure": (
        lambda p: ContextFigure.objects.create(partnership=p, label="People", value="1", source="NRS 2024"),
        "value",
        "2",
        True,
    ),
    "coprod.membership": (lambda p: MembershipFactory(partnership=p), "role", "lead", True),
    "coprod.invitation": (
        lambda p: Invitation.objects.create(user=UserFactory(), partnership=p, role="viewer"),
        "role",
        "lead",
        True,
    ),
    "coprod.organisation": (lambda p: OrganisationFactory(), "sector", "nhs", False),
    "coprod.user": (lambda p: UserFactory(), "first_name", "Morag", False),
    "workshops.programme": (lambda p: ProgrammeFactory(partnership=p), "title", "Star programme", True),
    "workshops.session": (lambda p: SessionFactory(partnership=p), "title", "Co-production Lab", True),
    "workshops.attendee": (lambda p: AttendeeFactory(partnership=p), "role", "volunteer", True),
    "workshops.attendance": (
        lambda p: AttendanceFactory(session=SessionFactory(partnership=p)),
        "status",
        "absent",
        True,
    ),
    "surveys.questionnairetemplate": (_copy, "title", "Our questionnaire", True),
    "surveys.statement": (lambda p: StatementFactory(partnership=p), "hint", "In plain words.", True),
    "surveys.templateitem": (
        lambda p: TemplateItemFactory(template=_copy(p), statement=StatementFactory(partnership=p)),
        "required",
        False,
        True,
    ),
    "surveys.survey": (lambda p: SurveyFactory(session=SessionFactory(partnership=p)), "phase", "post", True),
    "surveys.whathappenednext": (
        lambda p: WhatHappenedNext.objects.create(session=SessionFactory(partnership=p)),
        "published_at",
        datetime.datetime(2026, 3, 12, 10, tzinfo=datetime.UTC),
        True,
    ),
    "surveys.boardpaper": (
        lambda p: BoardPaper.objects.create(
            partnership=p, period_start=datetime.date(2026, 4, 1), period_end=datetime.date(2026, 6, 30), title="Q1"
        ),
        "assessment",
        "Going well.",
        True,
    ),
    "surveys.sharedlink": (
        lambda p: SharedLink.objects.create(kind="partnership-results", partnership=p, token_hash="0" * 64),
        "label",
        "Board, March",
        True,
    ),
    "projects.project": (_project, "title", "Woodland View", True),
    "projects.projectpartner": (
        lambda p: ProjectPartnerFactory(project=_project(p)),
        "role",
        "lead",
        True,
    ),
    "projects.projectmode": (
        lambda p: ProjectMode.objects.create(project=_project(p), mode="co_design", how="Residents chose."),
        "how",
        "Residents chose the activities.",
        True,
    ),
    "projects.stagechange": (
        lambda p: StageChange.objects.create(project=_project(p), from_stage="idea", to_stage="planning", date=DAY),
        "reason",
        "Funding agreed.",
        True,
    ),
    "projects.progressupdate": (
        lambda p: ProgressUpdate.objects.create(project=_project(p), date=DAY, text="First walk held."),
        "text",
        "First walk held with 12 people.",
        True,
    ),
    "projects.learningpoint": (
        lambda p: LearningPoint.objects.create(project=_project(p), text="Ask early."),
        "text",
        "Ask carers early.",
        True,
    ),
    "projects.pdsacycle": (lambda p: PdsaCycleFactory(project=_project(p)), "prediction", "All three come.", True),
    "projects.measure": (lambda p: MeasureFactory(project=_project(p)), "unit", "visits", True),
    "projects.datapoint": (
        lambda p: DataPointFactory(measure=MeasureFactory(project=_project(p))),
        "note",
        "PDSA 2 started",
        True,
    ),
    "projects.measurephase": (
        lambda p: MeasurePhase.objects.create(
            measure=MeasureFactory(project=_project(p)), starts_on=DAY, reason="Text reminders began."
        ),
        "reason",
        "Text reminders began for every referral.",
        True,
    ),
    "projects.projectfollowup": (
        lambda p: ProjectFollowUp.objects.create(
            project=_project(p),
            due=6,
            due_on=DAY,
            outcome="embedded",
            reason="The walking group runs every week.",
            answered_at=datetime.datetime(2026, 3, 12, 10, tzinfo=datetime.UTC),
        ),
        "reason",
        "The walking group runs every week, led by volunteers.",
        True,
    ),
}


def _entries_of(obj):
    content_type = ContentType.objects.get_for_model(obj)
    return AuditEntry.objects.filter(content_type=content_type, object_pk=str(obj.pk)).order_by("pk")


def _everything_stored():
    """Every audit entry as text, to search for what must never be in it."""
    return json.dumps(
        list(AuditEntry.objects.values("object_repr", "changes", "changes_text", "additional_data")), default=str
    )


def test_audited_models_are_exactly_the_listed_ones():
    assert sorted(model._meta.label_lower for model in audit.registered_models()) == sorted(AUDITED)


@pytest.mark.parametrize("label", sorted(AUDITED))
def test_audit_entry_for_create_update_and_delete(partnership, label):
    make, field, value, filed = AUDITED[label]
    obj = make(partnership)
    obj.refresh_from_db()  # as a view edits it: decimals as the database gives them
    pk = obj.pk
    setattr(obj, field, value)
    obj.save()
    obj.delete()
    obj.pk = pk

    entries = list(_entries_of(obj))

    expected = obj.pk if filed == "itself" else partnership.pk if filed else None
    assert [(entry.action, entry.partnership_id) for entry in entries] == [
        (CREATE, expected),
        (UPDATE, expected),
        (DELETE, expected),
    ]
    assert list(entries[1].changes) == [field]


def test_audit_never_holds_responses_or_answers(client, partnership):
    template = QuestionnaireTemplateFactory()
    statement = TemplateItemFactory(template=template).statement
    survey = survey_services.survey_create(
        session=SessionFactory(partnership=partnership), phase=Phase.PRE, template=template
    )
    before = AuditEntry.objects.count()

    client.post(f"/s/{survey.token}/", {"submission_key": str(uuid.uuid4()), f"s{statement.pk}": "4"})
    survey_services.response_submit(survey=survey, submission_key=uuid.uuid4(), answers={statement.pk: 2})

    assert Response.objects.filter(survey=survey).count() == 2
    assert AuditEntry.objects.count() == before
    assert not any(label in {"surveys.response", "surveys.answer"} for label in AUDITED)


def test_audit_keeps_no_attendee_name_email_or_organisation_even_after_erasure(partnership):
    organisation = OrganisationFactory(name="Kilwinning Men's Shed")
    attendee = AttendeeFactory(partnership=partnership, name="Morag Campbell", email="morag@example.org")
    attendee.organisation = organisation
    attendee.name = "Morag Campbell-Reid"
    attendee.save()
    AttendanceFactory(session=SessionFactory(partnership=partnership), attendee=attendee)

    workshop_services.attendee_erase(attendee=attendee)

    stored = _everything_stored()
    assert [word for word in ["Morag", "morag@example.org", "Campbell"] if word in stored] == []
    entries = list(_entries_of(attendee))
    assert [entry.object_repr for entry in entries] == [f"Attendee #{attendee.pk}"] * 3
    assert {key: entries[1].changes[key] for key in ["name", "organisation"]} == {
        "name": [audit.PERSONAL, audit.PERSONAL],
        "organisation": ["", audit.PERSONAL],
    }
    assert {key: entries[2].changes[key] for key in ["name", "email", "organisation"]} == {
        "name": [audit.PERSONAL, audit.PERSONAL],
        "email": [audit.PERSONAL, ""],
        "organisation": [audit.PERSONAL, ""],
    }


def test_audit_keeps_no_password_or_survey_token(partnership):
    user = UserFactory()
    user.set_password("a-brand-new-long-password")
    user.save()
    survey = SurveyFactory(session=SessionFactory(partnership=partnership), token="secret-token-never-logged")

    stored = _everything_stored()

    assert list(_entries_of(user).values_list("action", flat=True)) == [CREATE]
    assert "password" not in _entries_of(user).get().changes
    assert "secret-token-never-logged" not in stored
    assert "token" not in _entries_of(survey).get().changes


def test_audit_entry_names_user_request_and_address(client, lead, partnership):
    client.force_login(lead)

    response = client.post(
        reverse("partnership-edit", args=[partnership.pk]), {"name": partnership.name, "council_area": "Ayr"}
    )

    entry = _entries_of(partnership).last()
    assert (entry.action, entry.actor, entry.actor_email, entry.remote_addr, entry.cid) == (
        UPDATE,
        lead,
        lead.email,
        "127.0.0.1",
        response.headers["X-Request-ID"],
    )
    assert entry.changes == {"council_area": ["North Ayrshire", "Ayr"]}


def test_audit_entry_keeps_no_address_a_proxy_header_garbled(client, lead, partnership, settings):
    settings.CLIENT_IP_META_KEY = "HTTP_X_REAL_IP"
    client.force_login(lead)

    client.post(
        reverse("partnership-edit", args=[partnership.pk]),
        {"name": partnership.name, "council_area": "Ayr"},
        headers={"X-Real-IP": "not an address: ' or 1=1"},
    )

    assert [(entry.actor, entry.remote_addr) for entry in _entries_of(partnership).filter(action=UPDATE)] == [
        (lead, None)
    ]


def test_export_recorded_with_user_scope_and_filters(client, lead, alliance, partnership):
    client.force_login(lead)
    client.get(reverse("projects:project-register-export", args=[partnership.pk]), {"stage": "idea", "q": ""})
    client.force_login(alliance)
    client.get(reverse("projects:project-export"))

    exports = AuditEntry.objects.filter(action=EXPORT).order_by("pk")

    assert [(entry.actor, entry.partnership_id, entry.object_repr, entry.additional_data) for entry in exports] == [
        (
            lead,
            partnership.pk,
            "Improvement projects (CSV)",
            {"scope": partnership.name, "filters": {"stage": "idea"}},
        ),
        (
            alliance,
            None,
            "Improvement projects (CSV)",
            {"scope": "Every partnership the user may see", "filters": {}},
        ),
    ]


def _csv_url_names():
    """Every download in the project: URL names ending in -csv, -ods or -export."""
    names = set()

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name and pattern.name.endswith(("-csv", "-ods", "-export")):
                names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns, None)
    return names


def test_every_download_is_recorded_with_its_scope(client, alliance, partnership):
    session = SessionFactory(partnership=partnership, title="Irvine")
    programme = ProgrammeFactory(partnership=partnership, title="Star")
    measure = MeasureFactory(project=ProjectFactory(partnership=partnership, title="Falls"), name="Falls a month")
    downloads = {
        "surveys:programme-results-csv": ([programme.pk], partnership.pk, "Results (CSV)", {"programme": "Star"}),
        "surveys:programme-responses-csv": ([programme.pk], partnership.pk, "Responses (CSV)", {"programme": "Star"}),
        "surveys:session-results-csv": ([session.pk], partnership.pk, "Results (CSV)", {"session": str(session)}),
        "surveys:session-responses-csv": ([session.pk], partnership.pk, "Responses (CSV)", {"session": str(session)}),
        "surveys:partnership-results-csv": ([partnership.pk], partnership.pk, "Results (CSV)", {"kind": "lab"}),
        "surveys:partnership-responses-csv": ([partnership.pk], partnership.pk, "Responses (CSV)", {"kind": "lab"}),
        "surveys:national-results-csv": ([], None, "Results (CSV)", {"kind": "lab"}),
        "surveys:national-responses-csv": ([], None, "Responses (CSV)", {"kind": "lab"}),
        "surveys:dashboard-csv": ([], None, "Dashboard (CSV)", {"kind": "lab"}),
        "surveys:partnership-dashboard-csv": ([partnership.pk], partnership.pk, "Dashboard (CSV)", {"kind": "lab"}),
        "surveys:programme-results-ods": (
            [programme.pk],
            partnership.pk,
            "Results (spreadsheet)",
            {"programme": "Star"},
        ),
        "surveys:session-results-ods": (
            [session.pk],
            partnership.pk,
            "Results (spreadsheet)",
            {"session": str(session)},
        ),
        "surveys:partnership-results-ods": ([partnership.pk], partnership.pk, "Results (spreadsheet)", {"kind": "lab"}),
        "surveys:national-results-ods": ([], None, "Results (spreadsheet)", {"kind": "lab"}),
        "surveys:dashboard-ods": ([], None, "Dashboard (spreadsheet)", {"kind": "lab"}),
        "surveys:partnership-dashboard-ods": (
            [partnership.pk],
            partnership.pk,
            "Dashboard (spreadsheet)",
            {"kind": "lab"},
        ),
        "projects:project-register-export": ([partnership.pk], partnership.pk, "Improvement projects (CSV)", {}),
        "projects:project-export": ([], None, "Improvement projects (CSV)", {}),
        "projects:measure-points-csv": (
            [measure.pk],
            partnership.pk,
            "Measure values (CSV)",
            {"project": "Falls", "measure": "Falls a month"},
        ),
    }
    client.force_login(alliance)

    recorded = {}
    for name, (args, _scope, _what, filters) in downloads.items():
        response = client.get(reverse(name, args=args), filters)
        assert response.status_code == 200, name
        entry = AuditEntry.objects.filter(action=EXPORT).latest("pk")
        recorded[name] = (args, entry.partnership_id, entry.object_repr, entry.additional_data["filters"])

    assert set(downloads) == _csv_url_names()
    assert recorded == downloads
    assert AuditEntry.objects.filter(action=EXPORT).count() == len(downloads)
    assert set(AuditEntry.objects.filter(action=EXPORT).values_list("actor", flat=True)) == {alliance.pk}


def test_export_record_drops_nul_characters(lead, partnership):
    entry = audit.export_record(user=lead, what="Projects (CSV)", scope=partnership, filters={"q": "a\x00b"})

    entry.refresh_from_db()
    assert entry.additional_data["filters"] == {"q": "ab"}


# --- The page ---


def _objects(response):
    return [row["object"] for row in response.context["rows"]]


@pytest.fixture
def two_partnerships_changed(partnership, other_partnership):
    """A session in each partnership, a national template, and the session of `partnership` renamed."""
    ours = SessionFactory(partnership=partnership, title="Irvine session", date=DAY)
    SessionFactory(partnership=other_partnership, title="Aberdeen session", date=DAY)
    QuestionnaireTemplateFactory(title="National questionnaire")
    ours.title = "Irvine session, renamed"
    ours.save()
    return ours


def test_audit_page_lead_sees_only_their_partnership(client, lead, partnership, two_partnerships_changed):
    client.force_login(lead)

    response = client.get(reverse("partnership-audit-trail", args=[partnership.pk]))

    objects = _objects(response)
    assert [obj for obj in objects if "session" in obj or "questionnaire" in obj.lower()] == [
        "Irvine session, renamed (12 Mar 2026)",
        "Irvine session (12 Mar 2026)",
    ]
    assert {row["entry"].partnership_id for row in response.context["rows"]} == {partnership.pk}
    assert response.context["rows"][0]["changes"] == [
        {"label": "title", "mode": "changed", "before": "Irvine session", "after": "Irvine session, renamed"}
    ]
    assert "Irvine session" in response.content.decode()


def test_audit_page_alliance_sees_everything(client, alliance, two_partnerships_changed):
    client.force_login(alliance)

    response = client.get(reverse("audit-trail"), {"kind": "workshops.session"})

    assert _objects(response) == [
        "Irvine session, renamed (12 Mar 2026)",
        "Aberdeen session (12 Mar 2026)",
        "Irvine session (12 Mar 2026)",
    ]
    national = client.get(reverse("audit-trail"), {"kind": "surveys.questionnairetemplate"})
    assert _objects(national) == ["National questionnaire"]
    assert [row["entry"].partnership for row in national.context["rows"]] == [None]


def test_audit_page_filters_by_date(client, alliance, two_partnerships_changed):
    AuditEntry.objects.filter(object_repr="Aberdeen session (12 Mar 2026)").update(
        timestamp=datetime.datetime(2025, 1, 10, 12, tzinfo=datetime.UTC)
    )
    client.force_login(alliance)

    response = client.get(
        reverse("audit-trail"), {"kind": "workshops.session", "start": "2025-01-01", "end": "2025-01-31"}
    )
    invalid = client.get(reverse("audit-trail"), {"start": "2025-02-01", "end": "2025-01-01"})

    assert _objects(response) == ["Aberdeen session (12 Mar 2026)"]
    assert _objects(invalid) == []
    assert invalid.context["filters"].errors == {"end": ["The end date must be on or after the start date."]}


def test_audit_page_shows_exports_and_filter(client, lead, partnership):
    client.force_login(lead)
    client.get(reverse("projects:project-register-export", args=[partnership.pk]), {"stage": "idea"})

    response = client.get(reverse("partnership-audit-trail", args=[partnership.pk]), {"kind": "export"})

    assert [(row["action"], row["object"], row["scope"], row["filters"]) for row in response.context["rows"]] == [
        ("Exported", "Improvement projects (CSV)", partnership.name, [("stage", "idea")])
    ]


def test_audit_page_names_changed_links_and_escapes_text(client, lead, partnership):
    irvine, kilwinning = (
        LocalityFactory(partnership=partnership, name="Irvine"),
        LocalityFactory(partnership=partnership, name="<b>Kilwinning</b>"),
    )
    session = SessionFactory(partnership=partnership, locality=irvine)
    session.locality = kilwinning
    session.save()
    client.force_login(lead)

    response = client.get(reverse("partnership-audit-trail", args=[partnership.pk]), {"kind": "workshops.session"})

    assert response.context["rows"][0]["changes"] == [
        {
            "label": "locality",
            "mode": "changed",
            "before": f"Irvine (#{irvine.pk})",
            "after": f"<b>Kilwinning</b> (#{kilwinning.pk})",
        }
    ]
    html = response.content.decode()
    assert "&lt;b&gt;Kilwinning&lt;/b&gt;" in html
    assert "<b>Kilwinning</b>" not in html


@pytest.mark.parametrize("count", [1, 3])
def test_audit_page_query_count_constant(client, lead, partnership, django_assert_num_queries, count):
    for number in range(count):
        session = SessionFactory(partnership=partnership, locality=LocalityFactory(partnership=partnership))
        session.locality = LocalityFactory(partnership=partnership, name=f"Moved {number}")
        session.save()
        audit.export_record(user=lead, what="Improvement projects (CSV)", scope=partnership)
    client.force_login(lead)

    # session, user, partnership, role, count, page, then the localities, partnership and users the changes name
    with django_assert_num_queries(10):
        response = client.get(reverse("partnership-audit-trail", args=[partnership.pk]))

    assert len(response.context["rows"]) == 5 * count + 2  # and the partnership and lead's membership
