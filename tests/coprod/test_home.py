"""The home page by role: each person's day's work, from the panels the apps register (coprod.panels).

Leads run every session of their partnership, facilitators the sessions that name them; viewers read the latest
results and projects; ALLIANCE staff land on the national dashboard. Nothing of another partnership shows.
"""

import datetime
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from coprod.models import Role
from projects.models import Project, Stage
from surveys import services
from surveys.models import CLOSING_GRACE, Phase, ProgrammeRelease
from tests.factories import (
    AttendanceFactory,
    DataPointFactory,
    MeasureFactory,
    MembershipFactory,
    PartnershipFactory,
    ProgrammeFactory,
    ProjectFactory,
    SessionFactory,
    UserFactory,
)
from tests.surveys.conftest import release, submit
from workshops.models import SessionStatus

LEAD_PANELS = [
    "surveys/_home_today.html",
    "surveys/_home_still_open.html",
    "workshops/_home_registers.html",
    "surveys/_home_results.html",
    "projects/_home_follow_up.html",
]
FACILITATOR_PANELS = LEAD_PANELS[:4]
VIEWER_PANELS = ["surveys/_home_results.html", "projects/_home_latest.html"]


def today():
    return timezone.localdate()


def days(number):
    return today() + datetime.timedelta(days=number)


def surveys_for(session, template, phases=(Phase.PRE, Phase.POST)):
    return [services.survey_create(session=session, phase=phase, template=template) for phase in phases]


def answer_pairs(pre, post, pairs):
    for _ in range(pairs):
        before = submit(pre, [2, 2, 2]).response
        submit(post, [4, 4, 4], pairing_code=before.pairing_code)


def released_session(partnership, template, *, pairs, date, title, facilitator=None):
    session = SessionFactory(partnership=partnership, date=date, title=title, status=SessionStatus.HELD)
    if facilitator:
        session.facilitators.add(facilitator)
    pre, post = surveys_for(session, template)
    answer_pairs(pre, post, pairs)
    release(pre, post)
    return session


def fill(partnership, template, count, *, facilitator=None, prefix=""):
    """`count` of each thing a home page shows, in `partnership`: sessions today and next with their questionnaires,
    past sessions with a questionnaire still open and an unmarked register, released sessions, projects to follow up.
    """
    for number in range(count):
        upcoming = SessionFactory(partnership=partnership, date=days(1 + number), title=f"{prefix}Upcoming {number}")
        past = SessionFactory(partnership=partnership, date=days(-1 - number), title=f"{prefix}Past {number}")
        for session in (upcoming, past):
            if facilitator:
                session.facilitators.add(facilitator)
            surveys_for(session, template)
        released_session(
            partnership,
            template,
            pairs=5,
            date=days(-70 - number),
            title=f"{prefix}Released {number}",
            facilitator=facilitator,
        )
        project = ProjectFactory(partnership=partnership, title=f"{prefix}Project {number}", stage=Stage.TESTING)
        MeasureFactory(project=project)
        Project.objects.filter(pk=project.pk).update(created_at=timezone.now() - datetime.timedelta(weeks=10))
        programme = ProgrammeFactory(partnership=partnership, title=f"{prefix}Programme {number}")
        if number % 2 == 0:
            ProgrammeRelease.objects.create(programme=programme)


def panel(response, template_name):
    return next(panel for panel in response.context["panels"] if panel.template == template_name).context


def templates_of(response):
    return [panel.template for panel in response.context["panels"]]


def text_of(response):
    """The page's main content as plain text: words inside a line run on, other tags part them, spaces squeezed."""
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    main = re.sub(r"</?(a|span|strong)\b[^>]*>", "", main)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main))).strip()


def home_headlines(response):
    """The headlines under each session of "Latest results", by session title."""
    html = response.content.decode()
    found = {}
    for article in re.findall(r'<article class="home-result".*?</article>', html, flags=re.S):
        title = unescape(re.search(r"<h3[^>]*><a[^>]*>(.*?)</a>", article, flags=re.S).group(1))
        items = re.findall(r"<dd>(.*?)</dd>", article, flags=re.S)
        found[title] = [unescape(item).strip() for item in items]
    return found


