"""The attendee's page at /s/<token>/: answers stored once, kept on error, friendly when closed, hard to abuse."""

import datetime
import re
import uuid

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from surveys import services
from surveys.models import Answer, Response
from surveys.views.public import pairing_cookie_name
from tests.surveys.conftest import form_data, scale_ids, submit


def url(survey):
    return f"/s/{survey.token}/"


def stored(survey):
    return sorted(
        tuple(sorted(response.answers.values_list("value", flat=True), key=lambda v: (v is None, v)))
        for response in Response.objects.filter(survey=survey)
    )


def test_answer_page_shows_each_statement_as_fieldset_with_radios(client, pre_survey):
    response = client.get(url(pre_survey))

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        re.findall(r"<legend[^>]*>.*?</legend>", html, re.S)[0]
        .split("</span>")[1]
        .strip()
        .startswith("I have a sound understanding")
    )
    assert html.count("<fieldset") == 3
    assert html.count('type="radio"') == 18
    assert re.findall(r'<label for="id_s\d+_\d">([^<]+)</label>', html)[:6] == [
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
        "Don&#x27;t know",
    ]
    assert "Your answers are anonymous" in html
    assert "<script" not in html
    assert 'class="site-nav"' not in html
    assert sorted(response["Cache-Control"].split(", ")) == ["max-age=0", "no-cache", "private"]


def test_answer_page_hides_staff_navigation_even_when_signed_in(client, pre_survey, lead):
    client.force_login(lead)

    html = client.get(url(pre_survey)).content.decode()

    assert ('class="site-nav"' in html, "Log out" in html) == (False, False)


def test_answer_submit_stores_and_thanks_with_code_in_cookie(client, pre_survey):
    response = client.post(url(pre_survey), form_data(pre_survey, ["4", "dk", "1"]))

    stored_response = Response.objects.get()
    assert stored(pre_survey) == [(1, 4, None)]
    assert "Thank you: your answers are saved" in response.content.decode()
    assert stored_response.pairing_code in response.content.decode()
    cookie = response.cookies[pairing_cookie_name(pre_survey.session_id)]
    assert (cookie.value, cookie["path"], cookie["httponly"], cookie["samesite"], cookie["max-age"]) == (
        stored_response.pairing_code,
        "/s/",
        True,
        "Lax",
        7 * 24 * 60 * 60,
    )


def test_answer_submit_twice_same_key_stores_one_and_shows_same_thanks(client, pre_survey):
    data = form_data(pre_survey, ["4", "4", "4"])

    first = client.post(url(pre_survey), data)
    second = client.post(url(pre_survey), data | {f"s{scale_ids(pre_survey)[0]}": "1"})

    assert Response.objects.count() == 1
    assert stored(pre_survey) == [(4, 4, 4)]
    code = Response.objects.get().pairing_code
    assert (code in first.content.decode(), code in second.content.decode()) == (True, True)


def test_answer_submit_without_csrf_token_still_stores(pre_survey):
    """A phone left on the page for hours: no CSRF token to go stale, the answers are taken."""
    client = Client(enforce_csrf_checks=True)

    response = client.post(url(pre_survey), form_data(pre_survey, ["5", "5", "5"], csrfmiddlewaretoken="stale"))

    assert response.status_code == 200
    assert stored(pre_survey) == [(5, 5, 5)]


def test_answer_missing_required_lists_errors_and_keeps_answers(client, pre_survey):
    ids = scale_ids(pre_survey)

    response = client.post(url(pre_survey), form_data(pre_survey, ["2"]))

    html = response.content.decode()
    assert Response.objects.count() == 0
    summary = html.split('class="alert alert-danger error-summary"')[1].split("</div>")[0]
    assert re.findall(r'<a href="([^"]+)" class="alert-link">([^<]+)</a>', summary) == [
        (f"#id_s{ids[1]}_0", "Statement 2: Choose an answer, or choose Don&#x27;t know"),
        (f"#id_s{ids[2]}_0", "Statement 3: Choose an answer, or choose Don&#x27;t know"),
    ]
    assert "autofocus" in summary.split(">")[0]
    assert re.findall(r'<input type="radio"[^>]*checked>', html) == [
        f'<input type="radio" name="s{ids[0]}" id="id_s{ids[0]}_1" value="2" checked>'
    ]


def test_answer_error_keeps_the_submission_key(client, pre_survey):
    data = form_data(pre_survey, ["2"])

    html = client.post(url(pre_survey), data).content.decode()

    assert f'name="submission_key" value="{data["submission_key"]}"' in html


