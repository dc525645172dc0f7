import datetime
import io
import re
import uuid
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from coprod import demo as coprod_demo
from coprod.models import Role
from tests.factories import (
    AttendanceFactory,
    AttendeeFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProgrammeFactory,
    SessionFactory,
)
from workshops import demo as workshops_demo
from workshops.models import Attendance, AttendanceStatus, Attendee, Programme, Session, SessionKind, SessionStatus
from workshops.selectors import programme_grid
from workshops.services import attendee_erase

ATTENDED, ABSENT, REGISTERED = AttendanceStatus.ATTENDED, AttendanceStatus.ABSENT, AttendanceStatus.REGISTERED


def text(response):
    """The page's text on one line, for asserting whole sentences; tags become spaces, but for inline emphasis."""
    html = re.sub(r"</?(?:strong|em)>", "", response.text)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _sessions(programme, count, **kwargs):
    return [
        SessionFactory(
            partnership=programme.partnership,
            programme=programme,
            title=f"Workshop {number}",
            date=datetime.date(2017, 9, 1) + datetime.timedelta(weeks=4 * number),
            status=SessionStatus.HELD,
            **kwargs,
        )
        for number in range(1, count + 1)
    ]


def _person(programme, name, sessions, marks):
    """An attendee of the programme's partnership with one mark per session ('' leaves them unregistered)."""
    attendee = AttendeeFactory(partnership=programme.partnership, name=name)
    for session, mark in zip(sessions, marks, strict=True):
        if mark:
            AttendanceFactory(session=session, attendee=attendee, status=mark)
    return attendee


def _rows(grid):
    return [(row.attendee.name, row.marks, row.attended, row.completed) for row in grid.rows]


# --- the completion rule ---


def test_programme_grid_completes_at_exactly_threshold_not_one_below(partnership):
    programme = ProgrammeFactory(partnership=partnership, completion_threshold=2)
    sessions = _sessions(programme, 3)
    _person(programme, "Ailsa Grant", sessions, [ATTENDED, ATTENDED, ""])
    _person(programme, "Bruce Duncan", sessions, [ATTENDED, "", ""])

    grid = programme_grid(programme=programme)

    assert _rows(grid) == [
        ("Ailsa Grant", [ATTENDED, ATTENDED, ""], 2, True),
        ("Bruce Duncan", [ATTENDED, "", ""], 1, False),
    ]
    assert (grid.took_part, grid.completed, grid.all_or_all_but_one) == (2, 1, 1)


def test_programme_grid_absent_and_unmarked_registrations_do_not_count(partnership):
    programme = ProgrammeFactory(partnership=partnership, completion_threshold=2)
    sessions = _sessions(programme, 3)
    _person(programme, "Catriona Bell", sessions, [ATTENDED, ABSENT, REGISTERED])
    _person(programme, "Duncan Hay", sessions, [ABSENT, ABSENT, ""])

    grid = programme_grid(programme=programme)

    assert _rows(grid) == [
        ("Catriona Bell", [ATTENDED, ABSENT, REGISTERED], 1, False),
        ("Duncan Hay", [ABSENT, ABSENT, ""], 0, False),
    ]
    assert (grid.took_part, grid.registered_only, grid.completed) == (1, 1, 0)


def test_programme_grid_erased_completer_still_counts_but_has_no_certificate(partnership):
    programme = ProgrammeFactory(partnership=partnership, completion_threshold=1)
    sessions = _sessions(programme, 1)
    erased = _person(programme, "", sessions, [ATTENDED])
    erased.erased_at = timezone.now()
    erased.save(update_fields=["erased_at"])
    _person(programme, "Euan Ross", sessions, [ATTENDED])

    grid = programme_grid(programme=programme)

    assert [(row.attendee.pk, row.completed) for row in grid.rows][1] == (erased.pk, True)
    assert (grid.completed, grid.certificate_count) == (2, 1)


def test_programme_grid_leaves_cancelled_sessions_and_other_programmes_out(partnership):
    programme = ProgrammeFactory(partnership=partnership, completion_threshold=2)
    held = _sessions(programme, 2)
    cancelled = SessionFactory(
        partnership=partnership, programme=programme, title="Storm", status=SessionStatus.CANCELLED
    )
    other = _sessions(ProgrammeFactory(partnership=partnership), 1)
    person = _person(programme, "Fiona Kerr", held, [ATTENDED, ""])
    AttendanceFactory(session=other[0], attendee=person)

    grid = programme_grid(programme=programme)

    assert [session.title for session in grid.grid_sessions] == ["Workshop 1", "Workshop 2"]
    assert [(session.title, session.number) for session in grid.sessions] == [
        ("Workshop 1", 1),
        ("Workshop 2", 2),
        ("Storm", None),
    ]
    assert cancelled.date > held[-1].date
    assert _rows(grid) == [("Fiona Kerr", [ATTENDED, ""], 1, False)]


