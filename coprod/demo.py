"""Demo partnerships, organisations and one user per role (see README).

North Ayrshire and Aberdeen City tell the source documents' stories; five more real partnerships hold made-up
figures, marked as such, so that the national results have differences and trends to show.
"""

from base64 import b32decode

from django.contrib.auth.hashers import check_password, make_password
from django_otp.plugins.otp_totp.models import TOTPDevice

from coprod import services
from coprod.models import (
    ContextFigure,
    Locality,
    Membership,
    Organisation,
    Partnership,
    Priority,
    RecoveryCode,
    Role,
    Sector,
    User,
)
from coprod.permissions import two_factor_required

# The second factor of the demo users who need one (ALLIANCE staff and leads): a published authenticator key
# and recovery codes that every run of seed_demo restores. Demo only, like the demo password.
DEMO_AUTHENTICATOR_KEY = "COPR ODDE MO2F A4LE ADSA NDAL LIAN CE22"
DEMO_RECOVERY_CODES = [f"demo-code-{n:02d}" for n in range(1, services.RECOVERY_CODE_COUNT + 1)]

# Marks the partnerships whose every figure is made up for the demo (see README).
ILLUSTRATIVE_FIGURE = ("Demo data", "Illustrative figures, not real results", "CoProd demo")

PARTNERSHIPS = {
    # The two partnerships of the source documents (seeds/): their story, figures and projects are the sources'.
    "North Ayrshire Health and Social Care Partnership": {
        "council_area": "North Ayrshire",
        "localities": ["Arran", "Garnock Valley", "Irvine", "Kilwinning", "North Coast and Cumbraes", "Three Towns"],
        "priorities": [
            "Tackling inequalities",
            "Engaging communities",
            "Bringing services together",
            "Prevention and early intervention",
            "Improving mental health and wellbeing",
        ],
        "figures": [
            ("Employment deprivation", "Greater than Scotland as a whole", "ALLIANCE, Exploring New Ways of Working"),
            ("Children living in poverty", "25%", "ALLIANCE, Exploring New Ways of Working"),
            ("Projected growth of the over-75 population by 2037", "89%", "ALLIANCE, Exploring New Ways of Working"),
        ],
    },
    "Aberdeen City Health and Social Care Partnership": {
        "council_area": "Aberdeen City",
        "localities": ["Central", "North", "South", "West"],
        "priorities": [
            "Prevention",
            "Resilience",
            "Personalisation",
            "Connections",
            "Communities",
        ],
        "figures": [],
    },
    # Real partnerships and localities, so that a national dashboard has something to compare; their priorities
    # are paraphrased and everything they hold in the demo is made up, as their "Demo data" figure says.
    "Glasgow City Health and Social Care Partnership": {
        "council_area": "Glasgow City",
        "localities": ["North East", "North West", "South"],
        "priorities": [
            "Prevention, early intervention and harm reduction",
            "Supporting people in their communities",
            "Improving mental health and recovery",
        ],
        "figures": [ILLUSTRATIVE_FIGURE],
    },
    "Edinburgh Health and Social Care Partnership": {
        "council_area": "City of Edinburgh",
        "localities": ["North East", "North West", "South East", "South West"],
        "priorities": ["Prevention and early intervention", "Tackling inequalities", "Right care, right place"],
        "figures": [ILLUSTRATIVE_FIGURE],
    },
    "Fife Health and Social Care Partnership": {
        "council_area": "Fife",
        "localities": [
            "City of Dunfermline",
            "Cowdenbeath",
            "Glenrothes",
            "Kirkcaldy",
            "Levenmouth",
            "North East Fife",
            "South West Fife",
        ],
        "priorities": ["Local", "Wellbeing", "Integration"],
        "figures": [ILLUSTRATIVE_FIGURE],
    },
    # Highland has a lead agency model (NHS Highland runs adult health and social care): a partnership all the same.
    "Highland Health and Social Care Partnership": {
        "council_area": "Highland",
        "localities": ["Badenoch and Strathspey", "Caithness", "Inverness", "Lochaber", "Skye, Lochalsh and West Ross"],
        "priorities": ["Prevention and early intervention", "Supporting independence at home"],
        "figures": [ILLUSTRATIVE_FIGURE],
    },
    "Dumfries and Galloway Health and Social Care Partnership": {
        "council_area": "Dumfries and Galloway",
        "localities": ["Annandale and Eskdale", "Nithsdale", "Stewartry", "Wigtownshire"],
        "priorities": ["Prevention and early intervention", "Reducing inequalities", "Supporting unpaid carers"],
        "figures": [ILLUSTRATIVE_FIGURE],
    },
}

