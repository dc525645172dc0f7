"""A device passed round the room (kiosk mode), answering again on one's own phone, and the privacy note."""

import re

from surveys.models import Response
from surveys.views.public import pairing_cookie_name
from tests.surveys.conftest import form_data, submit


def kiosk(survey):
    return f"/s/{survey.token}/kiosk/"


def code_shown(html):
    return re.findall(r'data-testid="pairing-code"><span aria-hidden="true">([A-Z0-9]{6})</span>', html)


# --- Kiosk mode: no cookie, the code to write down, a fresh form for the next person ---


def test_kiosk_before_stores_keeps_no_cookie_and_shows_the_code_to_write_down(client, pre_survey):
    response = client.post(kiosk(pre_survey), form_data(pre_survey, ["4", "dk", "1"]))

    html = response.content.decode()
    stored = Response.objects.get()
    assert code_shown(html) == [stored.pairing_code]
    assert "Write the code down or take a photo of it now" in html
    assert "This device will remember it" not in html
    assert pairing_cookie_name(pre_survey.session_id) not in response.cookies
    assert list(response.cookies) == []


def test_kiosk_thanks_leads_to_a_fresh_form_for_the_next_person(client, pre_survey):
    thanks = client.post(kiosk(pre_survey), form_data(pre_survey, ["4", "4", "4"])).content.decode()

    next_form = client.get(kiosk(pre_survey)).content.decode()

    assert f'<a href="/s/{pre_survey.token}/kiosk/" class="btn btn-primary btn-lg kiosk-next">Next person</a>' in thanks
    assert "Sharing this device?" not in thanks
    assert "<h1>Questionnaire before the session</h1>" in next_form
    assert "checked" not in next_form
    keys = re.findall(r'name="submission_key" value="([^"]+)"', next_form)
    assert len(keys) == 1 and not Response.objects.filter(submission_key=keys[0]).exists()


def test_kiosk_form_posts_back_to_kiosk_mode(client, pre_survey, post_survey):
    pages = [client.get(kiosk(survey)).content.decode() for survey in (pre_survey, post_survey)]

    assert [re.findall(r'<form method="post" action="([^"]+)"', html) for html in pages] == [
        [kiosk(pre_survey)],
        [kiosk(post_survey)],
    ]


def test_kiosk_error_page_stays_in_kiosk_mode(client, pre_survey):
    response = client.post(kiosk(pre_survey), form_data(pre_survey, ["4"]))

    html = response.content.decode()
    assert "There are problems with your answers" in html
    assert re.findall(r'<form method="post" action="([^"]+)"', html) == [kiosk(pre_survey)]
    assert Response.objects.count() == 0


def test_kiosk_pages_are_not_stored_by_the_browser(client, pre_survey):
    form = client.get(kiosk(pre_survey))
    thanks = client.post(kiosk(pre_survey), form_data(pre_survey, ["4", "4", "4"]))

    assert [sorted(r["Cache-Control"].split(", ")) for r in (form, thanks)] == [
        ["max-age=0", "no-store", "private"],
        ["max-age=0", "no-store", "private"],
    ]


def test_kiosk_double_submit_stores_one(client, pre_survey):
    data = form_data(pre_survey, ["4", "4", "4"])

    first = client.post(kiosk(pre_survey), data).content.decode()
    second = client.post(kiosk(pre_survey), data).content.decode()

    assert Response.objects.count() == 1
    assert code_shown(first) == code_shown(second) == [Response.objects.get().pairing_code]


def test_kiosk_ignores_the_device_cookie_before_and_after(client, pre_survey, post_survey):
    client.cookies[pairing_cookie_name(pre_survey.session_id)] = "HX4T9W"

    before = client.get(kiosk(pre_survey)).content.decode()
    after = client.get(kiosk(post_survey)).content.decode()

    assert "<h1>Questionnaire before the session</h1>" in before
    assert "already answered" not in before
    assert 'name="pairing_code" id="id_pairing_code" value=""' in after
    assert "HX4T9W" not in after
    assert "type the 6-character code you wrote down" in after


def test_kiosk_three_people_before_and_after_pair_by_typed_codes(client, pre_survey, post_survey):
    codes = []
    for values in (["1", "1", "1"], ["2", "2", "2"], ["3", "3", "3"]):
        codes += code_shown(client.post(kiosk(pre_survey), form_data(pre_survey, values)).content.decode())
    prefilled = []
    for code in codes:
        page = client.get(kiosk(post_survey)).content.decode()
        prefilled += re.findall(r'name="pairing_code" id="id_pairing_code" value="([^"]*)"', page)
        client.post(kiosk(post_survey), form_data(post_survey, ["5", "5", "5"], pairing_code=code.lower()))

    pairs = sorted(Response.objects.filter(survey=post_survey).values_list("pairing_code", "paired_with__pairing_code"))
    assert len(set(codes)) == 3
    assert prefilled == ["", "", ""]
    assert pairs == sorted((code, code) for code in codes)
    assert list(client.cookies) == []


