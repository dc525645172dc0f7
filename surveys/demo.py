"""Demo answers for North Ayrshire's Exploring New Ways of Working session (see README).

34 attendees answer before and after (paired by their codes), 5 only before and 5 only after (so that pooled
figures keep this session's answers as well as its pairs: see surveys/results/pooling.py on small numbers). The change
follows what the source reports for that session (understanding of AHPs' and the third sector's work from
about 29% to 79% agreeing; resources about +45 points; self-management about +30 points), now with the
n's behind it. Seeded random numbers: the same answers every time; stored through the services, and only
once (a session whose surveys already have responses is left as it is).

Aberdeen City's Co-production Star programme (workshops/demo.py) asks the Co-production Star questionnaire at each
of its nine sessions: made-up answers from those its registers say came, each with one code for the whole series,
whose agreement grows a little at each session they come to, more on co-design and co-delivery than on
co-commissioning, and not for everyone.

Then made-up answers for the illustrative sessions of workshops/demo.py, whose effect differs by partnership and
grows over the three years, and the open questionnaires of the sessions to come.
"""

import datetime
import os
import random
import uuid
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from coprod.disclosure import threshold
from coprod.models import User
from surveys import services
from surveys.models import (
    PAIRING_ALPHABET,
    PAIRING_CODE_LENGTH,
    Phase,
    ProgrammeRelease,
    QuestionnaireTemplate,
    Response,
    Source,
    Survey,
)
from workshops import demo as workshops_demo
from workshops.management.commands.erase_expired_attendees import months_before
from workshops.models import Attendance, AttendanceStatus, Programme, Session, SessionKind, SessionStatus

SESSION_TITLE = "Exploring New Ways of Working: North Ayrshire"
UPCOMING_TITLE = "Exploring New Ways of Working: Garnock Valley follow-up"
TEMPLATE_TITLE = "Exploring New Ways of Working"
PAIRED, PRE_ONLY, POST_ONLY = 34, 5, 5
KEYS = uuid.UUID("5b0c4a52-2b57-4f51-9a0c-6f6d0e1c2018")

# Per scale statement, in the template's order: how many of the 34 paired attendees agree before and after.
AGREE_PAIRED = [
    (10, 27),  # sound understanding of AHPs' and third sector work: 29% -> 79%
    (12, 27),  # aware of local and national resources: 35% -> 79% (+44 points)
    (15, 25),  # confident with a self-management approach: 44% -> 74% (+29 points)
    (13, 24),  # knows whom to contact in the third sector
    (24, 29),  # sees people who use services as equal partners
    (9, 26),  # aware of the ALLIANCE and its self-management resources
]
DONT_KNOW_BEFORE = {3: 2, 5: 3}  # statement index -> "Don't know" answers before the session

WRITTEN = [
    "Phone the Ayrshire Community Trust before I refer someone on, to see what is already out there.",
    "Use the ALLIANCE's self-management resources with the people on my caseload.",
    "Ask people what matters to them at the first appointment, not just what is the matter with them.",
    "Invite a third sector colleague to our team meeting every month.",
    "Find out which community groups meet in Kilwinning and share the list with the team.",
    "Keep working with the group on the cross-sector info-graphic.",
    "Talk to carers earlier about what support they already have.",
    "Try a good conversation approach in my next reviews.",
]
MORE = ["More time for the local projects, please.", "Great to meet people from other sectors."]


