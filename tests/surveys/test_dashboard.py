"""The dashboard: every figure on a small hand-worked data set, the disclosure rule on it, permissions, queries.

The world (threshold 5):
- Alpha, 2025-03-10, Exploring session, held: 12 attended (6 physiotherapists of the NHS, 4 third sector staff,
  2 unpaid carers of a community group); 12 answered before and after, all paired. On the first statement
  3 agreed both times, 6 came to agree, 3 disagreed both times: +50 points among 12 pairs.
- Alpha, 2026-03-10, Co-production Lab, held: 3 attended (NHS physiotherapists); 3 answered before, none after.
- Beta, 2026-05-05, Exploring session, held: 6 attended (third sector staff); 6 pairs, all came to agree.
- Alpha, a planned session and a cancelled one: never counted.
"""

import csv
import datetime
import io
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from coprod.models import Sector
from surveys import services
from surveys.models import CLOSING_GRACE, Phase
from tests.factories import AttendanceFactory, AttendeeFactory, PartnershipFactory, SessionFactory
from tests.surveys.conftest import release, submit
from workshops.models import AttendeeRole

AGREE, DISAGREE = 4, 2


def _register(session, people):
    for sector, role, count in people:
        for _ in range(count):
            attendee = AttendeeFactory(partnership=session.partnership, sector=sector, role=role)
            AttendanceFactory(session=session, attendee=attendee)


def _questionnaires(session, template, *, pairs=(), only_before=0):
    """`pairs`: (before, after) answers to every scale statement, one per person who answered both."""
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    for before, after in pairs:
        code = submit(pre, [before] * 3).response.pairing_code
        submit(post, [after] * 3, pairing_code=code)
    for _ in range(only_before):
        submit(pre, [AGREE] * 3)
    release(pre, post)


@pytest.fixture
def world(db, template):
    alpha = PartnershipFactory(name="Alpha Health and Social Care Partnership", council_area="Alpha")
    beta = PartnershipFactory(name="Beta Health and Social Care Partnership", council_area="Beta")
    a1 = SessionFactory(partnership=alpha, date=datetime.date(2025, 3, 10), kind="exploring", status="held")
    _register(
        a1,
        [
            (Sector.NHS, AttendeeRole.PHYSIOTHERAPIST, 6),
            (Sector.THIRD_SECTOR, AttendeeRole.THIRD_SECTOR_STAFF, 4),
            (Sector.COMMUNITY, AttendeeRole.UNPAID_CARER, 2),
        ],
    )
    _questionnaires(a1, template, pairs=[(AGREE, AGREE)] * 3 + [(DISAGREE, AGREE)] * 6 + [(DISAGREE, DISAGREE)] * 3)
    a2 = SessionFactory(partnership=alpha, date=datetime.date(2026, 3, 10), kind="lab", status="held")
    _register(a2, [(Sector.NHS, AttendeeRole.PHYSIOTHERAPIST, 3)])
    _questionnaires(a2, template, only_before=3)
    b1 = SessionFactory(partnership=beta, date=datetime.date(2026, 5, 5), kind="exploring", status="held")
    _register(b1, [(Sector.THIRD_SECTOR, AttendeeRole.THIRD_SECTOR_STAFF, 6)])
    _questionnaires(b1, template, pairs=[(DISAGREE, AGREE)] * 6)
    SessionFactory(partnership=alpha, date=datetime.date(2026, 9, 1), status="planned")
    cancelled = SessionFactory(partnership=alpha, date=datetime.date(2026, 4, 1), status="cancelled")
    _register(cancelled, [(Sector.NHS, AttendeeRole.PHYSIOTHERAPIST, 7)])
    return {"alpha": alpha, "beta": beta}


