"""Staff pages: a session's surveys, their window, QR code, poster, projector, live count and paper entry."""

import datetime
import re
import uuid

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.utils import timezone

from surveys import services
from surveys.models import Response, Survey
from tests.factories import SessionFactory
from tests.surveys.conftest import release, submit
from tests.surveys.test_results_views import text_of


def test_session_surveys_page_lists_both_phases_with_counts(client, facilitator, pre_survey, post_survey):
    pre = submit(pre_survey, [2, 2, 2]).response
    submit(pre_survey, [3, 3, 3])
    submit(post_survey, [4, 4, 4], pairing_code=pre.pairing_code)
    client.force_login(facilitator)

    response = client.get(f"/sessions/{pre_survey.session_id}/questionnaires/")

    html = response.content.decode()
    counts = re.findall(r'data-count-url="[^"]+" aria-live="polite">(\d+)</span>\s*([^<]*?)\s*<a', html)
    assert counts == [("2", ""), ("1", "(1 paired with the questionnaire before)")]
    assert f"http://testserver/s/{pre_survey.token}/" in html
    assert f"http://testserver/s/{post_survey.token}/" in html
    assert re.findall(r"<button[^>]*>([^<]+)<span", html) == ["Close now", "Close now"]


def test_session_surveys_page_offers_setup_to_writers_only(client, session, template, facilitator, viewer):
    client.force_login(viewer)
    as_viewer = client.get(f"/sessions/{session.pk}/questionnaires/").content.decode()
    client.force_login(facilitator)
    as_facilitator = client.get(f"/sessions/{session.pk}/questionnaires/").content.decode()

    assert as_viewer.count("Not set up yet.") == 2
    assert "Set up" not in as_viewer
    assert re.findall(r'<form method="post" action="(/sessions/[^"]+)"', as_facilitator) == [
        f"/sessions/{session.pk}/questionnaires/new/"
    ]
    assert re.findall(r'<button type="submit"[^>]*>(Set up[^<]+)</button>', as_facilitator) == [
        "Set up both questionnaires"
    ]


@pytest.mark.parametrize("responses", [1, 3])
def test_session_surveys_page_queries_do_not_grow(
    client, lead, pre_survey, post_survey, responses, django_assert_num_queries
):
    for _ in range(responses):
        submit(pre_survey, [4, 4, 4])
        submit(post_survey, [4, 4, 4])
    client.force_login(lead)

    # sign-in session and user; the session; the role check; the surveys with their counts; the role again for
    # the write buttons; whether "What happened next" is published
    with django_assert_num_queries(8):
        client.get(f"/sessions/{pre_survey.session_id}/questionnaires/")


def test_survey_create_sets_up_both_from_one_template(client, facilitator, session, template):
    client.force_login(facilitator)
    data = {"setup-submission_key": str(uuid.uuid4()), "setup-template": template.pk}

    response = client.post(f"/sessions/{session.pk}/questionnaires/new/", data)
    client.post(f"/sessions/{session.pk}/questionnaires/new/", data)  # a double click

    surveys = {survey.phase: survey for survey in Survey.objects.all()}
    assert response.url == f"/sessions/{session.pk}/questionnaires/"
    assert [(phase, survey.template, survey.items.count()) for phase, survey in sorted(surveys.items())] == [
        ("post", template, 4),  # the template's three statements, and its question after the session
        ("pre", template, 3),
    ]


def test_survey_create_offers_own_templates(client, facilitator, pre_survey, template, other_partnership):
    from tests.factories import QuestionnaireTemplateFactory

    national = QuestionnaireTemplateFactory(title="Another national")
    QuestionnaireTemplateFactory(title="Aberdeen's copy", partnership=other_partnership, based_on=national)
    client.force_login(facilitator)

    html = client.get(f"/sessions/{pre_survey.session_id}/questionnaires/new/").content.decode()

    assert "Set up the questionnaire after the session</button>" in html
    assert re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', html) == [
        "Another national (national)",
        "Co-production Star (national)",
        "Exploring New Ways of Working (national)",
        "Test questionnaire (national)",
    ]


