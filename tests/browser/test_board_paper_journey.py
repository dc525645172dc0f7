"""A board paper in a real browser: a lead makes one for a period, writes the assessment and recommendation, and the
paper is axe-clean at 1280 and 320 px and prints on at most two A4 pages with ten statements and full text boxes."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import SCREENSHOTS, assert_accessible, log_in
from tests.browser.test_results_journey import _answered_session
from tests.factories import ProjectFactory, QuestionnaireTemplateFactory, StatementFactory, TemplateItemFactory

pytestmark = pytest.mark.browser

TEN_STATEMENTS = [
    f"I know how partner number {number} in my area works with people who use services." for number in range(1, 11)
]
FULL_BOX = ("The sessions brought AHPs, carers and third sector staff together and projects followed. " * 12)[:1000]


@pytest.fixture
def answered(partnership):
    template = QuestionnaireTemplateFactory(title="Exploring New Ways of Working (test)")
    for position, text in enumerate(TEN_STATEMENTS, start=1):
        TemplateItemFactory(template=template, statement=StatementFactory(text=text), position=position)
    for day, pairs in ((5, 14), (20, 3)):
        session = _answered_session(
            partnership, template, title=f"Session {day}", pairs=pairs, date=datetime.date(2026, 5, day)
        )
        ProjectFactory(partnership=partnership, title=f"Project {day}").sessions.add(session)


def test_board_paper_journey(new_page, answered, partnership, lead):
    page = new_page(width=1280)
    log_in(page, "lead")

    page.goto(f"/partnerships/{partnership.pk}/")
    page.get_by_role("link", name="Board papers").click()
    page.get_by_role("link", name="New board paper").click()
    assert_accessible(page, "board-paper-new-1280")
    page.get_by_label("Two dates: the first and last day, below").check()
    page.get_by_label("First day", exact=True).fill("2026-04-01")
    page.get_by_label("Last day", exact=True).fill("2026-06-30")
    page.get_by_role("button", name="Make the board paper").click()

    heading = f"{partnership.name}: co-production, 1 April 2026 to 30 June 2026"
    expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()
    paper_url = page.url
    page.get_by_role("link", name="Write the assessment and recommendation").click()
    page.get_by_label("Assessment").fill(FULL_BOX)
    page.get_by_label("Recommendation").fill(FULL_BOX)
    assert_accessible(page, "board-paper-edit-1280")
    page.get_by_role("button", name="Save the board paper").click()

    expect(page.get_by_text("Board paper saved.")).to_be_visible()
    assert page.url == paper_url
    expect(page.locator(".board-headline")).to_have_count(10)
    assert page.locator(".board-headline").first.inner_text().startswith("Among the 14 people who answered both")
    expect(page.get_by_text(FULL_BOX)).to_have_count(2)
    assert_accessible(page, "board-paper-1280")

    narrow = new_page(width=320)
    log_in(narrow, "lead")
    narrow.goto(paper_url)
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 320, "the paper scrolls sideways"
    assert_accessible(narrow, "board-paper-320")

    page.set_viewport_size({"width": 680, "height": 900})  # A4's 180 mm between the print margins, at 96 px an inch
    page.emulate_media(media="print")
    for hidden in [
        page.locator(".site-nav"),
        page.get_by_role("link", name="Write the assessment and recommendation"),
        page.get_by_role("button", name="Print this board paper"),
    ]:
        expect(hidden).to_be_hidden()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "board-paper-print.png", full_page=True)
    pdf = page.pdf(format="A4", margin={"top": "15mm", "bottom": "15mm", "left": "15mm", "right": "15mm"})
    assert 1 <= len(re.findall(rb"/Type\s*/Page[^s]", pdf)) <= 2
