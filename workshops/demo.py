"""Demo sessions, registers and programmes (see README).

The two stories of the source documents (seeds/), kept exactly: North Ayrshire's Exploring New Ways of Working
session, its register and a planned follow-up, and Aberdeen City's Co-production Star programme. Around them,
three years of illustrative sessions in seven partnerships, with made-up registers (their notes say so).

Every date hangs on an anchor, the day the demo was first loaded, so the demo is always recent and a second run,
next week or next year, finds each session where it left it and adds nothing. Registers are written for new
sessions only, never matched by email alone: a person the retention job has erased is not brought back.
"""

import csv
import functools
import io
import random
from dataclasses import dataclass
from datetime import date, time, timedelta

from django.conf import settings
from django.utils import timezone

from coprod import demo as coprod_demo
from coprod.models import Organisation, Partnership, Sector, User
from workshops import selectors, services
from workshops.management.commands.erase_expired_attendees import expired_attendees, months_before
from workshops.models import (
    Attendance,
    AttendanceStatus,
    Attendee,
    AttendeeRole,
    Programme,
    Session,
    SessionKind,
    SessionStatus,
)


def seed(*, password, stdout):
    anchor = demo_anchor()
    seed_sessions(stdout=stdout, anchor=anchor)
    seed_programme(stdout=stdout, anchor=anchor)
    seed_illustrative(stdout=stdout, anchor=anchor)


# --- When: every demo date hangs on the anchor ---

# The stories' earliest date, Aberdeen's first Star workshop, falls this many months before the anchor: inside the
# margin below, and early enough for every later date of the stories (project updates included) to be in the past.
STORY_FIRST_DAY = date(2017, 9, 14)
STORY_MONTHS_AGO = 21
# Every named attendee's last session is within the retention period (ATTENDEE_RETENTION_MONTHS) less this margin
# of the anchor, so that the daily retention job leaves the demo whole for a while after it is loaded.
RETENTION_MARGIN_MONTHS = 2


def demo_anchor():
    """The day the demo was first loaded (when North Ayrshire's story session was stored), else today."""
    session = Session.objects.filter(partnership__name=NA_PARTNERSHIP, title=NA_TITLE).order_by("pk").first()
    return timezone.localdate(session.created_at) if session else timezone.localdate()