def _csv(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def _section(rows, section, scope, period, figure):
    return {row[4]: row[5] for row in rows if row[:4] == [section, scope, period, figure]}


def test_dashboard_csv_pins_every_activity_figure(client, alliance, world):
    client.force_login(alliance)

    rows = _csv(client.get(reverse("surveys:dashboard-csv")))

    assert rows[0] == ["section", "scope", "period", "figure", "category", "value"]
    alpha, beta = "Alpha", "Beta"  # the council areas: short enough for a table's rows
    held = "Sessions held"
    assert _section(rows, "Activity", alpha, "whole period", held) == {
        "Exploring New Ways of Working session": "1",
        "Good Conversations workshop": "0",
        "Co-production Star workshop": "0",
        "Co-production Lab": "1",
        "Other": "0",
        "All kinds": "2",
    }
    assert _section(rows, "Activity", "Scotland", "whole period", held)["All kinds"] == "3"
    places = "Places attended"
    # Alpha: 9 NHS, 4 third sector, 2 community. The 2 are withheld, and the 4 with them (else 15 - 9 - 4 = 2).
    assert _section(rows, "Activity", alpha, "whole period", places) == {
        "All": "15",
        **dict.fromkeys(Sector.labels, "0"),
        "NHS / health board": "9",
        "Third sector": "fewer than 5",
        "Community or volunteer-led group": "fewer than 5",
        "AHP professions": "9",
        "Social care staff": "0",
        "Third sector staff and volunteers": "fewer than 5",
        "People with lived experience": "0",
        "Unpaid carers": "fewer than 5",
        "Other roles": "0",
    }
    # Scotland adds up the cells shown: never Alpha's withheld 4 by difference.
    scotland = _section(rows, "Activity", "Scotland", "whole period", places)
    assert (scotland["All"], scotland["NHS / health board"], scotland["Third sector"]) == ("21", "9", "6")
    assert scotland["Community or volunteer-led group"] == "0"
    # Responses: Alpha's Lab had 3 answers before: left out of the counts and the rate before.
    assert _section(rows, "Activity", alpha, "whole period", "Responses before") == {"Counted": "12"}
    assert _section(rows, "Activity", alpha, "whole period", "Responses after") == {"Counted": "12"}
    assert _section(rows, "Activity", alpha, "whole period", "Response rate before (%)") == {"": "100"}
    assert _section(rows, "Activity", alpha, "whole period", "Response rate after (%)") == {"": "80"}  # 12 / 15
    assert _section(rows, "Activity", alpha, "whole period", "Pairing rate (%)") == {"": "100"}
    assert _section(rows, "Activity", "Scotland", "whole period", "Paired responses") == {"Counted": "18"}
    assert _section(rows, "Activity", beta, "whole period", "Places attended")["All"] == "6"
    # Over time, Scotland: 2025 is Alpha's first session; 2026 the Lab and Beta's.
    assert _section(rows, "Activity", "Scotland", "2025", held)["All kinds"] == "1"
    assert _section(rows, "Activity", "Scotland", "2026", held)["All kinds"] == "2"
    assert _section(rows, "Activity", "Scotland", "2026", places)["All"] == "9"


def test_dashboard_csv_pins_every_outcome_figure(client, alliance, world):
    client.force_login(alliance)

    rows = _csv(client.get(reverse("surveys:dashboard-csv")))

    statement = next(row[4] for row in rows if row[0] == "Outcomes" and row[4].startswith("S1 "))

    def outcome(scope, period):
        return {
            row[3]: row[5]
            for row in rows
            if row[0] == "Outcomes" and row[1:3] == [scope, period] and row[4] == statement
        }

    assert outcome("Scotland", "whole period") == {
        "Paired": "18",
        "Agreeing before, paired (%)": "16.7",
        "Agreeing after, paired (%)": "83.3",
        "Change (points)": "66.7",
        "95% CI low (points)": outcome("Scotland", "whole period")["95% CI low (points)"],
        "95% CI high (points)": outcome("Scotland", "whole period")["95% CI high (points)"],
    }
    assert outcome("Alpha", "whole period")["Change (points)"] == "50.0"
    assert outcome("Alpha", "whole period")["Paired"] == "12"
    assert outcome("Beta", "whole period")["Paired"] == "6"
    assert outcome("Scotland", "2025")["Paired"] == "12"
    assert outcome("Scotland", "2026")["Paired"] == "6"
    low, high = (
        float(outcome("Alpha", "whole period")["95% CI low (points)"]),
        float(outcome("Alpha", "whole period")["95% CI high (points)"]),
    )
    assert low < 50 < high


def test_partnership_dashboard_shows_scotland_beside_it(client, lead, partnership, world, template):
    client.force_login(lead)
    alpha = world["alpha"]

    page = client.get(reverse("surveys:partnership-dashboard", args=[partnership.pk]))
    assert page.status_code == 200
    other = client.get(reverse("surveys:partnership-dashboard", args=[alpha.pk]))
    assert other.status_code == 404
    html = page.content.decode()
    assert "with Scotland beside them as a benchmark" in html
    assert "Scotland: change (95% CI)" in html


def test_national_dashboard_is_for_alliance_staff(client, lead, partnership, world):
    client.force_login(lead)

    assert client.get(reverse("surveys:dashboard")).url == reverse(
        "surveys:partnership-dashboard", args=[partnership.pk]
    )
    assert client.get(reverse("surveys:dashboard-csv")).status_code == 403


def test_national_dashboard_page_shows_the_figures(client, alliance, world):
    client.force_login(alliance)

    html = client.get(reverse("surveys:dashboard")).content.decode()

    assert "Scotland: dashboard" in html
    assert "+50 points" in html  # Alpha, first statement
    assert "fewer than 5" in html
    assert html.count('class="forest-chart"') == 2  # at a glance, and over time


def test_national_dashboard_partnership_filter_opens_its_dashboard(client, alliance, world):
    client.force_login(alliance)
    alpha = world["alpha"]

    response = client.get(reverse("surveys:dashboard"), {"partnership": alpha.pk, "period": "quarter"})

    assert response.url == reverse("surveys:partnership-dashboard", args=[alpha.pk]) + "?period=quarter"


def test_dashboard_keeps_invalid_filters_and_shows_no_figures(client, alliance, world):
    client.force_login(alliance)

    html = client.get(reverse("surveys:dashboard"), {"date_from": "2026-05-01", "date_to": "2026-01-01"}).content
    html = html.decode()

    assert "The end of the date range must not be before its start." in html
    assert 'value="2026-05-01"' in html
    assert "Places attended" not in html


@pytest.mark.parametrize("extra", [0, 2])
def test_national_dashboard_queries_do_not_grow_with_the_data(
    client, alliance, template, world, django_assert_num_queries, extra
):
    for number in range(extra):
        other = PartnershipFactory()
        session = SessionFactory(partnership=other, status="held", date=datetime.date(2024, 6, number + 1))
        _register(session, [(Sector.NHS, AttendeeRole.DIETITIAN, 5)])
        _questionnaires(session, template, pairs=[(DISAGREE, AGREE)] * 5)
    client.force_login(alliance)

    with django_assert_num_queries(NATIONAL_QUERIES):
        client.get(reverse("surveys:dashboard"))
    with django_assert_num_queries(NATIONAL_QUERIES_CACHED):
        client.get(reverse("surveys:dashboard"))


# Built: the figures' queries, the panels' versions and the release stamp, the cache read and its writes (the
# database cache: a count, a look-up and an insert per panel). Cached: the page's own, versions, stamp, cache read.
NATIONAL_QUERIES, NATIONAL_QUERIES_CACHED = 35, 10


def test_dashboard_counts_projects_by_stage_and_mode(client, alliance, world):
    from projects.models import ProjectMode
    from tests.factories import ProjectFactory

    alpha, beta = world["alpha"], world["beta"]
    first = ProjectFactory(partnership=alpha, stage="testing")
    ProjectMode.objects.create(project=first, mode="co_design", how="Designed with carers")
    ProjectMode.objects.create(project=first, mode="co_delivery", how="Delivered by volunteers")
    ProjectFactory(partnership=alpha, stage="idea")
    ProjectFactory(partnership=beta, stage="testing")
    client.force_login(alliance)

    rows = _csv(client.get(reverse("surveys:dashboard-csv")))

    def figure(scope, name):
        return {row[4]: row[5] for row in rows if row[0] == "What came of it" and row[1] == scope and row[3] == name}

    alpha_name = "Alpha"
    assert figure(alpha_name, "Improvement projects") == {"All": "2", "Multi-agency": "0"}
    assert figure(alpha_name, "Improvement projects by stage")["Testing"] == "1"
    assert figure(alpha_name, "Improvement projects by mode") == {
        "Co-commissioning": "0",
        "Co-design": "1",
        "Co-delivery": "1",
        "Co-assessment": "0",
    }
    assert figure(alpha_name, "Projects per session held") == {"": "1.0"}  # 2 projects, 2 sessions held
    assert figure("Scotland", "Improvement projects by stage")["Testing"] == "2"
    assert figure("Scotland", "Projects per session held") == {"": "1.0"}  # 3 projects, 3 sessions


@pytest.mark.parametrize("extra", [0, 2])
def test_partnership_dashboard_queries_do_not_grow_with_the_data(
    client, lead, partnership, template, world, django_assert_num_queries, extra
):
    for number in range(1 + extra):
        session = SessionFactory(partnership=partnership, status="held", date=datetime.date(2024, 6, number + 1))
        _register(session, [(Sector.NHS, AttendeeRole.DIETITIAN, 5)])
        _questionnaires(session, template, pairs=[(DISAGREE, AGREE)] * 5)
    client.force_login(lead)

    with django_assert_num_queries(PARTNERSHIP_QUERIES):
        client.get(reverse("surveys:partnership-dashboard", args=[partnership.pk]))
    with django_assert_num_queries(PARTNERSHIP_QUERIES_CACHED):
        client.get(reverse("surveys:partnership-dashboard", args=[partnership.pk]))


PARTNERSHIP_QUERIES, PARTNERSHIP_QUERIES_CACHED = 37, 12  # one each for the role, to offer a shared link


# --- The cache: a built panel is kept until what it reads changes, or the clock releases more answers ---


def _beta_session(world):
    from workshops.models import Session

    return Session.objects.get(partnership=world["beta"])


def _mark_one_more_attended(world, template):
    from workshops import services as workshops

    attendee = AttendeeFactory(partnership=world["beta"], sector=Sector.NHS, role=AttendeeRole.DIETITIAN)
    attendance = AttendanceFactory(session=_beta_session(world), attendee=attendee, status="registered")
    workshops.attendance_mark(attendance=attendance, status="attended")


def _merge_two_at_one_session(world, template):
    """Two records of one person, both on a register: merging (bulk updates, no signals) leaves one place."""
    from workshops import services as workshops

    session = _beta_session(world)
    keep, duplicate = (AttendeeFactory(partnership=world["beta"], sector=Sector.NHS) for _ in range(2))
    AttendanceFactory(session=session, attendee=keep)
    AttendanceFactory(session=session, attendee=duplicate)
    workshops.attendee_merge(keep=keep, duplicate=duplicate)


def _bulk_register_attended(world, template):
    from workshops import services as workshops

    text = "".join(f"Person {n},,,nhs,dietitian\n" for n in range(3))
    workshops.bulk_register_save(session=_beta_session(world), text=text, status="attended")


def _change_a_sessions_kind(world, template):
    from workshops import services as workshops

    workshops.session_update(session=_beta_session(world), kind="lab")


def _rename_a_partnership(world, template):
    beta = world["beta"]
    beta.council_area = "Beta Glen"
    beta.save()


def _record_a_project(world, template):
    from tests.factories import ProjectFactory

    ProjectFactory(partnership=world["beta"], stage="testing")


@pytest.mark.parametrize(
    "change",
    [
        _mark_one_more_attended,
        _merge_two_at_one_session,
        _bulk_register_attended,
        _change_a_sessions_kind,
        _rename_a_partnership,
        _record_a_project,
    ],
)
def test_the_cached_dashboard_shows_every_change_at_once(client, alliance, world, template, change):
    client.force_login(alliance)
    url = reverse("surveys:dashboard-csv")
    first = _csv(client.get(url))  # built, and now kept
    assert _csv(client.get(url)) == first

    change(world, template)
    shown = _csv(client.get(url))
    cache.clear()
    assert shown == _csv(client.get(url))  # the same as built afresh
    assert shown != first


def test_the_dashboard_is_built_afresh_when_its_redis_cache_is_down(client, alliance, world, settings):
    url = reverse("surveys:dashboard-csv")
    client.force_login(alliance)
    expected = _csv(client.get(url))
    settings.CACHES = settings.CACHES | {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }

    assert _csv(client.get(url)) == expected


def test_the_cached_dashboard_counts_answers_the_clock_releases(client, alliance, world, template):
    """Questionnaires closed just inside the grace: nothing is written when it passes, yet their answers count."""
    session = SessionFactory(partnership=world["beta"], date=datetime.date(2026, 6, 1), status="held")
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template)
    post = services.survey_create(session=session, phase=Phase.POST, template=template)
    for _ in range(5):
        code = submit(pre, [DISAGREE] * 3).response.pairing_code
        submit(post, [AGREE] * 3, pairing_code=code)
    now = timezone.now()
    for survey in (pre, post):
        services.survey_close(survey=survey, now=now - CLOSING_GRACE + datetime.timedelta(minutes=1))
    client.force_login(alliance)
    url = reverse("surveys:dashboard-csv")
    first = _csv(client.get(url))  # built, and now kept

    with mock.patch("django.utils.timezone.now", return_value=now + datetime.timedelta(minutes=2)):
        shown = _csv(client.get(url))
        cache.clear()
        assert shown == _csv(client.get(url))
    assert _section(shown, "Activity", "Scotland", "whole period", "Paired responses") == {"Counted": "23"}
    assert _section(first, "Activity", "Scotland", "whole period", "Paired responses") == {"Counted": "18"}


def test_a_short_register_gives_no_impossible_rate(client, alliance, world, template):
    """Beta's second session: 6 pairs answered, 2 marked as attended. Not "300%": it leaves the rates."""
    session = SessionFactory(partnership=world["beta"], date=datetime.date(2026, 6, 1), kind="exploring", status="held")
    _register(session, [(Sector.NHS, AttendeeRole.DIETITIAN, 2)])
    _questionnaires(session, template, pairs=[(DISAGREE, AGREE)] * 6)
    client.force_login(alliance)

    rows = _csv(client.get(reverse("surveys:dashboard-csv")))

    # Beta's first session alone decides its response rates (6 of 6), though both sessions' answers count.
    assert _section(rows, "Activity", "Beta", "whole period", "Response rate after (%)") == {"": "100"}
    assert _section(rows, "Activity", "Beta", "whole period", "Responses after") == {"Counted": "12"}