def test_survey_edit_window(client, lead, pre_survey):
    client.force_login(lead)

    client.post(f"/surveys/{pre_survey.pk}/edit/", {"opens_at": "", "closes_at": "2027-03-12T09:30"})

    pre_survey.refresh_from_db()
    assert (pre_survey.opens_at, timezone.localtime(pre_survey.closes_at).strftime("%Y-%m-%d %H:%M")) == (
        None,
        "2027-03-12 09:30",
    )


def test_survey_edit_window_of_a_released_survey_refused(client, lead, pre_survey):
    release(pre_survey)
    client.force_login(lead)

    response = client.post(
        f"/surveys/{pre_survey.pk}/edit/", {"opens_at": "", "closes_at": "2027-03-12T09:30"}, follow=True
    )

    pre_survey.refresh_from_db()
    assert (pre_survey.closes_at, pre_survey.is_released()) == (None, True)
    assert services.RELEASED in text_of(response)


def test_survey_edit_window_that_ended_long_ago_is_saved(client, lead, pre_survey):
    """The refusal looks at the stored times: giving an open questionnaire a window that has ended is allowed."""
    client.force_login(lead)

    client.post(f"/surveys/{pre_survey.pk}/edit/", {"opens_at": "", "closes_at": "2026-03-12T09:30"})

    pre_survey.refresh_from_db()
    assert (pre_survey.closes_at.date().isoformat(), pre_survey.is_released()) == ("2026-03-12", True)


def test_survey_close_now_and_reopen(client, facilitator, pre_survey):
    client.force_login(facilitator)

    client.post(f"/surveys/{pre_survey.pk}/close/")
    pre_survey.refresh_from_db()
    closed = pre_survey.state()
    page = client.get(f"/sessions/{pre_survey.session_id}/questionnaires/").content.decode()
    assert (
        "The questionnaire before the session is closed. Anyone who had it open on their phone can still send it "
        "for 30 minutes, so that no answers are lost. Then its answers go into the results, and it takes no more: "
        "key in any paper forms, or reopen it, before then."
    ) in page
    client.post(f"/surveys/{pre_survey.pk}/reopen/")
    pre_survey.refresh_from_db()

    assert (closed, pre_survey.state()) == ("closed", "open")
    assert "Reopen" in page


def test_survey_reopen_of_a_released_survey_refused(client, facilitator, pre_survey):
    release(pre_survey)
    client.force_login(facilitator)

    response = client.post(f"/surveys/{pre_survey.pk}/reopen/", follow=True)

    pre_survey.refresh_from_db()
    assert response.redirect_chain == [(f"/sessions/{pre_survey.session_id}/questionnaires/", 302)]
    assert (pre_survey.state(), pre_survey.is_released()) == ("closed", True)
    assert services.RELEASED in text_of(response)
    assert "is open again" not in text_of(response)


def test_session_surveys_page_of_a_released_survey_offers_no_changes(client, facilitator, pre_survey):
    release(pre_survey)
    client.force_login(facilitator)

    html = client.get(f"/sessions/{pre_survey.session_id}/questionnaires/").content.decode()

    assert "Closed, and its answers are in the results: it takes no more answers, online or on paper." in html
    assert f"/surveys/{pre_survey.pk}/paper/" not in html
    assert f"/surveys/{pre_survey.pk}/edit/" not in html
    assert f"/surveys/{pre_survey.pk}/reopen/" not in html


def test_survey_qr_is_an_svg_of_the_public_address(client, viewer, pre_survey):
    client.force_login(viewer)

    response = client.get(f"/surveys/{pre_survey.pk}/qr.svg")

    svg = response.content.decode()
    assert response["Content-Type"] == "image/svg+xml"
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"') and "<path" in svg
    assert f"<title>QR code for http://testserver/s/{pre_survey.token}/</title>" in svg