def story_shift(anchor):
    """How far the source stories move from their real dates: whole weeks, so each date keeps its weekday."""
    target = months_before(anchor, STORY_MONTHS_AGO)
    return timedelta(weeks=-(-(target - STORY_FIRST_DAY).days // 7))


def retention_cutoff(anchor):
    """Named attendees' last sessions fall on or after this day (see RETENTION_MARGIN_MONTHS)."""
    return months_before(anchor, max(settings.ATTENDEE_RETENTION_MONTHS - RETENTION_MARGIN_MONTHS, 1))


# --- Sessions and attendance ---

NA_PARTNERSHIP = "North Ayrshire Health and Social Care Partnership"
NA_TITLE = "Exploring New Ways of Working: North Ayrshire"
NA_NOTES = (
    "The first trial of the framework, agreed between the ALLIANCE and the Scottish AHP Directors Group. "
    "The room identified three local improvement projects: an info-graphic of cross-sector activity in "
    "Kilwinning; helping in-patients of Woodland View into community activities; and an inter-generational "
    "approach to early intervention and prevention."
)
NA_NHS, NA_HSCP, NA_COUNCIL = "NHS Ayrshire & Arran", NA_PARTNERSHIP, "North Ayrshire Council"
NA_TACT, NA_THISTLE = "The Ayrshire Community Trust", "Thistle Foundation"
NA_ALLIANCE = "Health and Social Care Alliance Scotland (the ALLIANCE)"
NA_SPORTS, NA_SHED = "Kilwinning Community Sports Club", "Garnock Valley Men's Shed"
R = AttendeeRole
# (name, email, organisation, sector (blank: the organisation's), role, attended)
NA_REGISTER = [
    ("Morag Campbell", "morag.campbell@example.org", NA_NHS, "", R.PHYSIOTHERAPIST, True),
    ("Iain Kerr", "iain.kerr@example.org", NA_NHS, "", R.OCCUPATIONAL_THERAPIST, True),
    ("Shona MacLeod", "shona.macleod@example.org", NA_NHS, "", R.SPEECH_AND_LANGUAGE_THERAPIST, True),
    ("Gillian Boyle", "gillian.boyle@example.org", NA_NHS, "", R.DIETITIAN, True),
    ("Craig Hamilton", "craig.hamilton@example.org", NA_NHS, "", R.PODIATRIST, True),
    ("Heather Robertson", "heather.robertson@example.org", NA_NHS, "", R.ORTHOPTIST, True),
    ("Karen Wilson", "karen.wilson@example.org", NA_NHS, "", R.ART_THERAPIST, True),
    ("Stuart Gillespie", "stuart.gillespie@example.org", NA_NHS, "", R.PHYSIOTHERAPIST, False),
    ("Anne Cunningham", "anne.cunningham@example.org", NA_NHS, "", R.DIAGNOSTIC_RADIOGRAPHER, True),
    ("Alan Crawford", "alan.crawford@example.org", NA_NHS, "", R.PARAMEDIC, True),
    ("Elaine Jamieson", "elaine.jamieson@example.org", NA_HSCP, "", R.OCCUPATIONAL_THERAPIST, True),
    ("Lesley Thomson", "lesley.thomson@example.org", NA_HSCP, "", R.PHYSIOTHERAPIST, True),
    ("Jennifer Gray", "jennifer.gray@example.org", NA_HSCP, "", R.SPEECH_AND_LANGUAGE_THERAPIST, True),
    ("Claire Docherty", "claire.docherty@example.org", NA_HSCP, "", R.MUSIC_THERAPIST, True),
    ("David McLean", "david.mclean@example.org", NA_COUNCIL, "", R.SOCIAL_CARE_STAFF, True),
    ("Nicola Stewart", "nicola.stewart@example.org", NA_COUNCIL, "", R.SOCIAL_CARE_STAFF, False),
    ("Fiona Paterson", "fiona.paterson@example.org", NA_TACT, "", R.THIRD_SECTOR_STAFF, True),
    ("Graham Watson", "graham.watson@example.org", NA_TACT, "", R.THIRD_SECTOR_STAFF, True),
    ("Sandra Mitchell", "sandra.mitchell@example.org", NA_TACT, "", R.VOLUNTEER, True),
    ("Lorraine Fraser", "lorraine.fraser@example.org", NA_THISTLE, "", R.THIRD_SECTOR_STAFF, True),
    ("Rachel Munro", "rachel.munro@example.org", NA_ALLIANCE, "", R.THIRD_SECTOR_STAFF, True),
    ("Euan Grant", "euan.grant@example.org", NA_ALLIANCE, "", R.THIRD_SECTOR_STAFF, True),
    ("James Baird", "james.baird@example.org", NA_SPORTS, "", R.VOLUNTEER, True),
    ("Kirsty Reid", "kirsty.reid@example.org", NA_SPORTS, "", R.THIRD_SECTOR_STAFF, True),
    ("Tom Wylie", "tom.wylie@example.org", NA_SHED, "", R.VOLUNTEER, True),
    ("Billy Gemmell", "", NA_SHED, "", R.VOLUNTEER, False),
    ("Margaret Dunlop", "", "", Sector.COMMUNITY, R.LIVED_EXPERIENCE, True),
    ("Eileen Kennedy", "eileen.kennedy@example.org", "", Sector.COMMUNITY, R.LIVED_EXPERIENCE, True),
    ("John Mackay", "", "", Sector.COMMUNITY, R.UNPAID_CARER, True),
    ("Agnes Logan", "agnes.logan@example.org", NA_TACT, "", R.UNPAID_CARER, True),
    ("Ruth Galbraith", "ruth.galbraith@example.org", NA_NHS, "", R.THERAPEUTIC_RADIOGRAPHER, True),
    ("Colin Shaw", "colin.shaw@example.org", NA_NHS, "", R.PROSTHETIST, True),
    ("Donna Kelly", "donna.kelly@example.org", NA_NHS, "", R.ORTHOTIST, True),
    ("Pauline Muir", "pauline.muir@example.org", NA_HSCP, "", R.DRAMA_THERAPIST, True),
    ("Gordon Black", "gordon.black@example.org", NA_HSCP, "", R.PHYSIOTHERAPIST, True),
    ("Linda Barr", "linda.barr@example.org", NA_COUNCIL, "", R.SOCIAL_CARE_STAFF, True),
    ("Mark Sloan", "mark.sloan@example.org", NA_COUNCIL, "", R.SOCIAL_CARE_STAFF, True),
    ("Carol Murray", "carol.murray@example.org", NA_TACT, "", R.THIRD_SECTOR_STAFF, True),
    ("Steven Irvine", "steven.irvine@example.org", NA_THISTLE, "", R.THIRD_SECTOR_STAFF, True),
    ("Jean Auld", "", NA_SPORTS, "", R.VOLUNTEER, True),
    ("Hugh Dickie", "", "", Sector.COMMUNITY, R.LIVED_EXPERIENCE, True),
    ("Mary Hunter", "mary.hunter@example.org", "", Sector.COMMUNITY, R.UNPAID_CARER, True),
]
# Some of the same people have signed up for the follow-up: matched to their records by email.
NA_FOLLOW_UP = ["morag.campbell@example.org", "kirsty.reid@example.org", "tom.wylie@example.org"]


def _na_session(*, partnership, title, facilitators, **fields):
    session = partnership.sessions.filter(title=title).first()
    if session:
        return session, False
    created_by = next(iter(facilitators), None)
    session = services.session_create(
        partnership=partnership, created_by=created_by, facilitators=facilitators, title=title, **fields
    )
    return session, True


def seed_sessions(*, stdout, anchor=None):
    """North Ayrshire's Exploring New Ways of Working session (held; January 2018 in the source, moved to some 17
    months before the anchor) and a planned follow-up six weeks after the anchor."""
    anchor = anchor or demo_anchor()
    partnership = Partnership.objects.get(name=NA_PARTNERSHIP)
    organisations = {organisation.name: organisation for organisation in Organisation.objects.all()}
    localities = {locality.name: locality for locality in partnership.localities.all()}
    facilitators = list(User.objects.filter(username__in=["lead", "facilitator"], memberships__partnership=partnership))

    held, created = _na_session(
        partnership=partnership,
        title=NA_TITLE,
        facilitators=facilitators,
        kind=SessionKind.EXPLORING,
        locality=localities["Irvine"],
        date=date(2018, 1, 24) + story_shift(anchor),
        start_time=time(9, 30),
        end_time=time(15, 30),
        venue="Volunteer Rooms, High Street, Irvine",
        aim_codesign=True,
        aim_local_projects=True,
        aim_resources=True,
        aim_alliance=True,
        status=SessionStatus.HELD,
        notes=NA_NOTES,
        facilitating_organisations=[organisations[NA_ALLIANCE], organisations[NA_THISTLE]],
    )
    if created:
        for name, email, organisation, sector, role, attended in NA_REGISTER:
            services.attendance_add(
                session=held,
                name=name,
                email=email,
                organisation=organisations.get(organisation),
                sector=sector,
                role=role,
                status=AttendanceStatus.ATTENDED if attended else AttendanceStatus.ABSENT,
            )

    # Six weeks ahead of the anchor, on a Wednesday.
    ahead = anchor + timedelta(weeks=6)
    planned, created = _na_session(
        partnership=partnership,
        title="Exploring New Ways of Working: Garnock Valley follow-up",
        facilitators=facilitators,
        kind=SessionKind.EXPLORING,
        locality=localities["Garnock Valley"],
        date=ahead + timedelta(days=(2 - ahead.weekday()) % 7),
        start_time=time(10, 0),
        end_time=time(13, 0),
        venue="Garnock Campus, Glengarnock",
        aim_local_projects=True,
        aim_resources=True,
        status=SessionStatus.PLANNED,
        notes="Progress of the three improvement projects, and new partners for the Garnock Valley.",
    )
    if created:
        people = {attendee.email: attendee for attendee in Attendee.objects.filter(partnership=partnership)}
        for person in filter(None, map(people.get, NA_FOLLOW_UP)):  # none erased since, as a rule
            services.attendance_add(
                session=planned,
                name=person.name,
                email=person.email,
                organisation=person.organisation,
                sector=person.sector,
                role=person.role,
            )
    for session in (held, planned):
        registered = session.attendances.count()
        attended = session.attendances.filter(status=AttendanceStatus.ATTENDED).count()
        stdout.write(f"  {partnership.council_area}: {session}, {registered} registered, {attended} attended")


# --- Programmes and CPD certificates ---

STAR_PARTNERSHIP = "Aberdeen City Health and Social Care Partnership"
STAR_TITLE = "Co-production Star Action Learning Programme"
STAR_DESCRIPTION = (
    "Nine months of Co-production Star workshops and Co-production Labs across Aberdeen's four localities, "
    "facilitated by Governance International. Participants learn the Star's four modes (co-commissioning, "
    "co-design, co-delivery and co-assessment) and apply them to a local improvement project of their own."
)
STAR_THRESHOLD = 7
STAR_CPD_HOURS = 3
# (date, kind, title, locality, venue)
STAR, LAB = SessionKind.STAR_WORKSHOP, SessionKind.LAB
STAR_SESSIONS = [
    (date(2017, 9, 14), STAR, "Co-production Star: an introduction", "Central", "Aberdeen Town House"),
    (date(2017, 10, 12), STAR, "Co-commissioning and co-design", "North", "Dyce Community Centre"),
    (date(2017, 11, 9), LAB, "Co-production Lab 1: choosing a local challenge", "South", "Torry Community Centre"),
    (date(2017, 12, 7), STAR, "Co-delivery with communities", "West", "Cults Community Hall"),
    (date(2018, 1, 18), LAB, "Co-production Lab 2: mapping who is involved", "Central", "Aberdeen Town House"),
    (date(2018, 2, 15), STAR, "Co-assessment: learning what changed", "North", "Dyce Community Centre"),
    (date(2018, 3, 15), LAB, "Co-production Lab 3: testing small changes", "South", "Torry Community Centre"),
    (date(2018, 4, 19), LAB, "Co-production Lab 4: measuring and spreading", "West", "Cults Community Hall"),
    (date(2018, 5, 17), STAR, "Sharing the learning", "Central", "Aberdeen Town House"),
]
FIRST_NAMES = [
    "Ailsa", "Alasdair", "Bethany", "Callum", "Catriona", "Craig", "Eilidh", "Euan", "Fiona", "Fraser", "Gillian",
    "Gordon", "Heather", "Iain", "Isla", "Jamie", "Kirsty", "Lachlan", "Morag", "Murdo", "Niamh", "Rhona",
    "Ross", "Shona", "Stuart", "Wendy",
]  # fmt: skip
LAST_NAMES = [
    "Anderson", "Bain", "Cameron", "Cowie", "Davidson", "Duncan", "Ewen", "Forbes", "Gordon", "Grant", "Hay",
    "Innes", "Keith", "Leask", "Mackie", "Milne", "Munro", "Ogston", "Reid", "Ritchie", "Robertson", "Shand",
    "Simpson", "Strachan", "Thomson", "Watt",
]  # fmt: skip
# (organisation in the register or None, sector, role): the multi-agency mix of the room.
STAR_MIX = [
    ("NHS Grampian", Sector.NHS, AttendeeRole.PHYSIOTHERAPIST),
    ("Aberdeen Council of Voluntary Organisations", Sector.THIRD_SECTOR, AttendeeRole.THIRD_SECTOR_STAFF),
    ("Aberdeen City Council", Sector.LOCAL_AUTHORITY, AttendeeRole.SOCIAL_CARE_STAFF),
    ("NHS Grampian", Sector.NHS, AttendeeRole.OCCUPATIONAL_THERAPIST),
    (None, Sector.COMMUNITY, AttendeeRole.LIVED_EXPERIENCE),
    ("Silver City Befrienders", Sector.COMMUNITY, AttendeeRole.VOLUNTEER),
    ("Aberdeen City Health and Social Care Partnership", Sector.HSCP, AttendeeRole.SOCIAL_CARE_STAFF),
    ("NHS Grampian", Sector.NHS, AttendeeRole.DIETITIAN),
    ("Bon Accord Care", Sector.INDEPENDENT, AttendeeRole.SOCIAL_CARE_STAFF),
    (None, Sector.COMMUNITY, AttendeeRole.UNPAID_CARER),
    ("NHS Grampian", Sector.NHS, AttendeeRole.SPEECH_AND_LANGUAGE_THERAPIST),
    ("Aberdeen Council of Voluntary Organisations", Sector.THIRD_SECTOR, AttendeeRole.THIRD_SECTOR_STAFF),
    ("NHS Grampian", Sector.NHS, AttendeeRole.PODIATRIST),
    ("Robert Gordon University", Sector.ACADEMIC, AttendeeRole.OTHER),
]
STAR_PEOPLE = 104
STAR_CORE = 22  # the "over 20" who attended almost all of the workshops and Labs


def _star_registrations(rng, number, home_sessions):
    """(session index, status) for person `number`: a core that completes, a middle, and occasional visitors."""
    every = range(len(STAR_SESSIONS))
    if number < STAR_CORE:
        attended = rng.sample(every, len(STAR_SESSIONS) - number % 3)  # 9, 8 or 7 of 9
    elif number < STAR_CORE + 16:
        attended = rng.sample(every, rng.randint(4, STAR_THRESHOLD - 1))
    else:
        attended = rng.sample(home_sessions, 1) + rng.sample(every, rng.randint(0, 1))
    missed = [index for index in every if index not in attended]
    # Some who missed a session had registered for it: the register says "did not attend".
    absent = [index for index in missed if rng.random() < 0.15]
    marks = dict.fromkeys(attended, AttendanceStatus.ATTENDED) | dict.fromkeys(absent, AttendanceStatus.ABSENT)
    return sorted(marks.items())


def seed_programme(*, stdout, anchor=None):
    """Aberdeen City's Co-production Star programme: 9 held sessions, 104 people, 22 complete.

    September 2017 to May 2018 in the source, moved to end some 13 months before the anchor.
    """
    anchor = anchor or demo_anchor()
    shift = story_shift(anchor)
    partnership = Partnership.objects.get(name=STAR_PARTNERSHIP)
    organisations = {organisation.name: organisation for organisation in Organisation.objects.all()}
    localities = {locality.name: locality for locality in partnership.localities.all()}
    lead = User.objects.filter(username="lead-aberdeen").first()
    programme = Programme.objects.filter(partnership=partnership, title__iexact=STAR_TITLE).first()
    if programme is None:
        programme = Programme(
            partnership=partnership,
            title=STAR_TITLE,
            description=STAR_DESCRIPTION,
            facilitating_organisation=organisations["Governance International"],
            cpd_hours_per_session=STAR_CPD_HOURS,
            completion_threshold=STAR_THRESHOLD,
        )
        programme.full_clean()
        programme.save()

    sessions, new = [], set()
    for day, kind, title, locality, venue in STAR_SESSIONS:
        session = programme.sessions.filter(title=title, date=day + shift).first()
        if session is None:
            session = services.session_create(
                partnership=partnership,
                created_by=lead,
                facilitating_organisations=[organisations["Governance International"]],
                kind=kind,
                title=title,
                locality=localities[locality],
                programme=programme,
                date=day + shift,
                start_time=time(10, 0) if kind == STAR else time(13, 30),
                end_time=time(13, 0) if kind == STAR else time(16, 30),
                venue=venue,
                aim_codesign=True,
                aim_local_projects=kind == LAB,
                status=SessionStatus.HELD,
            )
            new.add(session.pk)
        sessions.append(session)

    # Each session's register as a lead would upload it, one file per session and mark (people are matched to
    # their records by email across the programme's files). Only a session made just now gets its register: an
    # existing one is left as it is, whoever has been erased from it since.
    rng = random.Random(2017)  # the same people and marks on every run
    files = {}
    for number in range(STAR_PEOPLE):
        first, cycle = FIRST_NAMES[number % 26], number // 26
        last = LAST_NAMES[(7 * (number % 26) + cycle) % 26]  # a different surname for each first name per cycle
        organisation, sector, role = STAR_MIX[number % len(STAR_MIX)]
        home = sorted(localities)[number % len(localities)]  # occasional visitors come to their own locality
        home_sessions = [index for index, spec in enumerate(STAR_SESSIONS) if spec[3] == home]
        person = (f"{first} {last}", f"{first}.{last}@example.org".lower(), organisation or "", sector, role)
        for index, status in _star_registrations(rng, number, home_sessions):
            files.setdefault((index, status), []).append(person)
    for (index, status), people in sorted(files.items()):
        if sessions[index].pk in new:
            services.bulk_register_save(session=sessions[index], text=register_csv(people), status=status)

    grid = selectors.programme_grid(programme=programme)
    stdout.write(
        f"  {partnership.council_area}: {programme.title}, {grid.session_count} sessions, "
        f"{grid.took_part} took part, {grid.completed} completed"
    )


def register_csv(people):
    """A register file as the bulk upload reads it: (name, email, organisation, sector, role) per person."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(services.BULK_COLUMNS)
    writer.writerows(people)
    return text.getvalue()


# --- Three years of illustrative sessions ---

ILLUSTRATIVE_NOTES = "Illustrative demo session: made-up figures."
GOOD, EXPLORING, OTHER = SessionKind.GOOD_CONVERSATIONS, SessionKind.EXPLORING, SessionKind.OTHER
HELD, PLANNED, CANCELLED = SessionStatus.HELD, SessionStatus.PLANNED, SessionStatus.CANCELLED
# Per kind: how often it is run, its title, times, people on the register and the framework's aims it addresses.
KINDS = {
    EXPLORING: (4, "Exploring New Ways of Working: {}", time(9, 30), time(15, 30), (18, 30), "crla"),
    GOOD: (2, "Good Conversations workshop: {}", time(9, 30), time(12, 30), (12, 22), "r"),
    STAR: (2, "Co-production Star workshop: {}", time(10, 0), time(13, 0), (12, 20), "c"),
    LAB: (2, "Co-production Lab: {}", time(13, 30), time(16, 30), (10, 18), "cl"),
    OTHER: (1, "Community-led support: {}", time(13, 30), time(16, 0), (10, 16), ""),
}
AIMS = {"c": "aim_codesign", "l": "aim_local_projects", "r": "aim_resources", "a": "aim_alliance"}

# Per partnership: sessions in each of the three years up to the anchor (more each year: the approach spreads),
# a venue per locality (None: online), the organisations that facilitate, and the demo users who do.
ILLUSTRATIVE = {
    NA_PARTNERSHIP: {
        "per_year": (4, 5, 6),
        "venues": {
            "Arran": "Brodick Hall",
            "Garnock Valley": "Garnock Campus, Glengarnock",
            "Irvine": "Volunteer Rooms, High Street, Irvine",
            "Kilwinning": "Kilwinning Community Centre",
            "North Coast and Cumbraes": "Largs Community Centre",
            "Three Towns": "Saltcoats Town Hall",
        },
        "facilitating": ["The Ayrshire Community Trust"],
        "facilitators": ["lead", "facilitator"],
    },
    STAR_PARTNERSHIP: {
        "per_year": (3, 4, 5),
        "venues": {
            "Central": "Aberdeen Town House",
            "North": "Dyce Community Centre",
            "South": "Torry Community Centre",
            "West": None,
        },
        "facilitating": ["Aberdeen Council of Voluntary Organisations"],
        "facilitators": ["lead-aberdeen"],
    },
    "Glasgow City Health and Social Care Partnership": {
        "per_year": (5, 5, 6),
        "venues": {
            "North East": "Shettleston Community Centre",
            "North West": "Maryhill Burgh Halls",
            "South": "Pollokshaws Burgh Hall",
        },
        "facilitating": ["Glasgow Council for the Voluntary Sector"],
    },
    "Edinburgh Health and Social Care Partnership": {
        "per_year": (3, 5, 5),
        "venues": {
            "North East": "Leith Community Centre",
            "North West": "Drylaw Neighbourhood Centre",
            "South East": "Gilmerton Community Centre",
            "South West": "Wester Hailes Healthy Living Centre",
        },
        "facilitating": ["Edinburgh Voluntary Organisations' Council"],
    },
    "Fife Health and Social Care Partnership": {
        "per_year": (4, 4, 5),
        "venues": {
            "City of Dunfermline": "Carnegie Library and Galleries, Dunfermline",
            "Cowdenbeath": "Lochgelly Centre",
            "Glenrothes": "Rothes Halls, Glenrothes",
            "Kirkcaldy": "Adam Smith Theatre, Kirkcaldy",
            "Levenmouth": "Methil Community Centre",
            "North East Fife": "Cupar Corn Exchange",
            "South West Fife": None,
        },
        "facilitating": ["Fife Voluntary Action"],
    },
    "Highland Health and Social Care Partnership": {
        "per_year": (3, 4, 6),
        "venues": {
            "Badenoch and Strathspey": None,
            "Caithness": "Wick Assembly Rooms",
            "Inverness": "Inverness Town House",
            "Lochaber": "Nevis Centre, Fort William",
            "Skye, Lochalsh and West Ross": None,
        },
        "facilitating": ["Highland Third Sector Interface"],
    },
    "Dumfries and Galloway Health and Social Care Partnership": {
        "per_year": (3, 4, 4),
        "venues": {
            "Annandale and Eskdale": "Lockerbie Town Hall",
            "Nithsdale": "Lochside Community Centre, Dumfries",
            "Stewartry": "Castle Douglas Town Hall",
            "Wigtownshire": None,
        },
        "facilitating": ["Third Sector Dumfries and Galloway"],
    },
}


@dataclass(frozen=True)
class PlannedSession:
    """One illustrative session: found again by partnership, title and date."""

    partnership: str
    kind: str
    locality: str
    day: date
    status: str
    register: int  # people on it
    marked: bool = True  # attendance marked, for a held session
    times: tuple = ()  # (start, end), if not the kind's usual times
    number: int = 0  # its place among the partnership's sessions

    @property
    def title(self):
        return KINDS[self.kind][1].format(self.locality)

    @property
    def seed(self):
        """What its made-up register and answers are drawn from: not its date, so that the demo tells the same
        story whenever it is loaded."""
        return f"{self.partnership} #{self.number}"


def _midweek(day, *, later=False):
    """The Tuesday to Thursday nearest to `day`, when most sessions are held, out of the festive break (before it,
    or `later`, after it)."""
    if (day.month, day.day) >= (12, 22) or (day.month, day.day) <= (1, 4):
        day = date(day.year + (day.month == 12), 1, 7) if later else date(day.year - (day.month == 1), 12, 17)
    return day + timedelta(days={0: 1, 4: -1, 5: -2, 6: 2}.get(day.weekday(), 0))


def _weekday_before(day):
    return day - timedelta(days=max(day.weekday() - 4, 0))


def illustrative_plan(anchor):
    """Every illustrative session, in date order: deterministic for a given anchor.

    Three years of held (and a few cancelled) sessions up to two weeks before the anchor, a session or two to come
    in each partnership, and around the anchor the North Ayrshire sessions that its lead and facilitator see on
    their home pages: one held ten days ago whose attendance is not marked yet, one held this week whose
    questionnaire is still open for paper forms, one today and three more in the coming weeks.
    """
    plan = []
    for name, spec in ILLUSTRATIVE.items():
        rng = random.Random(f"{name} sessions")
        days = random.Random(f"{name} days")  # apart, so that each session is the same whatever the anchor
        localities = sorted(spec["venues"])
        rng.shuffle(localities)
        kinds = [kind for kind, (weight, *_) in KINDS.items() for _ in range(weight)]
        cancelled = rng.randrange(sum(spec["per_year"]))  # one session in three years was called off
        number = 0
        for year, count in enumerate(spec["per_year"]):
            start = months_before(anchor, 36 - 12 * year)
            end = min(months_before(anchor, 24 - 12 * year), anchor - timedelta(days=16))
            slot = (end - start) / count  # one session in each slot of the year, so no two share a date
            for index in range(count):
                day = _midweek(start + slot * index + timedelta(days=days.randrange(max(slot.days - 2, 1))))
                kind = rng.choice(kinds)
                status = CANCELLED if number == cancelled else HELD
                locality, size = localities[number % len(localities)], rng.randint(*KINDS[kind][4])
                plan.append(PlannedSession(name, kind, locality, day, status, size, number=number))
                number += 1
        if name != NA_PARTNERSHIP:  # one session to come in the next seven weeks (North Ayrshire's are below)
            day = _midweek(anchor + timedelta(days=days.randint(9, 49)), later=True)
            plan.append(
                PlannedSession(name, GOOD, localities[number % len(localities)], day, PLANNED, 14, number=number)
            )
    na, weeks = NA_PARTNERSHIP, [anchor + timedelta(days=days) for days in (-10, -4, 10, 28)]
    plan += [
        PlannedSession(na, GOOD, "Irvine", _weekday_before(weeks[0]), HELD, 16, marked=False, number=100),
        PlannedSession(na, LAB, "Three Towns", _weekday_before(weeks[1]), HELD, 15, number=101),
        PlannedSession(na, GOOD, "Three Towns", anchor, PLANNED, 18, times=(time(13, 30), time(16, 30)), number=102),
        PlannedSession(na, LAB, "Kilwinning", _midweek(weeks[2], later=True), PLANNED, 12, number=103),
        PlannedSession(na, EXPLORING, "Arran", _midweek(weeks[3], later=True), PLANNED, 20, number=104),
    ]
    return sorted(plan, key=lambda planned: (planned.day, planned.partnership))


def seed_illustrative(*, stdout, anchor=None):
    """The illustrative sessions and their registers, through the services; a session already there is left as is.

    Registers of sessions older than the retention period are stored as the retention job would leave them: the
    people are added, then those whose last session is past the period (less the margin) are erased through the
    job's own selection and service, so that the job erases none of them later and every count stays.
    """
    anchor = anchor or demo_anchor()
    partnerships = {partnership.name: partnership for partnership in Partnership.objects.filter(name__in=ILLUSTRATIVE)}
    organisations = {organisation.name: organisation for organisation in Organisation.objects.all()}
    users = {user.username: user for user in User.objects.filter(username__in=["lead", "lead-aberdeen", "facilitator"])}
    existing = set(
        Session.objects.filter(partnership__in=partnerships.values()).values_list("partnership__name", "title", "date")
    )
    people = {name: _people(name) for name in partnerships}
    created = []
    for planned in illustrative_plan(anchor):
        partnership = partnerships.get(planned.partnership)
        if partnership is None or (planned.partnership, planned.title, planned.day) in existing:
            continue
        spec = ILLUSTRATIVE[planned.partnership]
        _weight, _title, start, end, _sizes, aims = KINDS[planned.kind]
        start, end = planned.times or (start, end)
        venue = spec["venues"][planned.locality]
        session = services.session_create(
            partnership=partnership,
            created_by=users.get(spec.get("facilitators", [None])[0]),
            facilitators=[users[username] for username in spec.get("facilitators", []) if username in users],
            facilitating_organisations=[organisations[name] for name in spec["facilitating"] if name in organisations],
            kind=planned.kind,
            title=planned.title,
            locality=partnership.localities.get(name=planned.locality),
            date=planned.day,
            start_time=start,
            end_time=end,
            venue=venue or "",
            is_online=venue is None,
            aims_other="Community-led support for people and carers" if planned.kind == OTHER else "",
            status=HELD if planned.status == HELD else PLANNED,
            notes=ILLUSTRATIVE_NOTES,
            **{AIMS[letter]: True for letter in aims},
        )
        _register(session, planned, people[planned.partnership])
        if planned.status == CANCELLED:  # after people had signed up
            services.session_cancel(session=session)
        created.append(session)

    cutoff = retention_cutoff(anchor)
    on_new_registers = Attendance.objects.filter(session__in=created).values("attendee_id")
    expired = list(expired_attendees(cutoff=cutoff).filter(pk__in=on_new_registers))
    for attendee in expired:
        services.attendee_erase(attendee=attendee)
    if created:
        years = sorted({session.date.year for session in created})
        stdout.write(
            f"  Illustrative sessions (made-up figures): {len(created)} in {len({s.partnership_id for s in created})} "
            f"partnerships, {years[0]} to {years[-1]}; {len(expired)} attendees last seen before {cutoff:%-d %b %Y} "
            "erased, as the retention job would leave them"
        )


# (sector, share of a partnership's regular attendees, roles): who comes to the sessions.
AHPS = [
    R.PHYSIOTHERAPIST, R.OCCUPATIONAL_THERAPIST, R.SPEECH_AND_LANGUAGE_THERAPIST, R.DIETITIAN, R.PODIATRIST,
    R.PARAMEDIC, R.ORTHOPTIST, R.DIAGNOSTIC_RADIOGRAPHER, R.ART_THERAPIST, R.MUSIC_THERAPIST, R.PROSTHETIST,
]  # fmt: skip
MIX = [
    (Sector.NHS, 30, AHPS),
    (Sector.HSCP, 14, [R.OCCUPATIONAL_THERAPIST, R.PHYSIOTHERAPIST, R.SOCIAL_CARE_STAFF]),
    (Sector.LOCAL_AUTHORITY, 10, [R.SOCIAL_CARE_STAFF]),
    (Sector.THIRD_SECTOR, 22, [R.THIRD_SECTOR_STAFF, R.THIRD_SECTOR_STAFF, R.VOLUNTEER, R.UNPAID_CARER]),
    (Sector.COMMUNITY, 12, [R.VOLUNTEER, R.LIVED_EXPERIENCE]),
    (Sector.INDEPENDENT, 7, [R.SOCIAL_CARE_STAFF]),
    (Sector.ACADEMIC, 3, [R.OTHER]),
    (Sector.NATIONAL_BODY, 2, [R.THIRD_SECTOR_STAFF]),
]
MORE_FIRST_NAMES = [
    "Aileen", "Andrew", "Brian", "Carol", "Colin", "Donna", "Douglas", "Elaine", "Graeme", "Hazel", "Ian", "Janet",
    "Kenneth", "Laura", "Lynn", "Moira", "Neil", "Paul", "Sheena", "Yvonne",
]  # fmt: skip
MORE_LAST_NAMES = [
    "Allan", "Boyd", "Brown", "Burns", "Clark", "Dunn", "Ferguson", "Fleming", "Hughes", "Johnstone", "Kerr",
    "McDonald", "McGregor", "McKay", "Martin", "Miller", "Paterson", "Scott", "Sinclair", "Wallace",
]  # fmt: skip
POOL_SIZE = 70  # a partnership's regular attendees
REGULARS = 12  # of whom these come most often


@functools.cache
def _illustrative_names():
    """Names that none of the stories' people has, in order: the Star programme's are FIRST_NAMES with LAST_NAMES."""
    names = {f"{first} {last}" for first in MORE_FIRST_NAMES for last in LAST_NAMES + MORE_LAST_NAMES}
    names |= {f"{first} {last}" for first in FIRST_NAMES for last in MORE_LAST_NAMES}
    return sorted(names - {person[0] for person in NA_REGISTER})


def _people(partnership_name):
    """A partnership's pool of (name, email, organisation, sector, role): the same on every run."""
    rng = random.Random(f"{partnership_name} people")
    area = coprod_demo.PARTNERSHIPS[partnership_name]["council_area"]
    by_sector = {}
    for name, sector, _member, areas in coprod_demo.ORGANISATIONS:
        if area in areas or sector == Sector.NATIONAL_BODY:
            by_sector.setdefault(sector, []).append(name)
    mix = [(sector, weight, roles) for sector, weight, roles in MIX if sector in by_sector]
    domain = area.lower().replace(" ", "-") + ".example.org"
    names = rng.sample(_illustrative_names(), POOL_SIZE)
    pool = []
    for name in names:
        (sector, _weight, roles), *_ = rng.choices(mix, weights=[weight for _, weight, _ in mix])
        email = f"{name.replace(' ', '.').lower()}@{domain}"
        pool.append((name, email, rng.choice(by_sector[sector]), sector, rng.choice(roles)))
    return pool


def _register(session, planned, pool):
    """The session's register through the bulk upload: a few regulars, others from the pool, and people with lived
    experience and unpaid carers who come without an email (so a record of their own each time)."""
    rng = random.Random(f"{planned.seed} register")
    walk_ins = rng.randint(1, 4)
    regulars = min(rng.randint(2, 5), planned.register - walk_ins)
    people = rng.sample(pool[:REGULARS], regulars) + rng.sample(pool[REGULARS:], planned.register - walk_ins - regulars)
    names, taken = _illustrative_names(), {person[0] for person in pool}
    for _ in range(walk_ins):
        name = rng.choice(names)
        if name not in taken:
            taken.add(name)
            people.append((name, "", "", Sector.COMMUNITY, rng.choice([R.LIVED_EXPERIENCE, R.UNPAID_CARER])))
    if planned.status != HELD or not planned.marked:
        services.bulk_register_save(session=session, text=register_csv(people))
        return
    absent = [person for person in people if rng.random() < 0.12]
    attended = [person for person in people if person not in absent]
    services.bulk_register_save(session=session, text=register_csv(attended), status=AttendanceStatus.ATTENDED)
    if absent:
        services.bulk_register_save(session=session, text=register_csv(absent), status=AttendanceStatus.ABSENT)
