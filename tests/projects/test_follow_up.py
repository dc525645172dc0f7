"""“Did it last?”: when each question falls due, the home page, the form, the reminders, and the figures on the
project page, the summary and the dashboard (with dashboard.csv); who may answer; queries that do not grow."""

import csv
import datetime
import io
import re
from html import unescape

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from coprod.models import AuditEntry, Role
from projects import follow_up
from projects.follow_up import add_months, closed_by
from projects.models import FollowUpReminder, ProjectFollowUp, Stage, StageChange
from tests.conftest import at_once
from tests.factories import MembershipFactory, PartnershipFactory, ProjectFactory, UserFactory

SITE = "https://coprod.example.org"
REASON = "The walking group meets every Tuesday, run by volunteers."


def today():
    return timezone.localdate()


def _close(project, on, *, reopen_on=None):
    """Move the project into the last stage on `on` (and out again on `reopen_on`), as its timeline records."""
    StageChange.objects.create(project=project, from_stage=project.stage, to_stage=Stage.CLOSED, date=on)
    project.stage = Stage.CLOSED
    if reopen_on:
        StageChange.objects.create(
            project=project, from_stage=Stage.CLOSED, to_stage=Stage.SUSTAINING, date=reopen_on, reason="Funded again."
        )
        project.stage = Stage.SUSTAINING
    project.save(update_fields=["stage"])
    return project


def _closed_project(partnership, *, months_ago=7, **fields):
    return _close(ProjectFactory(partnership=partnership, **fields), add_months(today(), -months_ago))


def _answer(project, due=6, outcome="embedded", reason=REASON, user=None):
    closed_on = follow_up.closing_date(project)
    return ProjectFollowUp.objects.create(
        project=project,
        due=due,
        due_on=add_months(closed_on, due),
        outcome=outcome,
        reason=reason,
        answered_by=user,
        answered_at=timezone.now(),
    )


def _asked(**kwargs):
    return [(question.project.title, question.due, question.due_on) for question in follow_up.due_questions(**kwargs)]


def _url(project, due=6):
    return reverse("projects:follow-up", args=[project.pk, due])


def _text(html):
    """The page as plain text: words inside a line run on, other tags part them, spaces squeezed."""
    html = re.sub(r"</?(a|span|strong)\b[^>]*>", "", html)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


# --- When a question is due ---


@pytest.mark.parametrize(
    "day, months, expected",
    [
        (datetime.date(2026, 1, 10), 6, datetime.date(2026, 7, 10)),
        (datetime.date(2025, 8, 31), 6, datetime.date(2026, 2, 28)),
        (datetime.date(2027, 8, 31), 6, datetime.date(2028, 2, 29)),
        (datetime.date(2026, 3, 31), 12, datetime.date(2027, 3, 31)),
        (datetime.date(2026, 3, 31), -1, datetime.date(2026, 2, 28)),
        (datetime.date(2026, 12, 15), 12, datetime.date(2027, 12, 15)),
    ],
)
def test_add_months_keeps_the_day_or_takes_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


def test_closed_by_is_exactly_the_last_closing_date_due_by_each_day():
    """Every day of two years (a leap February among them): closing on closed_by(day) is due that day, a day
    later is not. add_months never goes back as the closing date goes on, so the dates due are exactly those up to
    closed_by(day)."""
    day = datetime.date(2027, 1, 1)
    while day < datetime.date(2029, 1, 1):
        for months in (6, 12):
            last = closed_by(day, months)
            assert add_months(last, months) <= day < add_months(last + datetime.timedelta(days=1), months)
        day += datetime.timedelta(days=1)


def test_questions_fall_due_six_and_twelve_months_after_closing(partnership):
    project = _close(ProjectFactory(partnership=partnership, title="Walking group"), datetime.date(2025, 8, 31))
    six, twelve = datetime.date(2026, 2, 28), datetime.date(2026, 8, 31)

    assert _asked(today=datetime.date(2026, 2, 27)) == []
    assert _asked(today=six) == [("Walking group", 6, six)]
    # Once the twelve-month question is due, the unanswered six-month one is no longer put to the lead.
    assert _asked(today=datetime.date(2026, 8, 30)) == [("Walking group", 6, six)]
    assert _asked(today=twelve) == [("Walking group", 12, twelve)]
    _answer(project, due=12)
    assert _asked(today=twelve) == []