def test_kiosk_unknown_token_is_not_found(client, db):
    response = client.get("/s/no-such-token/kiosk/")

    assert (response.status_code, "We cannot find this questionnaire" in response.content.decode()) == (404, True)


# --- Answering before again on one's own phone: asked first ---


def test_answering_before_again_on_the_same_phone_asks_first(client, pre_survey):
    client.post(f"/s/{pre_survey.token}/", form_data(pre_survey, ["4", "4", "4"]))

    html = client.get(f"/s/{pre_survey.token}/").content.decode()

    assert "<h1>You have already answered on this phone</h1>" in html
    assert "Answer again as someone else?" in html
    confirm = f'<a href="/s/{pre_survey.token}/kiosk/" class="btn btn-primary btn-lg">Yes, answer as someone else</a>'
    assert confirm in html
    assert "<form" not in html


def test_answering_again_as_someone_else_keeps_the_first_persons_code(client, pre_survey, post_survey):
    client.post(f"/s/{pre_survey.token}/", form_data(pre_survey, ["4", "4", "4"]))
    first = Response.objects.get().pairing_code

    confirmed = client.get(kiosk(pre_survey)).content.decode()
    client.post(kiosk(pre_survey), form_data(pre_survey, ["2", "2", "2"]))
    after = client.get(f"/s/{post_survey.token}/").content.decode()

    assert "<h1>Questionnaire before the session</h1>" in confirmed
    assert Response.objects.filter(survey=pre_survey).count() == 2
    assert client.cookies[pairing_cookie_name(pre_survey.session_id)].value == first
    assert f'name="pairing_code" id="id_pairing_code" value="{first}"' in after


def test_first_answer_on_a_phone_is_not_asked_about(client, pre_survey):
    html = client.get(f"/s/{pre_survey.token}/").content.decode()

    assert ("<h1>Questionnaire before the session</h1>" in html, "already answered" in html) == (True, False)


def test_a_cookie_that_is_not_a_code_is_not_asked_about(client, pre_survey):
    client.cookies[pairing_cookie_name(pre_survey.session_id)] = "not-a-code"

    html = client.get(f"/s/{pre_survey.token}/").content.decode()

    assert "<h1>Questionnaire before the session</h1>" in html


def test_sending_twice_with_the_cookie_set_still_shows_the_same_thanks(client, pre_survey):
    """The question is only asked of a new form: a double press on Send, cookie already set, is not stopped."""
    data = form_data(pre_survey, ["4", "4", "4"])
    client.post(f"/s/{pre_survey.token}/", data)

    second = client.post(f"/s/{pre_survey.token}/", data).content.decode()

    assert Response.objects.count() == 1
    assert code_shown(second) == [Response.objects.get().pairing_code]


def test_the_after_questionnaire_is_not_asked_about(client, pre_survey, post_survey):
    code = submit(pre_survey, [2, 2, 2]).response.pairing_code
    client.cookies[pairing_cookie_name(pre_survey.session_id)] = code

    html = client.get(f"/s/{post_survey.token}/").content.decode()

    assert f'name="pairing_code" id="id_pairing_code" value="{code}"' in html


# --- The privacy note: one sentence, the details behind a disclosure that needs no script ---


def test_privacy_note_is_a_sentence_with_details_behind_a_disclosure(client, pre_survey):
    html = client.get(f"/s/{pre_survey.token}/").content.decode()

    note = re.search(r'<div class="privacy-note">(.*?)</div>', html, re.S).group(1)
    assert re.sub(r"<[^>]+>", "", note.split("<details")[0]).strip() == (
        "Your answers are anonymous: do not give your name."
    )
    assert '<details class="privacy-details">' in note
    assert "<summary>How we keep them anonymous</summary>" in note
    assert "This device keeps it for 7 days, in a cookie used only for that." in note
    assert "<script" not in html


def test_privacy_note_in_kiosk_mode_says_the_device_keeps_no_code(client, pre_survey):
    html = client.get(kiosk(pre_survey)).content.decode()

    assert "This device is shared, so it does not keep the code: write it down or take a photo of it." in html
    assert "in a cookie used only for that" not in html