def debrief_headlines(client, session):
    html = client.get(reverse("surveys:session-results", args=[session.pk])).content.decode()
    return [unescape(body).strip() for body in re.findall(r'<p class="result-headline">(.*?)</p>', html, flags=re.S)]


# --- Who sees what ---


def test_home_lead_sees_every_panel_of_their_partnership_and_nothing_of_another(
    client, lead, partnership, other_partnership, outsider, template
):
    fill(partnership, template, 1)
    fill(other_partnership, template, 1, prefix="Other ")
    client.force_login(lead)

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert templates_of(response) == LEAD_PANELS
    assert [session.title for session in panel(response, LEAD_PANELS[0])["sessions"]] == ["Upcoming 0"]
    assert [(s.session.title, s.phase) for s in panel(response, LEAD_PANELS[1])["surveys"]] == [
        ("Past 0", "pre"),
        ("Past 0", "post"),
    ]
    assert [session.title for session in panel(response, LEAD_PANELS[2])["sessions"]] == ["Past 0"]
    assert [session.title for session in panel(response, LEAD_PANELS[3])["sessions"]] == ["Released 0"]
    assert [project.title for project in panel(response, LEAD_PANELS[4])["projects"]] == ["Project 0"]
    assert "Other " not in html
    assert "Partnership lead" in text_of(response)
    upcoming = panel(response, LEAD_PANELS[0])["sessions"][0]
    pre, post = upcoming.questionnaires
    # One click to the projector; paper entry from the day of the session on (below, and for past sessions).
    for survey in (pre, post):
        assert reverse("surveys:survey-projector", args=[survey.pk]) in html
        assert reverse("surveys:survey-paper", args=[survey.pk]) not in html
    assert reverse("surveys:session-surveys", args=[upcoming.pk]) in html
    assert reverse("surveys:partnership-results", args=[partnership.pk]) in html
    assert reverse("surveys:partnership-results", args=[other_partnership.pk]) not in html
    assert [programme.title for programme in panel(response, LEAD_PANELS[3])["programmes"]] == ["Programme 0"]


def test_home_facilitator_sees_the_sessions_they_facilitate_or_logged(
    client, facilitator, lead, partnership, other_partnership, template
):
    theirs = SessionFactory(partnership=partnership, date=today(), title="Theirs")
    theirs.facilitators.add(facilitator)
    logged = SessionFactory(partnership=partnership, date=days(3), title="Logged", created_by=facilitator)
    SessionFactory(partnership=partnership, date=today(), title="Someone else's", created_by=lead)
    SessionFactory(partnership=partnership, date=days(15), title="Too far ahead", created_by=facilitator)
    SessionFactory(
        partnership=partnership, date=days(1), title="Cancelled", created_by=facilitator, status=SessionStatus.CANCELLED
    )
    # Named as a facilitator in a partnership they are not a member of: still not theirs to see.
    SessionFactory(partnership=other_partnership, date=today(), title="Elsewhere").facilitators.add(facilitator)
    fill(other_partnership, template, 1, facilitator=facilitator, prefix="Other ")
    pre, post = surveys_for(theirs, template)
    client.force_login(facilitator)

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert templates_of(response) == FACILITATOR_PANELS
    assert [session.title for session in panel(response, LEAD_PANELS[0])["sessions"]] == ["Theirs", "Logged"]
    assert reverse("surveys:survey-projector", args=[pre.pk]) in html
    assert reverse("surveys:survey-projector", args=[post.pk]) in html
    assert reverse("surveys:session-surveys", args=[theirs.pk]) in html
    assert "Key in paper forms" not in html  # paper entry is the lead's, from home
    assert "Elsewhere" not in html
    assert "Other " not in html
    assert f"{reverse('surveys:survey-create', args=[logged.pk])}?phase=pre" in html
    assert "Set up the questionnaire before" in text_of(response)