def test_an_answered_question_is_not_asked_again_until_the_next_one(partnership):
    project = _close(ProjectFactory(partnership=partnership, title="Walking group"), datetime.date(2026, 1, 10))
    _answer(project, due=6)

    assert _asked(today=datetime.date(2026, 12, 1)) == []
    assert _asked(today=datetime.date(2027, 1, 10)) == [("Walking group", 12, datetime.date(2027, 1, 10))]


def test_questions_count_from_the_latest_closing_and_a_reopened_project_is_not_asked(partnership):
    # Closed, reopened, and closed again: six months after it first closed, it has been closed for under two.
    again = _close(
        ProjectFactory(partnership=partnership, title="Closed again"),
        datetime.date(2025, 1, 10),
        reopen_on=datetime.date(2025, 3, 1),
    )
    _close(again, datetime.date(2025, 5, 20))
    # Closed, then reopened (it left the last stage): not asked, however long ago it closed.
    reopened = ProjectFactory(partnership=partnership, title="Reopened")
    _close(reopened, datetime.date(2024, 1, 10), reopen_on=datetime.date(2024, 3, 1))
    _close(ProjectFactory(partnership=partnership, title="Closed long ago"), datetime.date(2024, 1, 10))

    assert _asked(today=datetime.date(2025, 7, 10)) == [("Closed long ago", 12, datetime.date(2025, 1, 10))]
    assert _asked(today=datetime.date(2025, 11, 20)) == [
        ("Closed long ago", 12, datetime.date(2025, 1, 10)),
        ("Closed again", 6, datetime.date(2025, 11, 20)),
    ]


def test_due_questions_are_those_of_the_partnerships_asked_for(partnership, other_partnership):
    _closed_project(partnership, title="Ours")
    _closed_project(other_partnership, title="Theirs")

    assert [title for title, _due, _on in _asked(partnerships=[partnership])] == ["Ours"]
    assert sorted(title for title, _due, _on in _asked()) == ["Ours", "Theirs"]


# --- The database backs the rules ---


@pytest.mark.parametrize(
    "fields",
    [{"due": 7}, {"outcome": "maybe"}, {"reason": "   "}],
    ids=["due", "outcome", "reason"],
)
def test_follow_up_checks_refuse_what_the_form_would(partnership, fields):
    project = _closed_project(partnership)
    values = {"due": 6, "due_on": today(), "outcome": "embedded", "reason": REASON, "answered_at": timezone.now()}

    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectFollowUp.objects.create(project=project, **(values | fields))


def test_follow_up_once_per_project_and_question(partnership):
    project = _closed_project(partnership)
    _answer(project, due=6)

    with pytest.raises(IntegrityError), transaction.atomic():
        _answer(project, due=6, outcome="stopped")


# --- The home page ---


def test_home_lists_the_leads_questions_due_with_a_link(client, lead, partnership, other_partnership):
    due = _closed_project(partnership, title="Kilwinning info-graphic")
    _answer(_closed_project(partnership, title="Answered already"))
    _closed_project(partnership, months_ago=5, title="Closed too recently")
    _closed_project(other_partnership, title="Another partnership's")
    client.force_login(lead)

    response = client.get(reverse("home"))

    panel = next(panel for panel in response.context["panels"] if panel.template == "projects/_home_follow_up.html")
    assert [(q.project.title, q.due) for q in panel.context["questions"]] == [("Kilwinning info-graphic", 6)]
    closed_on = add_months(today(), -7)
    assert (
        f"Answer for Kilwinning info-graphic: closed {closed_on:%-d %b %Y}, asked six months on, "
        f"since {add_months(closed_on, 6):%-d %b %Y}"
    ) in _text(response.content.decode())
    assert f'href="{_url(due)}"' in response.content.decode()


