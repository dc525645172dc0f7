"""Demo improvement projects: North Ayrshire's three and Aberdeen's four locality projects (see README).

The projects, the North Ayrshire learning points and the Aberdeen topics come from the two source documents in
seeds/. Which Aberdeen locality took which problem, the partners' roles, the dates and every figure are made up
for the demo, so that each measure shows a run-chart signal. Everything goes through the services; a project
already there (same title in the same partnership) is left as it is.
"""

from datetime import date, timedelta
from decimal import Decimal

from coprod.models import Organisation, Partnership, User
from projects import services
from projects.models import Direction, PartnerRole, Stage, StarMode

NA = "North Ayrshire Health and Social Care Partnership"
ABERDEEN = "Aberdeen City Health and Social Care Partnership"
NA_SESSION = "Exploring New Ways of Working: North Ayrshire"
ABERDEEN_SESSION = "Co-production Lab 1: choosing a local challenge"
LEAD, PARTNER, SUPPORTER = PartnerRole.LEAD, PartnerRole.PARTNER, PartnerRole.SUPPORTER
DESIGN, DELIVERY = StarMode.CO_DESIGN, StarMode.CO_DELIVERY
COMMISSIONING, ASSESSMENT = StarMode.CO_COMMISSIONING, StarMode.CO_ASSESSMENT


