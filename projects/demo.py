"""Demo improvement projects: North Ayrshire's three and Aberdeen's four locality projects, and illustrative ones in
every demo partnership (see README).

The projects, the North Ayrshire learning points and the Aberdeen topics come from the two source documents in
seeds/. Which Aberdeen locality took which problem, the partners' roles, the dates and every figure are made up
for the demo, so that each measure shows a run-chart signal. Their dates move with the sessions they came from
(workshops/demo.py), and each monthly measure's points end in the anchor's month, so the charts are current.
Everything goes through the services; a project already there (same title in the same partnership) is left as it is.
"""

import random
import re
from datetime import date, timedelta
from decimal import Decimal

from coprod.models import Organisation, Partnership, User
from projects import follow_up, services
from projects.models import Direction, FollowUpOutcome, PartnerRole, Stage, StarMode, Topic
from workshops import demo as workshops_demo
from workshops.management.commands.erase_expired_attendees import months_before
from workshops.models import SessionKind, SessionStatus

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
        # On its session's "What happened next" page (surveys.demo publishes it): the other two stay with the team.
        "shown_to_attendees": True,
        "topic": "physical_activity",
        "locality": "Kilwinning",
        "aim": "By {2019-03}, an info-graphic of the activities that health, council, third sector and community "
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
        "aim": "By {2019-12}, 40 in-patients of Woodland View will have taken part in a community activity "
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
            "months_behind": 1,  # this month's figure is not in yet: the home page reminds the lead
        },
    },
    {
        "partnership": NA,
        "user": "lead",
        "session": NA_SESSION,
        "title": "Inter-generational early intervention and prevention",
        "topic": "early_intervention",
        "locality": None,
        "aim": "By {2019-06}, older people and primary pupils will meet every month in inter-generational groups "
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
        "aim": "By {2019-03}, 15 people with type 2 diabetes in the North locality will come to a peer support "
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
        "aim": "By {2018-12}, every older person referred for loneliness in the Central locality will be "
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
        "aim": "By {2019-12}, falls among people receiving care at home in the South locality will be a "
        "third lower than in {2017}.",
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
        "aim": "By {2018-09}, local groups will use the home's lounge and garden every week, with at least "
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
            "every": "week",
            "points": weekly(date(2018, 4, 2), [2, 3, 1, 2, 4, 2, 3, 2, 1, 3, 2, 3, 5, 6, 8, 7, 9, 10, 12, 11]),
        },
    },
]


# --- Illustrative projects: made-up, in every demo partnership ---