def test_home_asks_viewers_nothing(client, viewer, partnership):
    _closed_project(partnership, title="Kilwinning info-graphic")
    client.force_login(viewer)

    response = client.get(reverse("home"))

    assert "Did it last?" not in response.content.decode()
    assert "/follow-up/" not in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_home_query_count_does_not_grow_with_the_questions(client, lead, partnership, django_assert_num_queries, count):
    for number in range(count):
        _closed_project(partnership, title=f"Closed {number}")
    client.force_login(lead)

    # The home page's own, each panel's, and the questions due: one query (tests/coprod/test_home.py pins a fuller
    # page at one more than before).
    with django_assert_num_queries(13):
        response = client.get(reverse("home"))

    panel = next(panel for panel in response.context["panels"] if panel.template == "projects/_home_follow_up.html")
    assert len(panel.context["questions"]) == count


# --- The form ---


def test_follow_up_form_asks_with_radios_in_a_fieldset(client, lead, partnership):
    project = _closed_project(partnership, title="Walking group")
    client.force_login(lead)

    html = client.get(_url(project)).content.decode()

    assert re.search(r"<fieldset[^>]*>\s*<legend[^>]*>\s*What became of the project\?", html)
    assert [
        unescape(label) for label in re.findall(r'<label for="id_outcome_\d"[^>]*>\s*([^<]+?)\s*</label>', html)
    ] == [
        "Part of everyday work: it carries on as the usual way of doing things",
        "Adapted: it carries on, changed",
        "Stopped: it no longer runs",
    ]
    assert re.search(r'<label\s+for="id_reason"[^>]*>\s*Why\?', html)


def test_follow_up_answer_is_stored_and_shown_on_the_project_page(client, lead, partnership):
    project = _closed_project(partnership, title="Walking group")
    client.force_login(lead)

    response = client.post(_url(project), {"outcome": "adapted", "reason": f"  {REASON}  ", "seen": ""})

    assert response.url == f"{project.get_absolute_url()}#follow-up-title"
    answer = ProjectFollowUp.objects.get()
    assert (answer.project, answer.due, answer.due_on, answer.outcome, answer.reason, answer.answered_by) == (
        project,
        6,
        add_months(add_months(today(), -7), 6),
        "adapted",
        REASON,
        lead,
    )
    page = _text(client.get(project.get_absolute_url()).content.decode())
    assert f"Six months after closing (from {answer.due_on:%-d %B %Y}) Adapted. {REASON}" in page
    assert "Twelve months after closing (from" in page and "Not asked yet." in page


def test_follow_up_errors_keep_what_was_typed(client, lead, partnership):
    project = _closed_project(partnership)
    client.force_login(lead)

    no_reason = client.post(_url(project), {"outcome": "stopped", "reason": "   "}).content.decode()
    no_outcome = client.post(_url(project), {"reason": REASON}).content.decode()

    assert 'href="#id_reason"' in no_reason and "Why? Say why: what kept it going" in unescape(no_reason)
    assert re.search(r'value="stopped"[^>]*checked|checked[^>]*value="stopped"', no_reason)
    assert 'href="#id_outcome_0"' in no_outcome and "Choose what became of the project." in no_outcome
    assert REASON in no_outcome
    assert not ProjectFollowUp.objects.exists()


def test_follow_up_double_submit_stores_one(client, lead, partnership):
    project = _closed_project(partnership)
    client.force_login(lead)
    data = {"outcome": "embedded", "reason": REASON, "seen": ""}

    first = client.post(_url(project), data)
    second = client.post(_url(project), data)

    assert first.status_code == second.status_code == 302
    assert list(ProjectFollowUp.objects.values_list("outcome", "reason")) == [("embedded", REASON)]


def test_follow_up_answer_changed_later_is_in_the_audit_trail(client, lead, facilitator, partnership):
    project = _closed_project(partnership)
    answer = _answer(project, user=lead)
    client.force_login(facilitator)

    form = client.get(_url(project)).content.decode()
    seen = re.search(r'name="seen" value="([^"]*)"', form).group(1)
    client.post(_url(project), {"outcome": "stopped", "reason": "The volunteers moved on.", "seen": unescape(seen)})

    answer.refresh_from_db()
    assert (answer.outcome, answer.reason, answer.answered_by) == ("stopped", "The volunteers moved on.", facilitator)
    entry = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(ProjectFollowUp), object_pk=str(answer.pk)
    ).latest("pk")
    assert (entry.actor, entry.partnership_id) == (facilitator, partnership.pk)
    assert entry.changes["outcome"] == ["embedded", "stopped"]


