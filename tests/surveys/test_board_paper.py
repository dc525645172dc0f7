"""Board papers: a partnership's period for its board, with the results page's figures and the lead's own words."""

import datetime
import re
import uuid
from html import unescape

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from coprod.models import AuditEntry
from surveys.forms import financial_periods
from surveys.models import BoardPaper
from tests.factories import ProjectFactory, SessionFactory
from tests.surveys.test_results_views import _session, headlines, text_of
from workshops.models import SessionStatus

Q1 = {"period_start": datetime.date(2026, 4, 1), "period_end": datetime.date(2026, 6, 30)}


def board_headlines(response):
    html = response.content.decode()
    found = re.findall(r'<span class="board-headline">(.*?)</span>', html, flags=re.S)
    return [unescape(body).strip() for body in found]


@pytest.fixture
def paper(partnership, lead):
    return BoardPaper.objects.create(partnership=partnership, title="Q1", created_by=lead, **Q1)


def test_board_paper_figures_equal_partnership_results_for_the_same_dates(client, lead, partnership, template, paper):
    held = {"status": SessionStatus.HELD}
    _session(partnership, template, pairs=12, date=datetime.date(2026, 3, 31), title="Before", **held)
    _session(partnership, template, pairs=20, date=datetime.date(2026, 4, 1), title="First day", **held)
    _session(partnership, template, pairs=9, date=datetime.date(2026, 6, 30), title="Last day", **held)
    # Held, as the dashboard counts sessions: not one cancelled or still planned in the period.
    SessionFactory(partnership=partnership, date=datetime.date(2026, 5, 5), status=SessionStatus.CANCELLED)
    SessionFactory(partnership=partnership, date=datetime.date(2026, 6, 29))
    client.force_login(lead)

    board = client.get(f"/board-papers/{paper.pk}/")
    results = client.get(
        f"/results/partnerships/{partnership.pk}/", {"date_from": "2026-04-01", "date_to": "2026-06-30"}
    )

    assert board_headlines(board) == headlines(results)
    assert [line[:45] for line in board_headlines(board)] == ["Among the 29 people who answered both questio"] * 3
    assert (
        f"From 1 April 2026 to 30 June 2026, {partnership.name} held 2 sessions. At the 2 with a questionnaire whose "
        "answers are counted, 0 places were marked as attended; 29 answered the questionnaire before a session and "
        "29 after it, 29 of them paired (the same person before and after)."
    ) in text_of(board)


def test_board_paper_withholds_small_groups(client, lead, partnership, template, paper):
    _session(partnership, template, pairs=3, date=datetime.date(2026, 5, 5), title="Small")
    client.force_login(lead)

    response = client.get(f"/board-papers/{paper.pk}/")

    text = text_of(response)
    assert (
        board_headlines(response)
        == ["Too few responses to draw conclusions: no pairs are counted here (groups of fewer than 5 are left out)."]
        * 3
    )
    assert (
        "0 answered the questionnaire before a session and 0 after it, 0 of them paired (the same person before and "
        "after). These totals leave out figures of fewer than 5 people from 1 session."
    ) in text
    assert re.findall(r"\b3\b", text) == []


def test_board_paper_projects_by_stage_as_on_the_dashboard(client, viewer, partnership, template, paper):
    inside = _session(partnership, template, pairs=6, date=datetime.date(2026, 5, 5))
    outside = _session(partnership, template, pairs=6, date=datetime.date(2026, 8, 5))
    ProjectFactory(partnership=partnership, stage="testing", title="Link workers").sessions.add(inside)
    ProjectFactory(partnership=partnership, title="Carers' café").sessions.add(inside)
    ProjectFactory(partnership=partnership, title="Later").sessions.add(outside)
    client.force_login(viewer)

    text = text_of(client.get(f"/board-papers/{paper.pk}/"))

    assert (
        "2 improvement projects came out of the period’s sessions, by stage: idea 1, planning 0, testing 1, "
        "implementing 0, sustaining 0, spread 0, closed 0. Link workers (testing) Carers' café (idea)" in text
    )
    assert "Later" not in text


