"""Demo sessions, registers and Aberdeen's Co-production Star programme (see README)."""

import random
from datetime import date, time, timedelta

from coprod.models import Organisation, Partnership, Sector, User
from workshops import selectors, services
from workshops.models import Attendance, AttendanceStatus, Attendee, AttendeeRole, Programme, SessionKind, SessionStatus


def seed(*, password, stdout):
    seed_sessions(stdout=stdout)
    seed_programme(stdout=stdout)


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


def seed_sessions(*, stdout):
    """North Ayrshire's Exploring New Ways of Working session (held, 2018) and a planned follow-up."""
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
        date=date(2018, 1, 24),
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

    # Six weeks ahead of the first seeding, on a Wednesday; it stays put when the seed runs again.
    ahead = date.today() + timedelta(weeks=6)
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
        for email in NA_FOLLOW_UP:
            person = people[email]
            services.attendance_add(
                session=planned,
                name=person.name,
                email=email,
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


def seed_programme(*, stdout):
    """Aberdeen City's Co-production Star programme, 2017-18: 9 held sessions, 104 people, 22 complete."""
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

    sessions = []
    for day, kind, title, locality, venue in STAR_SESSIONS:
        session = programme.sessions.filter(title=title, date=day).first() or services.session_create(
            partnership=partnership,
            created_by=lead,
            facilitating_organisations=[organisations["Governance International"]],
            kind=kind,
            title=title,
            locality=localities[locality],
            programme=programme,
            date=day,
            start_time=time(10, 0) if kind == STAR else time(13, 30),
            end_time=time(13, 0) if kind == STAR else time(16, 30),
            venue=venue,
            aim_codesign=True,
            aim_local_projects=kind == LAB,
            status=SessionStatus.HELD,
        )
        sessions.append(session)

    rng = random.Random(2017)  # the same people and marks on every run
    known = {attendee.email: attendee for attendee in Attendee.objects.filter(partnership=partnership)}
    attendances = []
    for number in range(STAR_PEOPLE):
        first, cycle = FIRST_NAMES[number % 26], number // 26
        last = LAST_NAMES[(7 * (number % 26) + cycle) % 26]  # a different surname for each first name per cycle
        organisation, sector, role = STAR_MIX[number % len(STAR_MIX)]
        home = sorted(localities)[number % len(localities)]  # occasional visitors come to their own locality
        home_sessions = [index for index, spec in enumerate(STAR_SESSIONS) if spec[3] == home]
        marks = _star_registrations(rng, number, home_sessions)
        email = f"{first}.{last}@example.org".lower()
        attendee = known.get(email)
        if attendee is None:
            (index, status), marks = marks[0], marks[1:]
            attendee = services.attendance_add(
                session=sessions[index],
                name=f"{first} {last}",
                email=email,
                organisation=organisations[organisation] if organisation else None,
                sector=sector,
                role=role,
                status=status,
            ).attendee
        attendances += [
            Attendance(session=sessions[index], attendee=attendee, status=status) for index, status in marks
        ]
    # The rest of each person's marks in one insert; rows already there stay as they are.
    Attendance.objects.bulk_create(attendances, ignore_conflicts=True)

    grid = selectors.programme_grid(programme=programme)
    stdout.write(
        f"  {partnership.council_area}: {programme.title}, {grid.session_count} sessions, "
        f"{grid.took_part} took part, {grid.completed} completed"
    )
