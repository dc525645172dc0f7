"""The attendee in the room: a phone at 320 px types the short code from the screen; three people answer on one
shared tablet before and after and pair by the codes they wrote down; the projector fits a 1280x720 screen.
axe-core checks every page."""

import re

import pytest
from playwright.sync_api import expect

from surveys.models import Response
from tests.browser.conftest import SCREENSHOTS, assert_accessible, log_in, make_surveys

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 320, "height": 568}
TABLET = {"width": 768, "height": 1024}
PROJECTOR = {"width": 1280, "height": 720}


def answer(page, choices):
    for number, choice in enumerate(choices, start=1):
        page.get_by_role("group", name=re.compile(rf"^{number}\. ")).get_by_label(choice, exact=True).check()
    page.get_by_role("button", name="Send my answers").click()


def heading(page):
    return page.get_by_role("heading", level=1).inner_text()


def shown_code(page):
    return page.get_by_test_id("pairing-code").locator("[aria-hidden=true]").inner_text()


def on_first_screen(page, locator):
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"]


def test_room_attendee_types_the_short_code_on_a_small_phone(new_page, partnership):
    _session, pre, _post = make_surveys(partnership, "Exploring New Ways of Working: Irvine")
    phone = new_page(**SMALL_PHONE)

    # The QR code will not scan: the attendee types the address from the screen, and first gets the code wrong.
    phone.goto("/q/")
    assert heading(phone) == "Open a questionnaire by its code"
    assert_accessible(phone, "room-short-code-form")
    wrong = "abcd-efgh" if pre.short_code != "ABCDEFGH" else "abcd-efgk"
    phone.get_by_role("textbox", name="Code").fill(wrong)
    phone.get_by_role("button", name="Open the questionnaire").click()
    assert phone.get_by_role("alert").get_by_role("link").all_inner_texts() == [
        f"There is no questionnaire with the code {wrong}. Check it against the screen or poster"
    ]
    assert phone.get_by_role("textbox", name="Code").input_value() == wrong
    assert_accessible(phone, "room-short-code-unknown")

    typed = f"{pre.short_code[:4].lower()} {pre.short_code[4:].lower()}"
    phone.get_by_role("textbox", name="Code").fill(typed)
    phone.get_by_role("button", name="Open the questionnaire").click()
    assert phone.url.endswith(f"/s/{pre.token}/")
    assert heading(phone) == "Questionnaire before the session"
    # The privacy note is one sentence: statement 1 is on the first screen; the details open without a script.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=SCREENSHOTS / "room-phone-first-screen.png")
    assert on_first_screen(phone, phone.get_by_role("group", name=re.compile(r"^1\. ")).locator("legend"))
    details = phone.get_by_text("We do not keep your name, email, device or internet address")
    expect(details).not_to_be_visible()
    phone.get_by_text("How we keep them anonymous").click()
    expect(details).to_be_visible()
    assert_accessible(phone, "room-phone-pre-form")

    answer(phone, ["Agree", "Don't know", "Disagree"])
    assert heading(phone) == "Thank you: your answers are saved"
    assert_accessible(phone, "room-phone-pre-thanks")

    # Back on the same address, the phone asks before a second "before" answer; confirming goes on.
    phone.goto(f"/q/{pre.short_code_display}/")
    assert heading(phone) == "You have already answered on this phone"
    assert_accessible(phone, "room-phone-answer-again")
    phone.get_by_role("link", name="Yes, answer as someone else").click()
    assert heading(phone) == "Questionnaire before the session"
    assert phone.url.endswith(f"/s/{pre.token}/kiosk/")
    assert Response.objects.filter(survey=pre).count() == 1


def test_room_three_people_share_one_tablet_before_and_after(page, new_page, facilitator, partnership):
    # A long title, as the projector must fit it too.
    title = "Exploring New Ways of Working: Kilwinning and the Three Towns locality"
    _session, pre, post = make_surveys(partnership, title)

    # The facilitator puts the questionnaire before the session on the projector: it fits the screen.
    page.set_viewport_size(PROJECTOR)
    log_in(page, "facilitator")
    page.goto(f"/surveys/{pre.pk}/projector/")
    assert_accessible(page, "room-projector-pre")
    assert page.evaluate("document.documentElement.scrollHeight") <= PROJECTOR["height"]
    assert page.get_by_test_id("short-url").inner_text().endswith(f"/q/{pre.short_code_display}")
    kiosk_before = page.get_by_role("link", name="Open on a shared tablet").get_attribute("href")
    page.goto(f"/surveys/{post.pk}/projector/")
    assert page.evaluate("document.documentElement.scrollHeight") <= PROJECTOR["height"]
    kiosk_after = page.get_by_role("link", name="Open on a shared tablet").get_attribute("href")
    page.goto(f"/surveys/{pre.pk}/poster/")
    assert page.get_by_test_id("short-url").inner_text().endswith(f"/q/{pre.short_code_display}")
    assert_accessible(page, "room-poster")
    page.goto("/")  # leave the projector, which polls

    # One tablet goes round the room, without JavaScript: each person writes their code down.
    tablet = new_page(javascript=False, **TABLET)
    tablet.goto(kiosk_before)
    codes = []
    for person, choices in enumerate([["Disagree"] * 3, ["Neither agree nor disagree"] * 3, ["Agree"] * 3]):
        assert heading(tablet) == "Questionnaire before the session"
        answer(tablet, choices)
        assert heading(tablet) == "Thank you: your answers are saved"
        expect(tablet.get_by_text("This device is shared, so it does not keep it.")).to_be_visible()
        codes.append(shown_code(tablet))
        if person == 0:
            tablet.screenshot(path=SCREENSHOTS / "room-tablet-pre-thanks.png", full_page=True)
        tablet.get_by_role("link", name="Next person").click()
    assert tablet.context.cookies() == []

    # After the session the tablet goes round again: nothing is filled in; each types the code written down.
    tablet.goto(kiosk_after)
    for code in codes:
        box = tablet.get_by_label("Your code from the first questionnaire")
        assert box.input_value() == ""
        box.fill(f"{code[:3].lower()} {code[3:].lower()}")
        answer(tablet, ["Agree", "Strongly agree", "Agree"])
        assert heading(tablet) == "Thank you: your answers are saved"
        tablet.get_by_role("link", name="Next person").click()
    assert tablet.context.cookies() == []

    # The tablet's pages have no script: axe runs on the same pages in a scripted browser.
    checker = new_page(**TABLET)
    checker.goto(kiosk_before)
    assert_accessible(checker, "room-kiosk-pre-form")
    answer(checker, ["Agree", "Agree", "Agree"])
    assert_accessible(checker, "room-kiosk-pre-thanks")
    checker.goto(kiosk_after)
    assert_accessible(checker, "room-kiosk-post-form")

    pairs = sorted(Response.objects.filter(survey=post).values_list("pairing_code", "paired_with__pairing_code"))
    assert len(set(codes)) == 3
    assert pairs == sorted((code, code) for code in codes)