def seed(*, password, stdout):
    session = Session.objects.filter(title=SESSION_TITLE).first()
    template = QuestionnaireTemplate.objects.filter(partnership=None, title=TEMPLATE_TITLE).first()
    _seed_star_programme(stdout)
    if template is not None:
        _seed_upcoming(template, stdout)
        _seed_illustrative(template, stdout)
    if session is None or template is None:
        return
    if Response.objects.filter(survey__session=session).exists():
        stdout.write("  Questionnaires: North Ayrshire's answers already there")
        return
    pre, post = _surveys(session, template)
    rng = random.Random(2018)
    before, after = _answers(rng)

    pre_scale_ids = [i.statement_id for i in pre.items.select_related("statement") if i.statement.is_scale]
    post_items = list(post.items.select_related("statement"))
    post_scale_ids = [i.statement_id for i in post_items if i.statement.is_scale]
    post_text_ids = [i.statement_id for i in post_items if not i.statement.is_scale]
    start = _moment(session.date, session.start_time)
    end = _moment(session.date, session.end_time)

    codes = []
    for person in range(PAIRED + PRE_ONLY):
        answers = dict(zip(pre_scale_ids, before[person], strict=True))
        paper = person == PAIRED + PRE_ONLY - 1  # one latecomer filled in a paper form
        submitted = services.response_submit(
            survey=pre,
            submission_key=uuid.uuid5(KEYS, f"pre-{person}"),
            answers=answers,
            source=Source.PAPER if paper else Source.ONLINE,
            now=start - datetime.timedelta(minutes=20) + datetime.timedelta(seconds=30 * person),
        )
        codes.append(submitted.response.pairing_code)

    for person in range(PAIRED + POST_ONLY):
        answers = dict(zip(post_scale_ids, after[person], strict=True))
        if person < len(WRITTEN):
            answers[post_text_ids[0]] = WRITTEN[person]
        if person in (3, 11):
            answers[post_text_ids[1]] = MORE[person % 2]
        services.response_submit(
            survey=post,
            submission_key=uuid.uuid5(KEYS, f"post-{person}"),
            answers=answers,
            pairing_code=codes[person] if person < PAIRED else "",
            now=end + datetime.timedelta(seconds=30 * person),
        )
    stdout.write(
        f"  Questionnaires: North Ayrshire's answers, {PAIRED} paired, {PRE_ONLY} before only, {POST_ONLY} after only"
    )
    _publish_what_happened_next(session, stdout)


def _publish_what_happened_next(session, stdout):
    """North Ayrshire's lead publishes "What happened next" at the session's questionnaire addresses (one of its
    projects is shown there: projects.demo). Once, with the answers: a demo run again leaves an unpublished page be."""
    try:
        services.what_happened_next_publish(session=session, user=User.objects.filter(username="lead").first())
    except ValidationError:  # its questionnaires are not released yet
        return
    stdout.write("  What happened next: published at North Ayrshire's questionnaire addresses")


def _moment(day, time):
    return datetime.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


def _surveys(session, template):
    existing = {survey.phase: survey for survey in Survey.objects.filter(session=session)}
    start = _moment(session.date, session.start_time)
    end = _moment(session.date, session.end_time)
    windows = {
        Phase.PRE: (start - datetime.timedelta(days=7), start + datetime.timedelta(hours=1)),
        Phase.POST: (end - datetime.timedelta(hours=1), end + datetime.timedelta(days=7)),
    }
    surveys = []
    for phase in (Phase.PRE, Phase.POST):
        opens_at, closes_at = windows[phase]
        survey = existing.get(phase) or services.survey_create(
            session=session,
            phase=phase,
            template=template,
            opens_at=opens_at,
            closes_at=closes_at,
            now=windows[Phase.PRE][0],
        )
        surveys.append(survey)
    return surveys


def _seed_upcoming(template, stdout):
    """The upcoming session's questionnaires, the one before open now: the demo's attendee form to try."""
    session = Session.objects.filter(title=UPCOMING_TITLE).first()
    if session is None:
        return
    pre = Survey.objects.filter(session=session, phase=Phase.PRE).first()
    if pre is not None:
        _say_where(pre, stdout)
        return
    start = _moment(session.date, session.start_time)
    end = _moment(session.date, session.end_time)
    pre = services.survey_create(
        session=session, phase=Phase.PRE, template=template, opens_at=timezone.now(), closes_at=start
    )
    services.survey_create(
        session=session,
        phase=Phase.POST,
        template=template,
        opens_at=end - datetime.timedelta(hours=1),
        closes_at=end + datetime.timedelta(days=7),
    )
    _say_where(pre, stdout)