def test_programme_grid_sorts_completers_first_then_most_attended_then_name(partnership):
    programme = ProgrammeFactory(partnership=partnership, completion_threshold=3)
    sessions = _sessions(programme, 4)
    _person(programme, "Zara Young", sessions, [ATTENDED, "", "", ""])
    _person(programme, "Yvonne Watt", sessions, [ATTENDED, ATTENDED, ATTENDED, ""])
    _person(programme, "Adam Scott", sessions, [ATTENDED, ATTENDED, "", ""])
    _person(programme, "Mhairi Bain", sessions, [ATTENDED, ATTENDED, ATTENDED, ATTENDED])
    _person(programme, "Beth Cowie", sessions, [ATTENDED, ATTENDED, ATTENDED, ABSENT])

    grid = programme_grid(programme=programme)

    assert [(row.attendee.name, row.attended, row.completed) for row in grid.rows] == [
        ("Mhairi Bain", 4, True),
        ("Beth Cowie", 3, True),
        ("Yvonne Watt", 3, True),
        ("Adam Scott", 2, False),
        ("Zara Young", 1, False),
    ]
    assert (grid.took_part, grid.completed, grid.all_or_all_but_one) == (5, 3, 3)


# --- the programme page ---


def test_programme_detail_answers_who_completed_at_a_glance(client, lead, partnership):
    programme = ProgrammeFactory(partnership=partnership, title="Co-production Star", completion_threshold=2)
    sessions = _sessions(programme, 3)
    _person(programme, "Ailsa Grant", sessions, [ATTENDED, ATTENDED, ATTENDED])
    _person(programme, "Bruce Duncan", sessions, [ATTENDED, ATTENDED, ABSENT])
    _person(programme, "Catriona Bell", sessions, [ATTENDED, "", ""])
    _person(programme, "Duncan Hay", sessions, [ABSENT, "", ""])
    client.force_login(lead)

    response = client.get(programme.get_absolute_url())

    page = text(response)
    assert (
        "3 people took part; 2 completed (attended at least 2 of 3 sessions); 2 attended all or all but one. "
        "1 more was registered but did not attend any session."
    ) in page
    assert "Ailsa Grant ✓ Attended ✓ Attended ✓ Attended 3 Yes · Certificate for Ailsa Grant" in page
    assert "Bruce Duncan ✓ Attended ✓ Attended ✗ Did not attend 2 Yes · Certificate for Bruce Duncan" in page
    assert "Catriona Bell ✓ Attended \N{EN DASH} Not registered \N{EN DASH} Not registered 1 No" in page
    assert "Certificate for Catriona Bell" not in page
    assert "Print all certificates (2)" in page
    assert reverse("workshops:programme-edit", args=[programme.pk]) in response.text


def test_programme_detail_lists_sessions_with_kind_locality_and_status(client, viewer, partnership):
    programme = ProgrammeFactory(partnership=partnership, completion_threshold=1)
    SessionFactory(
        partnership=partnership,
        programme=programme,
        title="Star workshop",
        kind=SessionKind.STAR_WORKSHOP,
        date=datetime.date(2017, 9, 14),
        status=SessionStatus.HELD,
    )
    SessionFactory(
        partnership=partnership,
        programme=programme,
        title="Lab",
        kind=SessionKind.LAB,
        date=datetime.date(2017, 10, 12),
        status=SessionStatus.CANCELLED,
    )
    client.force_login(viewer)

    response = client.get(programme.get_absolute_url())

    page = text(response)
    assert "S1 14 Sep 2017 Star workshop Co-production Star workshop Not set Held 0" in page
    assert "Not in the grid 12 Oct 2017 Lab Co-production Lab Not set Cancelled 0" in page
    assert "Nobody is registered for this programme's sessions yet." in page
    # Viewers read the programme but are not offered the edit form.
    assert reverse("workshops:programme-edit", args=[programme.pk]) not in response.text


def test_programme_detail_warns_when_rule_needs_more_sessions_than_exist(client, lead, partnership):
    programme = ProgrammeFactory(partnership=partnership, completion_threshold=7)
    _sessions(programme, 3)
    client.force_login(lead)

    response = client.get(programme.get_absolute_url())

    assert (
        "The completion rule needs 7 sessions but the programme has 3 (not counting cancelled ones), "
        "so nobody can complete it yet."
    ) in text(response)