GLASGOW = "Glasgow City Health and Social Care Partnership"
EDINBURGH = "Edinburgh Health and Social Care Partnership"
FIFE = "Fife Health and Social Care Partnership"
HIGHLAND = "Highland Health and Social Care Partnership"
DUMFRIES = "Dumfries and Galloway Health and Social Care Partnership"
ILLUSTRATIVE_USERS = {NA: "lead", ABERDEEN: "lead-aberdeen"}
ILLUSTRATIVE_NOTE = "Illustrative demo project: made-up figures."
TOPICS = set(Topic.values)
PLAN, TEST, DO, KEEP, SPREAD, CLOSE = (
    Stage.PLANNING,
    Stage.TESTING,
    Stage.IMPLEMENTING,
    Stage.SUSTAINING,
    Stage.SPREAD,
    Stage.CLOSED,
)
HIGHER, LOWER = Direction.HIGHER, Direction.LOWER
# partnership, title, topic (or the "other" topic's name), locality, months before the anchor it began, the stages
# it has been through, whether its updates have stopped (more than 8 weeks ago), its aim, Star modes, partners,
# and its measure: name, unit, direction, baseline, target, and how much of the change it has seen so far.
ILLUSTRATIVE_PROJECTS = [
    (
        GLASGOW, "Walking groups for people with long-term conditions", "physical_activity", "North East", 26,
        [PLAN, TEST, DO, KEEP], False,
        "By next spring, 30 people with long-term conditions in the North East will walk with a group every month.",
        {DESIGN: "Walkers chose the routes and the pace.", DELIVERY: "Volunteer walk leaders run every walk."},
        [(GLASGOW, LEAD), ("Possilpark Community Walking Group", PARTNER),
         ("Glasgow Council for the Voluntary Sector", PARTNER), ("NHS Greater Glasgow and Clyde", SUPPORTER)],
        ("People walking with a group in the month", "people", HIGHER, 14, 30, 1.0),
    ),
    (
        GLASGOW, "Carers' voices in hospital discharge", "hospital_transition", "South", 14, [PLAN, TEST], False,
        "Within a year, seven in ten discharges of people with an unpaid carer will record what support the carer "
        "needs.",
        {COMMISSIONING: "Carers set what a good discharge must include.", DESIGN: "Carers redrafted the checklist."},
        [("NHS Greater Glasgow and Clyde", LEAD), ("Glasgow City Council", PARTNER),
         ("Glasgow Council for the Voluntary Sector", PARTNER)],
        ("Discharges where the carer was asked about support", "% of discharges", HIGHER, 35, 70, 0.6),
    ),
    (
        EDINBURGH, "Leith carers' café", "loneliness", "North East", 20, [PLAN, TEST, DO], False,
        "Within a year, 20 unpaid carers a month will come to a café run by carers, with a break for the person "
        "they care for.",
        {DELIVERY: "Carers run the café and welcome new carers.", DESIGN: "Carers chose when and where it meets."},
        [("Leith Carers' Café", LEAD), ("Edinburgh Voluntary Organisations' Council", PARTNER),
         (EDINBURGH, PARTNER)],
        ("Carers at the café in the month", "people", HIGHER, 9, 20, 1.0),
    ),
    (
        EDINBURGH, "Good conversations in care reviews", "Strength-based care reviews", "South West", 9, [PLAN], True,
        "By the end of next year, eight in ten care reviews in the South West will record what matters to the "
        "person.",
        {DESIGN: "People who use services rewrote the review form with social workers."},
        [(EDINBURGH, LEAD)],
        ("Reviews that record what matters to the person", "% of reviews", HIGHER, 40, 80, 0.0),
    ),
    (
        FIFE, "Levenmouth diabetes peer support", "diabetes", "Levenmouth", 24, [PLAN, TEST, DO, SPREAD], False,
        "Within two years, 15 people with type 2 diabetes in each of three towns will meet monthly in a peer group.",
        {DESIGN: "Members planned the group with the diabetes nurses.", DELIVERY: "Members co-facilitate.",
         ASSESSMENT: "Members review the group each quarter."},
        [("NHS Fife", LEAD), ("Levenmouth Peer Support Network", PARTNER), ("Fife Voluntary Action", SUPPORTER)],
        ("People at a peer support group in the month", "people", HIGHER, 6, 15, 1.0),
    ),
    (
        FIFE, "Strength and balance at home in Glenrothes", "falls_prevention", "Glenrothes", 30,
        [PLAN, TEST, CLOSE], False,
        "Within a year, falls among people receiving care at home in Glenrothes will fall by a third.",
        {DESIGN: "People who had fallen chose the exercises."},
        [(FIFE, LEAD), ("Kingdom Care at Home", PARTNER), ("Fife Council", SUPPORTER)],
        ("Falls among people receiving care at home", "falls", LOWER, 18, 12, 0.5),
    ),
    (
        HIGHLAND, "Community transport to day opportunities", "Community transport", "Lochaber", 28,
        [PLAN, TEST, DO, KEEP], False,
        "Within 18 months, 45 journeys a month will take people in Lochaber to day opportunities they chose.",
        {COMMISSIONING: "Users decided which routes were bought.", DESIGN: "Users planned the timetable.",
         DELIVERY: "Volunteer drivers run most journeys."},
        [("Highland Third Sector Interface", LEAD), ("NHS Highland", PARTNER), ("The Highland Council", PARTNER),
         ("Lochaber Befriending Group", PARTNER)],
        ("Journeys to day opportunities in the month", "journeys", HIGHER, 20, 45, 1.0),
    ),
    (
        HIGHLAND, "Befriending by phone", "loneliness", "Skye, Lochalsh and West Ross", 15, [PLAN, TEST, DO], False,
        "Within a year, 12 people living alone in remote townships will have a weekly call with a befriender.",
        {DELIVERY: "Volunteers, some once isolated themselves, make the calls.",
         ASSESSMENT: "People befriended say each quarter what the calls change."},
        [("Lochaber Befriending Group", LEAD), ("NHS Highland", SUPPORTER)],
        ("People befriended by phone", "people", HIGHER, 4, 12, 1.0),
    ),
    (
        DUMFRIES, "Social prescribing in Wigtownshire", "early_intervention", "Wigtownshire", 22, [PLAN, TEST], True,
        "Within a year, GP practices in Wigtownshire will refer 16 people a month to a community activity.",
        {DESIGN: "People referred helped choose the activities on offer."},
        [(DUMFRIES, LEAD), ("Third Sector Dumfries and Galloway", PARTNER), ("Stranraer Community Garden", PARTNER)],
        ("Referrals to community activities in the month", "referrals", HIGHER, 8, 16, 0.1),
    ),
    (
        DUMFRIES, "Short breaks for unpaid carers", "Short breaks for unpaid carers", "Nithsdale", 5, [], False,
        "By next summer, every unpaid carer in Nithsdale who asks for a short break will have one within a month.",
        {DESIGN: "Carers are designing what a short break can be."},
        [("Third Sector Dumfries and Galloway", LEAD), ("Dumfries and Galloway Council", PARTNER)],
        ("Carers waiting more than a month for a break", "carers", LOWER, 12, 0, 0.0),
    ),
    (
        NA, "Three Towns carers' café", "loneliness", "Three Towns", 5, [PLAN], False,
        "By next summer, 15 unpaid carers a month will meet at a café in Saltcoats that carers run.",
        {DESIGN: "Carers chose the venue, the day and what the café offers.", DELIVERY: "Carers run the café."},
        [("The Ayrshire Community Trust", LEAD), (NA, PARTNER), ("North Ayrshire Council", SUPPORTER)],
        ("Carers at the café in the month", "people", HIGHER, 5, 15, 0.3),
    ),
    (
        ABERDEEN, "Getting older people online in West Aberdeen", "Digital inclusion", "West", 11, [PLAN, TEST], False,
        "Within a year, 15 older people a month in the West locality will be helped to get online by volunteers.",
        {DESIGN: "Older people chose what to learn first.", DELIVERY: "Volunteers and grandchildren teach."},
        [("Aberdeen Council of Voluntary Organisations", LEAD), ("Aberdeen City Council", PARTNER),
         ("Silver City Befrienders", PARTNER)],
        ("Older people helped to get online in the month", "people", HIGHER, 5, 15, 0.8),
    ),
]  # fmt: skip
UPDATES = [
    "First meeting of the project group: partners, people who use services and carers agreed the aim.",
    "Tested the first change with a handful of people; the feedback changed the plan.",
    "More people involved, and a second partner organisation has joined.",
    "Figures for the last quarter shared with the partnership's strategic planning group.",
]
PHASE_REASON = "The change tested in the PDSA cycle became how the service works: a new baseline from here."
LASTED = "It runs as part of an existing service, with the same partners; the project group meets twice a year."
CLOSED_UPDATE = "Closed: what worked now runs as part of an existing service, and the project group has stood down."
ILLUSTRATIVE_CYCLE = {
    "title": "A first small test",
    "plan": "Try the change with five people for a month.",
    "prediction": "Three of the five will take part again without help.",
    "do": "Five took part; two needed transport.",
    "study": "Four came back on their own, more than predicted.",
    "act": "Run it for everyone, with transport on offer.",
    "act_decision": "adopt",
}


