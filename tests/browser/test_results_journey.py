"""Results in a real browser: from a session's debrief to its partnership's results and the national results,
downloading both CSVs on each screen; axe-core checks every page."""

import csv
import datetime
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from surveys import services
from tests.browser.conftest import SCREENSHOTS, assert_accessible, log_in
from tests.factories import (
    PartnershipFactory,
    QuestionnaireTemplateFactory,
    SessionFactory,
    StatementFactory,
    TemplateItemFactory,
)
from tests.surveys.conftest import release

pytestmark = pytest.mark.browser

STATEMENTS = [
    "I have a sound understanding of the work undertaken by AHPs and third sector organisations.",
    "I am aware of local and national resources to support health and wellbeing.",
]


def _answered_session(partnership, template, *, title, pairs, date, after=None):
    """A released session: `pairs` people answer before (Disagree or Neither) and after (`after(person)`, by
    default Agree or Strongly agree), and both questionnaires have closed."""
    session = SessionFactory(partnership=partnership, title=title, date=date)
    pre = services.survey_create(session=session, phase="pre", template=template)
    post = services.survey_create(session=session, phase="post", template=template)
    ids = [item.statement_id for item in pre.items.order_by("position")]
    for person in range(pairs):
        before = services.response_submit(
            survey=pre, submission_key=uuid.uuid4(), answers=dict.fromkeys(ids, 2 + person % 2)
        ).response
        services.response_submit(
            survey=post,
            submission_key=uuid.uuid4(),
            answers=dict.fromkeys(ids, after(person) if after else 4 + person % 2),
            pairing_code=before.pairing_code,
        )
    release(pre, post)
    return session


@pytest.fixture
def answered(partnership, other_partnership):
    template = QuestionnaireTemplateFactory(title="Exploring New Ways of Working (test)")
    for position, text in enumerate(STATEMENTS, start=1):
        TemplateItemFactory(template=template, statement=StatementFactory(text=text), position=position)
    irvine = _answered_session(
        partnership, template, title="Exploring New Ways of Working: Irvine", pairs=14, date=datetime.date(2026, 2, 4)
    )
    _answered_session(partnership, template, title="Largs", pairs=3, date=datetime.date(2026, 5, 6))
    _answered_session(other_partnership, template, title="Torry", pairs=11, date=datetime.date(2026, 3, 3))
    _answered_session(
        PartnershipFactory(name="Angus HSCP"), template, title="Arbroath", pairs=2, date=datetime.date(2026, 3, 9)
    )
    return irvine


def download(page, name):
    """Click a download link and return the CSV's rows."""
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(f"^Download {re.escape(name)}")).click()
    return list(csv.reader(Path(info.value.path()).read_text(encoding="utf-8").splitlines()))


