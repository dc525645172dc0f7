"""A survey's short code: the typeable address /q/<code>/ (or the box at /q/), cheap and slow to guess."""

import re

import pytest
from django.db import DataError, IntegrityError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from surveys.models import PAIRING_ALPHABET, SHORT_CODE_LENGTH, Survey
from tests.factories import SurveyFactory


def dashed(code):
    return f"{code[:4]}-{code[4:]}"


@pytest.fixture
def coded(pre_survey):
    """The survey before the session, with a known code: no wrong code below can be its."""
    Survey.objects.filter(pk=pre_survey.pk).update(short_code="K7MP2QXR")
    pre_survey.refresh_from_db()
    return pre_survey


def survey_queries(queries):
    """The queries that read the surveys table (the rate limit's cache has its own)."""
    return [query["sql"] for query in queries if '"surveys_survey"' in query["sql"]]


# --- The code itself: the pairing codes' alphabet, in capitals, unique, backed by the database ---


def test_short_code_drawn_at_creation_from_the_pairing_alphabet(pre_survey, post_survey):
    codes = [pre_survey.short_code, post_survey.short_code]

    assert [len(code) for code in codes] == [SHORT_CODE_LENGTH, SHORT_CODE_LENGTH] == [8, 8]
    assert set("".join(codes)) <= set(PAIRING_ALPHABET)
    assert codes[0] != codes[1]
    assert not set("".join(codes)) & set("01OIL")


def test_short_code_unique_in_the_database(db):
    SurveyFactory(short_code="K7MP2QXR")

    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyFactory(short_code="K7MP2QXR")


@pytest.mark.parametrize("code", ["k7mp2qxr", "K7MP2QX0", "K7MP2QX", "K7MP2QXRA", "K7MP-2QX"])
def test_short_code_format_checked_by_the_database(db, code):
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():  # PostgreSQL: too long for the column
        SurveyFactory(short_code=code)


def test_short_code_shown_in_two_groups_of_four(db):
    survey = SurveyFactory(short_code="K7MP2QXR")

    assert (survey.short_code_display, survey.get_short_url()) == ("K7MP-2QXR", "/q/K7MP-2QXR/")


# --- /q/<code>/ and the box at /q/: to the questionnaire, however it was typed ---


@pytest.mark.parametrize("typed", ["{code}", "{dashed}", "{lower}", "{lower_dashed}", "{spaced}"])
def test_short_address_leads_to_the_questionnaire(client, pre_survey, typed):
    code = pre_survey.short_code
    typed = typed.format(
        code=code,
        dashed=dashed(code),
        lower=code.lower(),
        lower_dashed=dashed(code).lower(),
        spaced=f"{code[:4]} {code[4:]}",
    )

    response = client.get(f"/q/{typed}/")

    assert (response.status_code, response["Location"]) == (302, f"/s/{pre_survey.token}/")


def test_short_code_typed_in_the_box_leads_to_the_questionnaire(client, post_survey):
    typed = f"  {dashed(post_survey.short_code).lower()} "

    response = client.get("/q/", {"code": typed})

    assert (response.status_code, response["Location"]) == (302, f"/s/{post_survey.token}/")


def test_short_code_box_is_a_labelled_form(client, db):
    response = client.get("/q/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_code" class="question-label">Code</label>' in html
    assert re.findall(r'<form method="get" action="([^"]+)"', html) == ["/q/"]
    assert 'value=""' in html
    assert "error-summary" not in html
    assert "<script" not in html


def test_long_token_address_keeps_working(client, pre_survey):
    html = client.get(f"/s/{pre_survey.token}/").content.decode()

    assert "<h1>Questionnaire before the session</h1>" in html


def test_unknown_short_code_says_so_and_keeps_what_was_typed(client, coded):
    typed = "abcd-efgh"

    response = client.get("/q/", {"code": typed})

    html = response.content.decode()
    assert response.status_code == 404
    assert f"There is no questionnaire with the code {typed}. Check it against the screen or poster" in html
    assert f'name="code" id="id_code" value="{typed}"' in html
    assert '<a href="#id_code" class="alert-link">' in html
    assert 'aria-describedby="id_code-hint id_code-error"' in html


@pytest.mark.parametrize("typed", ["K7MP2QX", "K7MP-2QX0", "looks wrong"])
def test_malformed_short_code_explains_the_format_without_a_query(client, db, typed):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/q/", {"code": typed})

    html = response.content.decode()
    assert response.status_code == 200
    assert "Check the code: it has 8 letters and numbers, without 0, O, 1, I or L" in html
    assert f'value="{typed}"' in html
    assert survey_queries(queries) == []


def test_empty_short_code_asks_for_one(client, db):
    html = client.get("/q/", {"code": "  "}).content.decode()

    assert "Type the code shown on the screen or poster" in html


@pytest.mark.parametrize("count", [1, 3])
def test_unknown_short_code_refused_with_one_indexed_query(client, template, count):
    for number in range(count):
        SurveyFactory(template=template, short_code=f"K7MP2QX{number + 2}")

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/q/ABCD-EFGH/")

    assert response.status_code == 404
    assert len(survey_queries(queries)) == 1
    assert "short_code" in survey_queries(queries)[0]


# --- Guessing: wrong codes from one address are limited like submissions; right ones never count ---


@override_settings(SURVEY_RATE_LIMIT="2/m")
def test_wrong_short_codes_rate_limited_per_address(client, coded):
    wrong = "ABCD-EFGH"

    def get(code, address):
        return client.get(f"/q/{code}/", REMOTE_ADDR=address).status_code

    statuses = [
        get(wrong, "192.0.2.1"),
        get(wrong, "192.0.2.1"),
        get(wrong, "192.0.2.1"),
        get("K7MP-2QXR", "192.0.2.1"),
        get("K7MP-2QXR", "192.0.2.2"),
    ]

    assert statuses == [404, 404, 429, 429, 302]


@override_settings(SURVEY_RATE_LIMIT="2/m")
def test_rate_limited_short_code_page_keeps_what_was_typed(client, coded):
    for code in ["ABCD-EFGH", "ABCD-EFGK", "ABCD-EFGM"]:
        response = client.get("/q/", {"code": code})

    html = response.content.decode()
    assert response.status_code == 429
    assert "Please wait a few minutes, then try again" in html
    assert 'value="ABCD-EFGM"' in html


@override_settings(SURVEY_RATE_LIMIT="2/m")
def test_right_short_codes_never_count_against_the_room(client, pre_survey):
    statuses = {client.get(f"/q/{pre_survey.short_code}/").status_code for _ in range(5)}

    assert statuses == {302}


# --- The poster and the projector show the short address large, beside the QR code ---


@pytest.mark.parametrize("page", ["poster", "projector"])
def test_poster_and_projector_show_the_short_address(client, facilitator, pre_survey, page):
    client.force_login(facilitator)

    html = client.get(f"/surveys/{pre_survey.pk}/{page}/").content.decode()

    shown = re.findall(r'data-testid="short-url">(.*?)</p>', html)
    assert [re.sub(r"<[^>]+>", "", address) for address in shown] == [f"testserver/q/{dashed(pre_survey.short_code)}"]
    assert f'src="/surveys/{pre_survey.pk}/qr.svg"' in html


def test_projector_links_to_kiosk_mode(client, facilitator, pre_survey):
    client.force_login(facilitator)

    html = client.get(f"/surveys/{pre_survey.pk}/projector/").content.decode()

    assert f'<a href="/s/{pre_survey.token}/kiosk/" class="btn btn-outline-primary">Open on a shared tablet</a>' in html