def test_home_viewer_reads_latest_results_and_projects_only(client, viewer, partnership, other_partnership, template):
    fill(partnership, template, 1)
    fill(other_partnership, template, 1, prefix="Other ")
    client.force_login(viewer)

    response = client.get(reverse("home"))

    text = text_of(response)
    assert templates_of(response) == VIEWER_PANELS
    assert [session.title for session in panel(response, VIEWER_PANELS[0])["sessions"]] == ["Released 0"]
    assert [project.title for project in panel(response, VIEWER_PANELS[1])["projects"]] == ["Project 0"]
    assert "Viewer" in text
    assert "Show on the projector" not in text
    assert "Key in paper forms" not in text
    assert "Add an update" not in text
    assert "Other " not in text


def test_home_alliance_staff_are_sent_to_the_national_dashboard(client, alliance):
    client.force_login(alliance)

    response = client.get(reverse("home"))

    assert (response.status_code, response.url) == (302, reverse("surveys:dashboard"))


def test_home_anonymous_sees_the_welcome_page(client, db):
    response = client.get(reverse("home"))

    assert response.templates[0].name == "coprod/welcome.html"


def test_home_without_a_partnership_says_who_to_ask(client, db):
    client.force_login(UserFactory(first_name="Ailsa"))

    response = client.get(reverse("home"))

    assert response.context["panels"] == []
    assert text_of(response) == (
        "Hello, Ailsa Your partnerships You are not a member of any partnership yet. Ask your partnership lead to "
        "add you."
    )


def test_home_with_two_partnerships_follows_the_role_in_each(client, lead, partnership, other_partnership, template):
    MembershipFactory(user=lead, partnership=other_partnership, role=Role.VIEWER)
    SessionFactory(partnership=partnership, date=today(), title="Led here")
    SessionFactory(partnership=other_partnership, date=today(), title="Viewed there")
    ProjectFactory(partnership=other_partnership, title="Their project")
    client.force_login(lead)

    response = client.get(reverse("home"))

    assert templates_of(response) == [*LEAD_PANELS, "projects/_home_latest.html"]
    assert [session.title for session in panel(response, LEAD_PANELS[0])["sessions"]] == ["Led here"]
    assert [project.title for project in panel(response, "projects/_home_latest.html")["projects"]] == ["Their project"]
    assert [partnership.role_label for partnership in response.context["partnerships"]] == [
        "Viewer",
        "Partnership lead",
    ]


# --- Each panel: what it lists, and its empty state ---


def test_home_empty_states_say_what_to_do_next(client, lead):
    client.force_login(lead)

    response = client.get(reverse("home"))

    html, text = response.content.decode(), text_of(response)
    assert templates_of(response) == LEAD_PANELS
    assert "No sessions yet: log the first one." in text
    assert f'<a href="{reverse("workshops:session-create")}">log the first one</a>' in html
    assert "None: every questionnaire of a past session is closed, and its answers are in the results." in text
    assert "None: every session held in the last 8 weeks has its attendance marked." in text
    assert "No results yet: a session’s results appear here once its questionnaires have closed." in text
    assert "No open improvement projects yet: record the first one." in text
    assert f'<a href="{reverse("projects:project-create")}">record the first one</a>' in html


def test_home_empty_states_once_there_is_something_but_nothing_to_do(client, lead, partnership):
    SessionFactory(partnership=partnership, date=days(-100))
    ProjectFactory(partnership=partnership)
    client.force_login(lead)

    text = text_of(client.get(reverse("home")))

    assert "No sessions today or in the next 14 days. Log a session or see all sessions." in text
    assert "None: every open project has had an update in the last 8 weeks, and every measure a data point" in text