S = Sector
# name, sector, ALLIANCE member, council areas it works in. Health boards, councils, partnerships, third sector
# interfaces and universities are real; the small local groups of the five illustrative partnerships are made up.
ORGANISATIONS = [
    ("Health and Social Care Alliance Scotland (the ALLIANCE)", S.NATIONAL_BODY, True, []),
    ("Thistle Foundation", S.THIRD_SECTOR, True, ["North Ayrshire"]),
    ("Governance International", S.THIRD_SECTOR, False, ["Aberdeen City"]),
    ("NHS Ayrshire & Arran", S.NHS, False, ["North Ayrshire"]),
    ("NHS Grampian", S.NHS, False, ["Aberdeen City"]),
    ("North Ayrshire Council", S.LOCAL_AUTHORITY, False, ["North Ayrshire"]),
    ("Aberdeen City Council", S.LOCAL_AUTHORITY, False, ["Aberdeen City"]),
    ("North Ayrshire Health and Social Care Partnership", S.HSCP, False, ["North Ayrshire"]),
    ("Aberdeen City Health and Social Care Partnership", S.HSCP, False, ["Aberdeen City"]),
    ("The Ayrshire Community Trust", S.THIRD_SECTOR, True, ["North Ayrshire"]),
    ("Kilwinning Community Sports Club", S.COMMUNITY, False, ["North Ayrshire"]),
    ("Garnock Valley Men's Shed", S.COMMUNITY, False, ["North Ayrshire"]),
    ("Aberdeen Council of Voluntary Organisations", S.THIRD_SECTOR, True, ["Aberdeen City"]),
    ("Silver City Befrienders", S.COMMUNITY, False, ["Aberdeen City"]),
    ("Bon Accord Care", S.INDEPENDENT, False, ["Aberdeen City"]),
    ("Robert Gordon University", S.ACADEMIC, False, ["Aberdeen City"]),
    # Glasgow City
    ("NHS Greater Glasgow and Clyde", S.NHS, False, ["Glasgow City"]),
    ("Glasgow City Council", S.LOCAL_AUTHORITY, False, ["Glasgow City"]),
    ("Glasgow City Health and Social Care Partnership", S.HSCP, False, ["Glasgow City"]),
    ("Glasgow Council for the Voluntary Sector", S.THIRD_SECTOR, True, ["Glasgow City"]),
    ("Possilpark Community Walking Group", S.COMMUNITY, False, ["Glasgow City"]),
    ("Clydeside Home Support", S.INDEPENDENT, False, ["Glasgow City"]),
    ("Glasgow Caledonian University", S.ACADEMIC, False, ["Glasgow City"]),
    # Edinburgh
    ("NHS Lothian", S.NHS, False, ["City of Edinburgh"]),
    ("The City of Edinburgh Council", S.LOCAL_AUTHORITY, False, ["City of Edinburgh"]),
    ("Edinburgh Health and Social Care Partnership", S.HSCP, False, ["City of Edinburgh"]),
    ("Edinburgh Voluntary Organisations' Council", S.THIRD_SECTOR, True, ["City of Edinburgh"]),
    ("Leith Carers' Café", S.COMMUNITY, False, ["City of Edinburgh"]),
    ("Queen Margaret University", S.ACADEMIC, False, ["City of Edinburgh"]),
    # Fife
    ("NHS Fife", S.NHS, False, ["Fife"]),
    ("Fife Council", S.LOCAL_AUTHORITY, False, ["Fife"]),
    ("Fife Health and Social Care Partnership", S.HSCP, False, ["Fife"]),
    ("Fife Voluntary Action", S.THIRD_SECTOR, True, ["Fife"]),
    ("Levenmouth Peer Support Network", S.COMMUNITY, False, ["Fife"]),
    ("Kingdom Care at Home", S.INDEPENDENT, False, ["Fife"]),
    # Highland
    ("NHS Highland", S.NHS, False, ["Highland"]),
    ("The Highland Council", S.LOCAL_AUTHORITY, False, ["Highland"]),
    ("Highland Health and Social Care Partnership", S.HSCP, False, ["Highland"]),
    ("Highland Third Sector Interface", S.THIRD_SECTOR, True, ["Highland"]),
    ("Lochaber Befriending Group", S.COMMUNITY, False, ["Highland"]),
    ("University of the Highlands and Islands", S.ACADEMIC, False, ["Highland"]),
    # Dumfries and Galloway
    ("NHS Dumfries and Galloway", S.NHS, False, ["Dumfries and Galloway"]),
    ("Dumfries and Galloway Council", S.LOCAL_AUTHORITY, False, ["Dumfries and Galloway"]),
    ("Dumfries and Galloway Health and Social Care Partnership", S.HSCP, False, ["Dumfries and Galloway"]),
    ("Third Sector Dumfries and Galloway", S.THIRD_SECTOR, True, ["Dumfries and Galloway"]),
    ("Stranraer Community Garden", S.COMMUNITY, False, ["Dumfries and Galloway"]),
    ("Annandale Care at Home", S.INDEPENDENT, False, ["Dumfries and Galloway"]),
]

