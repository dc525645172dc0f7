"""Sessions: the services' rules, the list, the create/edit/cancel pages."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from coprod.models import Role
from tests.factories import (
    AttendanceFactory,
    LocalityFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProgrammeFactory,
    SessionFactory,
    UserFactory,
)
from workshops import services
from workshops.models import Session, SessionKind, SessionStatus

DAY = datetime.date(2018, 1, 24)


def _fields(**overrides):
    return {
        "kind": SessionKind.EXPLORING,
        "title": "Exploring New Ways of Working: North Ayrshire",
        "date": DAY,
        "start_time": datetime.time(9, 30),
        "end_time": datetime.time(15, 30),
        "venue": "Volunteer Rooms, Irvine",
        "status": SessionStatus.HELD,
    } | overrides


def _post_data(**overrides):
    return {
        "kind": "exploring",
        "title": "Exploring New Ways of Working: North Ayrshire",
        "date": "2018-01-24",
        "start_time": "09:30",
        "end_time": "15:30",
        "venue": "Volunteer Rooms, Irvine",
        "status": "held",
        "aim_codesign": "on",
        "aim_alliance": "on",
        "notes": "",
        "aims_other": "",
    } | overrides


# --- services ---


def test_session_create_stores_fields_facilitators_and_organisations(partnership, lead, facilitator):
    irvine = LocalityFactory(partnership=partnership, name="Irvine")
    thistle = OrganisationFactory(name="Thistle Foundation")

    session = services.session_create(
        partnership=partnership,
        created_by=lead,
        facilitators=[lead, facilitator],
        facilitating_organisations=[thistle],
        **_fields(locality=irvine, aim_codesign=True, aims_other="Meet the Men's Shed"),
    )

    session.refresh_from_db()
    assert (session.partnership, session.locality, session.created_by) == (partnership, irvine, lead)
    assert sorted(u.username for u in session.facilitators.all()) == ["facilitator", "lead"]
    assert list(session.facilitating_organisations.all()) == [thistle]
    assert session.aims == [
        "co-design of new ways of working across health, social care and the third sector",
        "Meet the Men's Shed",
    ]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"end_time": datetime.time(9, 0)}, "end_time", "The session must end after it starts: check the end time."),
        ({"end_time": datetime.time(9, 30)}, "end_time", "The session must end after it starts: check the end time."),
        ({"venue": "", "is_online": False}, "venue", "Give the venue, or tick “Online” for an online session."),
    ],
)
def test_session_create_refuses_bad_times_and_places(partnership, lead, overrides, field, message):
    with pytest.raises(ValidationError) as error:
        services.session_create(partnership=partnership, created_by=lead, **_fields(**overrides))

    assert error.value.message_dict == {field: [message]}
    assert Session.objects.count() == 0


def test_session_create_online_needs_no_venue(partnership, lead):
    session = services.session_create(partnership=partnership, created_by=lead, **_fields(venue="", is_online=True))

    assert (session.venue, session.is_online) == ("", True)


def test_session_create_refuses_locality_programme_and_facilitator_of_another_partnership(
    partnership, other_partnership, lead, outsider
):
    elsewhere = LocalityFactory(partnership=other_partnership, name="Dyce")
    their_programme = ProgrammeFactory(partnership=other_partnership, title="Co-production Star")

    with pytest.raises(ValidationError) as error:
        services.session_create(
            partnership=partnership,
            created_by=lead,
            facilitators=[lead, outsider],
            **_fields(locality=elsewhere, programme=their_programme),
        )

    assert error.value.message_dict == {
        "locality": ["Dyce is not a locality of North Ayrshire HSCP: choose one of its own localities."],
        "programme": [
            "“Co-production Star” is a programme of another partnership: choose one of North Ayrshire HSCP's."
        ],
        "facilitators": [f"Not members of North Ayrshire HSCP: {outsider}."],
    }
    assert Session.objects.count() == 0


def test_session_update_changes_only_given_fields_and_keeps_rules(partnership, lead):
    session = SessionFactory(partnership=partnership, title="Old title", notes="Keep me")
    elsewhere = LocalityFactory(partnership=PartnershipFactory(), name="Elsewhere")

    services.session_update(session=session, title="New title", status=SessionStatus.HELD)
    with pytest.raises(ValidationError):
        services.session_update(session=session, locality=elsewhere, title="Not saved")

    session.refresh_from_db()
    assert (session.title, session.status, session.notes, session.locality) == (
        "New title",
        "held",
        "Keep me",
        None,
    )


def test_session_cancel_keeps_register_and_refuses_twice(partnership):
    attendance = AttendanceFactory(session=SessionFactory(partnership=partnership))

    services.session_cancel(session=attendance.session)
    with pytest.raises(ValidationError, match="already cancelled"):
        services.session_cancel(session=attendance.session)

    attendance.session.refresh_from_db()
    assert attendance.session.status == "cancelled"
    assert list(attendance.session.attendances.all()) == [attendance]


# --- create, edit and cancel pages ---


def test_session_create_page_stores_session_with_one_partnership_preselected(client, partnership, lead):
    irvine = LocalityFactory(partnership=partnership, name="Irvine")
    client.force_login(lead)
    page = client.get(reverse("workshops:session-create"))

    response = client.post(
        reverse("workshops:session-create"),
        _post_data(
            locality=irvine.pk,
            facilitators=[lead.pk],
            partnership=partnership.pk,
            submission_key=page.context["form"]["submission_key"].value(),
        ),
    )

    session = Session.objects.get()
    assert response.url == reverse("workshops:session-detail", args=[session.pk])
    assert (session.partnership, session.locality, session.title, session.created_by) == (
        partnership,
        irvine,
        "Exploring New Ways of Working: North Ayrshire",
        lead,
    )
    assert (session.aim_codesign, session.aim_local_projects, session.aim_alliance) == (True, False, True)
    assert list(session.facilitators.all()) == [lead]
    assert "North Ayrshire HSCP" in page.content.decode()


def test_session_create_double_submit_stores_one_session(client, partnership, lead):
    client.force_login(lead)
    data = _post_data(submission_key="0b4b7a43-4c2c-4bb8-9b0a-7a3c43b2bd4f")

    first = client.post(reverse("workshops:session-create"), data)
    second = client.post(reverse("workshops:session-create"), data)

    assert Session.objects.count() == 1
    assert first.url == second.url == Session.objects.get().get_absolute_url()


def test_session_create_asks_for_the_partnership_when_several(client, partnership, other_partnership, lead):
    MembershipFactory(user=lead, partnership=other_partnership, role=Role.FACILITATOR)
    LocalityFactory(partnership=partnership, name="Irvine")
    LocalityFactory(partnership=other_partnership, name="Dyce")
    client.force_login(lead)

    chooser = client.get(reverse("workshops:session-create"))
    form = client.get(reverse("workshops:session-create"), {"partnership": other_partnership.pk})

    assert chooser.templates[0].name == "workshops/session_partnership.html"
    assert [p.name for p in chooser.context["form"].fields["partnership"].queryset] == [
        "Aberdeen City HSCP",
        "North Ayrshire HSCP",
    ]
    assert [str(place) for place in form.context["form"].fields["locality"].queryset] == ["Dyce"]


def test_session_create_page_refuses_locality_of_another_partnership_and_keeps_input(
    client, partnership, other_partnership, lead
):
    elsewhere = LocalityFactory(partnership=other_partnership, name="Dyce")
    client.force_login(lead)

    response = client.post(
        reverse("workshops:session-create"),
        _post_data(locality=elsewhere.pk, title="Typed title", submission_key="5f2b1f5e-1f0a-4f55-a9e6-0c1b8f3e7d10"),
    )

    html = response.content.decode()
    assert Session.objects.count() == 0
    assert response.context["form"].errors == {"locality": ["Choose one of North Ayrshire HSCP's localities."]}
    assert 'value="Typed title"' in html
    assert "There is a problem" in html


def test_session_create_page_refuses_end_before_start(client, partnership, lead):
    client.force_login(lead)

    response = client.post(
        reverse("workshops:session-create"),
        _post_data(end_time="09:00", submission_key="aa2b1f5e-1f0a-4f55-a9e6-0c1b8f3e7d10"),
    )

    assert Session.objects.count() == 0
    assert response.context["form"].errors == {
        "end_time": ["The session must end after it starts: check the end time."]
    }


def test_session_create_offers_members_and_partnership_organisations_as_facilitators(
    client, partnership, other_partnership, lead, facilitator, outsider
):
    thistle = OrganisationFactory(name="Thistle Foundation")
    thistle.partnerships.add(partnership)
    OrganisationFactory(name="The ALLIANCE")  # national: works in no partnership in particular
    OrganisationFactory(name="Bon Accord Care").partnerships.add(other_partnership)
    client.force_login(lead)

    form = client.get(reverse("workshops:session-create")).context["form"]

    assert sorted(u.username for u in form.fields["facilitators"].queryset) == ["facilitator", "lead"]
    assert [o.name for o in form.fields["facilitating_organisations"].queryset] == [
        "The ALLIANCE",
        "Thistle Foundation",
    ]


def test_session_edit_page_saves_changes(client, partnership, facilitator):
    session = SessionFactory(partnership=partnership, title="Before")
    client.force_login(facilitator)

    response = client.post(
        reverse("workshops:session-edit", args=[session.pk]),
        _post_data(title="After", status="cancelled", notes="Snow"),
    )

    session.refresh_from_db()
    assert response.url == session.get_absolute_url()
    assert (session.title, session.status, session.notes) == ("After", "cancelled", "Snow")


def test_session_cancel_page_cancels_after_confirmation(client, partnership, facilitator):
    session = SessionFactory(partnership=partnership)
    client.force_login(facilitator)

    confirm = client.get(reverse("workshops:session-cancel", args=[session.pk]))
    client.post(reverse("workshops:session-cancel", args=[session.pk]))

    session.refresh_from_db()
    assert "Cancel the session" in confirm.content.decode()
    assert session.status == SessionStatus.CANCELLED


# --- the list ---


def _make_sessions(partnership, count):
    for number in range(count):
        session = SessionFactory(
            partnership=partnership,
            title=f"Session {number}",
            locality=LocalityFactory(partnership=partnership),
            programme=ProgrammeFactory(partnership=partnership),
        )
        AttendanceFactory(session=session, status="attended")
        AttendanceFactory(session=session, status="registered")


@pytest.mark.parametrize("count", [1, 3])
def test_session_list_query_count_does_not_grow(client, django_assert_num_queries, partnership, lead, count):
    _make_sessions(partnership, count)
    client.force_login(lead)

    # session + user, partnerships, count, page, writable partnerships, and the partnership/locality/programme filters
    with django_assert_num_queries(9):
        response = client.get(reverse("workshops:session-list"))

    assert len(response.context["sessions"]) == count


def test_session_list_shows_counts_upcoming_first_and_only_visible_sessions(
    client, partnership, other_partnership, viewer
):
    past = SessionFactory(partnership=partnership, title="Past one", date=datetime.date(2018, 1, 24))
    soon = SessionFactory(partnership=partnership, title="Soon", date=datetime.date.today() + datetime.timedelta(7))
    later = SessionFactory(partnership=partnership, title="Later", date=datetime.date.today() + datetime.timedelta(70))
    SessionFactory(partnership=other_partnership, title="Not yours")
    AttendanceFactory(session=past, status="attended")
    AttendanceFactory(session=past, status="absent")
    AttendanceFactory(session=past, status="attended")
    client.force_login(viewer)

    response = client.get(reverse("workshops:session-list"))

    rows = [(s.title, s.is_past, s.registered_count, s.attended_count) for s in response.context["sessions"]]
    assert rows == [("Soon", False, 0, 0), ("Later", False, 0, 0), ("Past one", True, 3, 2)]
    html = response.content.decode()
    assert "Upcoming sessions" in html and "Past sessions" in html
    assert "Not yours" not in html
    assert later.get_absolute_url() in html and soon.get_absolute_url() in html


def test_session_list_filters(client, partnership, lead):
    irvine = LocalityFactory(partnership=partnership, name="Irvine")
    star = ProgrammeFactory(partnership=partnership, title="Star")
    SessionFactory(partnership=partnership, title="Irvine lab", locality=irvine, kind="lab")
    SessionFactory(partnership=partnership, title="Star workshop", programme=star, kind="star_workshop")
    SessionFactory(partnership=partnership, title="Cancelled", status="cancelled")
    SessionFactory(partnership=partnership, title="Old", date=datetime.date(2017, 5, 1))
    client.force_login(lead)

    def titles(**params):
        response = client.get(reverse("workshops:session-list"), params)
        return sorted(s.title for s in response.context["sessions"])

    assert titles(locality=irvine.pk) == ["Irvine lab"]
    assert titles(programme=star.pk) == ["Star workshop"]
    assert titles(kind="lab") == ["Irvine lab"]
    assert titles(status="cancelled") == ["Cancelled"]
    assert titles(date_from="2017-01-01", date_to="2017-12-31") == ["Old"]
    assert titles(when="past") == ["Cancelled", "Irvine lab", "Old", "Star workshop"]  # the factory date is past
    assert titles(when="upcoming") == []


def test_session_list_refuses_backwards_date_range(client, partnership, lead):
    client.force_login(lead)

    response = client.get(reverse("workshops:session-list"), {"date_from": "2018-02-01", "date_to": "2018-01-01"})

    assert response.context["filters"].errors == {
        "date_to": ["The end of the date range must not be before its start."]
    }


def test_session_create_is_forbidden_to_alliance_staff_outside_their_partnerships(client, partnership):
    alliance = UserFactory(is_alliance_staff=True)
    client.force_login(alliance)

    assert client.get(reverse("workshops:session-create")).status_code == 403
    MembershipFactory(user=alliance, partnership=partnership, role=Role.FACILITATOR)
    assert client.get(reverse("workshops:session-create")).context["partnership"] == partnership


def test_demo_seed_sessions_is_realistic_and_idempotent(db):
    import io

    from django.utils import timezone

    from coprod import demo as coprod_demo
    from workshops import demo

    coprod_demo.seed(password="demo-password", stdout=io.StringIO())
    demo.seed_sessions(stdout=io.StringIO())
    demo.seed_sessions(stdout=io.StringIO())

    held = Session.objects.get(title="Exploring New Ways of Working: North Ayrshire")
    planned = Session.objects.get(partnership=held.partnership, status="planned")
    statuses = sorted(held.attendances.values_list("status", flat=True))
    sectors = set(held.attendances.values_list("attendee__sector", flat=True))
    roles = set(held.attendances.values_list("attendee__role", flat=True))
    # The source's 24 January 2018, a Wednesday, moved by whole weeks to some 17 months before the demo was loaded;
    # the follow-up on the Wednesday six weeks after.
    today = timezone.localdate()
    assert (held.partnership.council_area, held.date, held.status, str(held.locality)) == (
        "North Ayrshire",
        datetime.date(2018, 1, 24) + demo.story_shift(today),
        "held",
        "Irvine",
    )
    assert demo.retention_cutoff(today) < held.date < today < planned.date
    assert (held.date.weekday(), planned.date.weekday()) == (2, 2)
    assert 0 <= (planned.date - today - datetime.timedelta(weeks=6)).days < 7
    assert (len(statuses), statuses.count("attended")) == (42, 39)
    assert {"nhs", "hscp", "local_authority", "third_sector", "community", "national_body"} <= sectors
    assert {"lived_experience", "unpaid_carer", "physiotherapist", "occupational_therapist", "volunteer"} <= roles
    assert sorted(o.name for o in held.facilitating_organisations.all()) == [
        "Health and Social Care Alliance Scotland (the ALLIANCE)",
        "Thistle Foundation",
    ]
    # The follow-up's people are the same records, matched by email.
    assert all(a.attendee.attendances.count() == 2 for a in planned.attendances.select_related("attendee"))
    assert Session.objects.filter(partnership=held.partnership).count() == 2