def test_survey_poster_has_qr_url_and_session_title(client, viewer, pre_survey):
    client.force_login(viewer)

    html = client.get(f"/surveys/{pre_survey.pk}/poster/").content.decode()

    assert re.findall(r"<h1[^>]*>([^<]+)</h1>", html) == ["Tell us what you think before the session"]
    assert '<p class="poster-kicker">Exploring New Ways of Working: Irvine</p>' in html
    assert f'src="/surveys/{pre_survey.pk}/qr.svg"' in html
    assert f"http://testserver/s/{pre_survey.token}/" in html


def test_survey_projector_shows_live_count(client, facilitator, pre_survey):
    submit(pre_survey, [4, 4, 4])
    client.force_login(facilitator)

    html = client.get(f"/surveys/{pre_survey.pk}/projector/").content.decode()

    assert re.findall(r'data-count-url="([^"]+)" aria-live="polite"[^>]*>(\d+)<', html) == [
        (f"/surveys/{pre_survey.pk}/count/", "1")
    ]
    assert staticfiles_storage.url("js/survey-live.js") in html
    assert f'<a href="/surveys/{pre_survey.pk}/projector/">Refresh' in html


def test_survey_count_returns_the_count_only(client, viewer, pre_survey):
    submit(pre_survey, [4, 4, 4])
    submit(pre_survey, [2, 2, 2])
    client.force_login(viewer)

    response = client.get(f"/surveys/{pre_survey.pk}/count/")

    assert response.json() == {"count": 2}
    assert "no-store" in response["Cache-Control"]


# --- Paper entry ---


def paper_data(survey, rows):
    """`rows`: (code, [scale values as typed]) per paper form."""
    ids = [item.statement_id for item in survey.items.order_by("position")]
    data = {"form-TOTAL_FORMS": str(len(rows)), "form-INITIAL_FORMS": str(len(rows))}
    for number, (code, values) in enumerate(rows):
        data[f"form-{number}-submission_key"] = str(uuid.uuid4())
        data[f"form-{number}-pairing_code"] = code
        for statement_id, value in zip(ids, values, strict=False):
            data[f"form-{number}-s{statement_id}"] = value
    return data


def test_paper_page_is_a_keyboard_table_of_selects(client, lead, post_survey):
    client.force_login(lead)

    html = client.get(f"/surveys/{post_survey.pk}/paper/").content.decode()

    assert html.count("<tr") == 11  # header and 10 forms
    first_select = re.search(r"<select[^>]*>(.*?)</select>", html, re.S).group(1)
    assert re.findall(r">([^<]+)</option>", first_select) == [
        "Not answered",
        "1 Strongly disagree",
        "2 Disagree",
        "3 Neither agree nor disagree",
        "4 Agree",
        "5 Strongly agree",
        "Don&#x27;t know",
    ]
    assert '<label for="id_form-0-pairing_code" class="visually-hidden">Form 1, code</label>' in html
    assert 'tabindex="-1"' not in html.split("<table")[1]


def test_paper_entry_stores_rows_as_paper_and_pairs_codes(client, lead, pre_survey, post_survey):
    pre = submit(pre_survey, [2, 2, 2]).response
    client.force_login(lead)
    data = paper_data(
        post_survey,
        [(pre.pairing_code.lower(), ["4", "5", "dk", "Ask first."]), ("", ["3", "", "4"]), ("", ["", "", ""])],
    )

    response = client.post(f"/surveys/{post_survey.pk}/paper/", data)
    client.post(f"/surveys/{post_survey.pk}/paper/", data)  # sent again

    paper = Response.objects.filter(survey=post_survey).order_by("pairing_code")
    assert response.url == f"/surveys/{post_survey.pk}/paper/"
    assert [(r.source, r.pairing_code, r.paired_with_id) for r in paper] == [
        ("paper", "", None),
        ("paper", pre.pairing_code, pre.pk),
    ]
    assert sorted(sorted(r.answers.values_list("value", "text"), key=str) for r in paper) == [
        sorted([(3, ""), (4, "")], key=str),
        sorted([(4, ""), (5, ""), (None, ""), (None, "Ask first.")], key=str),
    ]