def test_results_journey_from_debrief_to_national(page, answered, alliance):
    log_in(page, "alliance")

    page.goto(f"/sessions/{answered.pk}/questionnaires/")
    page.get_by_role("link", name="See the results: the debrief for this session").click()
    page.get_by_role("heading", level=1, name="Results: Exploring New Ways of Working: Irvine").wait_for()
    assert (
        page.locator(".result-headline")
        .first.inner_text()
        .startswith(
            "Among the 14 people who answered both questionnaires, the share agreeing they have a sound understanding"
        )
    )
    expect(page.get_by_role("img", name=f"Answers before and after: {STATEMENTS[0]}")).to_have_count(1)
    assert_accessible(page, "results-session")
    session_results = download(page, "results.csv")
    session_responses = download(page, "responses.csv")
    assert [row[:7] for row in session_results] == [
        ["scope", "scope_name", "statement", "statement_version", "n_pre", "n_post", "n_paired"],
        ["session", "Exploring New Ways of Working: Irvine (4 Feb 2026)", STATEMENTS[0], "1", "14", "14", "14"],
        ["session", "Exploring New Ways of Working: Irvine (4 Feb 2026)", STATEMENTS[1], "1", "14", "14", "14"],
    ]
    assert session_responses[0] == [
        "response_id",
        "pairing_id",
        "phase",
        "session",
        "statement",
        "statement_version",
        "value",
    ]
    assert len(session_responses) == 1 + 14 * 2 * 2

    page.get_by_role("link", name="All results of North Ayrshire HSCP").click()
    page.get_by_role("heading", level=1, name="Results: North Ayrshire HSCP").wait_for()
    sessions = page.get_by_role("table", name=re.compile("^Responses to each session"))
    assert sessions.get_by_role("row").nth(1).inner_text().split("\t")[:4] == [
        "Largs",
        "6 May 2026",
        "0",
        "fewer than 5",
    ]
    assert_accessible(page, "results-partnership")
    partnership_results = download(page, "results.csv")
    # Largs's 3 are left out of the partnership's figures, and so are their answers from its responses.csv.
    assert [row[:7] for row in partnership_results[1:]] == [
        ["partnership", "North Ayrshire HSCP", STATEMENTS[0], "1", "14", "14", "14"],
        ["partnership", "North Ayrshire HSCP", STATEMENTS[1], "1", "14", "14", "14"],
    ]
    partnership_responses = download(page, "responses.csv")
    assert len(partnership_responses) == 1 + 14 * 2 * 2
    assert {row[3] for row in partnership_responses[1:]} == {"Exploring New Ways of Working: Irvine (4 Feb 2026)"}

    page.get_by_label("Sessions from").fill("2026-04-01")
    page.get_by_role("button", name="Show results").click()
    page.get_by_text("sessions from 1 April 2026").wait_for()
    assert page.locator(".result-headline").first.inner_text() == (
        "Too few responses to draw conclusions: no pairs are counted here (groups of fewer than 5 are left out)."
    )
    assert page.locator(".result-left-out").first.inner_text() == (
        "Left out to protect groups of fewer than 5 people: answers before from 1 session, answers after from "
        "1 session, pairs from 1 session."
    )
    assert_accessible(page, "results-partnership-filtered")
    assert [row[4:7] + row[-1:] for row in download(page, "results.csv")[1:]] == [
        ["0", "0", "0", page.locator(".result-left-out").first.inner_text()]
    ] * 2

    page.get_by_role("link", name="National results").click()
    page.get_by_role("heading", level=1, name="National results").wait_for()
    expect(page.get_by_text("3 partnerships with answers.")).to_have_count(1)
    assert_accessible(page, "results-national")
    national = download(page, "results.csv")
    assert [row[:7] for row in national[1:3]] == [
        ["national", "Scotland", STATEMENTS[0], "1", "25", "25", "25"],
        ["national", "Scotland", STATEMENTS[1], "1", "25", "25", "25"],
    ]
    # Angus's 2 and Largs's 3 are left out of every pooled figure: 25 - 14 - 11 gives nothing away.
    assert [row[1:2] + row[4:7] for row in national[3:6]] == [
        ["Aberdeen City HSCP", "11", "11", "11"],
        ["Angus HSCP", "0", "0", "0"],
        ["North Ayrshire HSCP", "14", "14", "14"],
    ]
    national_responses = download(page, "responses.csv")
    assert len(national_responses) == 1 + 25 * 2 * 2  # Irvine's 14 and Torry's 11: not Largs's or Arbroath's
    assert sorted({row[3].split(" (")[0] for row in national_responses[1:]}) == [
        "Exploring New Ways of Working: Irvine",
        "Torry",
    ]


def test_results_debrief_on_a_small_screen_without_javascript(new_page, answered, lead):
    page = new_page(javascript=False, width=320)
    log_in(page, "lead")

    page.goto(f"/sessions/{answered.pk}/results/")

    expect(page.get_by_role("button", name="Print this report")).to_have_count(0)  # hidden without JavaScript
    expect(page.get_by_role("img", name=f"Answers before and after: {STATEMENTS[0]}")).to_have_count(1)
    scripted = new_page(width=320)
    log_in(scripted, "lead")
    scripted.goto(f"/sessions/{answered.pk}/results/")
    expect(scripted.get_by_role("button", name="Print this report")).to_have_count(1)
    assert scripted.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(scripted, "results-session-320")