@pytest.mark.parametrize("value", ["6", "0", "-1", "4.5", "agree", "", "\ufffd"])
def test_answer_value_off_scale_is_a_form_error(client, pre_survey, value):
    response = client.post(url(pre_survey), form_data(pre_survey, [value, "4", "4"]))

    assert response.status_code == 200
    assert Response.objects.count() == 0
    assert "There is a problem with your answers" in response.content.decode()


def test_answer_unknown_statement_is_a_bad_request(client, pre_survey):
    response = client.post(url(pre_survey), form_data(pre_survey, ["4", "4", "4"], s999999="4"))

    assert (response.status_code, Response.objects.count()) == (400, 0)


def test_answer_without_submission_key_is_a_bad_request(client, pre_survey):
    data = form_data(pre_survey, ["4", "4", "4"])
    del data["submission_key"]

    response = client.post(url(pre_survey), data)

    assert (response.status_code, Response.objects.count()) == (400, 0)


def test_answer_garbage_bytes_never_a_server_error(client, pre_survey):
    ids = scale_ids(pre_survey)
    key = uuid.uuid4()
    body = f"submission_key={key}&s{ids[0]}=%FF%FE&s{ids[1]}=4&s{ids[2]}=4&\xff\xfe=1".encode("latin-1")

    response = client.generic(
        "POST", url(pre_survey), body, content_type="application/x-www-form-urlencoded; charset=klingon"
    )

    assert (response.status_code, Response.objects.count()) == (400, 0)


def test_answer_broken_multipart_is_a_bad_request(client, pre_survey):
    response = client.generic(
        "POST", url(pre_survey), b"--x\r\nnonsense", content_type="multipart/form-data; boundary=x"
    )

    assert (response.status_code, Response.objects.count()) == (400, 0)


def test_answer_oversized_body_is_a_bad_request(client, pre_survey):
    data = form_data(pre_survey, ["4", "4", "4"])
    body = "&".join(f"{k}={v}" for k, v in data.items()) + "&padding=" + "x" * 200_000

    response = client.generic("POST", url(pre_survey), body, content_type="application/x-www-form-urlencoded")

    assert (response.status_code, Response.objects.count()) == (400, 0)


def test_answer_overlong_text_is_a_form_error(client, post_survey):
    text_id = post_survey.items.order_by("position").last().statement_id

    response = client.post(url(post_survey), form_data(post_survey, ["4", "4", "4"], **{f"s{text_id}": "x" * 2001}))

    assert (response.status_code, Response.objects.count()) == (200, 0)
    assert "Keep your answer under 2,000 characters" in response.content.decode()


@override_settings(SURVEY_RATE_LIMIT="3/m")
def test_answer_rate_limit_gives_429_and_keeps_answers(client, pre_survey):
    statuses = [client.post(url(pre_survey), form_data(pre_survey, ["4", "4", "4"])).status_code for _ in range(3)]
    data = form_data(pre_survey, ["2", "3", "5"])

    response = client.post(url(pre_survey), data)

    html = response.content.decode()
    assert statuses + [response.status_code] == [200, 200, 200, 429]
    assert Response.objects.count() == 3
    assert "Please wait a minute, then send again" in html
    assert len(re.findall(r'type="radio"[^>]*checked', html)) == 3
    assert f'value="{data["submission_key"]}"' in html


def test_answer_rate_limit_default_lets_a_room_of_60_through(client, pre_survey, post_survey):
    """One venue Wi-Fi address: 60 people answer before and after, and some press Send twice."""
    statuses = set()
    for _ in range(60):
        data = form_data(pre_survey, ["4", "4", "4"])
        statuses |= {client.post(url(pre_survey), data).status_code, client.post(url(pre_survey), data).status_code}
        statuses.add(client.post(url(post_survey), form_data(post_survey, ["5", "5", "5"])).status_code)

    assert statuses == {200}
    assert Response.objects.count() == 120


def test_post_form_fills_in_code_from_cookie_and_pairs(client, pre_survey, post_survey):
    client.post(url(pre_survey), form_data(pre_survey, ["2", "2", "2"]))
    pre = Response.objects.get()

    page = client.get(url(post_survey)).content.decode()
    client.post(url(post_survey), form_data(post_survey, ["4", "4", "4"], pairing_code=pre.pairing_code))

    assert f'name="pairing_code" id="id_pairing_code" value="{pre.pairing_code}"' in page
    assert "We filled in the code this device got" in page
    assert Response.objects.get(survey=post_survey).paired_with == pre


def test_post_form_on_another_device_pairs_by_typed_code(client, pre_survey, post_survey):
    pre = submit(pre_survey, [2, 2, 2]).response
    typed = f" {pre.pairing_code[:3].lower()} {pre.pairing_code[3:].lower()} "

    client.post(url(post_survey), form_data(post_survey, ["4", "4", "4"], pairing_code=typed))

    assert Response.objects.get(survey=post_survey).paired_with == pre