def test_follow_up_answer_saved_meanwhile_is_shown_not_overwritten(client, lead, facilitator, partnership):
    project = _closed_project(partnership)
    client.force_login(facilitator)
    form = client.get(_url(project)).content.decode()  # opened before anyone answered
    _answer(project, outcome="embedded", reason="Runs weekly.", user=lead)

    response = client.post(_url(project), {"outcome": "stopped", "reason": "It stopped.", "seen": ""})

    text = _text(response.content.decode())
    assert re.search(r'<input type="hidden" name="seen" id="id_seen">', form)  # no answer seen
    assert "saved an answer on" in text and "“Part of everyday work”, because “Runs weekly.”" in text
    assert "It stopped." in text  # what they typed stays
    assert ProjectFollowUp.objects.get().outcome == "embedded"
    # Saving again, having seen it, replaces it.
    seen = unescape(re.search(r'name="seen" value="([^"]*)"', response.content.decode()).group(1))
    client.post(_url(project), {"outcome": "stopped", "reason": "It stopped.", "seen": seen})
    assert ProjectFollowUp.objects.get().outcome == "stopped"


# --- Who may answer ---


def test_follow_up_page_of_another_partnership_is_not_found(client, outsider, partnership):
    project = _closed_project(partnership)
    client.force_login(outsider)

    assert client.get(_url(project)).status_code == 404
    assert client.post(_url(project), {"outcome": "stopped", "reason": REASON}).status_code == 404
    assert not ProjectFollowUp.objects.exists()


def test_follow_up_viewer_cannot_answer(client, viewer, partnership):
    project = _closed_project(partnership)
    client.force_login(viewer)

    assert client.post(_url(project), {"outcome": "stopped", "reason": REASON}).status_code == 403
    assert not ProjectFollowUp.objects.exists()
    assert "/follow-up/" not in client.get(project.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    "make, due",
    [
        (lambda p: ProjectFactory(partnership=p, stage=Stage.TESTING), 6),  # never closed
        (lambda p: _closed_project(p, months_ago=5), 6),  # not yet
        (lambda p: _closed_project(p, months_ago=7), 12),  # not yet
        (lambda p: _closed_project(p, months_ago=7), 9),  # no such question
    ],
    ids=["open", "six-not-yet", "twelve-not-yet", "nine"],
)
def test_follow_up_page_of_a_question_not_asked_is_not_found(client, lead, partnership, make, due):
    project = make(partnership)
    client.force_login(lead)

    assert client.get(_url(project, due)).status_code == 404


def test_follow_up_answer_service_refuses_a_question_not_asked(partnership, lead):
    project = _closed_project(partnership, months_ago=5)

    with pytest.raises(ValidationError) as error:
        follow_up.follow_up_answer(project=project, due=6, outcome="stopped", reason=REASON, user=lead)

    assert error.value.messages == ["This question is not asked yet: it comes six and twelve months after closing."]


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="SQLite lets one writer in at a time: the race is only meaningful on PostgreSQL (CI).",
)
@pytest.mark.django_db(transaction=True)
def test_two_first_answers_at_once_store_one():
    for _trial in range(10):
        lead = UserFactory()
        project = _closed_project(PartnershipFactory())

        def answer(project=project, lead=lead):
            return follow_up.follow_up_answer(project=project, due=6, outcome="embedded", reason=REASON, user=lead)

        outcomes = at_once(answer, answer)

        assert [type(outcome) for outcome in outcomes] == [ProjectFollowUp, ProjectFollowUp]
        assert ProjectFollowUp.objects.filter(project=project).count() == 1


# --- Reminders by email ---