def test_board_paper_names_twelve_projects_then_how_many_more(client, viewer, partnership, template, paper):
    session = _session(partnership, template, pairs=6, date=datetime.date(2026, 5, 5))
    for number in range(14):
        ProjectFactory(partnership=partnership, title=f"Project {number:02d}").sessions.add(session)
    client.force_login(viewer)

    text = text_of(client.get(f"/board-papers/{paper.pk}/"))

    assert "Project 11 (idea)" in text
    assert "Project 12" not in text
    assert "And 2 more, in the project register ." in text  # text_of spaces out the link


def test_board_paper_shows_not_written_yet_then_the_leads_words(client, viewer, paper):
    client.force_login(viewer)
    assert text_of(client.get(f"/board-papers/{paper.pk}/")).count("Not written yet.") == 2

    paper.assessment, paper.recommendation = "Attendance rose.", "Fund two more sessions."
    paper.save()
    text = text_of(client.get(f"/board-papers/{paper.pk}/"))

    assert "The lead’s assessment Attendance rose. Recommendation Fund two more sessions." in text
    assert "Write the assessment" not in text


def test_board_paper_create_from_a_quarter_saves_once(client, lead, partnership):
    value, _label, start, end = financial_periods(datetime.date.today())[1]
    client.force_login(lead)
    data = {"submission_key": str(uuid.uuid4()), "period": value}

    first = client.post(f"/board-papers/partnerships/{partnership.pk}/new/", data)
    second = client.post(f"/board-papers/partnerships/{partnership.pk}/new/", data)

    paper = BoardPaper.objects.get()
    assert (paper.partnership, paper.period_start, paper.period_end, paper.created_by) == (
        partnership,
        start,
        end,
        lead,
    )
    assert paper.title == f"{partnership.name}: co-production, {start:%-d %B %Y} to {end:%-d %B %Y}"
    assert (first.url, second.url) == (f"/board-papers/{paper.pk}/", f"/board-papers/{paper.pk}/")
    assert list(
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(BoardPaper),
            object_pk=str(paper.pk),
            action=AuditEntry.Action.CREATE,
        ).values_list("actor", flat=True)
    ) == [lead.pk]


def test_board_paper_create_with_dates_in_the_wrong_order_keeps_them(client, lead, partnership):
    client.force_login(lead)

    response = client.post(
        f"/board-papers/partnerships/{partnership.pk}/new/",
        {
            "submission_key": str(uuid.uuid4()),
            "period": "dates",
            "period_start": "2026-06-30",
            "period_end": "2026-04-01",
        },
    )

    html = response.content.decode()
    assert "The end of the period must not be before its start." in html
    assert ('value="2026-06-30"' in html, 'value="2026-04-01"' in html) == (True, True)
    assert BoardPaper.objects.count() == 0


def test_board_paper_create_refuses_a_second_paper_for_the_period(client, lead, partnership, paper):
    client.force_login(lead)

    response = client.post(
        f"/board-papers/partnerships/{partnership.pk}/new/",
        {
            "submission_key": str(uuid.uuid4()),
            "period": "dates",
            "period_start": "2026-04-01",
            "period_end": "2026-06-30",
        },
    )

    assert "This partnership already has a board paper for this period." in response.content.decode()
    assert list(BoardPaper.objects.all()) == [paper]


def test_board_paper_edit_keeps_what_was_typed_when_invalid(client, facilitator, paper):
    client.force_login(facilitator)
    too_long = "Sessions reached carers." * 41  # 984 characters, then 41 more
    too_long += "x" * 41

    response = client.post(
        f"/board-papers/{paper.pk}/edit/",
        {"submission_key": str(uuid.uuid4()), "title": "", "assessment": too_long, "recommendation": "Keep going."},
    )

    html = response.content.decode()
    assert "Ensure this value has at most 1000 characters (it has 1025)." in html
    assert too_long.strip() in unescape(html)
    assert "Keep going." in html
    paper.refresh_from_db()
    assert (paper.title, paper.assessment, paper.recommendation) == ("Q1", "", "")


