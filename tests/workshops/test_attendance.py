"""The register: adding, marking and removing people, the room's mix, merging and erasing attendee records."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from coprod.models import Organisation
from tests.factories import (
    AttendanceFactory,
    AttendeeFactory,
    OrganisationFactory,
    SessionFactory,
)
from workshops import services
from workshops.models import Attendance, Attendee


@pytest.fixture
def session(partnership):
    return SessionFactory(partnership=partnership, title="Exploring New Ways of Working: North Ayrshire")


def _register(session):
    return [(a.attendee.name, a.status) for a in session.attendances.select_related("attendee").order_by("pk")]


# --- attendance_add ---


def test_attendance_add_creates_attendee_with_organisation_sector(session):
    tact = OrganisationFactory(name="The Ayrshire Community Trust", sector="third_sector")

    attendance = services.attendance_add(
        session=session, name="  Fiona   Paterson ", email="Fiona@Example.org", organisation=tact, role="volunteer"
    )

    attendee = Attendee.objects.get()
    assert attendance.attendee == attendee
    assert (attendee.name, attendee.email, attendee.organisation, attendee.sector, attendee.role) == (
        "Fiona Paterson",
        "fiona@example.org",
        tact,
        "third_sector",
        "volunteer",
    )
    assert (attendee.partnership, attendance.status) == (session.partnership, "registered")


def test_attendance_add_matches_existing_attendee_by_email_ignoring_case(partnership, session):
    known = AttendeeFactory(partnership=partnership, name="Morag Campbell", email="Morag.Campbell@example.org")

    attendance = services.attendance_add(
        session=session, name="M Campbell", email="MORAG.CAMPBELL@EXAMPLE.ORG", sector="nhs", role="physiotherapist"
    )

    assert attendance.attendee == known
    assert Attendee.objects.count() == 1
    known.refresh_from_db()
    assert known.name == "Morag Campbell"  # the record's details are kept


def test_attendance_add_does_not_match_attendee_of_another_partnership(other_partnership, session):
    AttendeeFactory(partnership=other_partnership, email="same@example.org")

    attendance = services.attendance_add(
        session=session, name="Same Person", email="same@example.org", sector="nhs", role="dietitian"
    )

    assert attendance.attendee.partnership == session.partnership
    assert Attendee.objects.count() == 2


def test_attendance_add_refuses_duplicate_on_one_register(partnership, session):
    services.attendance_add(session=session, name="Iain Kerr", email="iain@example.org", sector="nhs", role="dietitian")
    services.attendance_add(session=session, name="Margaret Dunlop", sector="community", role="lived_experience")

    with pytest.raises(ValidationError) as by_email:
        services.attendance_add(session=session, name="Iain", email="IAIN@example.org", sector="nhs", role="dietitian")
    with pytest.raises(ValidationError) as by_name:
        services.attendance_add(session=session, name="margaret dunlop", sector="community", role="unpaid_carer")

    assert by_email.value.message_dict == {"email": ["Iain Kerr (iain@example.org) is already on this register."]}
    assert by_name.value.message_dict == {
        "name": ["margaret dunlop is already on this register. Give an email address if this is someone else."]
    }
    assert _register(session) == [("Iain Kerr", "registered"), ("Margaret Dunlop", "registered")]
    assert Attendee.objects.count() == 2


def test_attendance_unique_constraint_backs_the_register(session):
    attendance = AttendanceFactory(session=session)

    with pytest.raises(IntegrityError):
        Attendance.objects.create(session=session, attendee=attendance.attendee)


def test_attendance_add_adds_new_organisation_on_the_fly(partnership, session):
    attendance = services.attendance_add(
        session=session,
        name="James Baird",
        new_organisation="Kilwinning  Community Sports Club",
        sector="community",
        role="volunteer",
    )

    club = Organisation.objects.get()
    assert (club.name, club.sector, list(club.partnerships.all())) == (
        "Kilwinning Community Sports Club",
        "community",
        [partnership],
    )
    assert attendance.attendee.organisation == club


def test_attendance_add_new_organisation_matches_register_ignoring_case(session):
    club = OrganisationFactory(name="Garnock Valley Men's Shed", sector="community")

    attendance = services.attendance_add(
        session=session, name="Tom Wylie", new_organisation="garnock valley men's shed", role="volunteer"
    )

    assert attendance.attendee.organisation == club
    assert attendance.attendee.sector == "community"
    assert Organisation.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "errors"),
    [
        ({"name": " ", "sector": "nhs", "role": "dietitian"}, {"name": ["Enter the person's name."]}),
        (
            {"name": "A", "role": "dietitian"},
            {"sector": ["Choose the person's sector (or their organisation, whose sector is then used)."]},
        ),
        ({"name": "A", "sector": "nhs", "role": "wizard"}, {"role": ["Choose the person's role."]}),
        (
            {"name": "A", "new_organisation": "Brand New Group", "role": "volunteer"},
            {"sector": ["Choose a sector: Brand New Group is new to the register and needs one."]},
        ),
    ],
)
def test_attendance_add_refuses_bad_input_and_saves_nothing(session, kwargs, errors):
    with pytest.raises(ValidationError) as error:
        services.attendance_add(session=session, **kwargs)

    assert error.value.message_dict == errors
    assert (Attendee.objects.count(), Attendance.objects.count(), Organisation.objects.count()) == (0, 0, 0)


def test_attendance_on_a_cancelled_session_is_refused(session):
    attendance = AttendanceFactory(session=session, status="registered")
    services.session_cancel(session=session)

    with pytest.raises(ValidationError, match="cancelled"):
        services.attendance_add(session=session, name="Late Comer", sector="nhs", role="dietitian")
    with pytest.raises(ValidationError, match="cancelled"):
        services.attendance_mark(attendance=attendance, status="attended")
    with pytest.raises(ValidationError, match="cancelled"):
        services.attendance_remove(attendance=attendance)

    attendance.refresh_from_db()
    assert attendance.status == "registered"
    assert Attendee.objects.count() == 1


def test_attendance_mark_and_remove(session):
    attendance = AttendanceFactory(session=session, status="registered")

    services.attendance_mark(attendance=attendance, status="attended")
    attendance.refresh_from_db()
    assert attendance.status == "attended"

    services.attendance_remove(attendance=attendance)
    assert Attendance.objects.count() == 0
    assert Attendee.objects.count() == 1  # the person stays in the partnership's records


# --- the session page and its register ---


@pytest.mark.parametrize("count", [1, 3])
def test_session_page_query_count_does_not_grow(client, django_assert_num_queries, session, lead, count):
    for _ in range(count):
        AttendanceFactory(
            session=session,
            attendee=AttendeeFactory(partnership=session.partnership, organisation=OrganisationFactory()),
        )
    client.force_login(lead)

    # session + user, the session and role, can() x2, register count + page, mix x2, facilitators,
    # facilitating organisations, the add form's organisations, the projects from the session, its questionnaires
    # and the templates their set-up form offers
    with django_assert_num_queries(17):
        response = client.get(reverse("workshops:session-detail", args=[session.pk]))

    assert len(response.context["attendances"]) == count


def test_session_page_shows_details_register_and_mix(client, partnership, session, viewer):
    session.aim_codesign = session.aim_alliance = True
    session.save()
    nhs = OrganisationFactory(name="NHS Ayrshire & Arran", sector="nhs")
    for name, sector, role, status in [
        ("Morag Campbell", "nhs", "physiotherapist", "attended"),
        ("Iain Kerr", "nhs", "occupational_therapist", "absent"),
        ("Fiona Paterson", "third_sector", "third_sector_staff", "attended"),
    ]:
        AttendanceFactory(
            session=session,
            status=status,
            attendee=AttendeeFactory(
                partnership=partnership,
                name=name,
                sector=sector,
                role=role,
                organisation=nhs if sector == "nhs" else None,
            ),
        )
    client.force_login(viewer)

    response = client.get(reverse("workshops:session-detail", args=[session.pk]))

    html = response.content.decode()
    assert [(a.attendee.name, a.status) for a in response.context["attendances"]] == [
        ("Fiona Paterson", "attended"),
        ("Iain Kerr", "absent"),
        ("Morag Campbell", "attended"),
    ]
    assert response.context["mix"] == {
        "sectors": [
            {"label": "NHS / health board", "registered": 2, "attended": 1},
            {"label": "Third sector", "registered": 1, "attended": 1},
        ],
        "roles": [
            {"label": "Physiotherapist", "registered": 1, "attended": 1},
            {"label": "Third sector staff", "registered": 1, "attended": 1},
            {"label": "Occupational therapist", "registered": 1, "attended": 0},
        ],
    }
    assert "3 on the register, 2 attended." in html
    assert "Co-design of new ways of working across health, social care and the third sector" in html
    assert "morag.campbell@example.org" in html
    # A viewer reads the register but gets no buttons to change it.
    assert "Did not attend<span" not in html
    assert "Add someone to the register" not in html


def test_session_page_offers_marking_to_facilitators(client, session, facilitator):
    AttendanceFactory(session=session, attendee__name="Morag Campbell")
    client.force_login(facilitator)

    html = client.get(reverse("workshops:session-detail", args=[session.pk])).content.decode()

    assert 'Attended<span class="visually-hidden">: Morag Campbell</span>' in html
    assert 'Did not attend<span class="visually-hidden">: Morag Campbell</span>' in html
    assert "Add someone to the register" in html


def test_attendee_add_page_stores_attendee(client, session, facilitator):
    nhs = OrganisationFactory(name="NHS Ayrshire & Arran", sector="nhs")
    client.force_login(facilitator)

    response = client.post(
        reverse("workshops:attendee-add", args=[session.pk]),
        {"name": "Shona MacLeod", "email": "Shona@Example.org", "organisation": nhs.pk, "role": "dietitian"},
    )

    assert response.url == session.get_absolute_url() + "#add-attendee"
    attendee = Attendee.objects.get()
    assert (attendee.name, attendee.email, attendee.organisation, attendee.sector) == (
        "Shona MacLeod",
        "shona@example.org",
        nhs,
        "nhs",
    )


def test_attendee_add_page_shows_duplicate_message_and_keeps_input(client, partnership, session, facilitator):
    AttendanceFactory(
        session=session, attendee=AttendeeFactory(partnership=partnership, name="Iain Kerr", email="iain@example.org")
    )
    client.force_login(facilitator)

    response = client.post(
        reverse("workshops:attendee-add", args=[session.pk]),
        {"name": "Iain K", "email": "iain@example.org", "sector": "nhs", "role": "dietitian"},
    )

    html = response.content.decode()
    assert response.context["add_form"].errors == {
        "email": ["Iain Kerr (iain@example.org) is already on this register."]
    }
    assert 'value="Iain K"' in html
    assert Attendance.objects.count() == 1


def test_attendance_mark_page_marks_with_one_click(client, session, facilitator):
    attendance = AttendanceFactory(session=session, status="registered")
    client.force_login(facilitator)
    url = reverse("workshops:attendance-mark", args=[session.pk, attendance.pk])

    response = client.post(url, {"status": "attended", "page": "2"})
    attendance.refresh_from_db()
    assert attendance.status == "attended"
    assert response.url == f"{session.get_absolute_url()}?page=2#attendance-{attendance.pk}"

    client.post(url, {"status": "absent"})
    attendance.refresh_from_db()
    assert attendance.status == "absent"


def test_attendance_mark_page_on_cancelled_session_shows_message(client, session, facilitator):
    attendance = AttendanceFactory(session=session, status="registered")
    session.status = "cancelled"
    session.save()
    client.force_login(facilitator)

    response = client.post(
        reverse("workshops:attendance-mark", args=[session.pk, attendance.pk]), {"status": "attended"}, follow=True
    )

    attendance.refresh_from_db()
    assert attendance.status == "registered"
    assert "This session was cancelled: its register is closed." in response.content.decode()


def test_attendance_of_another_session_is_not_found(client, partnership, session, facilitator):
    elsewhere = AttendanceFactory(session=SessionFactory(partnership=partnership))
    client.force_login(facilitator)

    response = client.post(reverse("workshops:attendance-remove", args=[session.pk, elsewhere.pk]))

    assert response.status_code == 404
    assert Attendance.objects.filter(pk=elsewhere.pk).exists()


def test_attendance_remove_page(client, session, facilitator):
    attendance = AttendanceFactory(session=session)
    client.force_login(facilitator)

    client.post(reverse("workshops:attendance-remove", args=[session.pk, attendance.pk]))

    assert list(session.attendances.all()) == []


def test_attendance_remove_page_on_cancelled_session_shows_message(client, session, facilitator):
    attendance = AttendanceFactory(session=session, status="registered")
    services.session_cancel(session=session)
    client.force_login(facilitator)

    response = client.post(reverse("workshops:attendance-remove", args=[session.pk, attendance.pk]), follow=True)

    assert list(session.attendances.values_list("pk", "status")) == [(attendance.pk, "registered")]
    html = response.content.decode()
    assert "This session was cancelled: its register is closed." in html
    assert "removed from the register" not in html


# --- attendee records: list, detail, edit ---


@pytest.mark.parametrize("count", [1, 3])
def test_attendee_list_query_count_does_not_grow(client, django_assert_num_queries, session, lead, count):
    for _ in range(count):
        AttendanceFactory(session=session, attendee__organisation=OrganisationFactory())
    client.force_login(lead)

    # session + user, partnerships, count, page (one partnership: no partnership filter to render)
    with django_assert_num_queries(6):
        response = client.get(reverse("workshops:attendee-list"))

    assert len(response.context["attendees"]) == count


def test_attendee_list_shows_only_visible_people_with_counts(client, partnership, other_partnership, session, viewer):
    person = AttendeeFactory(partnership=partnership, name="Morag Campbell")
    AttendanceFactory(session=session, attendee=person, status="attended")
    AttendanceFactory(session=SessionFactory(partnership=partnership), attendee=person, status="absent")
    AttendeeFactory(partnership=other_partnership, name="Not Yours")
    client.force_login(viewer)

    response = client.get(reverse("workshops:attendee-list"))

    assert [(a.name, a.session_count, a.attended_count) for a in response.context["attendees"]] == [
        ("Morag Campbell", 2, 1)
    ]
    assert "Not Yours" not in response.content.decode()


def test_attendee_edit_refuses_email_of_another_record(client, partnership, facilitator):
    AttendeeFactory(partnership=partnership, email="taken@example.org")
    person = AttendeeFactory(partnership=partnership, name="Before")
    client.force_login(facilitator)

    refused = client.post(
        reverse("workshops:attendee-edit", args=[person.pk]),
        {"name": "After", "email": "TAKEN@example.org", "sector": "nhs", "role": "dietitian"},
    )
    client.post(
        reverse("workshops:attendee-edit", args=[person.pk]),
        {"name": "After", "email": "new@example.org", "sector": "nhs", "role": "dietitian"},
    )

    assert refused.context["form"].errors == {
        "email": ["Another attendee of this partnership has this email: merge the two records instead."]
    }
    person.refresh_from_db()
    assert (person.name, person.email, person.sector, person.role) == ("After", "new@example.org", "nhs", "dietitian")


# --- merge and erase ---


def test_attendee_merge_moves_attendances_and_keeps_the_stronger_mark(partnership):
    keep = AttendeeFactory(partnership=partnership, name="Morag Campbell", email="", organisation=None)
    nhs = OrganisationFactory(name="NHS Ayrshire & Arran")
    duplicate = AttendeeFactory(
        partnership=partnership, name="M. Campbell", email="morag@example.org", organisation=nhs
    )
    both, only_theirs, only_mine = (SessionFactory(partnership=partnership) for _ in range(3))
    AttendanceFactory(session=both, attendee=keep, status="registered")
    AttendanceFactory(session=both, attendee=duplicate, status="attended")
    AttendanceFactory(session=only_theirs, attendee=duplicate, status="absent")
    AttendanceFactory(session=only_mine, attendee=keep, status="attended")

    services.attendee_merge(keep=keep, duplicate=duplicate)

    keep.refresh_from_db()
    assert not Attendee.objects.filter(pk=duplicate.pk).exists()
    assert sorted((a.session_id, a.status) for a in keep.attendances.all()) == sorted(
        [(both.pk, "attended"), (only_theirs.pk, "absent"), (only_mine.pk, "attended")]
    )
    assert (keep.name, keep.email, keep.organisation) == ("Morag Campbell", "morag@example.org", nhs)
    assert Attendance.objects.count() == 3


def test_attendee_merge_refuses_same_record_other_partnership_and_erased(partnership, other_partnership):
    one = AttendeeFactory(partnership=partnership)
    theirs = AttendeeFactory(partnership=other_partnership)
    erased = services.attendee_erase(attendee=AttendeeFactory(partnership=partnership))

    for keep, duplicate, message in [
        (one, one, "Choose two different records to merge."),
        (one, theirs, "Only records of the same partnership can be merged."),
        (one, erased, "An erased record cannot be merged."),
    ]:
        with pytest.raises(ValidationError) as error:
            services.attendee_merge(keep=keep, duplicate=duplicate)
        assert error.value.messages == [message]
    assert Attendee.objects.count() == 3


def test_attendee_merge_page(client, partnership, lead):
    keep = AttendeeFactory(partnership=partnership, name="Morag Campbell")
    duplicate = AttendeeFactory(partnership=partnership, name="Morag C", email="")
    AttendanceFactory(session=SessionFactory(partnership=partnership), attendee=duplicate)
    client.force_login(lead)

    page = client.get(reverse("workshops:attendee-merge", args=[keep.pk]))
    response = client.post(
        reverse("workshops:attendee-merge", args=[keep.pk]), {"keep": keep.pk, "duplicate": duplicate.pk}
    )

    assert page.context["form"]["keep"].value() == keep.pk
    assert response.url == reverse("workshops:attendee-detail", args=[keep.pk])
    assert list(Attendee.objects.all()) == [keep]
    assert keep.attendances.count() == 1


def test_attendee_merge_page_lists_only_the_partnership_people(client, partnership, other_partnership, lead):
    mine = AttendeeFactory(partnership=partnership, name="Mine")
    AttendeeFactory(partnership=other_partnership, name="Theirs")
    services.attendee_erase(attendee=AttendeeFactory(partnership=partnership))
    client.force_login(lead)

    form = client.get(reverse("workshops:attendee-merge", args=[mine.pk])).context["form"]

    assert list(form.fields["duplicate"].queryset) == [mine]


def test_attendee_erase_removes_identity_and_keeps_counts(client, partnership, session, lead):
    person = AttendeeFactory(
        partnership=partnership, name="Margaret Dunlop", email="m@example.org", organisation=OrganisationFactory()
    )
    AttendanceFactory(session=session, attendee=person, status="attended")
    client.force_login(lead)

    client.post(reverse("workshops:attendee-erase", args=[person.pk]))

    person.refresh_from_db()
    assert (person.name, person.email, person.organisation, person.sector, person.role) == (
        "Erased attendee",
        "",
        None,
        "third_sector",
        "third_sector_staff",
    )
    assert person.erased_at is not None
    assert _register(session) == [("Erased attendee", "attended")]
    html = client.get(session.get_absolute_url()).content.decode()
    assert "Margaret Dunlop" not in html and "m@example.org" not in html
    assert "1 on the register, 1 attended." in html
    with pytest.raises(ValidationError, match="already been erased"):
        services.attendee_erase(attendee=person)


def test_attendee_erase_is_for_leads_only(client, partnership, facilitator):
    person = AttendeeFactory(partnership=partnership, name="Kept")
    client.force_login(facilitator)

    response = client.post(reverse("workshops:attendee-erase", args=[person.pk]))

    person.refresh_from_db()
    assert (response.status_code, person.name) == (403, "Kept")


def test_attendee_of_another_partnership_is_not_found(client, other_partnership, lead):
    theirs = AttendeeFactory(partnership=other_partnership)
    client.force_login(lead)

    assert client.get(reverse("workshops:attendee-detail", args=[theirs.pk])).status_code == 404


def test_attendance_add_known_person_keeps_record_and_adds_no_organisation(partnership, session):
    known = AttendeeFactory(partnership=partnership, email="tom@example.org", organisation=None)

    attendance = services.attendance_add(
        session=session, name="Tom", email="tom@example.org", new_organisation="Typo Group", role="volunteer"
    )

    assert attendance.attendee == known
    assert Organisation.objects.count() == 0