@pytest.mark.parametrize("size", [1, 3])
def test_programme_detail_grid_query_count_constant(client, lead, partnership, django_assert_num_queries, size):
    programme = ProgrammeFactory(partnership=partnership, completion_threshold=1)
    sessions = _sessions(programme, size)
    for number in range(size):
        person = AttendeeFactory(partnership=partnership, organisation=OrganisationFactory())
        for session in sessions:
            AttendanceFactory(session=session, attendee=person, status=ATTENDED if number % 2 == 0 else ABSENT)
    client.force_login(lead)

    # session, user, programme, role (read), role (write link), role (send certificates), sessions, attendances,
    # attendees
    with django_assert_num_queries(10):
        response = client.get(programme.get_absolute_url())

    assert len(response.context["grid"].rows) == size


def test_programme_detail_outsider_gets_404(client, outsider, partnership):
    programme = ProgrammeFactory(partnership=partnership)
    client.force_login(outsider)

    response = client.get(programme.get_absolute_url())

    assert response.status_code == 404
    assert programme.title not in response.text


# --- the programme list ---


def test_programme_list_counts_sessions_participants_and_completers(client, viewer, partnership):
    star = ProgrammeFactory(partnership=partnership, title="Co-production Star", completion_threshold=2)
    sessions = _sessions(star, 3)
    SessionFactory(partnership=partnership, programme=star, status=SessionStatus.CANCELLED)
    _person(star, "Ailsa Grant", sessions, [ATTENDED, ATTENDED, ""])
    _person(star, "Bruce Duncan", sessions, [ATTENDED, ABSENT, ATTENDED])
    _person(star, "Catriona Bell", sessions, [ATTENDED, ABSENT, REGISTERED])
    _person(star, "Duncan Hay", sessions, [ABSENT, "", ""])
    empty = ProgrammeFactory(partnership=partnership, title="Good Conversations", completion_threshold=1)
    ProgrammeFactory(partnership=PartnershipFactory(), title="Elsewhere")
    client.force_login(viewer)

    response = client.get(reverse("workshops:programme-list"))

    assert [
        (p.title, p.partnership, p.session_count, p.participant_count, p.completer_count)
        for p in response.context["programmes"]
    ] == [("Co-production Star", partnership, 3, 3, 2), ("Good Conversations", partnership, 0, 0, 0)]
    assert empty.get_absolute_url() in response.text
    # Viewers cannot create programmes.
    assert reverse("workshops:programme-create") not in response.text


def test_programme_list_completers_counted_per_programme(client, lead, partnership):
    first = ProgrammeFactory(partnership=partnership, title="First", completion_threshold=1)
    second = ProgrammeFactory(partnership=partnership, title="Second", completion_threshold=2)
    first_sessions, second_sessions = _sessions(first, 2), _sessions(second, 2)
    person = _person(first, "Ailsa Grant", first_sessions, [ATTENDED, ATTENDED])
    AttendanceFactory(session=second_sessions[0], attendee=person)
    client.force_login(lead)

    response = client.get(reverse("workshops:programme-list"))

    assert [(p.title, p.participant_count, p.completer_count) for p in response.context["programmes"]] == [
        ("First", 1, 1),
        ("Second", 1, 0),
    ]


@pytest.mark.parametrize("size", [1, 3])
def test_programme_list_query_count_constant(client, lead, partnership, django_assert_num_queries, size):
    for number in range(size):
        programme = ProgrammeFactory(
            partnership=partnership, facilitating_organisation=OrganisationFactory(), completion_threshold=1
        )
        sessions = _sessions(programme, size)
        _person(programme, f"Person {number}", sessions, [ATTENDED] * size)
    client.force_login(lead)

    # session, user, count, programmes with their counts, "may create"
    with django_assert_num_queries(6):
        response = client.get(reverse("workshops:programme-list"))

    assert [p.completer_count for p in response.context["programmes"]] == [1] * size


# --- create and edit ---


def _form(partnership, **data):
    return {
        "submission_key": str(uuid.uuid4()),
        "partnership": partnership.pk,
        "title": "Co-production Star Action Learning Programme",
        "description": "",
        "facilitating_organisation": "",
        "cpd_hours_per_session": "3",
        "completion_threshold": "7",
    } | data