def test_reminders_go_once_to_leads_and_the_writer_who_recorded_it(partnership, lead, facilitator, viewer):
    second_lead = MembershipFactory(partnership=partnership, role=Role.LEAD, user=UserFactory(email="b@example.org"))
    project = _closed_project(partnership, title="Walking group", created_by=facilitator)
    _closed_project(partnership, title="Recorded by a viewer", created_by=viewer)
    _closed_project(partnership, months_ago=5, title="Not yet")

    out = io.StringIO()
    call_command("send_follow_up_reminders", site=SITE, stdout=out)
    again = io.StringIO()
    call_command("send_follow_up_reminders", site=SITE, stdout=again)

    walking = "Did it last? Walking group, six months after it closed"
    by_viewer = "Did it last? Recorded by a viewer, six months after it closed"
    leads = [lead.email, second_lead.user.email]
    assert sorted((message.to[0], message.subject) for message in mail.outbox) == sorted(
        [(email, walking) for email in [*leads, facilitator.email]] + [(email, by_viewer) for email in leads]
    )
    body = next(message.body for message in mail.outbox if message.to == [facilitator.email])
    assert f"{SITE}{_url(project)}" in body
    assert out.getvalue() == "Emailed 2 question(s); 0 have nobody to email (no lead with an email).\n"
    assert again.getvalue() == "Emailed 0 question(s); 0 have nobody to email (no lead with an email).\n"
    assert sorted(FollowUpReminder.objects.values_list("project__title", "due", "recipients")) == [
        ("Recorded by a viewer", 6, 2),
        ("Walking group", 6, 3),
    ]


def test_reminders_skip_answered_questions_and_dry_run_sends_nothing(partnership, other_partnership, lead):
    _answer(_closed_project(partnership, title="Answered"))
    _closed_project(partnership, title="Waiting")
    _closed_project(other_partnership, title="Nobody to ask")  # a partnership with no lead yet
    dry, real = io.StringIO(), io.StringIO()

    call_command("send_follow_up_reminders", site=SITE, dry_run=True, stdout=dry)
    assert mail.outbox == [] and not FollowUpReminder.objects.exists()
    call_command("send_follow_up_reminders", site=SITE, stdout=real)

    assert dry.getvalue() == "Would email 1 question(s); 1 have nobody to email (no lead with an email).\n"
    assert real.getvalue() == "Emailed 1 question(s); 1 have nobody to email (no lead with an email).\n"
    assert [message.subject for message in mail.outbox] == ["Did it last? Waiting, six months after it closed"]
    assert list(FollowUpReminder.objects.values_list("project__title", flat=True)) == ["Waiting"]


def test_reminders_go_again_for_the_twelve_month_question(partnership, lead):
    project = _closed_project(partnership, months_ago=13, title="Walking group")
    FollowUpReminder.objects.create(
        project=project, due=6, due_on=add_months(follow_up.closing_date(project), 6), sent_at=timezone.now()
    )

    call_command("send_follow_up_reminders", site=SITE, stdout=io.StringIO())

    assert [message.subject for message in mail.outbox] == ["Did it last? Walking group, twelve months after it closed"]


def test_reminders_need_the_sites_address(partnership, lead, settings):
    settings.CSRF_TRUSTED_ORIGINS = []
    _closed_project(partnership)

    with pytest.raises(CommandError):
        call_command("send_follow_up_reminders", stdout=io.StringIO())
    settings.CSRF_TRUSTED_ORIGINS = [SITE]
    call_command("send_follow_up_reminders", stdout=io.StringIO())

    assert [message.to for message in mail.outbox] == [[lead.email]]


# --- The figures: summary and dashboard ---


@pytest.fixture
def answered(partnership, other_partnership):
    """North Ayrshire: six months after closing, 3 part of everyday work and 1 stopped; twelve months after, 1
    adapted. Aberdeen City: six months after, 1 adapted. Unanswered and open projects count nowhere."""
    for outcome in ("embedded", "embedded", "stopped"):
        _answer(_closed_project(partnership, months_ago=8), outcome=outcome)
    project = _closed_project(partnership, months_ago=13)
    _answer(project, due=6, outcome="embedded")
    _answer(project, due=12, outcome="adapted")
    _answer(_closed_project(other_partnership), outcome="adapted")
    _closed_project(partnership)
    ProjectFactory(partnership=partnership)


def test_summary_counts_the_answers(client, alliance, answered):
    client.force_login(alliance)

    response = client.get(reverse("projects:project-summary"))

    rows = {
        row["partnership"].name: [(q.label, q.answered, q.numbers) for q in row["lasted"]]
        for row in response.context["rows"]
    }
    assert rows == {
        "Aberdeen City HSCP": [
            ("Six months after closing", 1, [0, 1, 0]),
            ("Twelve months after closing", 0, [0, 0, 0]),
        ],
        "North Ayrshire HSCP": [
            ("Six months after closing", 4, [3, 0, 1]),
            ("Twelve months after closing", 1, [0, 1, 0]),
        ],
    }
    totals = [(q.label, q.answered, q.numbers) for q in response.context["lasted_totals"]]
    assert totals == [("Six months after closing", 5, [3, 1, 1]), ("Twelve months after closing", 1, [0, 1, 0])]
    assert '3 <span class="d-block small">(75%)</span>' in response.content.decode()