def test_post_form_unknown_code_explains_and_keeps_answers(client, pre_survey, post_survey):
    submit(pre_survey, [2, 2, 2])

    response = client.post(url(post_survey), form_data(post_survey, ["4", "5", "dk"], pairing_code="QQQQQQ"))

    html = response.content.decode()
    assert Response.objects.filter(survey=post_survey).count() == 0
    assert '<a href="#id_pairing_code" class="alert-link">' in html
    assert (
        "We could not find this code for this session. Check it, or leave the box empty to send your answers "
        "without it." in html
    )
    assert len(re.findall(r'type="radio"[^>]*checked', html)) == 3


def test_post_form_without_code_stored_unpaired(client, post_survey):
    client.post(url(post_survey), form_data(post_survey, ["4", "4", "4"], pairing_code=""))

    assert list(Response.objects.values_list("pairing_code", "paired_with")) == [("", None)]


def test_post_form_malformed_code_is_a_form_error(client, post_survey):
    response = client.post(url(post_survey), form_data(post_survey, ["4", "4", "4"], pairing_code="O0I1L!"))

    assert Response.objects.count() == 0
    assert "Check your code" in response.content.decode()


def test_answer_unknown_token_is_a_friendly_404(client, pre_survey):
    response = client.get("/s/not-a-real-token-at-all/")

    assert response.status_code == 404
    assert "We cannot find this questionnaire" in response.content.decode()
    assert pre_survey.session.title not in response.content.decode()


@pytest.mark.parametrize("path", ["/s/a%00b/", "/s/%FF%FE/", "/s/a b/", "/s/" + "x" * 5000 + "/"])
def test_answer_malformed_token_is_a_404_not_a_database_error(client, pre_survey, path):
    """A token is URL-safe base64: anything else (a NUL PostgreSQL refuses, say) never reaches the database."""
    response = client.get(path)

    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()


def test_answer_closed_survey_says_so_and_shows_no_form(client, pre_survey):
    services.survey_close(survey=pre_survey)

    response = client.get(url(pre_survey))

    html = response.content.decode()
    assert "This questionnaire has closed" in html
    assert ("<form" in html, "Traceback" in html) == (False, False)


def test_answer_not_yet_open_survey_says_when(client, pre_survey):
    pre_survey.opens_at = timezone.make_aware(datetime.datetime(2099, 3, 12, 9, 0))
    pre_survey.save()

    html = client.get(url(pre_survey)).content.decode()

    assert "This questionnaire is not open yet" in html
    assert "It opens on 12 March 2099, 09:00." in html
    assert "<form" not in html


def test_answer_posted_long_after_closing_says_closed(client, pre_survey):
    pre_survey.closes_at = timezone.now() - services.CLOSING_GRACE - datetime.timedelta(minutes=1)
    pre_survey.opens_at = pre_survey.closes_at - datetime.timedelta(hours=1)
    pre_survey.save()

    response = client.post(url(pre_survey), form_data(pre_survey, ["4", "4", "4"]))

    assert "This questionnaire has closed" in response.content.decode()
    assert Response.objects.count() == 0


def _handed_out_form(client, survey):
    """The hidden fields of the form the page hands out now."""
    html = client.get(url(survey)).content.decode()
    return {
        name: re.search(rf'name="{name}" value="([^"]*)"', html).group(1) for name in ("submission_key", "handed_out")
    }


@pytest.mark.parametrize(
    "hidden, stored",
    [
        ("as handed out", 1),  # on a phone when the facilitator pressed "Close now"
        ("a key made up after the close", 0),
        ("another form's stamp", 0),
    ],
)
def test_after_close_now_only_forms_handed_out_before_are_taken(client, pre_survey, hidden, stored):
    fields = _handed_out_form(client, pre_survey)
    if hidden == "a key made up after the close":
        fields = {"submission_key": str(uuid.uuid4())}
    elif hidden == "another form's stamp":
        fields["submission_key"] = str(uuid.uuid4())
    services.survey_close(survey=pre_survey)

    data = form_data(pre_survey, ["4", "4", "4"]) | fields
    response = client.post(url(pre_survey), data)

    assert Response.objects.count() == stored
    assert ("This questionnaire has closed" in response.content.decode()) == (not stored)


def test_thanks_page_offers_a_fresh_form_for_a_shared_device(client, pre_survey):
    html = client.post(url(pre_survey), form_data(pre_survey, ["4", "4", "4"])).content.decode()

    assert f'<a href="/s/{pre_survey.token}/">Sharing this device?' in html


