"""Bulk register: CSV or pasted rows, a preview with every row's problems, then all rows saved or none."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from coprod.models import Organisation
from tests.factories import AttendanceFactory, AttendeeFactory, OrganisationFactory, SessionFactory
from workshops import services
from workshops.models import Attendance, Attendee

HEADER = "name,email,organisation,sector,role\n"


@pytest.fixture
def session(partnership):
    return SessionFactory(partnership=partnership, title="Exploring New Ways of Working: North Ayrshire")


def _preview(session, text):
    preview = services.bulk_register_preview(session=session, text=text)
    return preview.problems, preview.row_problems


def _upload(name, content):
    return SimpleUploadedFile(name, content if isinstance(content, bytes) else content.encode(), "text/csv")


# --- reading and checking the rows ---


def test_bulk_preview_accepts_values_and_labels_in_any_case(session):
    OrganisationFactory(name="NHS Ayrshire & Arran", sector="nhs")
    text = HEADER + (
        "Morag Campbell,Morag@Example.org,nhs ayrshire & arran,,PHYSIOTHERAPIST\n"
        "Fiona Paterson,,The Ayrshire Community Trust,third sector,third_sector_staff\n"
        "Iain Kerr,,,Local-Authority,Social care staff\n"
        "Margaret Dunlop,,,community,person with lived experience\n"
    )

    preview = services.bulk_register_preview(session=session, text=text)

    assert preview.problems == preview.row_problems == []
    assert [(r.number, r.name, r.email, r.sector, r.role, r.new_organisation) for r in preview.rows] == [
        (2, "Morag Campbell", "morag@example.org", "nhs", "physiotherapist", False),
        (3, "Fiona Paterson", "", "third_sector", "third_sector_staff", True),
        (4, "Iain Kerr", "", "local_authority", "social_care_staff", False),
        (5, "Margaret Dunlop", "", "community", "lived_experience", False),
    ]
    assert preview.new_organisations == ["The Ayrshire Community Trust"]


def test_bulk_preview_lists_every_row_problem_by_spreadsheet_row_number(partnership, session):
    AttendanceFactory(
        session=session,
        attendee=AttendeeFactory(partnership=partnership, name="Already Here", email="here@example.org"),
    )
    AttendanceFactory(session=session, attendee=AttendeeFactory(partnership=partnership, name="No Email", email=""))
    text = HEADER + (
        ",nobody@example.org,,nhs,dietitian\n"  # row 2
        "Bad Email,jo@,,nhs,dietitian\n"  # row 3
        "Odd Sector,,,charity,dietitian\n"  # row 4
        "Odd Role,,,nhs,wizard\n"  # row 5
        "No Role,,,nhs,\n"  # row 6
        "No Sector,,,,dietitian\n"  # row 7
        "Twice,twice@example.org,,nhs,dietitian\n"  # row 8
        "Twice Again,TWICE@example.org,,nhs,dietitian\n"  # row 9
        "Here Again,here@example.org,,nhs,dietitian\n"  # row 10
        "no email,,,nhs,dietitian\n"  # row 11
        ",,,,\n"  # row 12: blank, skipped
        "New Group Person,,Brand New Group,,volunteer\n"  # row 13
    )

    problems, row_problems = _preview(session, text)

    assert problems == []
    assert row_problems == [
        (2, "name is missing"),
        (3, "“jo@” is not a valid email address"),
        (4, "unknown sector “charity”"),
        (5, "unknown role “wizard”"),
        (6, "role is missing"),
        (7, "sector is missing"),
        (9, "duplicate of row 8"),
        (10, "already on this register"),
        (11, "already on this register"),
        (13, "sector is missing (needed for a new organisation)"),
    ]


def test_bulk_preview_duplicate_names_without_email(session):
    text = "Tom Wylie,,,community,volunteer\ntom  wylie,,,community,volunteer\n"

    assert _preview(session, text) == ([], [(2, "duplicate of row 1")])


def test_bulk_preview_reads_pasted_tab_separated_rows_without_header(session):
    text = "Tom Wylie\ttom@example.org\t\tcommunity\tvolunteer\r\nAgnes Logan\t\t\tcommunity\tunpaid carer\r\n"

    preview = services.bulk_register_preview(session=session, text=text)

    assert [(r.number, r.name, r.email, r.role) for r in preview.rows] == [
        (1, "Tom Wylie", "tom@example.org", "volunteer"),
        (2, "Agnes Logan", "", "unpaid_carer"),
    ]


def test_bulk_preview_reads_columns_by_header_in_any_order(session):
    text = "Role,Full name,Sector,E-mail address,Notes\nDietitian,Gillian Boyle,NHS,gillian@example.org,ignored\n"

    preview = services.bulk_register_preview(session=session, text=text)

    assert [(r.name, r.email, r.sector, r.role) for r in preview.rows] == [
        ("Gillian Boyle", "gillian@example.org", "nhs", "dietitian")
    ]


def test_bulk_preview_matches_partnership_records_by_email(partnership, other_partnership, session):
    known = AttendeeFactory(partnership=partnership, name="Morag Campbell", email="morag@example.org")
    AttendeeFactory(partnership=other_partnership, email="elsewhere@example.org")
    text = "Morag C,MORAG@example.org,,nhs,physiotherapist\nSomeone,elsewhere@example.org,,nhs,dietitian\n"

    preview = services.bulk_register_preview(session=session, text=text)

    assert [row.attendee for row in preview.rows] == [known, None]
    assert (preview.matched_count, preview.new_count) == (1, 1)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "The file is empty: it has no rows."),
        ("\n  \n", "The file is empty: it has no rows."),
        (HEADER, "The file has a header row but no people in it."),
        (
            "email,role\na@example.org,dietitian\n",
            "The header row has no “name” column. The columns are: name, email, organisation, sector, role.",
        ),
    ],
)
def test_bulk_preview_file_problems(session, text, problem):
    assert _preview(session, text) == ([problem], [])


def test_bulk_preview_refuses_more_than_the_row_limit(session):
    text = "".join(f"Person {n},,,nhs,dietitian\n" for n in range(services.BULK_MAX_ROWS + 1))

    assert _preview(session, text) == (
        ["The file has 5,001 rows; the limit is 5,000. Split it into smaller files."],
        [],
    )


def test_bulk_preview_refuses_a_cancelled_session(session):
    session = services.session_cancel(session=session)

    assert _preview(session, "Tom Wylie,,,community,volunteer\n") == (
        ["This session was cancelled: its register is closed."],
        [],
    )


# --- saving ---


def test_bulk_save_stores_every_row_links_new_organisations_and_reuses_known_people(partnership, session):
    nhs = OrganisationFactory(name="NHS Ayrshire & Arran", sector="nhs")
    known = AttendeeFactory(partnership=partnership, name="Morag Campbell", email="morag@example.org")
    text = HEADER + (
        "Morag Campbell,morag@example.org,NHS Ayrshire & Arran,,physiotherapist\n"
        "Iain Kerr,iain@example.org,nhs ayrshire & arran,,occupational therapist\n"
        "James Baird,,Kilwinning Community Sports Club,community,volunteer\n"
        "Kirsty Reid,,kilwinning community sports club,community,volunteer\n"
    )

    services.bulk_register_save(session=session, text=text, status="attended")

    rows = [
        (a.attendee.name, a.attendee.email, str(a.attendee.organisation), a.attendee.sector, a.status)
        for a in session.attendances.select_related("attendee__organisation").order_by("attendee__name")
    ]
    assert rows == [
        ("Iain Kerr", "iain@example.org", "NHS Ayrshire & Arran", "nhs", "attended"),
        ("James Baird", "", "Kilwinning Community Sports Club", "community", "attended"),
        ("Kirsty Reid", "", "Kilwinning Community Sports Club", "community", "attended"),
        ("Morag Campbell", "morag@example.org", "None", "third_sector", "attended"),  # their record as it was
    ]
    assert session.attendances.get(attendee__email="morag@example.org").attendee == known
    club = Organisation.objects.get(name="Kilwinning Community Sports Club")
    assert (club.sector, list(club.partnerships.all())) == ("community", [partnership])
    assert Organisation.objects.count() == 2
    assert nhs.attendees.count() == 1  # the known record kept its own details


def test_bulk_save_saves_nothing_when_any_row_has_a_problem(session):
    text = "Tom Wylie,,New Club,community,volunteer\n,,,nhs,dietitian\n"

    with pytest.raises(services.BulkRegisterInvalid) as error:
        services.bulk_register_save(session=session, text=text)

    assert error.value.preview.row_problems == [(2, "name is missing")]
    assert (Attendee.objects.count(), Attendance.objects.count(), Organisation.objects.count()) == (0, 0, 0)


def test_bulk_save_checks_the_rows_again(partnership, session):
    text = "Tom Wylie,tom@example.org,,community,volunteer\nAgnes Logan,,,community,unpaid carer\n"
    assert services.bulk_register_preview(session=session, text=text).is_valid
    # Meanwhile someone adds Tom by hand.
    services.attendance_add(
        session=session, name="Tom Wylie", email="tom@example.org", sector="community", role="volunteer"
    )

    with pytest.raises(services.BulkRegisterInvalid) as error:
        services.bulk_register_save(session=session, text=text)

    assert error.value.preview.row_problems == [(1, "already on this register")]
    assert _names(session) == ["Tom Wylie"]


def _names(session):
    return sorted(session.attendances.values_list("attendee__name", flat=True))


def _rows(count):
    return HEADER + "".join(f"Person {n},person{n}@example.org,NHS Ayrshire & Arran,,dietitian\n" for n in range(count))


@pytest.mark.parametrize("count", [1, 3])
def test_bulk_preview_query_count_does_not_grow(django_assert_num_queries, session, count):
    OrganisationFactory(name="NHS Ayrshire & Arran", sector="nhs")

    # known people by email, organisations by name, the register
    with django_assert_num_queries(3):
        preview = services.bulk_register_preview(session=session, text=_rows(count))

    assert (len(preview.rows), preview.is_valid) == (count, True)


@pytest.mark.parametrize("count", [1, 3])
def test_bulk_save_query_count_does_not_grow(django_assert_num_queries, session, count):
    OrganisationFactory(name="NHS Ayrshire & Arran", sector="nhs")
    text = _rows(count) + "New Person,,Brand New Group,community,volunteer\n"

    # savepoint, the session, the preview's 3, savepoint, insert organisations, links, attendees, attendances,
    # the dashboard panels' new versions, release x2
    with django_assert_num_queries(13):
        services.bulk_register_save(session=session, text=text)

    assert Attendance.objects.count() == count + 1


# --- the pages ---


def test_bulk_register_page_upload_preview_then_save(client, session, facilitator):
    client.force_login(facilitator)
    url = reverse("workshops:bulk-register", args=[session.pk])
    text = HEADER + "Tom Wylie,tom@example.org,Garnock Valley Men's Shed,community,volunteer\n"

    preview = client.post(url, {"step": "preview", "file": _upload("register.csv", text)})

    html = preview.content.decode()
    assert "Tom Wylie" in html
    assert "Save all 1 to the register" in html
    assert "will be added to the register: Garnock Valley Men&#x27;s Shed" in html
    assert Attendance.objects.count() == 0
    save_form = preview.context["save_form"]

    saved = client.post(
        url,
        {
            "step": "save",
            "text": save_form["text"].value(),
            "all_attended": "",
            "submission_key": save_form["submission_key"].value(),
        },
    )

    assert saved.url == session.get_absolute_url()
    assert _names(session) == ["Tom Wylie"]


def test_bulk_register_page_double_save_stores_once(client, session, facilitator):
    client.force_login(facilitator)
    url = reverse("workshops:bulk-register", args=[session.pk])
    data = {
        "step": "save",
        "text": "Tom Wylie,,,community,volunteer\nAgnes Logan,,,community,unpaid carer\n",
        "all_attended": "True",
        "submission_key": "3c1d0a43-4c2c-4bb8-9b0a-7a3c43b2bd4f",
    }

    first = client.post(url, data)
    second = client.post(url, data)

    assert first.url == second.url == session.get_absolute_url()
    assert sorted(session.attendances.values_list("attendee__name", "status")) == [
        ("Agnes Logan", "attended"),
        ("Tom Wylie", "attended"),
    ]


def test_bulk_register_page_save_rechecks_text_from_the_client(client, session, facilitator):
    client.force_login(facilitator)

    response = client.post(
        reverse("workshops:bulk-register", args=[session.pk]),
        {"step": "save", "text": "Tom,,,nhs,wizard\n", "submission_key": "4c1d0a43-4c2c-4bb8-9b0a-7a3c43b2bd4f"},
    )

    assert response.context["preview"].row_problems == [(1, "unknown role “wizard”")]
    assert "Row 1: unknown role “wizard”" in response.content.decode()
    assert Attendance.objects.count() == 0


def test_bulk_register_page_pasted_rows(client, session, facilitator):
    client.force_login(facilitator)

    response = client.post(
        reverse("workshops:bulk-register", args=[session.pk]),
        {"step": "preview", "text": "Tom Wylie\t\t\tcommunity\tvolunteer\n"},
    )

    assert [row.name for row in response.context["preview"].rows] == ["Tom Wylie"]


def test_bulk_register_page_shows_problems_and_no_save_button(client, session, facilitator):
    client.force_login(facilitator)

    response = client.post(
        reverse("workshops:bulk-register", args=[session.pk]),
        {"step": "preview", "file": _upload("register.csv", HEADER + "Tom,tom@,,nhs,dietitian\n")},
    )

    html = response.content.decode()
    assert "Row 2: “tom@” is not a valid email address" in html
    assert "Nothing has been saved" in html
    assert response.context["save_form"] is None


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        (
            "register.xlsx",
            b"PK\x03\x04",
            "“register.xlsx” is not a CSV file. In your spreadsheet choose Save As, then “CSV UTF-8”, and upload that.",
        ),
        (
            "register.csv",
            b"PK\x03\x04\x14\x00\x00\x00",
            "“register.csv” is not a CSV file: it holds binary data, as a spreadsheet workbook does. In your "
            "spreadsheet choose Save As, then “CSV UTF-8”, and upload that.",
        ),
        (
            "register.csv",
            b"\x81\x8d\x8f\x90\x9d",
            "The text of “register.csv” cannot be read. In your spreadsheet choose Save As, then “CSV UTF-8”, "
            "and upload that.",
        ),
        ("register.csv", b"  \n", "“register.csv” is empty."),
        (
            "register.csv",
            b"x" * (services.BULK_MAX_BYTES + 1),
            "“register.csv” is 1.0\xa0MB; the limit is 1 MB (about 5,000 rows). Split it into smaller files.",
        ),
    ],
)
def test_bulk_register_page_refuses_bad_files_with_clear_message(client, session, facilitator, name, content, error):
    client.force_login(facilitator)

    response = client.post(
        reverse("workshops:bulk-register", args=[session.pk]), {"step": "preview", "file": _upload(name, content)}
    )

    assert response.context["form"].errors == {"file": [error]}
    assert response.context["preview"] is None


def test_bulk_register_page_reads_older_excel_csv_encoding(client, session, facilitator):
    client.force_login(facilitator)

    response = client.post(
        reverse("workshops:bulk-register", args=[session.pk]),
        {"step": "preview", "file": _upload("register.csv", "Seán Ó Briain,,,nhs,dietitian\n".encode("cp1252"))},
    )

    assert [row.name for row in response.context["preview"].rows] == ["Seán Ó Briain"]


def test_bulk_register_page_wants_a_file_or_rows_but_not_both(client, session, facilitator):
    client.force_login(facilitator)
    url = reverse("workshops:bulk-register", args=[session.pk])

    neither = client.post(url, {"step": "preview"})
    both = client.post(
        url, {"step": "preview", "text": "A,,,nhs,dietitian", "file": _upload("a.csv", "B,,,nhs,dietitian")}
    )

    assert neither.context["form"].errors == {"file": ["Choose a CSV file to upload, or paste the rows."]}
    assert both.context["form"].errors == {"text": ["Upload a file or paste rows, not both: clear one of them."]}


def test_bulk_register_template_is_the_header_row(client, viewer):
    client.force_login(viewer)

    response = client.get(reverse("workshops:bulk-register-template"))

    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="coprod-register-template.csv"'
    assert response.content.decode("utf-8-sig") == "name,email,organisation,sector,role\r\n"


def test_bulk_register_template_round_trips_through_the_preview(session):
    text = "\ufeffname,email,organisation,sector,role\r\nTom Wylie,,,community,volunteer\r\n"

    assert [row.name for row in services.bulk_register_preview(session=session, text=text).rows] == ["Tom Wylie"]
