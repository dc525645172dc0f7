"""“Did it last?”: six and twelve months after a project reached its last stage (closed), its leads are asked
whether it became part of everyday work, was adapted, or stopped, and why.

When a question is due is worked out, never stored ahead: from the date of the latest step of the project's
timeline into the last stage. A project that has left that stage again is not asked. Each question is answered
once per project, and a writer may change the answer later (the audit trail keeps what it said before); a
project reopened and closed again is asked, from its new closing date, only what it has not answered yet. Once
the twelve-month question is due, an unanswered six-month one is no longer put to the lead (on the home page and
by email): one question at a time, the latest. It can still be answered from the project's page.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from coprod.models import Membership, Role
from projects.models import (
    FollowUpDue,
    FollowUpOutcome,
    FollowUpReminder,
    Project,
    ProjectFollowUp,
    Stage,
    StageChange,
)
from workshops.management.commands.erase_expired_attendees import months_before

LAST_STAGE = Stage.CLOSED  # the last of Stage: the project is over, and the question is whether what it changed lasts
DUES = FollowUpDue.values  # [6, 12]
IN_WORDS = {6: "six", 12: "twelve"}
REASON_MISSING = "Say why: what kept it going, what changed, or what stopped it."
OUTCOME_MISSING = "Choose what became of the project."


def add_months(day, months):
    """The same day of the month `months` later (earlier if negative), or that month's last day where it has none:
    31 August + 6 months = 28 February (29 in a leap year)."""
    return months_before(day, -months)


def closed_by(today, months):
    """The latest closing date whose question `months` on is due by `today`.

    add_months(closed_on, months) <= today exactly when closed_on <= closed_by(today, months), so the database can
    compare plain dates. On the last day of a month, the later days of the earlier month land on it too.
    """
    before = add_months(today, -months)
    if today.day == calendar.monthrange(today.year, today.month)[1]:
        return before.replace(day=calendar.monthrange(before.year, before.month)[1])
    return before


def _closed_on():
    """The date of the project's latest step into the last stage."""
    steps = StageChange.objects.filter(project=OuterRef("pk"), to_stage=LAST_STAGE).order_by("-date", "-pk")
    return Subquery(steps.values("date")[:1])


@dataclass(frozen=True)
class Question:
    """A follow-up question due and not answered yet."""

    project: Project
    due: int  # months after it closed
    closed_on: datetime.date

    @property
    def due_on(self):
        return add_months(self.closed_on, self.due)

    @property
    def months(self):
        return IN_WORDS[self.due]

    def get_absolute_url(self):
        return reverse("projects:follow-up", args=[self.project.pk, self.due])


def due_questions(*, partnerships=None, today=None, limit=None):
    """The questions due and unanswered, the longest due first, for the projects of `partnerships` (every
    partnership's when None): one query, whatever the number of projects."""
    today = today or timezone.localdate()
    six, twelve = closed_by(today, 6), closed_by(today, 12)
    projects = Project.objects.filter(stage=LAST_STAGE)
    if partnerships is not None:
        projects = projects.filter(partnership__in=partnerships)
    answered = {due: Exists(ProjectFollowUp.objects.filter(project=OuterRef("pk"), due=due)) for due in DUES}
    projects = (
        projects.annotate(closed_on=_closed_on(), answered_6=answered[6], answered_12=answered[12])
        .filter(
            Q(closed_on__lte=twelve, answered_12=False) | Q(closed_on__gt=twelve, closed_on__lte=six, answered_6=False)
        )
        .select_related("partnership")
        .order_by("closed_on", "pk")
    )
    if limit is not None:
        projects = projects[:limit]
    return [
        Question(project=project, due=12 if project.closed_on <= twelve else 6, closed_on=project.closed_on)
        for project in projects
    ]


def closing_date(project):
    """When the project last reached the last stage, if it is there now; else None."""
    if project.stage != LAST_STAGE:
        return None
    steps = project.stage_changes.filter(to_stage=LAST_STAGE).order_by("-date", "-pk")
    return steps.values_list("date", flat=True).first()


def answer_of(project, due):
    return ProjectFollowUp.objects.filter(project=project, due=due).select_related("answered_by").first()