def test_home_viewer_empty_states(client, viewer):
    client.force_login(viewer)

    text = text_of(client.get(reverse("home")))

    assert "No results yet: a session’s results appear here once its questionnaires have closed." in text
    assert "No improvement projects yet." in text


def test_home_today_and_next_lists_two_weeks_soonest_first_with_each_questionnaire(client, lead, partnership, template):
    later = SessionFactory(partnership=partnership, date=days(14), title="In two weeks")
    tomorrow = SessionFactory(partnership=partnership, date=days(1), title="Tomorrow's")
    now = SessionFactory(partnership=partnership, date=today(), title="Today's")
    SessionFactory(partnership=partnership, date=days(-1), title="Yesterday's")
    pre, post = surveys_for(now, template)
    answer_pairs(pre, post, 2)
    services.survey_close(survey=post)
    (tomorrow_pre,) = surveys_for(tomorrow, template, phases=[Phase.PRE])
    services.survey_set_window(
        survey=tomorrow_pre, opens_at=timezone.now() + datetime.timedelta(days=1), closes_at=None
    )
    client.force_login(lead)

    response = client.get(reverse("home"))

    sessions = panel(response, LEAD_PANELS[0])["sessions"]
    html, text = response.content.decode(), text_of(response)
    assert [(session.title, session.day) for session in sessions] == [
        ("Today's", "Today"),
        ("Tomorrow's", "Tomorrow"),
        ("In two weeks", ""),
    ]
    assert [(s.phase, s.current_state, s.response_count) for s in sessions[0].questionnaires] == [
        ("pre", "open", 2),
        ("post", "closed", 2),
    ]
    assert "Questionnaire before: open · responses: 2" in text
    assert "Questionnaire after: closed · responses: 2" in text
    # Today's open questionnaire counts live; a closed one does not poll.
    assert f'data-count-url="{reverse("surveys:survey-count", args=[pre.pk])}"' in html
    assert f'data-count-url="{reverse("surveys:survey-count", args=[post.pk])}"' not in html
    assert reverse("surveys:survey-projector", args=[pre.pk]) in html
    assert reverse("surveys:survey-projector", args=[post.pk]) not in html  # closed: nothing to project
    # One click to paper entry on the day, also in the grace after closing; tomorrow's forms are not back yet.
    assert reverse("surveys:survey-paper", args=[pre.pk]) in html
    assert reverse("surveys:survey-paper", args=[post.pk]) in html
    assert reverse("surveys:survey-paper", args=[tomorrow_pre.pk]) not in html
    assert "Questionnaire before: not open yet" in text
    assert [phase for phase, _ in sessions[1].missing] == ["post"]
    assert [phase for phase, _ in sessions[2].missing] == ["pre", "post"]
    assert f"{reverse('surveys:survey-create', args=[later.pk])}?phase=post" in html


def test_home_still_open_lists_questionnaires_of_past_sessions_until_released(client, lead, partnership, template):
    open_one = SessionFactory(partnership=partnership, date=days(-2), title="Still open")
    in_grace = SessionFactory(partnership=partnership, date=days(-1), title="In the grace")
    gone = SessionFactory(partnership=partnership, date=days(-3), title="Released")
    todays = SessionFactory(partnership=partnership, date=today(), title="Today's")
    (open_pre,) = surveys_for(open_one, template, phases=[Phase.PRE])
    (grace_post,) = surveys_for(in_grace, template, phases=[Phase.POST])
    closed_at = timezone.now() - datetime.timedelta(minutes=10)
    services.survey_close(survey=grace_post, now=closed_at)
    release(*surveys_for(gone, template))
    surveys_for(todays, template)
    client.force_login(lead)

    response = client.get(reverse("home"))

    surveys = panel(response, LEAD_PANELS[1])["surveys"]
    text = text_of(response)
    assert [(survey.session.title, survey.phase) for survey in surveys] == [
        ("In the grace", "post"),
        ("Still open", "pre"),
    ]
    release_time = timezone.localtime(closed_at + CLOSING_GRACE).strftime("%H:%M")
    assert f"After: closed, paper forms until {release_time}" in text
    assert "Before: open" in text
    html = response.content.decode()
    assert reverse("surveys:survey-paper", args=[grace_post.pk]) in html
    assert reverse("surveys:survey-paper", args=[open_pre.pk]) in html