def _say_where(survey, stdout):
    """The attendee's full address, to open in a browser: `make run` passes the address it serves at."""
    if survey.state() != "open":
        return
    site = os.environ.get("DEMO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    stdout.write(f"  Questionnaires: the Garnock Valley follow-up's is open now at {site}{survey.get_public_url()}")


def _answers(rng, *, paired=PAIRED, pre_only=PRE_ONLY, post_only=POST_ONLY, agree=AGREE_PAIRED, dont_know=None):
    """(before, after): per person, one value per scale statement (1-5, None for Don't know).

    The first `paired` people answer both; `agree` gives, per statement, how many of them agree before and after.
    """
    dont_know = DONT_KNOW_BEFORE if dont_know is None else dont_know
    people_before = paired + pre_only
    people_after = paired + post_only
    before = [[None] * len(agree) for _ in range(people_before)]
    after = [[None] * len(agree) for _ in range(people_after)]
    for index, (agree_pre, agree_post) in enumerate(agree):
        both = list(range(paired))
        agreed_before = set(rng.sample(both, agree_pre))
        # Most who agreed before still agree after; one changes their mind; the rest of the rise is new.
        stays = set(rng.sample(sorted(agreed_before), min(agree_pre - 1, agree_post)))
        newly = set(rng.sample([p for p in both if p not in stays], agree_post - len(stays)))
        agreed_after = stays | newly
        unsure = set(rng.sample([p for p in both if p not in agreed_before], dont_know.get(index, 0)))
        for person in both:
            before[person][index] = None if person in unsure else _value(rng, person in agreed_before, True)
            after[person][index] = _value(rng, person in agreed_after, False)
        for person in range(paired, people_before):
            before[person][index] = _value(rng, rng.random() < agree_pre / paired, True)
        for person in range(paired, people_after):
            after[person][index] = _value(rng, rng.random() < agree_post / paired, False)
    return before, after


def _value(rng, agrees, before):
    if agrees:
        return rng.choice([4, 4, 4, 5] if before else [4, 4, 5, 5])
    return rng.choice([1, 2, 2, 3, 3, 3] if before else [2, 3, 3, 3])


# --- Aberdeen City's Co-production Star programme (workshops/demo.py): the Star questionnaire, a code per person ---

STAR_TEMPLATE_TITLE = "Co-production Star"
# Per scale statement of the Star questionnaire, in its order: where people start (a point on the 1-5 scale) and
# how far one session moves someone who takes it in. Co-design and co-delivery, which the workshops and Labs
# practise, move most; co-commissioning, which staff seldom get to share with the people they serve, least; the
# resources of people and communities, the change Aberdeen's story names, in between.
STAR_SHAPE = [
    (3.1, 0.20),  # understands what co-production means
    (2.8, 0.07),  # co-commissioning
    (2.9, 0.30),  # co-design
    (2.9, 0.27),  # co-delivery
    (2.8, 0.15),  # co-assessment
    (3.0, 0.22),  # looks for the skills and strengths of people who use services
    (3.1, 0.10),  # knows local groups, places and people
    (3.3, 0.18),  # ready to try co-production
]
STAR_LEARNING_KEPT = 0.8  # each session adds this much less than the one before: the first teaches most
STAR_GLOW = 0.15  # at the end of a session, people feel surer than they will be by the next one
# People differ (points on the scale): overall, on each statement, and a little from one form to the next.
STAR_SPREAD_PERSON, STAR_SPREAD_STATEMENT, STAR_SPREAD_ANSWER = 0.4, 0.5, 0.3
# How much of each session people take in: some leave no different (0), most as expected (1), a few more (1.5).
STAR_TAKE_IN = [0, 0.5, 1, 1, 1, 1.5]
# The chance of "Don't know" before a first session: co-commissioning and co-assessment are the unfamiliar words.
# Halved at each session someone has been to; after a session, a quarter of that.
STAR_DONT_KNOW = [0.02, 0.2, 0.04, 0.04, 0.14, 0.02, 0.08, 0.03]
STAR_ANSWER_BEFORE = 0.9  # of those who came, the share who filled in the form before
STAR_LEFT_EARLY = (5, 7)  # of whom, at each session, this many left before the form after
STAR_WRITTEN = [
    "Ask the people who use our service to help plan the next change, not just comment on it.",
    "Find out what the community centre already runs before we set up something new.",
    "Invite a carer onto our working group.",
    "Start each review by asking what the person can do and wants to do.",
    "Ask people who use the service to help choose how we measure whether it works.",
    "Share the map of local groups from today with my team.",
    "Talk to the volunteers' group about running the walking group with us.",
]


@dataclass(eq=False)
class _StarPerson:
    """One person of the programme, as the demo makes up their answers: never stored with them."""

    code: str  # the pairing code on the card they keep for the whole programme
    leaning: list  # per statement, how far above or below its usual starting point they are
    take_in: float  # how much of each session's learning they keep
    sessions: int = 0  # sessions of the programme attended so far

    @classmethod
    def new(cls, rng, code):
        start = rng.gauss(0, STAR_SPREAD_PERSON)
        return cls(code, [start + rng.gauss(0, STAR_SPREAD_STATEMENT) for _ in STAR_SHAPE], rng.choice(STAR_TAKE_IN))

    def value(self, rng, statement, sessions, *, after=False):
        """An answer on the scale after `sessions` sessions (and `after` one): learning adds up, each session a
        little less, and some of the glow of the day is gone by the next."""
        base, gain = STAR_SHAPE[statement]
        learnt = gain * self.take_in * sum(STAR_LEARNING_KEPT**number for number in range(sessions))
        glow = STAR_GLOW * self.take_in if after else 0
        answer = base + self.leaning[statement] + learnt + glow + rng.gauss(0, STAR_SPREAD_ANSWER)
        return min(max(round(answer), 1), 5)


def _seed_star_programme(stdout):
    """Aberdeen City's programme: each session's questionnaires before and after from the Co-production Star
    template, answered on paper by people its register says came.

    Each person writes the same code, from a card they keep, on every form of the series: so a session pairs their
    answers after with their answers before as usual, and the programme follows them across its sessions.
    Once: a programme whose sessions have questionnaires is left as it is.
    """
    template = QuestionnaireTemplate.objects.filter(partnership=None, title=STAR_TEMPLATE_TITLE).first()
    programme = Programme.objects.filter(
        partnership__name=workshops_demo.STAR_PARTNERSHIP, title=workshops_demo.STAR_TITLE
    ).first()
    if template is None or programme is None or Survey.objects.filter(session__programme=programme).exists():
        return
    sessions = list(programme.sessions.order_by("date", "pk"))
    came = _star_attendees(sessions)
    rng = random.Random(2017)
    people, codes, answered = {}, set(), Counter()
    for number, session in enumerate(sessions):
        for attendee_id in came[session.pk]:
            if attendee_id not in people:
                people[attendee_id] = _StarPerson.new(rng, _new_code(rng, codes))
        group = [people[attendee_id] for attendee_id in came[session.pk]]
        before, after, values = _star_answers(group, rng)
        _answer_star_session(session, number, template, before, after, values, rng)
        answered.update(person.code for person in before)
        for person in group:
            person.sessions += 1
    # The series is over: its lead has released the programme's results (surveys.results.programme).
    ProgrammeRelease.objects.get_or_create(programme=programme)
    stdout.write(
        f"  Questionnaires: Aberdeen City's {programme.title}, {len(sessions)} sessions on the {template.title} "
        f"questionnaire: {len(answered)} people answered with one code for the whole programme, "
        f"{sum(count >= 6 for count in answered.values())} of them at 6 or more sessions"
    )


def _star_attendees(sessions):
    """{session id: [attendee id]}: who came to each session, by the register, in a fixed order."""
    came = {session.pk: [] for session in sessions}
    attended = Attendance.objects.filter(session__in=sessions, status=AttendanceStatus.ATTENDED)
    for session_id, attendee_id in attended.order_by("attendee_id").values_list("session_id", "attendee_id"):
        came[session_id].append(attendee_id)
    return came


def _new_code(rng, taken):
    while True:
        code = "".join(rng.choice(PAIRING_ALPHABET) for _ in range(PAIRING_CODE_LENGTH))
        if code not in taken:
            taken.add(code)
            return code


def _star_answers(came, rng):
    """(before, after, values) of one session from those who came (_StarPerson): who answered before, who after
    (most of them: a few left early), and {phase: {code: [value per statement]}}, None for "Don't know".
    """
    before = [person for person in came if rng.random() < STAR_ANSWER_BEFORE]
    # 5 or more: pooled figures count the answers before in full only if those outside the pairs are none or 5+.
    left_early = rng.sample(before, rng.randint(*STAR_LEFT_EARLY))
    after = [person for person in before if person not in left_early]
    statements = range(len(STAR_SHAPE))
    values = {
        Phase.PRE: {person.code: [person.value(rng, s, person.sessions) for s in statements] for person in before},
        Phase.POST: {
            person.code: [person.value(rng, s, person.sessions + 1, after=True) for s in statements] for person in after
        },
    }
    unsure = [
        (phase, person.code, s)
        for phase, group, share in ((Phase.PRE, before, 1), (Phase.POST, after, 0.25))
        for person in group
        for s in statements
        if rng.random() < STAR_DONT_KNOW[s] * share * 0.5**person.sessions
    ]
    for phase, code, s in _unsure_kept(values, unsure):
        values[phase][code][s] = None
    return before, after, values


def _unsure_kept(values, unsure):
    """The "Don't know" answers to keep of `unsure` [(phase, code, statement)], the first dropped until, per
    statement, those outside the session's pairs are none or 5 or more, on the scale and with "Don't know": so that
    its results show every answer rather than hold some back (surveys/results/pooling.py)."""
    kept = list(unsure)
    for s in {statement for _, _, statement in unsure}:
        while not _outside_pairs_shown(values, kept, s):
            kept.remove(next(answer for answer in kept if answer[2] == s))
    return kept


def _outside_pairs_shown(values, unsure, s):
    dont_know = {(phase, code) for phase, code, statement in unsure if statement == s}
    both = values[Phase.PRE].keys() & values[Phase.POST].keys()
    pairs = sum(1 for code in both if (Phase.PRE, code) not in dont_know and (Phase.POST, code) not in dont_know)
    for phase in (Phase.PRE, Phase.POST):
        on_scale = sum(1 for code in values[phase] if (phase, code) not in dont_know)
        outside = on_scale - pairs
        if any(0 < count < threshold() for count in (outside, outside + len(values[phase]) - on_scale)):
            return False
    return True


def _answer_star_session(session, number, template, before, after, values, rng):
    """Store one session's answers (_star_answers), on paper forms, through the services."""
    pre, post = _surveys(session, template)
    pre_ids = [i.statement_id for i in pre.items.select_related("statement") if i.statement.is_scale]
    post_items = list(post.items.select_related("statement"))
    post_ids = [i.statement_id for i in post_items if i.statement.is_scale]
    text_id = next(i.statement_id for i in post_items if not i.statement.is_scale)
    start, end = _moment(session.date, session.start_time), _moment(session.date, session.end_time)
    for index, person in enumerate(before):
        services.response_submit(
            survey=pre,
            submission_key=uuid.uuid5(KEYS, f"star {number} pre {index}"),
            answers=dict(zip(pre_ids, values[Phase.PRE][person.code], strict=True)),
            source=Source.PAPER,
            pairing_code=person.code,
            now=start,
        )
    for index, person in enumerate(after):
        answers = dict(zip(post_ids, values[Phase.POST][person.code], strict=True))
        if rng.random() < 0.2:  # one in five writes something
            answers[text_id] = rng.choice(STAR_WRITTEN)
        services.response_submit(
            survey=post,
            submission_key=uuid.uuid5(KEYS, f"star {number} post {index}"),
            answers=answers,
            source=Source.PAPER,
            pairing_code=person.code,
            now=end,
        )


# --- Illustrative sessions (workshops/demo.py): made-up answers ---

# Per partnership: the share of paired attendees agreeing before a session, and how many points more agree after
# it in each of the three years up to the anchor. Highland's sessions change most; Dumfries and Galloway's change
# too little to tell from chance (a confidence interval that includes 0).
EFFECTS = {
    "North Ayrshire Health and Social Care Partnership": (0.35, (0.16, 0.24, 0.30)),
    "Aberdeen City Health and Social Care Partnership": (0.40, (0.10, 0.15, 0.20)),
    "Glasgow City Health and Social Care Partnership": (0.38, (0.12, 0.18, 0.25)),
    "Edinburgh Health and Social Care Partnership": (0.45, (0.08, 0.12, 0.17)),
    "Fife Health and Social Care Partnership": (0.40, (0.04, 0.12, 0.20)),
    "Highland Health and Social Care Partnership": (0.33, (0.22, 0.30, 0.38)),
    "Dumfries and Galloway Health and Social Care Partnership": (0.42, (0.0, 0.02, 0.03)),
}
# Per scale statement, in the template's order: added to the share agreeing before, and its part of the rise.
# People already see those who use services as equal partners; few know the ALLIANCE's resources beforehand.
STATEMENT_SHAPE = [(0.0, 1.0), (0.05, 1.0), (0.08, 0.8), (0.0, 0.9), (0.25, 0.4), (-0.15, 1.2)]
RECENT = datetime.timedelta(days=8)  # a session held this recently still has its questionnaire after open
RURAL = {"Highland Health and Social Care Partnership", "Dumfries and Galloway Health and Social Care Partnership"}
WRITTEN_ILLUSTRATIVE = [
    "Contact our third sector interface before I refer someone on.",
    "Ask the people I see what matters to them.",
    "Share the list of local groups with my team.",
    "Invite a carer to help plan our next service change.",
    "Use the Co-production Star with the group I work with.",
    "Book a follow-up with the people I met today.",
]


def _seed_illustrative(template, stdout):
    """Each illustrative session's questionnaires once: held ones answered, sessions to come open for answers."""
    anchor = workshops_demo.demo_anchor()
    sessions = {
        (session.partnership.name, session.title, session.date): session
        for session in Session.objects.filter(
            partnership__name__in=EFFECTS, notes=workshops_demo.ILLUSTRATIVE_NOTES, surveys__isnull=True
        )
        .select_related("partnership")
        .distinct()
    }
    plan = workshops_demo.illustrative_plan(anchor)
    asked = [p for p in plan if p.status == SessionStatus.HELD and p.kind != SessionKind.OTHER]  # others use no form
    # One session in each partnership had fewer than 5 answers: its figures are withheld.
    few = set()
    for name in EFFECTS:
        held = [planned for planned in asked if planned.partnership == name and planned.day < anchor - RECENT]
        few.add(random.Random(f"{name} few answers").choice(held))
    answered = opened = 0
    for planned in plan:
        session = sessions.get((planned.partnership, planned.title, planned.day))
        if session is None:
            continue
        if planned in asked:
            _answer_illustrative(session, planned, template, anchor, few=planned in few)
            answered += 1
        elif planned.status == SessionStatus.PLANNED:
            _open_illustrative(session, planned, template, anchor)
            opened += 1
    if answered or opened:
        stdout.write(
            f"  Questionnaires: made-up answers for {answered} illustrative sessions; {opened} to come open for answers"
        )


def _year(day, anchor):
    """0, 1 or 2: the year up to the anchor that `day` falls in."""
    return sum(day >= months_before(anchor, months) for months in (24, 12))


def _shares(rng, partnership, year):
    """(share agreeing before, after) per scale statement, for one session."""
    before, rises = EFFECTS[partnership]
    shares = []
    for shift, part in STATEMENT_SHAPE:
        pre = min(max(before + shift + rng.uniform(-0.06, 0.06), 0.05), 0.9)
        shares.append((pre, min(max(pre + rises[year] * part + rng.uniform(-0.06, 0.06), 0.02), 0.97)))
    return shares


def _answer_illustrative(session, planned, template, anchor, *, few=False):
    """Answers before and after from about two in three of those who came (or 3 or 4 people, whose figures stay
    hidden). A session held this week still takes paper forms: its questionnaire after is open."""
    name = session.partnership.name
    rng = random.Random(f"{planned.seed} answers")
    came = session.attendances.filter(status=AttendanceStatus.ATTENDED).count() or session.attendances.count()
    recent = session.date > anchor - RECENT
    if few:
        paired, pre_only, post_only = rng.randint(3, 4), 0, 0
    else:
        paired = min(round(came * rng.uniform(0.5, 0.85)), 20)
        # Those who answered only once are none or 5 (surveys/results/pooling.py: small groups are left out).
        pre_only = 5 if came - paired >= 5 and rng.random() < 0.3 and not recent else 0
        post_only = 5 if came - paired >= 5 and rng.random() < 0.2 and not recent else 0
    agree = [
        (max(1, round(pre * paired)), min(round(post * paired), paired))
        for pre, post in _shares(rng, name, _year(session.date, anchor))
    ]
    before, after = _answers(rng, paired=paired, pre_only=pre_only, post_only=post_only, agree=agree, dont_know={})
    pre, post = _surveys(session, template)
    pre_ids = [i.statement_id for i in pre.items.select_related("statement") if i.statement.is_scale]
    post_items = list(post.items.select_related("statement"))
    post_ids = [i.statement_id for i in post_items if i.statement.is_scale]
    text_id = next(i.statement_id for i in post_items if not i.statement.is_scale)
    start, end = _moment(session.date, session.start_time), _moment(session.date, session.end_time)
    paper_share = 0.4 if name in RURAL else 0.1
    key = f"{name} {session.title} {session.date}"
    codes, paper = [], []
    for person, values in enumerate(before):
        paper.append(rng.random() < paper_share)
        submitted = services.response_submit(
            survey=pre,
            submission_key=uuid.uuid5(KEYS, f"{key} pre {person}"),
            answers=dict(zip(pre_ids, values, strict=True)),
            source=Source.PAPER if paper[-1] else Source.ONLINE,
            pairing_code=f"P{person:05d}" if paper[-1] else "",  # written on the paper form
            now=start - datetime.timedelta(minutes=15),
        )
        codes.append(submitted.response.pairing_code)
    for person, values in enumerate(after):
        answers = dict(zip(post_ids, values, strict=True))
        if rng.random() < 0.25:
            answers[text_id] = rng.choice(WRITTEN_ILLUSTRATIVE)
        services.response_submit(
            survey=post,
            submission_key=uuid.uuid5(KEYS, f"{key} post {person}"),
            answers=answers,
            source=Source.PAPER if person < paired and paper[person] else Source.ONLINE,
            pairing_code=codes[person] if person < paired else "",
            now=end + datetime.timedelta(minutes=5),
        )


def _open_illustrative(session, planned, template, anchor):
    """A session to come: the questionnaire before is open now. Today's, open until midnight whenever the demo is
    loaded, has its first answers in already."""
    start, end = _moment(session.date, session.start_time), _moment(session.date, session.end_time)
    opens, closes = timezone.now(), start
    if session.date == anchor:
        opens, closes = start - datetime.timedelta(days=7), _moment(session.date, datetime.time(23, 59))
    pre = services.survey_create(session=session, phase=Phase.PRE, template=template, opens_at=opens, closes_at=closes)
    services.survey_create(
        session=session,
        phase=Phase.POST,
        template=template,
        opens_at=start,
        closes_at=end + datetime.timedelta(days=7),
    )
    if session.date != anchor:
        return
    rng = random.Random(f"{planned.seed} answers")
    shares = _shares(rng, session.partnership.name, 2)
    pre_ids = [i.statement_id for i in pre.items.select_related("statement") if i.statement.is_scale]
    for person in range(7):
        values = [_value(rng, rng.random() < share, True) for share, _ in shares]
        services.response_submit(
            survey=pre,
            submission_key=uuid.uuid5(KEYS, f"{session.partnership.name} {session.title} {session.date} pre {person}"),
            answers=dict(zip(pre_ids, values, strict=True)),
            now=start - datetime.timedelta(minutes=30),
        )