def _seed_illustrative(spec, *, partnership, user, anchor):
    title, topic, locality, months_ago, stages, stale, aim, modes, partners, measure = spec[1:]
    start = months_before(anchor, months_ago)
    session = (
        partnership.sessions.filter(
            notes=workshops_demo.ILLUSTRATIVE_NOTES,
            status=SessionStatus.HELD,
            kind__in=[SessionKind.EXPLORING, SessionKind.LAB],
            date__lte=start,
        )
        .order_by("-date")
        .first()
    )
    start = session.date if session else start
    last = anchor - timedelta(weeks=11 if stale else 2)  # the latest stage change or update
    rng = random.Random(f"{partnership.name} {title}")
    project = services.project_create(
        partnership=partnership,
        user=user,
        title=title,
        topic=topic if topic in TOPICS else "other",
        topic_other="" if topic in TOPICS else topic,
        aim=f"{aim} {ILLUSTRATIVE_NOTE}",
        locality=partnership.localities.filter(name=locality).first(),
        sessions=[session] if session else [],
        priorities=partnership.priorities.order_by("position")[:2],
        people_involved_count=rng.randint(3, 12),
        people_involved_how="People who use services and unpaid carers sit on the project group.",
        modes=modes,
        started_on=start,
    )
    organisations = {organisation.name: organisation for organisation in Organisation.objects.all()}
    services.project_set_partners(project=project, partners=[(organisations[name], role) for name, role in partners])
    step = (last - start) / (len(stages) + 1)
    stage_days = {stage: start + step * number for number, stage in enumerate(stages, start=1)}
    for stage, day in stage_days.items():
        services.project_move_stage(project=project, to_stage=stage, date=day, user=user)
    updates = UPDATES[: 1 + len(stages)]
    if CLOSE in stage_days:  # nothing more to say after that
        updates, last = [*updates[:-1], CLOSED_UPDATE], stage_days[CLOSE]
    for number, text in enumerate(updates, start=1):
        day = start + (last - start) * number / len(updates)
        services.progress_update_add(project=project, author=user, date=day, text=text)
    if TEST in stage_days:
        tested = stage_days[TEST]
        dates = {"plan_date": 0, "do_date": 2, "study_date": 4, "act_date": 5}  # weeks after the test began
        dates = {name: min(tested + timedelta(weeks=weeks), last) for name, weeks in dates.items()}
        services.pdsa_cycle_add(project=project, **ILLUSTRATIVE_CYCLE, **dates)

    name, unit, direction, baseline, target, progress = measure
    first = months_before(start.replace(day=1), -1)
    end = months_before(anchor.replace(day=1), 0) if CLOSE not in stage_days else stage_days[CLOSE].replace(day=1)
    count = (end.year - first.year) * 12 + end.month - first.month + 1
    change = next((stage_days[s] for s in (TEST, DO) if s in stage_days), None)
    values = []
    for month in range(count):
        day = months_before(first, -month)
        share = 0 if change is None or day < change else min(1, (day - change).days / 120) * progress
        level = baseline + (target - baseline) * share
        values.append(max(0, round(level + rng.uniform(-1, 1) * max(abs(target - baseline) * 0.15, 1))))
    added = services.measure_add(
        project=project,
        name=name,
        unit=unit,
        direction=direction,
        definition=f"Counted each month. {ILLUSTRATIVE_NOTE}",
        baseline=Decimal(baseline),
        target=Decimal(target),
    )
    points = monthly(first, values)
    services.data_points_add(measure=added, points=points)
    if change is not None:
        # The tested change became the way things are done: a new phase once it has taken full effect (the values
        # above climb for 120 days after it), given 6 values from then.
        starts_on = months_before(change.replace(day=1), -5)
        if starts_on > first and sum(1 for day, _value in points if day >= starts_on) >= 6:
            services.measure_phase_start(measure=added, user=user, starts_on=starts_on, reason=PHASE_REASON)
    if CLOSE in stage_days and follow_up.add_months(stage_days[CLOSE], 6) <= anchor:
        follow_up.follow_up_answer(project=project, due=6, outcome=FollowUpOutcome.EMBEDDED, reason=LASTED, user=user)
    return project