def test_home_registers_to_mark_lists_held_sessions_with_nobody_marked_attended(client, lead, partnership):
    unmarked = SessionFactory(partnership=partnership, date=days(-1), title="Unmarked", status=SessionStatus.HELD)
    AttendanceFactory(session=unmarked, status="registered")
    AttendanceFactory(session=unmarked, status="absent")
    SessionFactory(partnership=partnership, date=days(-3), title="Empty register")
    marked = SessionFactory(partnership=partnership, date=days(-2), title="Marked")
    AttendanceFactory(session=marked, status="attended")
    SessionFactory(partnership=partnership, date=days(-4), title="Cancelled", status=SessionStatus.CANCELLED)
    SessionFactory(partnership=partnership, date=days(-57), title="Too long ago")
    SessionFactory(partnership=partnership, date=days(1), title="Not held yet")
    client.force_login(lead)

    response = client.get(reverse("home"))

    sessions = panel(response, LEAD_PANELS[2])["sessions"]
    assert [(session.title, session.registered) for session in sessions] == [("Unmarked", 2), ("Empty register", 0)]
    text = text_of(response)
    assert "Mark who attended: Unmarked" in text
    assert "Add who attended: Empty register" in text


def test_home_follow_up_lists_quiet_projects_and_measures_without_a_point_this_month(client, lead, partnership):
    weeks_ago = timezone.now() - datetime.timedelta(weeks=9)
    quiet = ProjectFactory(partnership=partnership, title="Quiet")
    quiet.updates.create(date=days(-57), text="Met the walking group.")
    never = ProjectFactory(partnership=partnership, title="Never updated")
    fresh = ProjectFactory(partnership=partnership, title="Fresh")
    fresh.updates.create(date=days(-3), text="Second meeting.")
    measured = ProjectFactory(partnership=partnership, title="Measured")
    measured.updates.create(date=today(), text="New figures.")
    MeasureFactory(project=measured, name="Referrals")
    MeasureFactory(project=measured, name="Visits")
    DataPointFactory(measure=MeasureFactory(project=measured, name="Kept up"), date=today())
    closed = ProjectFactory(partnership=partnership, title="Closed", stage=Stage.CLOSED)
    Project.objects.filter(pk__in=[quiet.pk, never.pk, fresh.pk, closed.pk]).update(created_at=weeks_ago)
    client.force_login(lead)

    response = client.get(reverse("home"))

    projects = panel(response, LEAD_PANELS[4])["projects"]
    assert [(p.title, p.quiet, p.quiet_measures) for p in projects] == [
        ("Never updated", True, 0),
        ("Quiet", True, 0),
        ("Measured", False, 2),
    ]
    text = text_of(response)
    assert f"Quiet Idea Last update {days(-57):%-d %b %Y}" in text
    assert f"Never updated Idea No update since it was recorded on {timezone.localdate(weeks_ago):%-d %b %Y}" in text
    assert "Measured Idea 2 measures with no data point this month Add data points: Measured" in text


# --- Latest results: the debrief's own headlines ---