def test_programme_create_stores_it(client, facilitator, partnership):
    governance = OrganisationFactory(name="Governance International")
    client.force_login(facilitator)

    response = client.post(
        reverse("workshops:programme-create"),
        _form(partnership, facilitating_organisation=governance.pk, cpd_hours_per_session="2.5"),
    )

    programme = Programme.objects.get()
    assert response.url == programme.get_absolute_url()
    assert (
        programme.partnership,
        programme.title,
        programme.facilitating_organisation,
        programme.cpd_hours_per_session,
        programme.completion_threshold,
    ) == (partnership, "Co-production Star Action Learning Programme", governance, Decimal("2.5"), 7)


def test_programme_create_double_submit_stores_one(client, lead, partnership):
    client.force_login(lead)
    data = _form(partnership)

    first = client.post(reverse("workshops:programme-create"), data)
    second = client.post(reverse("workshops:programme-create"), data)

    assert Programme.objects.count() == 1
    assert first.url == second.url == Programme.objects.get().get_absolute_url()


@pytest.mark.parametrize(
    ("threshold", "message"),
    [
        ("0", "Enter 1 or more: a participant completes by attending at least this many sessions."),
        ("-2", "Enter 1 or more: a participant completes by attending at least this many sessions."),
        ("seven", "Enter a whole number of sessions, for example 7."),
        ("", "Enter how many sessions a participant must attend to complete, for example 7."),
    ],
)
def test_programme_create_refuses_bad_threshold_and_keeps_input(client, lead, partnership, threshold, message):
    client.force_login(lead)

    response = client.post(
        reverse("workshops:programme-create"), _form(partnership, title="Star", completion_threshold=threshold)
    )

    assert response.context["form"].errors == {"completion_threshold": [message]}
    assert 'value="Star"' in response.text
    assert f"Sessions needed to complete: {message}" in text(response)
    assert not Programme.objects.exists()


def test_programme_create_refuses_negative_hours(client, lead, partnership):
    client.force_login(lead)

    response = client.post(reverse("workshops:programme-create"), _form(partnership, cpd_hours_per_session="-1"))

    assert response.context["form"].errors == {"cpd_hours_per_session": ["CPD hours cannot be negative."]}
    assert not Programme.objects.exists()


def test_programme_create_refuses_title_taken_in_partnership_in_another_case(client, lead, partnership):
    ProgrammeFactory(partnership=partnership, title="Co-production Star")
    ProgrammeFactory(title="Good Conversations")  # another partnership's title is free
    client.force_login(lead)

    taken = client.post(reverse("workshops:programme-create"), _form(partnership, title="co-production  STAR"))
    free = client.post(reverse("workshops:programme-create"), _form(partnership, title="Good Conversations"))

    assert taken.context["form"].errors == {
        "title": ["North Ayrshire HSCP already has a programme called “co-production STAR”."]
    }
    assert free.status_code == 302
    assert sorted(Programme.objects.filter(partnership=partnership).values_list("title", flat=True)) == [
        "Co-production Star",
        "Good Conversations",
    ]


def test_programme_create_offers_only_partnerships_user_writes(client, lead, partnership, other_partnership):
    MembershipFactory(user=lead, partnership=other_partnership, role=Role.VIEWER)
    client.force_login(lead)

    page = client.get(reverse("workshops:programme-create"))
    response = client.post(reverse("workshops:programme-create"), _form(other_partnership))

    assert list(page.context["form"].fields["partnership"].queryset) == [partnership]
    assert "partnership" in response.context["form"].errors
    assert not Programme.objects.exists()


def test_programme_edit_refuses_threshold_above_session_count(client, lead, partnership):
    programme = ProgrammeFactory(partnership=partnership, completion_threshold=2)
    _sessions(programme, 3)
    SessionFactory(partnership=partnership, programme=programme, status=SessionStatus.CANCELLED)
    client.force_login(lead)

    response = client.post(
        reverse("workshops:programme-edit", args=[programme.pk]),
        _form(partnership, title=programme.title, completion_threshold="4"),
    )

    assert response.context["form"].errors == {
        "completion_threshold": [
            "This programme has 3 sessions (not counting cancelled ones), so nobody could attend 4: "
            "enter a number from 1 to 3."
        ]
    }
    programme.refresh_from_db()
    assert programme.completion_threshold == 2