@pytest.mark.parametrize("count", [1, 3])
def test_summary_query_count_does_not_grow_with_the_answers(client, alliance, django_assert_num_queries, count):
    for _ in range(count):
        _answer(_closed_project(PartnershipFactory()), outcome="adapted")
    client.force_login(alliance)

    with django_assert_num_queries(5):  # session, user, second factor, the grouped summary, the grouped answers
        response = client.get(reverse("projects:project-summary"))

    assert response.context["lasted_totals"][0].numbers == [0, count, 0]


def _dashboard_csv(client, url):
    response = client.get(url)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    return {
        (row[1], row[3], row[4]): row[5]
        for row in rows
        if row[0] == "What came of it" and row[3].startswith("Did it last?")
    }


def _dashboard_table(html):
    """{scope: [cells]} of the dashboard's "Did it last?" table, as shown."""
    table = html[html.index('id="projects-lasted-caption"') :]
    table = table[: table.index("</table>")]
    body = table[table.index("<tbody>") :]
    return {
        unescape(label): cells
        for label, cells in (
            (re.search(r"<th[^>]*>(.*?)</th>", row).group(1), re.findall(r"<td>(\d+)</td>", row))
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
        )
    }


def test_dashboard_shows_the_answers_and_its_csv_agrees(client, alliance, answered):
    client.force_login(alliance)

    table = _dashboard_table(client.get(reverse("surveys:dashboard")).content.decode())
    figures = _dashboard_csv(client, reverse("surveys:dashboard-csv"))

    # Answered, part of everyday work, adapted, stopped: six months after closing, then twelve.
    assert table == {
        "Aberdeen City": ["1", "0", "1", "0", "0", "0", "0", "0"],
        "North Ayrshire": ["4", "3", "0", "1", "1", "0", "1", "0"],
        "Scotland": ["5", "3", "1", "1", "1", "0", "1", "0"],
    }
    categories = ["Answered", "Part of everyday work", "Adapted", "Stopped"]
    for scope, cells in table.items():
        for index, due in enumerate(["Six months after closing", "Twelve months after closing"]):
            shown = dict(zip(categories, cells[4 * index : 4 * index + 4], strict=True))
            assert {c: figures[scope, f"Did it last? {due}", c] for c in categories} == shown


def test_partnership_dashboard_shows_its_own_answers_beside_scotland(client, lead, partnership, answered):
    client.force_login(lead)

    table = _dashboard_table(
        client.get(reverse("surveys:partnership-dashboard", args=[partnership.pk])).content.decode()
    )

    assert table == {
        "North Ayrshire": ["4", "3", "0", "1", "1", "0", "1", "0"],
        "Scotland": ["5", "3", "1", "1", "1", "0", "1", "0"],
    }


def test_the_cached_dashboard_shows_an_answer_given_since(client, alliance, partnership):
    project = _closed_project(partnership)
    client.force_login(alliance)
    url = reverse("surveys:dashboard-csv")
    before = _dashboard_csv(client, url)  # built, and now kept

    follow_up.follow_up_answer(project=project, due=6, outcome="stopped", reason=REASON, user=None)

    after = _dashboard_csv(client, url)
    assert before["Scotland", "Did it last? Six months after closing", "Stopped"] == "0"
    assert after["Scotland", "Did it last? Six months after closing", "Stopped"] == "1"


@pytest.mark.parametrize("count", [1, 3])
def test_dashboard_query_count_does_not_grow_with_the_answers(client, alliance, django_assert_num_queries, count):
    for _ in range(count):
        _answer(_closed_project(PartnershipFactory()), outcome="embedded")
    client.force_login(alliance)

    with django_assert_num_queries(DASHBOARD_QUERIES):
        client.get(reverse("surveys:dashboard"))


# Built afresh: the answers are counted in the projects' grouped query, so tests/surveys/test_dashboard.py's counts,
# for a world with sessions and answers, stay as they were.
DASHBOARD_QUERIES = 33