def test_board_paper_edit_double_submit_saves_once(client, lead, paper):
    client.force_login(lead)
    key = str(uuid.uuid4())
    data = {"submission_key": key, "title": "Board, June", "assessment": "Good.", "recommendation": "More."}

    first = client.post(f"/board-papers/{paper.pk}/edit/", data)
    second = client.post(f"/board-papers/{paper.pk}/edit/", data | {"assessment": "Changed by the repeat."})

    paper.refresh_from_db()
    assert (paper.title, paper.assessment, paper.recommendation) == ("Board, June", "Good.", "More.")
    assert (first.url, second.url) == (f"/board-papers/{paper.pk}/", f"/board-papers/{paper.pk}/")
    updates = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(BoardPaper),
        object_pk=str(paper.pk),
        action=AuditEntry.Action.UPDATE,
    )
    assert [sorted(entry.changes) for entry in updates] == [["assessment", "recommendation", "title"]]


@pytest.mark.parametrize(
    ("persona", "status"),
    [("viewer", 200), ("facilitator", 200), ("lead", 200), ("alliance", 200), ("outsider", 404)],
)
def test_board_paper_read_by_members_and_alliance_only(as_persona, paper, persona, status):
    client = as_persona(persona)

    response = client.get(f"/board-papers/{paper.pk}/")

    assert (response.status_code, paper.title in response.content.decode()) == (status, status == 200)


@pytest.mark.parametrize(
    ("persona", "status"),
    [("viewer", 403), ("facilitator", 200), ("lead", 200), ("alliance", 403), ("outsider", 404)],
)
def test_board_paper_written_by_leads_and_facilitators_only(as_persona, paper, persona, status):
    client = as_persona(persona)

    response = client.post(
        f"/board-papers/{paper.pk}/edit/", {"submission_key": str(uuid.uuid4()), "title": "", "assessment": "Mine"}
    )

    paper.refresh_from_db()
    assert (response.status_code, paper.assessment) == (status, "")


def test_board_paper_list_shows_the_partnerships_papers_only(client, viewer, partnership, other_partnership, paper):
    BoardPaper.objects.create(partnership=other_partnership, title="Theirs", **Q1)
    client.force_login(viewer)

    text = text_of(client.get(f"/board-papers/partnerships/{partnership.pk}/"))

    assert "Q1 (1 Apr 2026 to 30 Jun 2026; made by" in text
    assert "Theirs" not in text
    assert "New board paper" not in text


@pytest.mark.parametrize("items", [1, 3])
def test_board_paper_queries_do_not_grow(client, lead, partnership, template, paper, items, django_assert_num_queries):
    for number in range(items):
        session = _session(partnership, template, pairs=6, date=datetime.date(2026, 4 + number, 5))
        ProjectFactory(partnership=partnership).sessions.add(session)
    client.force_login(lead)

    # sign-in session, user and second factor; the paper; the role (twice: read, then whether they may write);
    # sessions table; sessions held; figures and their statements; sessions not released yet; projects by stage;
    # sessions held for projects per session, and the partnership's name; the projects named
    with django_assert_num_queries(15):
        client.get(f"/board-papers/{paper.pk}/")


@pytest.mark.parametrize("items", [1, 3])
def test_board_paper_list_queries_do_not_grow(client, lead, partnership, items, django_assert_num_queries):
    for number in range(items):
        BoardPaper.objects.create(
            partnership=partnership,
            title=f"Paper {number}",
            created_by=lead,
            period_start=datetime.date(2026, 1 + number, 1),
            period_end=datetime.date(2026, 1 + number, 28),
        )
    client.force_login(lead)

    with django_assert_num_queries(7):
        client.get(f"/board-papers/partnerships/{partnership.pk}/")


def test_board_paper_constraints_period_order_and_one_per_period(partnership, paper):
    with pytest.raises(IntegrityError), transaction.atomic():
        BoardPaper.objects.create(
            partnership=partnership,
            title="Backwards",
            period_start=datetime.date(2026, 6, 30),
            period_end=datetime.date(2026, 4, 1),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        BoardPaper.objects.create(partnership=partnership, title="Again", **Q1)

    assert list(BoardPaper.objects.all()) == [paper]