def test_programme_edit_accepts_threshold_equal_to_session_count(client, lead, partnership):
    programme = ProgrammeFactory(partnership=partnership, completion_threshold=2)
    _sessions(programme, 3)
    client.force_login(lead)

    response = client.post(
        reverse("workshops:programme-edit", args=[programme.pk]),
        _form(partnership, title="Renamed", completion_threshold="3", description="Nine months of Labs"),
    )

    assert response.url == programme.get_absolute_url()
    programme.refresh_from_db()
    assert (programme.title, programme.completion_threshold, programme.description) == (
        "Renamed",
        3,
        "Nine months of Labs",
    )


def test_programme_edit_keeps_an_unchanged_rule_while_sessions_are_still_being_added(client, lead, partnership):
    programme = ProgrammeFactory(partnership=partnership, completion_threshold=7)
    _sessions(programme, 2)
    client.force_login(lead)

    client.post(
        reverse("workshops:programme-edit", args=[programme.pk]),
        _form(partnership, title=programme.title, completion_threshold="7", cpd_hours_per_session="2"),
    )

    programme.refresh_from_db()
    assert (programme.completion_threshold, programme.cpd_hours_per_session) == (7, Decimal("2.0"))


def test_programme_edit_cannot_move_a_programme_with_sessions(client, lead, partnership):
    elsewhere = PartnershipFactory()
    MembershipFactory(user=lead, partnership=elsewhere, role=Role.LEAD)
    programme = ProgrammeFactory(partnership=partnership, completion_threshold=1)
    _sessions(programme, 1)
    client.force_login(lead)

    client.post(
        reverse("workshops:programme-edit", args=[programme.pk]),
        _form(elsewhere, title=programme.title, completion_threshold="1"),
    )

    programme.refresh_from_db()
    assert programme.partnership == partnership


# --- demo data ---


def test_seed_programme_tells_the_aberdeen_story_and_runs_twice_unchanged(db):
    coprod_demo.seed(password="demo-password", stdout=io.StringIO())
    first_run = io.StringIO()

    workshops_demo.seed_programme(stdout=first_run)
    counts = (Programme.objects.count(), Session.objects.count(), Attendee.objects.count(), Attendance.objects.count())
    workshops_demo.seed_programme(stdout=io.StringIO())

    programme = Programme.objects.get(title="Co-production Star Action Learning Programme")
    grid = programme_grid(programme=programme)
    assert counts == (
        Programme.objects.count(),
        Session.objects.count(),
        Attendee.objects.count(),
        Attendance.objects.count(),
    )
    assert (programme.partnership.name, programme.facilitating_organisation.name) == (
        "Aberdeen City Health and Social Care Partnership",
        "Governance International",
    )
    assert sorted({session.locality.name for session in grid.sessions}) == ["Central", "North", "South", "West"]
    assert sorted({session.get_kind_display() for session in grid.sessions}) == [
        "Co-production Lab",
        "Co-production Star workshop",
    ]
    # The source's dates (September 2017 to May 2018), moved by whole weeks to end some 13 months ago: the same
    # Thursdays, the same spacing, every participant's last session inside the retention period less its margin.
    today = timezone.localdate()
    shift = workshops_demo.story_shift(today)
    assert [session.date for session in grid.sessions] == [spec[0] + shift for spec in workshops_demo.STAR_SESSIONS]
    assert {(session.date.weekday(), session.status) for session in grid.sessions} == {(3, SessionStatus.HELD)}
    assert workshops_demo.retention_cutoff(today) <= grid.sessions[0].date < grid.sessions[-1].date < today
    assert (grid.session_count, grid.took_part, grid.completed, programme.completion_threshold) == (9, 104, 22, 7)
    assert len({row.attendee.sector for row in grid.rows}) >= 5
    assert first_run.getvalue().strip() == (
        "Aberdeen City: Co-production Star Action Learning Programme, 9 sessions, 104 took part, 22 completed"
    )


def test_seed_programme_brings_no_erased_participant_back(db):
    """Once the retention job has erased them, their emails are gone: the seed must not match people by email."""
    coprod_demo.seed(password="demo-password", stdout=io.StringIO())
    workshops_demo.seed_programme(stdout=io.StringIO())
    for attendee in Attendee.objects.all():
        attendee_erase(attendee=attendee)
    counts = (Session.objects.count(), Attendee.objects.count(), Attendance.objects.count())

    workshops_demo.seed_programme(stdout=io.StringIO())

    grid = programme_grid(programme=Programme.objects.get())
    assert (Session.objects.count(), Attendee.objects.count(), Attendance.objects.count()) == counts
    assert (grid.took_part, grid.completed) == (104, 22)
    assert Attendee.objects.filter(erased_at__isnull=True).count() == 0