USERS = [
    # username, first name, last name, ALLIANCE staff, partnership (council area), role
    ("alliance", "Alex", "Morrison", True, None, None),
    ("lead", "Lorna", "McAllister", False, "North Ayrshire", Role.LEAD),
    ("lead-aberdeen", "Linda", "Smith", False, "Aberdeen City", Role.LEAD),
    ("facilitator", "Fiona", "Reid", False, "North Ayrshire", Role.FACILITATOR),
    ("viewer", "Victor", "Boyd", False, "North Ayrshire", Role.VIEWER),
]


def seed(*, password, stdout):
    by_area = {}
    for name, spec in PARTNERSHIPS.items():
        partnership, _ = Partnership.objects.get_or_create(name=name, defaults={"council_area": spec["council_area"]})
        by_area[spec["council_area"]] = partnership
        for locality in spec["localities"]:
            Locality.objects.get_or_create(partnership=partnership, name=locality)
        for position, title in enumerate(spec["priorities"], start=1):
            Priority.objects.get_or_create(partnership=partnership, title=title, defaults={"position": position})
        for label, value, source in spec["figures"]:
            ContextFigure.objects.get_or_create(
                partnership=partnership, label=label, defaults={"value": value, "source": source}
            )

    for name, sector, member, areas in ORGANISATIONS:
        organisation, _ = Organisation.objects.get_or_create(
            name=name, defaults={"sector": sector, "is_alliance_member": member}
        )
        organisation.partnerships.add(*(by_area[area] for area in areas))

    users = []
    for username, first, last, *_ in USERS:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        users.append(user)
    encoded = _demo_password(users, password)
    for user, (username, _first, _last, alliance, area, role) in zip(users, USERS, strict=True):
        # The ALLIANCE demo user can open the admin. Saved only where something differs: a second run changes nothing.
        wanted = {"password": encoded, "is_alliance_staff": alliance, "is_staff": alliance, "is_superuser": alliance}
        changed = [field for field, value in wanted.items() if getattr(user, field) != value]
        if changed:
            for field in changed:
                setattr(user, field, wanted[field])
            user.save(update_fields=changed)
        if area:  # the demo's own accounts: members at once (a lead adding an existing account invites it)
            Membership.objects.get_or_create(user=user, partnership=by_area[area], defaults={"role": role})
        stdout.write(f"  demo login: {username:<14} {(role.label if role else 'ALLIANCE staff')}")
        if two_factor_required(user):
            _demo_second_factor(user)
    stdout.write(
        "  second factor for ALLIANCE staff and leads: a recovery code, demo-code-01 to demo-code-10 (each works\n"
        "  once; seed_demo restores them), or the code of an authenticator app given the time-based key\n"
        f"  {DEMO_AUTHENTICATOR_KEY}"
    )


def _demo_password(users, password):
    """The demo password, hashed once for every demo user, and not at all if they already have it.

    Hashing is slow on purpose (about a second each): five hashes on every run would be most of the seed's time.
    """
    for encoded in {user.password for user in users}:
        if check_password(password, encoded):
            return encoded
    return make_password(password)


def _demo_second_factor(user):
    key = b32decode(DEMO_AUTHENTICATOR_KEY.replace(" ", "")).hex()
    TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "Authenticator app", "key": key})
    if RecoveryCode.objects.filter(device__user=user).count() < len(DEMO_RECOVERY_CODES):
        services.recovery_codes_replace(user=user, codes=DEMO_RECOVERY_CODES)