def story_project(spec, anchor):
    """The source's project with its dates moved as its session moved (workshops.demo.story_shift); a monthly
    measure's points end in the anchor's month (or `months_behind` months before), a weekly one's move with the rest.
    """
    shift = workshops_demo.story_shift(anchor)
    measure = dict(spec["measure"])
    points = measure.pop("points")
    if measure.pop("every", "month") == "week":
        measure["points"] = [(day + shift, value) for day, value in points]
    else:
        last = months_before(anchor.replace(day=1), measure.pop("months_behind", 0))
        measure["points"] = monthly(months_before(last, len(points) - 1), [value for _day, value in points])
    return spec | {
        "aim": _dated(spec["aim"], shift),
        "started": spec["started"] + shift,
        "stages": [(stage, day + shift, reason) for stage, day, reason in spec["stages"]],
        "updates": [(day + shift, text) for day, text in spec["updates"]],
        "cycles": [
            {name: value + shift if name.endswith("date") else value for name, value in cycle.items()}
            for cycle in spec["cycles"]
        ],
        "measure": measure,
    }


def _dated(text, shift):
    """`text` with each {2019-03} (a month) or {2017} (a year) moved by `shift` and written out."""

    def moved(match):
        year, month = int(match[1]), int(match[2] or 7)
        day = date(year, month, 15) + shift
        return f"{day:%B %Y}" if match[2] else str(day.year)

    return re.sub(r"\{(\d{4})(?:-(\d{2}))?\}", moved, text)


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
        shown_to_attendees=spec.get("shown_to_attendees", False),
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
    anchor = workshops_demo.demo_anchor()
    partnerships = {partnership.name: partnership for partnership in Partnership.objects.all()}
    users = {user.username: user for user in User.objects.filter(username__in=["lead", "lead-aberdeen"])}
    added = 0
    for spec in PROJECTS:
        partnership = partnerships.get(spec["partnership"])
        if partnership is None or partnership.projects.filter(title__iexact=spec["title"]).exists():
            continue
        _seed_project(story_project(spec, anchor), partnership=partnership, user=users.get(spec["user"]))
        added += 1
    stdout.write(f"  Improvement projects: {added} added, {len(PROJECTS) - added} already there")
    added = 0
    for spec in ILLUSTRATIVE_PROJECTS:
        partnership = partnerships.get(spec[0])
        if partnership is None or partnership.projects.filter(title__iexact=spec[1]).exists():
            continue
        user = users.get(ILLUSTRATIVE_USERS.get(spec[0]))
        _seed_illustrative(spec, partnership=partnership, user=user, anchor=anchor)
        added += 1
    if added:
        stdout.write(f"  Illustrative improvement projects (made-up figures): {added} added")
