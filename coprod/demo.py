"""Demo partnerships, organisations and one user per role (see README)."""

from base64 import b32decode

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

PARTNERSHIPS = {
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
}

ORGANISATIONS = [
    ("Health and Social Care Alliance Scotland (the ALLIANCE)", Sector.NATIONAL_BODY, True, []),
    ("Thistle Foundation", Sector.THIRD_SECTOR, True, ["North Ayrshire"]),
    ("Governance International", Sector.THIRD_SECTOR, False, ["Aberdeen City"]),
    ("NHS Ayrshire & Arran", Sector.NHS, False, ["North Ayrshire"]),
    ("NHS Grampian", Sector.NHS, False, ["Aberdeen City"]),
    ("North Ayrshire Council", Sector.LOCAL_AUTHORITY, False, ["North Ayrshire"]),
    ("Aberdeen City Council", Sector.LOCAL_AUTHORITY, False, ["Aberdeen City"]),
    ("North Ayrshire Health and Social Care Partnership", Sector.HSCP, False, ["North Ayrshire"]),
    ("Aberdeen City Health and Social Care Partnership", Sector.HSCP, False, ["Aberdeen City"]),
    ("The Ayrshire Community Trust", Sector.THIRD_SECTOR, True, ["North Ayrshire"]),
    ("Kilwinning Community Sports Club", Sector.COMMUNITY, False, ["North Ayrshire"]),
    ("Garnock Valley Men's Shed", Sector.COMMUNITY, False, ["North Ayrshire"]),
    ("Aberdeen Council of Voluntary Organisations", Sector.THIRD_SECTOR, True, ["Aberdeen City"]),
    ("Silver City Befrienders", Sector.COMMUNITY, False, ["Aberdeen City"]),
    ("Bon Accord Care", Sector.INDEPENDENT, False, ["Aberdeen City"]),
    ("Robert Gordon University", Sector.ACADEMIC, False, ["Aberdeen City"]),
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

    for username, first, last, alliance, area, role in USERS:
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        user.is_alliance_staff = alliance
        user.is_staff = user.is_superuser = alliance  # the ALLIANCE demo user can open the admin
        user.set_password(password)
        user.save()
        if area and not Membership.objects.filter(user=user, partnership=by_area[area]).exists():
            services.membership_add(
                partnership=by_area[area], email=user.email, first_name=first, last_name=last, role=role
            )
        stdout.write(f"  demo login: {username:<14} {(role.label if role else 'ALLIANCE staff')}")
        if two_factor_required(user):
            _demo_second_factor(user)
    stdout.write(
        "  second factor for ALLIANCE staff and leads: a recovery code, demo-code-01 to demo-code-10 (each works\n"
        "  once; seed_demo restores them), or the code of an authenticator app given the time-based key\n"
        f"  {DEMO_AUTHENTICATOR_KEY}"
    )


def _demo_second_factor(user):
    key = b32decode(DEMO_AUTHENTICATOR_KEY.replace(" ", "")).hex()
    TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "Authenticator app", "key": key})
    if RecoveryCode.objects.filter(device__user=user).count() < len(DEMO_RECOVERY_CODES):
        services.recovery_codes_replace(user=user, codes=DEMO_RECOVERY_CODES)