def test_home_headlines_are_the_debriefs_own_and_withhold_small_groups(client, lead, viewer, partnership, template):
    conclusive = released_session(partnership, template, pairs=12, date=days(-3), title="Twelve pairs")
    too_few = released_session(partnership, template, pairs=6, date=days(-2), title="Six pairs")
    withheld = released_session(partnership, template, pairs=3, date=days(-1), title="Three pairs")
    released_session(partnership, template, pairs=12, date=days(-4), title="Older")
    surveys_for(SessionFactory(partnership=partnership, date=today(), title="Not released"), template)

    for person in (viewer, lead):
        client.force_login(person)
        headlines = home_headlines(client.get(reverse("home")))

        assert list(headlines) == ["Three pairs", "Six pairs", "Twelve pairs"]
        for session in (conclusive, too_few, withheld):
            assert headlines[session.title] == debrief_headlines(client, session)[:2]
    too_few = "Too few responses to draw conclusions:"
    assert headlines["Three pairs"] == [f"{too_few} fewer than 5 people answered both questionnaires."] * 2
    assert (
        headlines["Six pairs"]
        == [f"{too_few} only 6 people answered both questionnaires (at least 10 are needed)."] * 2
    )
    assert headlines["Twelve pairs"][0] == (
        "Among the 12 people who answered both questionnaires, the share agreeing they have a sound understanding of "
        "the work undertaken by AHPs and third sector organisations rose from 0% to 100% (+100 points, 95% CI +66 to "
        "+100)."
    )
    assert "Open the debrief: Twelve pairs (1 more statement)" in text_of(client.get(reverse("home")))


# --- Programmes: their results across the series, one click from home ---


def test_home_links_each_programmes_results_latest_released_first(client, lead, viewer, partnership, template):
    older = ProgrammeFactory(partnership=partnership, title="Older series")
    ProgrammeRelease.objects.create(programme=older, released_at=timezone.now() - datetime.timedelta(days=30))
    latest = ProgrammeFactory(partnership=partnership, title="Latest series")
    ProgrammeRelease.objects.create(programme=latest)
    running = ProgrammeFactory(partnership=partnership, title="Running series")
    ProgrammeFactory(partnership=PartnershipFactory(), title="Elsewhere")

    for person in (viewer, lead):
        client.force_login(person)
        response = client.get(reverse("home"))

        shown = panel(response, "surveys/_home_results.html")["programmes"]
        assert [programme.title for programme in shown] == ["Latest series", "Older series", "Running series"]
        html = response.content.decode()
        for programme in (older, latest, running):
            assert reverse("surveys:programme-results", args=[programme.pk]) in html
        text = text_of(response)
        assert f"Results of Latest series · released {today():%-d %b %Y}" in text
        assert "Results of Running series · not released yet" in text
        assert "Elsewhere" not in text
        assert "All programmes" not in text


def test_home_links_at_most_five_programmes_then_all_programmes(client, viewer, partnership, template):
    for number in range(6):
        ProgrammeFactory(partnership=partnership, title=f"Series {number}")
    client.force_login(viewer)

    response = client.get(reverse("home"))

    shown = panel(response, "surveys/_home_results.html")["programmes"]
    assert [programme.title for programme in shown] == [f"Series {number}" for number in range(5)]
    assert reverse("workshops:programme-list") in response.content.decode().split('id="home-results-heading"')[1]


# --- Queries: the same number whatever the data ---

# With the person's invitations, one query; a lead's "Did it last?" questions due, one more.
HOME_QUERIES = {"lead": 16, "facilitator": 14, "viewer": 11}


@pytest.mark.parametrize("persona", list(HOME_QUERIES))
@pytest.mark.parametrize("count", [1, 3])
def test_home_query_count_does_not_grow_with_the_data(
    client, request, partnership, template, django_assert_num_queries, persona, count
):
    user = request.getfixturevalue(persona)
    fill(partnership, template, count, facilitator=user if persona == "facilitator" else None)
    client.force_login(user)

    with django_assert_num_queries(HOME_QUERIES[persona]):
        response = client.get(reverse("home"))

    shown = {panel.template: panel.context for panel in response.context["panels"]}
    if persona != "viewer":
        assert len(shown["surveys/_home_today.html"]["sessions"]) == count
        assert len(shown["surveys/_home_still_open.html"]["surveys"]) == 2 * count
    assert len(shown["surveys/_home_results.html"]["sessions"]) == count
    assert len(shown["surveys/_home_results.html"]["programmes"]) == count