def test_paper_entry_bad_row_stores_nothing_and_marks_the_row(client, lead, pre_survey, post_survey):
    client.force_login(lead)
    data = paper_data(post_survey, [("", ["4", "4", "4"]), ("ZZZZZZ", ["5", "5", "5"])])

    response = client.post(f"/surveys/{post_survey.pk}/paper/", data)

    html = response.content.decode()
    assert Response.objects.count() == 0
    assert '<a href="#id_form-1-pairing_code" class="alert-link">Row 2, Code: We could not find this code' in html
    assert html.count('class="table-danger"') == 1


def test_paper_entry_pre_keeps_written_code(client, lead, pre_survey):
    client.force_login(lead)

    client.post(f"/surveys/{pre_survey.pk}/paper/", paper_data(pre_survey, [("ab23-cd", ["1", "2", "3"])]))

    assert list(Response.objects.values_list("source", "pairing_code")) == [("paper", "AB23CD")]


def test_paper_entry_code_with_ambiguous_character_refused_and_nothing_stored(client, lead, pre_survey):
    client.force_login(lead)
    data = paper_data(pre_survey, [("", ["4", "4", "4"]), ("ab12cd", ["5", "5", "5"])])

    response = client.post(f"/surveys/{pre_survey.pk}/paper/", data)

    html = response.content.decode()
    message = "Check the code “AB12CD”: a code has 6 letters and numbers, without 0, O, 1, I or L"
    assert Response.objects.count() == 0
    assert f'<a href="#id_form-1-pairing_code" class="alert-link">Row 2, Code: {message}' in html
    assert f'<div class="invalid-feedback d-block" id="id_form-1-pairing_code-error">{message}</div>' in html
    assert html.count('class="table-danger"') == 1


def test_paper_entry_on_closed_survey_allowed_until_released(client, lead, pre_survey):
    services.survey_close(survey=pre_survey, now=timezone.now() - datetime.timedelta(minutes=25))
    client.force_login(lead)

    client.post(f"/surveys/{pre_survey.pk}/paper/", paper_data(pre_survey, [("", ["4", "4", "4"])]))

    assert list(Response.objects.values_list("source", flat=True)) == ["paper"]


def test_paper_entry_on_released_survey_refused_with_the_reason(client, lead, pre_survey):
    release(pre_survey)
    client.force_login(lead)

    page = client.get(f"/surveys/{pre_survey.pk}/paper/", follow=True)
    posted = client.post(
        f"/surveys/{pre_survey.pk}/paper/", paper_data(pre_survey, [("", ["4", "4", "4"])]), follow=True
    )

    surveys_page = f"/sessions/{pre_survey.session_id}/questionnaires/"
    assert page.redirect_chain == posted.redirect_chain == [(surveys_page, 302)]
    assert services.RELEASED in text_of(page)
    assert services.RELEASED in text_of(posted)
    assert Response.objects.count() == 0


@pytest.mark.parametrize("statements", [1, 3])
def test_paper_page_queries_do_not_grow(client, lead, session, statements, django_assert_num_queries):
    from tests.factories import QuestionnaireTemplateFactory, TemplateItemFactory

    template = QuestionnaireTemplateFactory()
    for position in range(statements):
        TemplateItemFactory(template=template, position=position)
    survey = services.survey_create(session=session, phase="pre", template=template)
    client.force_login(lead)

    # sign-in session and user; the survey with its session; the role check; the statements
    with django_assert_num_queries(6):
        client.get(f"/surveys/{survey.pk}/paper/")


def test_session_surveys_of_another_partnership_not_found(client, outsider, pre_survey):
    client.force_login(outsider)

    assert client.get(f"/sessions/{pre_survey.session_id}/questionnaires/").status_code == 404
    assert client.get(f"/surveys/{pre_survey.pk}/count/").status_code == 404


def test_session_without_surveys_can_be_deleted_but_not_one_with_responses(pre_survey):
    from django.db.models import ProtectedError

    empty = SessionFactory(partnership=pre_survey.session.partnership)
    services.survey_create(session=empty, phase="pre", template=pre_survey.template)
    submit(pre_survey, [4, 4, 4])

    empty.delete()
    with pytest.raises(ProtectedError):
        pre_survey.session.delete()
