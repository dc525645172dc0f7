"""A measure's values many at once: the grid, the pasted rows (checked, then saved all or none), and points.csv."""

import csv
import datetime
import html
import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from coprod.models import AuditEntry
from projects import services
from projects.models import DataPoint
from tests.conftest import at_once
from tests.factories import DataPointFactory, MeasureFactory, PartnershipFactory, ProjectFactory

MARCH_2, MARCH_9, MARCH_16, MARCH_23 = (datetime.date(2026, 3, day) for day in (2, 9, 16, 23))
CREATE, UPDATE, DELETE, EXPORT = 0, 1, 2, 3


@pytest.fixture
def measure(partnership):
    """Two weekly values stored, the second with a note."""
    measure = MeasureFactory(project=ProjectFactory(partnership=partnership), name="Referrals a week")
    DataPointFactory(measure=measure, date=MARCH_2, value=Decimal("12.5"))
    DataPointFactory(measure=measure, date=MARCH_9, value=14, note="PDSA 1 started")
    return measure


def _url(measure):
    return reverse("projects:measure-values", args=[measure.pk])


def _stored(measure):
    return list(measure.points.order_by("date").values_list("date", "value", "note"))


def _messages(response):
    return [str(message) for message in response.context["messages"]]


def _as_posted(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else value


def _grid(client, measure, changes=None):
    """The grid as the page gives it, with `changes` ({row number: {field: text}}) typed in: the data to post."""
    page = client.get(_url(measure))
    formset = page.context["formset"]
    data = {"step": "grid", "grid-submission_key": str(page.context["grid_key"]["submission_key"].value())}
    data |= {field.html_name: field.value() for field in formset.management_form}
    for form in formset:
        data |= {field.html_name: _as_posted(field.value()) for field in form if field.name != "DELETE"}
    for row, typed in (changes or {}).items():
        data |= {f"values-{row - 1}-{name}": text for name, text in typed.items()}
    return data


def _check(client, measure, text):
    return client.post(_url(measure), {"step": "check", "text": text})


def _save_data(response):
    """What the Save button of a checked paste posts."""
    form = response.context["save_form"]
    return {"step": "save"} | {field.html_name: field.value() for field in form}


# --- The page ---


def test_values_page_offers_the_stored_values_then_ten_empty_rows(client, lead, measure):
    client.force_login(lead)

    response = client.get(_url(measure))

    forms = response.context["formset"].forms
    assert [(form.existing, form["date"].value(), form["value"].value(), form["note"].value()) for form in forms] == [
        (True, MARCH_2, "12.5", ""),
        (True, MARCH_9, "14", "PDSA 1 started"),
    ] + [(False, None, None, None)] * 10
    assert '<input type="hidden" name="values-0-date" value="2026-03-02" id="id_values-0-date">2 March 2026' in (
        response.text
    )
    assert '<label for="id_values-1-value" class="visually-hidden">Value for 9 March 2026</label>' in response.text
    assert '<label for="id_values-2-date" class="visually-hidden">Row 3, date</label>' in response.text
    assert 'name="values-2-DELETE"' not in response.text  # only stored values can be deleted


def test_measure_page_links_to_the_values_page_and_the_csv(client, lead, viewer, measure):
    client.force_login(lead)
    page = client.get(measure.get_absolute_url())
    client.force_login(viewer)
    read_only = client.get(measure.get_absolute_url())

    assert f'<a href="{_url(measure)}">Add or correct values</a>' in page.text
    csv_link = f'<a href="{reverse("projects:measure-points-csv", args=[measure.pk])}" download>'
    assert csv_link in page.text
    assert csv_link in read_only.text
    assert "Add or correct values" not in read_only.text


@pytest.mark.parametrize("count", [1, 3])
def test_values_page_query_count_constant(client, lead, partnership, django_assert_num_queries, count):
    measure = MeasureFactory(project=ProjectFactory(partnership=partnership))
    for week in range(count):
        DataPointFactory(measure=measure, date=MARCH_2 + datetime.timedelta(weeks=week))
    client.force_login(lead)

    # session, user, second factor, the measure with its project and partnership, the role, the values
    with django_assert_num_queries(6):
        response = client.get(_url(measure))

    assert response.context["formset"].initial_form_count() == count


# --- The grid ---


def test_grid_adds_and_corrects_values_and_says_how_many(client, lead, measure):
    client.force_login(lead)
    data = _grid(
        client,
        measure,
        {
            1: {"value": "13"},
            3: {"date": "2026-03-16", "value": "15"},
            4: {"date": "23/03/2026", "value": "1,016", "note": " PDSA 2 started "},
        },
    )

    response = client.post(_url(measure), data, follow=True)

    assert response.redirect_chain == [(measure.get_absolute_url(), 302)]
    assert _messages(response) == ["Values saved: 2 added, 1 updated."]
    assert _stored(measure) == [
        (MARCH_2, Decimal(13), ""),
        (MARCH_9, Decimal(14), "PDSA 1 started"),
        (MARCH_16, Decimal(15), ""),
        (MARCH_23, Decimal(1016), "PDSA 2 started"),
    ]


def test_grid_deletes_only_the_ticked_value(client, facilitator, measure):
    client.force_login(facilitator)
    data = _grid(client, measure, {2: {"DELETE": "on"}})

    response = client.post(_url(measure), data, follow=True)

    assert _messages(response) == ["Values saved: 0 added, 0 updated, 1 deleted."]
    assert _stored(measure) == [(MARCH_2, Decimal("12.5"), "")]


def test_grid_unchanged_says_nothing_changed(client, lead, measure):
    client.force_login(lead)

    response = client.post(_url(measure), _grid(client, measure), follow=True)

    assert _messages(response) == ["Nothing changed: every value was already stored as given."]
    assert len(_stored(measure)) == 2


def test_grid_with_a_bad_row_stores_nothing_and_keeps_what_was_typed(client, lead, measure):
    client.force_login(lead)
    data = _grid(
        client,
        measure,
        {
            1: {"value": "99"},
            2: {"value": ""},
            3: {"date": "31/02/2026", "value": "5"},
            4: {"date": "2026-03-16", "value": "lots"},
            5: {"note": "a note and nothing else"},
            6: {"date": "2099-01-05", "value": "3"},
        },
    )

    response = client.post(_url(measure), data)

    assert response.status_code == 200
    assert _stored(measure) == [(MARCH_2, Decimal("12.5"), ""), (MARCH_9, Decimal(14), "PDSA 1 started")]
    errors = [html.unescape(message) for message in _summary(response)]
    assert errors == [
        "Row 2, Value: Enter the value, or tick Delete.",
        "Row 3, Date: The date 31/02/2026 does not exist.",
        "Row 4, Value: “lots” is not a number.",
        "Row 5, Date: Enter the date the value is for.",
        "Row 5, Value: Enter the value.",
        "Row 6, Date: 5 January 2099 is in the future: values are for dates gone by.",
    ]
    for typed in ['value="99"', 'value="31/02/2026"', 'value="lots"', 'value="a note and nothing else"']:
        assert typed in response.text
    assert 'aria-invalid="true" aria-describedby="id_values-3-value_error"' in response.text
    assert '<div class="invalid-feedback d-block" id="id_values-3-value_error">' in response.text


def _summary(response):
    """The error summary's messages, as rendered."""
    summary = response.text.split('id="error-summary-title"')[1].split("</ul>")[0]
    return [item.split(">")[-1] for item in summary.replace("</a>", "").split("</li>")[:-1]]


def test_grid_the_same_date_twice_names_both_rows(client, lead, measure):
    client.force_login(lead)
    data = _grid(
        client,
        measure,
        {3: {"date": "16/03/2026", "value": "5"}, 4: {"date": "2026-03-16", "value": "6"}, 5: {"date": "2/3/26"}},
    )
    data["values-4-value"] = "7"

    response = client.post(_url(measure), data)

    assert response.context["formset"].non_form_errors() == [
        "Rows 3 and 4 both have the date 16 March 2026: one value a date.",
        "Rows 1 and 5 both have the date 2 March 2026: one value a date.",
    ]
    assert len(_stored(measure)) == 2


def test_grid_a_deleted_date_typed_again_says_to_correct_it_instead(client, lead, measure):
    client.force_login(lead)
    data = _grid(client, measure, {1: {"DELETE": "on"}, 3: {"date": "2026-03-02", "value": "20"}})

    response = client.post(_url(measure), data)

    assert response.context["formset"].non_form_errors() == [
        "Row 3 has the date 2 March 2026, whose value row 1 deletes: type the new value on row 1 instead, and "
        "untick Delete."
    ]
    assert _stored(measure)[0] == (MARCH_2, Decimal("12.5"), "")


def test_grid_double_submit_stores_once(client, lead, measure):
    client.force_login(lead)
    data = _grid(client, measure, {3: {"date": "2026-03-16", "value": "15"}})

    first = client.post(_url(measure), data, follow=True)
    second = client.post(_url(measure), data, follow=True)

    assert _messages(first) == ["Values saved: 1 added, 0 updated."]
    assert second.redirect_chain == [(measure.get_absolute_url(), 302)]
    assert _messages(second) == []  # sent on to what the first one saved, without saving again
    assert [date for date, _value, _note in _stored(measure)] == [MARCH_2, MARCH_9, MARCH_16]


def test_grid_shows_the_latest_values_and_says_how_many_older_are_left_out(client, lead, partnership):
    measure = MeasureFactory(project=ProjectFactory(partnership=partnership))
    start = datetime.date(2020, 1, 6)
    DataPoint.objects.bulk_create(
        DataPoint(measure=measure, date=start + datetime.timedelta(weeks=week), value=week) for week in range(203)
    )
    client.force_login(lead)

    response = client.get(_url(measure))

    forms = response.context["formset"].forms
    assert (len(forms), forms[0]["value"].value(), forms[199]["value"].value()) == (210, "3", "202")
    assert "The grid shows the latest 200 values; 3 older ones are not in it." in response.text


# --- Pasted rows ---

PASTED = "Week\tReferrals\tNote\n02/03/2026\t12.5\n09/03/2026\t16\tform simplified\n16/03/2026\t1,018\n"


def test_paste_check_previews_without_storing_then_save_stores(client, lead, measure):
    client.force_login(lead)

    checked = _check(client, measure, PASTED)

    preview = checked.context["preview"]
    assert [(row.number, row.change) for row in preview.rows] == [(2, "same"), (3, "update"), (4, "new")]
    assert "3 rows: 1 new, 1 correcting a stored value, 1 already stored as pasted." in checked.text
    assert "Replaces 14 (note: PDSA 1 started)" in checked.text
    assert "The first row was read as column names and left out: “Week, Referrals, Note”." in checked.text
    assert "Save these 3 values" in checked.text
    assert len(_stored(measure)) == 2

    saved = client.post(_url(measure), _save_data(checked), follow=True)

    assert _messages(saved) == ["Values saved: 1 added, 1 updated."]
    assert _stored(measure) == [
        (MARCH_2, Decimal("12.5"), ""),
        (MARCH_9, Decimal(16), "form simplified"),
        (MARCH_16, Decimal(1018), ""),
    ]


def test_paste_with_bad_rows_lists_them_offers_no_save_and_keeps_the_text(client, lead, measure):
    text = "Date,Value\n16/03/2026,4\n23/03/2026,five\n31/02/2026,6\n16/03/2026,7\n"
    client.force_login(lead)

    response = _check(client, measure, text)

    assert response.context["save_form"] is None
    assert 'name="step" value="save"' not in response.text
    problems = [
        "Row 3: “five” is not a number",
        "Row 4: the date 31/02/2026 does not exist",
        "Row 5: 16 March 2026 is also on row 2: one value a date",
    ]
    for problem in problems:
        assert html.escape(problem, quote=False) in response.text
    assert "Nothing has been saved: fix these problems, then check again" in response.text
    assert response.context["paste_form"]["text"].value() == text
    assert html.escape(text) in response.text
    assert len(_stored(measure)) == 2


def test_paste_save_checks_the_rows_again(client, lead, measure):
    client.force_login(lead)
    data = _save_data(_check(client, measure, "16/03/2026\t4\n"))
    data["save-text"] = "16/03/2026\t4\n23/03/2026\tfour\n"  # not what was checked

    response = client.post(_url(measure), data)

    assert response.status_code == 200
    assert "Row 2: “four” is not a number" in html.unescape(response.text)
    assert len(_stored(measure)) == 2


def test_paste_double_submit_stores_once(client, lead, measure):
    client.force_login(lead)
    data = _save_data(_check(client, measure, "16/03/2026\t4\n23/03/2026\t5\n"))

    first = client.post(_url(measure), data, follow=True)
    second = client.post(_url(measure), data, follow=True)

    assert _messages(first) == ["Values saved: 2 added, 0 updated."]
    assert (second.redirect_chain, _messages(second)) == ([(measure.get_absolute_url(), 302)], [])
    assert [date for date, _value, _note in _stored(measure)] == [MARCH_2, MARCH_9, MARCH_16, MARCH_23]


def test_paste_nothing_asks_for_rows(client, lead, measure):
    client.force_login(lead)

    response = _check(client, measure, "")

    assert response.context["paste_form"].errors == {"text": ["Paste the rows to check."]}
    assert response.context["preview"] is None


def test_points_csv_pasted_into_another_measure_gives_the_same_values(client, lead, partnership, measure):
    other = MeasureFactory(project=measure.project)
    client.force_login(lead)
    text = b"".join(client.get(reverse("projects:measure-points-csv", args=[measure.pk])).streaming_content).decode()

    checked = _check(client, other, text)
    client.post(_url(other), _save_data(checked))

    assert _stored(other) == _stored(measure)


# --- Who may ---


def test_viewer_reads_the_csv_but_cannot_open_or_post_the_values_page(client, viewer, measure):
    client.force_login(viewer)

    page = client.get(_url(measure))
    posted = client.post(_url(measure), {"step": "check", "text": "16/03/2026\t4"})
    download = client.get(reverse("projects:measure-points-csv", args=[measure.pk]))

    assert (page.status_code, posted.status_code, download.status_code) == (403, 403, 200)


def test_another_partnerships_measure_is_404_and_stores_nothing(client, outsider, measure):
    client.force_login(outsider)
    data = {"step": "save", "save-text": "16/03/2026\t4", "save-submission_key": "6f1c7a0e-3d1b-4a8e-9c53-0d6c2f1b9a77"}

    statuses = [
        client.get(_url(measure)).status_code,
        client.post(_url(measure), data).status_code,
        client.get(reverse("projects:measure-points-csv", args=[measure.pk])).status_code,
    ]

    assert statuses == [404, 404, 404]
    assert len(_stored(measure)) == 2
    assert not AuditEntry.objects.filter(action=EXPORT).exists()


# --- points.csv ---


def _csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_points_csv_has_the_values_formula_safe_and_is_on_the_audit_trail(client, viewer, partnership, measure):
    DataPointFactory(measure=measure, date=MARCH_16, value=-3, note='=HYPERLINK("http://example.org")')
    DataPointFactory(measure=measure, date=MARCH_23, value=0, note="+44 rang, @home")
    client.force_login(viewer)

    response = client.get(reverse("projects:measure-points-csv", args=[measure.pk]))

    assert response["Content-Disposition"].startswith('attachment; filename="referrals-a-week-values-')
    assert _csv(response) == [
        ["date", "value", "note"],
        ["2026-03-02", "12.5", ""],
        ["2026-03-09", "14", "PDSA 1 started"],
        ["2026-03-16", "-3", '\'=HYPERLINK("http://example.org")'],
        ["2026-03-23", "0", "'+44 rang, @home"],
    ]
    entry = AuditEntry.objects.get(action=EXPORT)
    assert (entry.actor, entry.partnership_id, entry.object_repr, entry.additional_data["filters"]) == (
        viewer,
        partnership.pk,
        "Measure values (CSV)",
        {"project": measure.project.title, "measure": "Referrals a week"},
    )


# --- The service ---


def _point_entries(measure):
    content_type = ContentType.objects.get_for_model(DataPoint)
    return list(
        AuditEntry.objects.filter(content_type=content_type, partnership=measure.project.partnership)
        .order_by("pk")
        .values_list("action", "object_repr")
    )


def test_data_points_save_records_each_change_on_the_audit_trail(measure):
    before = _point_entries(measure)

    saved = services.data_points_save(
        measure=measure, points=[(MARCH_2, Decimal(13), ""), (MARCH_16, Decimal(15), "")], delete=[MARCH_9]
    )

    assert (saved.added, saved.updated, saved.unchanged, saved.deleted) == (1, 1, 0, 1)
    assert _point_entries(measure)[len(before) :] == [
        (UPDATE, "Referrals a week: 13 on 2026-03-02"),
        (CREATE, "Referrals a week: 15 on 2026-03-16"),
        (DELETE, "Referrals a week: 14.00 on 2026-03-09"),
    ]


@pytest.mark.parametrize(
    ("points", "delete", "problem"),
    [
        ([(MARCH_16, 1, ""), (MARCH_16, 2, "")], [], "Only one value a date: 16 March 2026 would have two."),
        ([(MARCH_2, 1, "")], [MARCH_2], "2 March 2026: given a value and deleted at once. Do one or the other."),
        ([(datetime.date(2099, 1, 5), 1, "")], [], "Values cannot be dated in the future: 5 January 2099."),
        ([(MARCH_16, Decimal("0.001"), "")], [], "16 March 2026: Ensure that there are no more than 2 decimal places."),
        ([(MARCH_16, 1, "x" * 201)], [], "16 March 2026: Ensure this value has at most 200 characters (it has 201)."),
    ],
)
def test_data_points_save_refuses_the_whole_save(measure, points, delete, problem):
    with pytest.raises(ValidationError) as error:
        services.data_points_save(measure=measure, points=[(MARCH_23, 1, ""), *points], delete=delete)

    assert error.value.messages == [problem]
    assert len(_stored(measure)) == 2


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="SQLite lets one writer in at a time: the race is only meaningful on PostgreSQL (CI).",
)
@pytest.mark.django_db(transaction=True)
def test_two_saves_of_the_same_new_dates_at_once_store_each_date_once():
    points = [(MARCH_2, Decimal(1), ""), (MARCH_9, Decimal(2), "")]
    for _trial in range(10):
        measure = MeasureFactory(project=ProjectFactory(partnership=PartnershipFactory()))
        save = lambda measure=measure: services.data_points_save(measure=measure, points=points)  # noqa: E731

        outcomes = at_once(save, save)

        assert [type(outcome) for outcome in outcomes] == [services.PointsSaved] * 2
        assert sorted((outcome.added, outcome.unchanged) for outcome in outcomes) == [(0, 2), (2, 0)]
        assert _stored(measure) == [(MARCH_2, Decimal(1), ""), (MARCH_9, Decimal(2), "")]