# --- The project's page ---


@dataclass
class Row:
    """One question as the project page shows it."""

    due: int
    due_on: datetime.date | None  # while the project is at the last stage
    answer: ProjectFollowUp | None
    is_due: bool

    @property
    def label(self):
        return FollowUpDue(self.due).label


def project_rows(project, timeline, today=None):
    """Each question of a project that has reached the last stage: asked from when, and the answer if any.

    `timeline`: the project's stage changes in order, as its page has them already; a project that never reached
    the last stage has nothing to show and costs no query.
    """
    closings = [step.date for step in timeline if step.to_stage == LAST_STAGE]
    if not closings:
        return []
    today = today or timezone.localdate()
    answers = {answer.due: answer for answer in project.follow_ups.select_related("answered_by")}
    closed_on = closings[-1] if project.stage == LAST_STAGE else None
    rows = []
    for due in DUES:
        due_on = add_months(closed_on, due) if closed_on else None
        answer = answers.get(due)
        if answer or due_on:
            rows.append(Row(due=due, due_on=due_on, answer=answer, is_due=due_on is not None and due_on <= today))
    return rows


# --- Answering ---


class AnsweredMeanwhile(ValidationError):
    """Someone else saved an answer since the form was opened: shown to the person, never overwritten unseen."""

    def __init__(self, answer):
        who = answer.answered_by or "Someone"
        when = date_format(timezone.localtime(answer.answered_at), "j F Y, H:i")
        super().__init__(
            f"{who} saved an answer on {when}, while you were writing yours: “{answer.get_outcome_display()}”, "
            f"because “{answer.reason}”. Your answer is below: save it again to replace theirs, or cancel."
        )
        self.answer = answer


def seen_stamp(answer):
    """What the form carries of the answer it was opened on, to tell an edit from an overwrite."""
    return answer.answered_at.isoformat() if answer else ""


@transaction.atomic
def follow_up_answer(*, project, due, outcome, reason, user, seen=""):
    """Store the answer to `project`'s question `due` months after it closed, or change it.

    `seen`: seen_stamp() of the answer the form was opened on ("" when there was none). The same answer sent again
    (a double click, a refresh) changes nothing, so a double submit stores one; a different answer saved by someone
    else meanwhile raises AnsweredMeanwhile. The unique constraint settles two first answers at the same moment.
    """
    if due not in DUES:
        raise ValueError(f"Projects are asked {DUES} months after they closed, not {due}.")
    locked = Project.objects.select_for_update().get(pk=project.pk)
    reason = (reason or "").strip()
    errors = {}
    if outcome not in FollowUpOutcome.values:
        errors["outcome"] = OUTCOME_MISSING
    if not reason:
        errors["reason"] = REASON_MISSING
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    answer = answer_of(locked, due)
    if answer is None:
        closed_on = closing_date(locked)
        due_on = add_months(closed_on, due) if closed_on else None
        if due_on is None or due_on > timezone.localdate():
            raise ValidationError("This question is not asked yet: it comes six and twelve months after closing.")
        try:
            with transaction.atomic():
                return ProjectFollowUp.objects.create(
                    project=locked,
                    due=due,
                    due_on=due_on,
                    outcome=outcome,
                    reason=reason,
                    answered_by=user,
                    answered_at=now,
                )
        except IntegrityError:  # a first answer at the same moment, where the database has no row locks (SQLite)
            answer = answer_of(locked, due)
    if (answer.outcome, answer.reason) == (outcome, reason):
        return answer  # nothing changes: nothing to save, nothing for the audit trail
    if seen != seen_stamp(answer):
        raise AnsweredMeanwhile(answer)
    answer.outcome, answer.reason, answer.answered_by, answer.answered_at = outcome, reason, user, now
    answer.save(update_fields=["outcome", "reason", "answered_by", "answered_at"])
    return answer


# --- Reminders by email (manage.py send_follow_up_reminders) ---

WRITERS = (Role.LEAD, Role.FACILITATOR)