def test_answer_text_question_stored(client, post_survey):
    text_id = post_survey.items.order_by("position").last().statement_id

    client.post(url(post_survey), form_data(post_survey, ["4", "4", "4"], **{f"s{text_id}": "Talk to the Men's Shed."}))

    assert list(Answer.objects.filter(statement_id=text_id).values_list("text", flat=True)) == [
        "Talk to the Men's Shed."
    ]


@pytest.mark.parametrize("count", [1, 3])
def test_answer_page_queries_do_not_grow_with_statements(client, session, count, django_assert_num_queries):
    from tests.factories import QuestionnaireTemplateFactory, TemplateItemFactory

    template = QuestionnaireTemplateFactory()
    for position in range(count):
        TemplateItemFactory(template=template, position=position)
    survey = services.survey_create(session=session, phase="pre", template=template)

    with django_assert_num_queries(2):  # the survey with its session; its statements
        client.get(url(survey))


@pytest.mark.parametrize("count", [1, 3])
@pytest.mark.parametrize(
    "limit_store, queries",
    [
        # The survey (its statements are kept per worker since the page); in one transaction (a savepoint here,
        # inside the test's): the response, its answers in one statement, the two results counts.
        ("redis", 7),
        ("database", 8),  # ... and the rate limit's count, one upsert
    ],
    indirect=["limit_store"],
)
def test_submission_round_trips_are_pinned(client, session, count, limit_store, queries, django_assert_num_queries):
    from tests.factories import QuestionnaireTemplateFactory, TemplateItemFactory

    template = QuestionnaireTemplateFactory()
    for position in range(count):
        TemplateItemFactory(template=template, position=position)
    survey = services.survey_create(session=session, phase="pre", template=template)
    client.get(url(survey))
    client.post(url(survey), form_data(survey, ["4"] * count))  # the first in this window also clears old windows
    data = form_data(survey, ["4"] * count)

    with django_assert_num_queries(queries):
        assert client.post(url(survey), data).status_code == 200


@override_settings(SURVEY_RATE_LIMIT="2/m")
def test_answer_rate_limit_counts_each_address_apart(client, pre_survey):
    def post(address):
        return client.post(url(pre_survey), form_data(pre_survey, ["4", "4", "4"]), REMOTE_ADDR=address).status_code

    statuses = [post("192.0.2.1"), post("192.0.2.1"), post("192.0.2.1"), post("192.0.2.2")]

    assert statuses == [200, 200, 429, 200]


def test_each_phone_gets_its_own_key_stamp_and_code_from_the_page_kept_per_worker(pre_survey, post_survey):
    from django.core import signing

    from surveys.forms import FORM_STAMP_SALT

    phones = [Client(), Client()]
    for phone in phones:
        phone.post(url(pre_survey), form_data(pre_survey, ["2", "2", "2"]))
    codes = list(Response.objects.values_list("pairing_code", flat=True))
    pages = [phone.get(url(post_survey)).content.decode() for phone in phones]

    keys = [re.search(r'name="submission_key" value="([^"]+)"', page)[1] for page in pages]
    stamps = [re.search(r'name="handed_out" value="([^"]+)"', page)[1] for page in pages]
    shown = [re.search(r'name="pairing_code" id="id_pairing_code" value="([^"]*)"', page)[1] for page in pages]
    assert keys[0] != keys[1]
    assert [signing.loads(stamp, salt=FORM_STAMP_SALT)["key"] for stamp in stamps] == keys
    assert sorted(shown) == sorted(codes) and shown[0] != shown[1]
    assert shown[1] not in pages[0] and shown[0] not in pages[1]


def test_answer_page_shows_the_session_as_edited_since_the_last_phone(client, pre_survey):
    client.get(url(pre_survey))
    pre_survey.session.title = "Exploring New Ways of Working, renamed"
    pre_survey.session.save()

    assert "Exploring New Ways of Working, renamed" in client.get(url(pre_survey)).content.decode()


def test_each_phone_thanked_with_its_own_code_also_spelled_out(pre_survey):
    pages = [Client().post(url(pre_survey), form_data(pre_survey, ["2", "2", "2"])).content.decode() for _ in "ab"]

    codes = [re.search(r'<span aria-hidden="true">([^<]+)</span>', page)[1] for page in pages]
    assert sorted(codes) == sorted(Response.objects.values_list("pairing_code", flat=True))
    assert [
        f'<span class="visually-hidden">{" ".join(code)}</span>' in page
        for code, page in zip(codes, pages, strict=True)
    ] == [True, True]
    assert codes[1] not in pages[0] and codes[0] not in pages[1]