def test_results_print_keeps_headlines_charts_ns_and_caveats(new_page, answered, alliance):
    page = new_page(width=680)  # A4's 180 mm between the print margins, at 96 px to the inch
    log_in(page, "alliance")
    page.goto(f"/results/partnerships/{answered.partnership_id}/")

    page.emulate_media(media="print")

    assert page.locator(".result-headline").first.inner_text().startswith("Among the 14 people who answered both")
    assert page.locator(".result-summary").inner_text().split("\n") == [
        "Sessions",
        "2",
        "Responses before",
        "14",
        "Responses after",
        "14",
        "Responses paired",
        "14",
    ]
    chart = page.get_by_role("img", name=f"Answers before and after: {STATEMENTS[0]}")
    expect(chart.get_by_text("Before (n=14)")).to_be_visible()  # Largs's 3 are left out, as in the figures
    expect(chart.get_by_text("After (n=14)")).to_be_visible()
    expect(page.get_by_role("heading", name="How to read these figures")).to_be_visible()
    for hidden in [
        page.locator(".site-nav"),
        page.get_by_role("navigation", name="Breadcrumb"),
        page.get_by_role("search", name="Filter the results"),
        page.get_by_role("link", name=re.compile("^Download")).first,
        page.get_by_role("link", name=re.compile("^Download")).last,
        page.get_by_role("button", name="Print this report"),
        page.get_by_role("link", name="National results"),
    ]:
        expect(hidden).to_be_hidden()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "results-partnership-print.png", full_page=True)

    page.goto("/results/national/")

    forest = page.get_by_role("img", name=f"Change in the share agreeing, by partnership: {STATEMENTS[0]}")
    assert forest.locator(".chart-row-label").all_text_contents() == [
        "Aberdeen City HSCP (n=11)",
        "Angus HSCP (n=0)",
        "North Ayrshire HSCP (n=14)",
        "Scotland (n=25)",
    ]
    expect(forest.locator(".chart-row-label").last).to_be_visible()
    expect(forest.get_by_text("fewer than 5 per session: left out")).to_be_visible()  # Angus's 2: no interval
    expect(page.get_by_text("n: people who answered both questionnaires.").first).to_be_visible()
    bars = page.get_by_role("img", name=f"Answers before and after: {STATEMENTS[0]}")
    expect(bars.get_by_text("Before (n=25)")).to_be_visible()
    assert page.locator(".result-headline").first.inner_text().startswith("Among the 25 people who answered both")
    expect(page.get_by_role("heading", name="How to read these figures")).to_be_visible()
    expect(page.get_by_role("search", name="Filter the results")).to_be_hidden()
    expect(page.get_by_role("link", name=re.compile("^Download results.csv"))).to_be_hidden()
    expect(page.locator(".site-nav")).to_be_hidden()
    page.screenshot(path=SCREENSHOTS / "results-national-print.png", full_page=True)


def test_results_of_a_small_room_show_no_figure_and_of_a_larger_one_show_them(new_page, partnership, lead):
    """3 people: nothing of theirs on the debrief or in either download. 6: their figures. 12 with a change whose
    interval includes 0: a headline that says it could be chance, as plainly as any other."""
    template = QuestionnaireTemplateFactory(title="Small rooms (test)")
    TemplateItemFactory(template=template, statement=StatementFactory(text=STATEMENTS[0]), position=1)
    small = _answered_session(partnership, template, title="Three people", pairs=3, date=datetime.date(2026, 6, 3))
    six = _answered_session(partnership, template, title="Six people", pairs=6, date=datetime.date(2026, 6, 10))
    # 12 pairs, none agreeing before; 3 agree after: +25 points, 95% CI -4 to +53.
    mixed = _answered_session(
        partnership,
        template,
        title="Twelve people",
        pairs=12,
        date=datetime.date(2026, 6, 17),
        after=lambda person: 4 if person < 3 else 3,
    )
    page = new_page(width=320)
    log_in(page, "lead")

    page.goto(f"/sessions/{small.pk}/results/")
    assert page.locator(".result-summary").inner_text().split("\n")[:6] == [
        "Answered before",
        "fewer than 5",
        "Answered after",
        "fewer than 5",
        "Answered both (paired)",
        "fewer than 5",
    ]
    assert page.locator(".result-headline").inner_text() == (
        "Too few responses to draw conclusions: fewer than 5 people answered both questionnaires."
    )
    assert page.locator(".result-left-out").inner_text() == (
        "Fewer than 5 people answered: to protect them, none of their answers is shown."
    )
    expect(page.get_by_role("table")).to_have_count(0)
    expect(page.get_by_role("img")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page, "results-session-small-320")
    small_results = download(page, "results.csv")
    assert [row[4:7] for row in small_results[1:]] == [["fewer than 5"] * 3]
    assert download(page, "responses.csv") == [
        ["response_id", "pairing_id", "phase", "session", "statement", "statement_version", "value"]
    ]

    page.goto(f"/sessions/{six.pk}/results/")
    assert page.locator(".result-summary").inner_text().split("\n")[:6] == [
        "Answered before",
        "6",
        "Answered after",
        "6",
        "Answered both (paired)",
        "6",
    ]
    assert page.locator(".result-headline").inner_text() == (
        "Too few responses to draw conclusions: only 6 people answered both questionnaires (at least 10 are needed)."
    )
    assert [row[4:7] for row in download(page, "results.csv")[1:]] == [["6", "6", "6"]]
    assert len(download(page, "responses.csv")) == 1 + 6 * 2

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/sessions/{mixed.pk}/results/")
    headline = page.locator(".result-headline")
    assert headline.inner_text().startswith(
        "Among the 12 people who answered both questionnaires, the share agreeing they have a sound understanding"
    )
    assert headline.inner_text().endswith(
        "went from 0% to 25%, but with only 12 pairs this could be chance: 95% CI \u22124 to +53 points."
    )
    expect(headline.locator("strong")).to_have_count(0)  # the same weight as a headline of a clear change
    assert_accessible(page, "results-session-could-be-chance")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "results-session-could-be-chance.png", full_page=True)