def recipients(questions):
    """{project pk: [users]}: its partnership's leads, and whoever recorded it if they still write there (lead or
    facilitator); active accounts with an email only. One query."""
    partnerships = {question.project.partnership_id for question in questions}
    members = {}
    for membership in Membership.objects.filter(
        partnership__in=partnerships, role__in=WRITERS, user__is_active=True
    ).select_related("user"):
        members.setdefault(membership.partnership_id, []).append(membership)
    found = {}
    for question in questions:
        project = question.project
        people = [
            membership.user
            for membership in members.get(project.partnership_id, [])
            if membership.role == Role.LEAD or membership.user_id == project.created_by_id
        ]
        found[project.pk] = sorted(
            {user.pk: user for user in people if user.email}.values(), key=lambda user: user.email.casefold()
        )
    return found


def to_remind(questions):
    """The questions whose reminder has not gone out yet (for their current due date). One query."""
    sent = set(
        FollowUpReminder.objects.filter(project__in=[question.project.pk for question in questions]).values_list(
            "project_id", "due", "due_on"
        )
    )
    return [question for question in questions if (question.project.pk, question.due, question.due_on) not in sent]


def follow_up_remind(*, question, people, absolute_url):
    """Email `people` the question, once per question and due date: True if sent now, False if sent before.

    The reminder is recorded in the transaction that sends: a second run, even one at the same moment, finds it and
    sends nothing; a mail server failure raises inside the transaction, so nothing is recorded and the next run
    tries again. `absolute_url(path)`: the full address.
    """
    project = question.project
    context = {
        "project": project,
        "question": question,
        "url": absolute_url(question.get_absolute_url()),
        "months": question.months,
    }
    subject = f"Did it last? {project.title}, {context['months']} months after it closed"
    with transaction.atomic():
        try:
            with transaction.atomic():
                FollowUpReminder.objects.create(
                    project=project,
                    due=question.due,
                    due_on=question.due_on,
                    sent_at=timezone.now(),
                    recipients=len(people),
                )
        except IntegrityError:
            return False
        mailers.default.send_messages(
            [
                EmailMessage(
                    subject,
                    render_to_string("projects/follow_up_email.txt", {**context, "person": person}),
                    None,
                    [person.email],
                )
                for person in people
            ]
        )
    return True


# --- Figures: the summary and the dashboard ---

OUTCOMES = FollowUpOutcome.values


def summary_counts(partnerships):
    """{partnership pk: {(due, outcome): number of projects}} of the answers given: one grouped query."""
    rows = (
        ProjectFollowUp.objects.filter(project__partnership__in=partnerships)
        .values("project__partnership_id", "due", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {}
    for row in rows:
        counts.setdefault(row["project__partnership_id"], {})[(row["due"], row["outcome"])] = row["n"]
    return counts


@dataclass
class Lasted:
    """The answers to one question across some projects: how many answered, and how many gave each outcome."""

    due: int
    numbers: list  # in the order of FollowUpOutcome

    @property
    def label(self):
        return FollowUpDue(self.due).label

    @property
    def answered(self):
        return sum(self.numbers)

    @property
    def outcomes(self):
        return list(zip(FollowUpOutcome.labels, self.numbers, strict=True))


def lasted(counts):
    """A Lasted for each question, from {(due, outcome): n}."""
    return [Lasted(due, [counts.get((due, outcome), 0) for outcome in OUTCOMES]) for due in DUES]


def lasted_total(many):
    """Lasted lists added up, question by question."""
    many = list(many)
    return [
        Lasted(due, [sum(row[index].numbers[place] for row in many) for place in range(len(OUTCOMES))])
        for index, due in enumerate(DUES)
    ]


def dashboard_key(due, outcome):
    return f"lasted_{due}_{outcome}"


def dashboard_counts():
    """For the dashboard's grouped query (Project...values("partnership_id").annotate()): how many of the projects
    gave each answer to each question, one aggregate each."""
    return {
        dashboard_key(due, outcome): Count(
            "pk", filter=Q(Exists(ProjectFollowUp.objects.filter(project=OuterRef("pk"), due=due, outcome=outcome)))
        )
        for due in DUES
        for outcome in OUTCOMES
    }