def monthly(first, values):
    """(date, value) on the first of each month from `first`."""
    points = []
    year, month = first.year, first.month
    for value in values:
        points.append((date(year, month, 1), Decimal(value)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return points


def weekly(first, values):
    return [(first + timedelta(weeks=week), Decimal(value)) for week, value in enumerate(values)]


PROJECTS = [
    {
        "partnership": NA,
        "user": "lead",
        "session": NA_SESSION,
        "title": "Kilwinning activity info-graphic",
        "topic": "physical_activity",
        "locality": "Kilwinning",
        "aim": "By March 2019, an info-graphic of the activities that health, council, third sector and community "
        "groups offer in Kilwinning will be in every GP practice, pharmacy and community venue in the town, and "
        "at least 20 people a month will ask about an activity because of it.",
        "priorities": ["Prevention and early intervention", "Engaging communities"],
        "people_involved_count": 6,
        "people_involved_how": "Four residents and two unpaid carers chose what the info-graphic shows, tested drafts "
        "and check each new edition.",
        "modes": {
            DESIGN: "Residents and local groups decided what the info-graphic shows and where it goes.",
            DELIVERY: "The sports club and community groups hand it out at their own sessions.",
        },
        "partners": [
            ("North Ayrshire Health and Social Care Partnership", LEAD),
            ("The Ayrshire Community Trust", PARTNER),
            ("Kilwinning Community Sports Club", PARTNER),
            ("NHS Ayrshire & Arran", SUPPORTER),
            ("North Ayrshire Council", SUPPORTER),
        ],
        "started": date(2018, 1, 24),
        "stages": [
            (Stage.PLANNING, date(2018, 2, 21), ""),
            (Stage.TESTING, date(2018, 4, 11), ""),
            (Stage.IMPLEMENTING, date(2018, 9, 5), ""),
        ],
        "updates": [
            (date(2018, 3, 14), "Mapped 46 activities across 19 organisations with the community trust."),
            (date(2018, 6, 6), "First draft tested in two GP practices: people asked for a bigger map and times."),
            (date(2018, 10, 3), "Second edition out in 14 venues; the sports club prints it at cost."),
        ],
        "learning": [
            "People involved in the systems are central to identifying, developing and progressing successful "
            "and sustainable improvements."
        ],
        "cycles": [],
        "measure": {
            "name": "Enquiries about local activities prompted by the info-graphic",
            "definition": "People each month who tell a venue or group that the info-graphic sent them.",
            "unit": "people",
            "direction": Direction.HIGHER,
            "baseline": Decimal(10),
            "target": Decimal(20),
            "points": monthly(date(2018, 3, 1), [9, 12, 10, 8, 11, 13, 10, 9, 12, 11, 10, 12, 16, 18, 17, 21, 19, 22]),
        },
    },
    {
        "partnership": NA,
        "user": "lead",
        "session": NA_SESSION,
        "title": "Woodland View: from ward to community activities",
        "topic": "hospital_transition",
        "locality": "Irvine",
        "aim": "By December 2019, 40 in-patients of Woodland View will have taken part in a community activity "
        "of their choice before discharge, and half of them will still go a month after it.",
        "priorities": ["Bringing services together", "Improving mental health and wellbeing"],
        "people_involved_count": 5,
        "people_involved_how": "Five former in-patients help choose the activities and go along on first visits.",
        "modes": {
            DESIGN: "Former in-patients shaped the list of activities and how a first visit works.",
            DELIVERY: "Men's Shed members and former in-patients go with people on their first visits.",
        },
        "partners": [
            ("NHS Ayrshire & Arran", LEAD),
            ("North Ayrshire Health and Social Care Partnership", PARTNER),
            ("The Ayrshire Community Trust", PARTNER),
            ("Garnock Valley Men's Shed", SUPPORTER),
        ],
        "started": date(2018, 1, 24),
        "stages": [
            (Stage.PLANNING, date(2018, 3, 7), ""),
            (Stage.TESTING, date(2018, 5, 30), ""),
        ],
        "updates": [
            (date(2018, 5, 16), "Ward occupational therapists and the community trust agreed a referral route."),
            (date(2018, 9, 12), "Travel buddies from the Men's Shed doubled second visits."),
        ],
        "learning": ["Everyone involved in the improvement process is an equal partner."],
        "cycles": [
            {
                "title": "Accompanied first visit to a community group",
                "plan": "The ward OT offers five in-patients an accompanied first visit to a group of their choice.",
                "prediction": "Three of the five will go, and two will go back on their own.",
                "plan_date": date(2018, 6, 4),
                "do": "Four of the five went, each with a member of staff.",
                "do_date": date(2018, 6, 18),
                "study": "Three went back alone; for the fourth the bus timetable was the barrier.",
                "study_date": date(2018, 7, 2),
                "act": "Add a travel buddy from the Men's Shed for the second visit.",
                "act_decision": "adapt",
                "act_date": date(2018, 7, 9),
            }
        ],
        "measure": {
            "name": "In-patients taking part in a community activity",
            "definition": "In-patients each month who took part in a community activity before discharge.",
            "unit": "people",
            "direction": Direction.HIGHER,
            "baseline": Decimal(1),
            "target": Decimal(4),
            "points": monthly(date(2018, 5, 1), [1, 2, 1, 0, 2, 1, 2, 1, 3, 4, 5, 6, 7, 6, 8, 7, 9, 8]),
        },
    },
    {
        "partnership": NA,
        "user": "lead",
        "session": NA_SESSION,
        "title": "Inter-generational early intervention and prevention",
        "topic": "early_intervention",
        "locality": None,
        "aim": "By June 2019, older people and primary pupils will meet every month in inter-generational groups "
        "in three towns, with at least 20 older people taking part each month.",
        "priorities": ["Prevention and early intervention", "Tackling inequalities"],
        "people_involved_count": 8,
        "people_involved_how": "Older people and carers from the groups plan the sessions with the pupils.",
        "modes": {
            DESIGN: "Older people and pupils plan each term's sessions together.",
            ASSESSMENT: "Participants say at the end of each term what worked and what should change.",
        },
        "partners": [
            ("North Ayrshire Council", LEAD),
            ("North Ayrshire Health and Social Care Partnership", PARTNER),
            ("Thistle Foundation", PARTNER),
            ("The Ayrshire Community Trust", SUPPORTER),
        ],
        "started": date(2018, 1, 24),
        "stages": [
            (Stage.PLANNING, date(2018, 3, 21), ""),
            (Stage.TESTING, date(2018, 6, 6), ""),
            (Stage.IMPLEMENTING, date(2019, 1, 9), ""),
        ],
        "updates": [
            (date(2018, 6, 20), "First group in Saltcoats: 12 older people, 15 pupils, a lot of baking."),
            (date(2019, 2, 6), "Groups now in Saltcoats, Ardrossan and Stevenston."),
        ],
        "learning": [
            "Ongoing committed local leadership and support is essential for continued collaboration and "
            "sustainable improvement across the sectors."
        ],
        "cycles": [],
        "measure": {
            "name": "Older people taking part in inter-generational groups",
            "definition": "Older people at one or more group sessions in the month.",
            "unit": "people",
            "direction": Direction.HIGHER,
            "baseline": Decimal(13),
            "target": Decimal(20),
            "points": monthly(
                date(2018, 6, 1), [12, 15, 11, 14, 13, 12, 16, 14, 13, 15, 12, 14, 19, 21, 20, 22, 23, 21]
            ),
        },
    },
    {
        "partnership": ABERDEEN,
        "user": "lead-aberdeen",
        "session": ABERDEEN_SESSION,
        "title": "Living well with diabetes in North Aberdeen",
        "topic": "diabetes",
        "locality": "North",
        "aim": "By March 2019, 15 people with type 2 diabetes in the North locality will come to a peer support "
        "group each month that they run with the practice nurses.",
        "priorities": ["Prevention", "Personalisation"],
        "people_involved_count": 7,
        "people_involved_how": "Seven people living with diabetes designed the group and now co-facilitate it.",
        "modes": {
            DESIGN: "People living with diabetes designed the group with practice nurses.",
            ASSESSMENT: "Members review the group every three months and decide what to change.",
        },
        "partners": [
            ("NHS Grampian", LEAD),
            ("Aberdeen City Health and Social Care Partnership", PARTNER),
            ("Aberdeen Council of Voluntary Organisations", PARTNER),
            ("Robert Gordon University", SUPPORTER),
        ],
        "started": date(2017, 11, 9),
        "stages": [
            (Stage.PLANNING, date(2017, 12, 7), ""),
            (Stage.TESTING, date(2018, 3, 15), ""),
        ],
        "updates": [(date(2018, 4, 19), "Co-production Lab 4: the group will meet in the library, not the surgery.")],
        "learning": [],
        "cycles": [],
        "measure": {
            "name": "People attending the diabetes peer support group",
            "definition": "People with type 2 diabetes at the monthly group.",
            "unit": "people",
            "direction": Direction.HIGHER,
            "baseline": Decimal(7),
            "target": Decimal(15),
            "points": monthly(date(2018, 1, 1), [6, 8, 7, 5, 9, 7, 6, 8, 7, 9, 6, 8, 11, 12, 13, 15]),
        },
    },
    {
        "partnership": ABERDEEN,
        "user": "lead-aberdeen",
        "session": ABERDEEN_SESSION,
        "title": "Tackling loneliness in Central Aberdeen",
        "topic": "loneliness",
        "locality": "Central",
        "aim": "By December 2018, every older person referred for loneliness in the Central locality will be "
        "matched with a volunteer befriender within four weeks.",
        "priorities": ["Connections", "Communities"],
        "people_involved_count": 12,
        "people_involved_how": "Twelve volunteers, several of them once lonely themselves, befriend and recruit.",
        "modes": {
            DELIVERY: "Local volunteers do the befriending and recruit the next volunteers.",
            DESIGN: "Older people chose how a match is made and what a first visit looks like.",
        },
        "partners": [
            ("Silver City Befrienders", LEAD),
            ("Aberdeen Council of Voluntary Organisations", PARTNER),
            ("Aberdeen City Health and Social Care Partnership", PARTNER),
            ("Aberdeen City Council", SUPPORTER),
        ],
        "started": date(2017, 11, 9),
        "stages": [
            (Stage.PLANNING, date(2017, 12, 7), ""),
            (Stage.TESTING, date(2018, 1, 18), ""),
            (Stage.IMPLEMENTING, date(2018, 6, 14), ""),
        ],
        "updates": [(date(2018, 6, 14), "Referral form agreed with GP practices; matches now within three weeks.")],
        "learning": [],
        "cycles": [],
        "measure": {
            "name": "New befriending matches",
            "definition": "Older people matched with a befriender in the month.",
            "unit": "matches",
            "direction": Direction.HIGHER,
            "baseline": Decimal(3),
            "target": Decimal(8),
            "points": monthly(date(2018, 2, 1), [3, 4, 2, 5, 3, 4, 3, 2, 4, 3, 5, 4, 7, 8, 6, 9, 8, 10, 9, 11]),
        },
    },
    {
        "partnership": ABERDEEN,
        "user": "lead-aberdeen",
        "session": ABERDEEN_SESSION,
        "title": "Falls prevention in South Aberdeen",
        "topic": "falls_prevention",
        "locality": "South",
        "aim": "By December 2019, falls among people receiving care at home in the South locality will be a "
        "third lower than in 2017.",
        "priorities": ["Prevention", "Resilience"],
        "people_involved_count": 9,
        "people_involved_how": "People who had fallen and their carers run the strength and balance sessions' "
        "tea and transport, and check home-safety leaflets.",
        "modes": {
            DESIGN: "People who had fallen shaped the strength and balance classes.",
            DELIVERY: "Carers and volunteers run the transport and tea that bring people to the classes.",
            ASSESSMENT: "Class members score each term's classes and suggest changes.",
        },
        "partners": [
            ("Aberdeen City Health and Social Care Partnership", LEAD),
            ("NHS Grampian", PARTNER),
            ("Bon Accord Care", PARTNER),
            ("Governance International", SUPPORTER),
        ],
        "started": date(2017, 11, 9),
        "stages": [
            (Stage.PLANNING, date(2017, 12, 7), ""),
            (Stage.TESTING, date(2018, 3, 15), ""),
        ],
        "updates": [(date(2018, 3, 15), "First strength and balance class in sheltered housing in Torry.")],
        "learning": [],
        "cycles": [
            {
                "title": "Strength and balance class in sheltered housing",
                "plan": "A physiotherapist and two volunteers run a weekly class in one sheltered housing lounge.",
                "prediction": "Ten residents will come to most classes over six weeks.",
                "plan_date": date(2018, 3, 15),
                "do": "Eight to twelve residents came each week.",
                "do_date": date(2018, 4, 26),
                "study": "Attendance held up; two residents who had fallen twice did not fall in the six weeks.",
                "study_date": date(2018, 5, 10),
                "act": "Run it in two more sheltered housing complexes.",
                "act_decision": "adopt",
                "act_date": date(2018, 5, 17),
            }
        ],
        "measure": {
            "name": "Falls among people receiving care at home",
            "definition": "Falls reported by care-at-home staff in the South locality in the month.",
            "unit": "falls",
            "direction": Direction.LOWER,
            "baseline": Decimal(14),
            "target": Decimal(9),
            "points": monthly(
                date(2017, 9, 1), [14, 12, 15, 13, 16, 12, 14, 15, 13, 14, 16, 13, 10, 9, 11, 8, 9, 7, 8, 9, 7, 6]
            ),
        },
    },
    {
        "partnership": ABERDEEN,
        "user": "lead-aberdeen",
        "session": ABERDEEN_SESSION,
        "title": "From residential home to community centre",
        "topic": "other",
        "topic_other": "Turning a residential home into a community centre",
        "locality": "West",
        "aim": "By September 2018, local groups will use the home's lounge and garden every week, with at least "
        "ten community visits a week that residents take part in.",
        "priorities": ["Communities", "Connections"],
        "people_involved_count": 14,
        "people_involved_how": "Residents, families and neighbours sit on the group that decides what the centre "
        "offers.",
        "modes": {
            COMMISSIONING: "Residents, families and neighbours agreed what the centre should offer and to whom.",
            DESIGN: "Residents chose how the lounge and garden are opened up to local groups.",
            DELIVERY: "Neighbours and families run the garden club and the Friday café.",
        },
        "partners": [
            ("Bon Accord Care", LEAD),
            ("Aberdeen City Council", PARTNER),
            ("Aberdeen Council of Voluntary Organisations", PARTNER),
            ("Aberdeen City Health and Social Care Partnership", SUPPORTER),
        ],
        "started": date(2017, 11, 9),
        "stages": [
            (Stage.PLANNING, date(2018, 1, 18), ""),
            (Stage.TESTING, date(2018, 4, 19), ""),
            (Stage.IMPLEMENTING, date(2018, 6, 28), ""),
        ],
        "updates": [(date(2018, 6, 28), "Garden club and Friday café open to the neighbourhood.")],
        "learning": [],
        "cycles": [],
        "measure": {
            "name": "Community visits to the home",
            "definition": "Visits by local groups and neighbours in the week.",
            "unit": "visits",
            "direction": Direction.HIGHER,
            "baseline": Decimal(2),
            "target": Decimal(10),
            "points": weekly(date(2018, 4, 2), [2, 3, 1, 2, 4, 2, 3, 2, 1, 3, 2, 3, 5, 6, 8, 7, 9, 10, 12, 11]),
        },
    },
]


def _seed_project(spec, *, partnership, user):
    sessions = list(partnership.sessions.filter(title=spec["session"])[:1])
    locality = partnership.localities.filter(name=spec["locality"]).first() if spec["locality"] else None
    project = services.project_create(
        partnership=partnership,
        user=user,
        title=spec["title"],
        topic=spec["topic"],
        topic_other=spec.get("topic_other", ""),
        aim=spec["aim"],
        locality=locality,
        sessions=sessions,
        priorities=partnership.priorities.filter(title__in=spec["priorities"]),
        people_involved_count=spec["people_involved_count"],
        people_involved_how=spec["people_involved_how"],
        modes=spec["modes"],
        started_on=spec["started"],
    )
    organisations = {organisation.name: organisation for organisation in Organisation.objects.all()}
    services.project_set_partners(
        project=project,
        partners=[(organisations[name], role) for name, role in spec["partners"] if name in organisations],
    )
    for stage, day, reason in spec["stages"]:
        services.project_move_stage(project=project, to_stage=stage, date=day, user=user, reason=reason)
    for day, text in spec["updates"]:
        services.progress_update_add(project=project, author=user, date=day, text=text)
    for text in spec["learning"]:
        services.learning_point_add(project=project, author=user, text=text)
    for cycle in spec["cycles"]:
        services.pdsa_cycle_add(project=project, **cycle)
    measure_spec = dict(spec["measure"])
    points = measure_spec.pop("points")
    measure = services.measure_add(project=project, **measure_spec)
    services.data_points_add(measure=measure, points=points)
    return project


def seed(*, password, stdout):
    partnerships = {
        partnership.name: partnership for partnership in Partnership.objects.filter(name__in=[NA, ABERDEEN])
    }
    users = {user.username: user for user in User.objects.filter(username__in=["lead", "lead-aberdeen"])}
    added = 0
    for spec in PROJECTS:
        partnership = partnerships.get(spec["partnership"])
        if partnership is None or partnership.projects.filter(title__iexact=spec["title"]).exists():
            continue
        _seed_project(spec, partnership=partnership, user=users.get(spec["user"]))
        added += 1
    stdout.write(f"  Improvement projects: {added} added, {len(PROJECTS) - added} already there")
