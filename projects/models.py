"""Improvement projects that came out of sessions: partners, Co-production Star modes, stages and measures."""

from django.conf import settings
from django.db import models
from django.db.models import Count, F, Q
from django.db.models.functions import Length, Lower, Trim
from django.db.models.lookups import GreaterThan
from django.urls import reverse

from coprod.models import Locality, Organisation, Partnership, Priority, TimeStampedModel
from workshops.models import Session

# A project is multi-agency when its partners come from at least this many sectors.
MULTI_AGENCY_SECTORS = 2


def not_blank(field):
    """A database check that a text field holds more than spaces."""
    return GreaterThan(Length(Trim(field)), 0)


class Topic(models.TextChoices):
    DIABETES = "diabetes", "Diabetes"
    LONELINESS = "loneliness", "Loneliness and isolation"
    FALLS = "falls_prevention", "Falls prevention"
    HOSPITAL_TRANSITION = "hospital_transition", "Transition from hospital"
    EARLY_INTERVENTION = "early_intervention", "Early intervention and prevention"
    PHYSICAL_ACTIVITY = "physical_activity", "Physical activity"
    OTHER = "other", "Other"


class Stage(models.TextChoices):
    """In the order a project moves through them; going back to an earlier one needs a reason."""

    IDEA = "idea", "Idea"
    PLANNING = "planning", "Planning"
    TESTING = "testing", "Testing"
    IMPLEMENTING = "implementing", "Implementing"
    SUSTAINING = "sustaining", "Sustaining"
    SPREAD = "spread", "Spread"
    CLOSED = "closed", "Closed"


STAGE_ORDER = {value: position for position, value in enumerate(Stage.values)}


class StarMode(models.TextChoices):
    """The four Co's of the Co-production Star (Governance International)."""

    CO_COMMISSIONING = "co_commissioning", "Co-commissioning"
    CO_DESIGN = "co_design", "Co-design"
    CO_DELIVERY = "co_delivery", "Co-delivery"
    CO_ASSESSMENT = "co_assessment", "Co-assessment"


class PartnerRole(models.TextChoices):
    LEAD = "lead", "Lead"
    PARTNER = "partner", "Partner"
    SUPPORTER = "supporter", "Supporter"


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class ChartType(models.TextChoices):
    RUN = "run", "Run chart, IHI rules"
    XMR = "xmr", "XmR chart, Making Data Count rules"


# A measure's baseline is at most this many points: the run-chart rules' published table stops at 60.
MAX_BASELINE_POINTS = 60


class ActDecision(models.TextChoices):
    ADOPT = "adopt", "Adopt"
    ADAPT = "adapt", "Adapt"
    ABANDON = "abandon", "Abandon"


# What a project marked "shown to the people at its sessions" shows them, on each session's "What happened next" page.
SHOWN_TO_ATTENDEES_HELP = (
    "Its title, stage and aim, and its latest progress update (the date and what happened), appear on the “What "
    "happened next” page of each session it came from, for the people who were there, once the session’s lead "
    "publishes that page. Nothing else is shown: not its partners, measures, learning points or who wrote the update. "
    "Write updates with this in mind: no names of people."
)


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(partnership__in=Partnership.objects.visible_to(user))

    def with_sector_count(self):
        return self.annotate(sector_count=Count("partners__organisation__sector", distinct=True))

    def multi_agency(self):
        return self.with_sector_count().filter(sector_count__gte=MULTI_AGENCY_SECTORS)

    def for_list(self):
        return (
            self.select_related("partnership", "locality")
            .with_sector_count()
            .annotate(partner_count=Count("partners", distinct=True))
            .prefetch_related("modes")
            .order_by(Lower("title"), "pk")
        )


class Project(TimeStampedModel):
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="projects")
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, null=True, blank=True, related_name="projects")
    title = models.CharField(max_length=200)
    topic = models.CharField("problem or topic", max_length=30, choices=Topic.choices)
    topic_other = models.CharField("topic, if other", max_length=120, blank=True)
    aim = models.TextField("aim statement")
    sessions = models.ManyToManyField(
        Session, blank=True, related_name="projects", verbose_name="sessions it came from"
    )
    priorities = models.ManyToManyField(
        Priority, blank=True, related_name="projects", verbose_name="strategic plan priorities it supports"
    )
    people_involved_count = models.PositiveIntegerField("people who use services and unpaid carers involved", default=0)
    people_involved_how = models.TextField("how they are involved", blank=True)
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.IDEA)
    shown_to_attendees = models.BooleanField(
        "shown to the people at its sessions",
        default=False,
        help_text=SHOWN_TO_ATTENDEES_HELP,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint("partnership", Lower("title"), name="project_title_unique_in_partnership"),
            models.CheckConstraint(condition=not_blank("aim"), name="project_aim_not_blank"),
            models.CheckConstraint(condition=not_blank("title"), name="project_title_not_blank"),
            models.CheckConstraint(condition=Q(topic__in=Topic.values), name="project_topic_valid"),
            models.CheckConstraint(
                condition=~Q(topic=Topic.OTHER) | ~Q(topic_other=""), name="project_other_topic_named"
            ),
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="project_stage_valid"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:project-detail", args=[self.pk])

    @property
    def topic_label(self):
        return self.topic_other if self.topic == Topic.OTHER else self.get_topic_display()


class ProjectPartner(models.Model):
    """An organisation taking part in a project, with its role."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="project_partnerships")
    role = models.CharField(max_length=20, choices=PartnerRole.choices, default=PartnerRole.PARTNER)

    class Meta:
        ordering = ["role", "organisation__name"]  # lead, partner, supporter: alphabetical is the right order
        constraints = [
            models.UniqueConstraint("project", "organisation", name="project_partner_once"),
            models.CheckConstraint(condition=Q(role__in=PartnerRole.values), name="project_partner_role_valid"),
        ]

    def __str__(self):
        return f"{self.organisation} ({self.get_role_display()})"


class ProjectMode(models.Model):
    """A Co-production Star mode the project uses, with a line on how."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="modes")
    mode = models.CharField(max_length=20, choices=StarMode.choices)
    how = models.CharField(max_length=300)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint("project", "mode", name="project_mode_once"),
            models.CheckConstraint(condition=Q(mode__in=StarMode.values), name="project_mode_valid"),
            models.CheckConstraint(condition=not_blank("how"), name="project_mode_how_not_blank"),
        ]

    def __str__(self):
        return f"{self.get_mode_display()}: {self.how}"


class StageChange(models.Model):
    """One step of the project's timeline. The first row of a project has no `from_stage`."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    date = models.DateField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(to_stage__in=Stage.values), name="stage_change_to_valid"),
            models.CheckConstraint(condition=Q(from_stage__in=[*Stage.values, ""]), name="stage_change_from_valid"),
            models.CheckConstraint(condition=~Q(from_stage=F("to_stage")), name="stage_change_changes"),
        ]

    def __str__(self):
        return f"{self.project}: {self.from_stage or 'new'} to {self.to_stage} on {self.date}"

    @property
    def is_backwards(self):
        return bool(self.from_stage) and STAGE_ORDER[self.to_stage] < STAGE_ORDER[self.from_stage]


class ProgressUpdate(models.Model):
    """What happened, when, told by whom."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates")
    date = models.DateField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.TextField("what happened")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [models.CheckConstraint(condition=not_blank("text"), name="progress_update_not_blank")]

    def __str__(self):
        return f"{self.project} on {self.date}"


class LearningPoint(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="learning_points")
    text = models.CharField("learning point", max_length=500)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=not_blank("text"), name="learning_point_not_blank")]

    def __str__(self):
        return self.text


class PdsaCycle(models.Model):
    """A lightweight Plan-Do-Study-Act cycle: each phase a few lines and a date."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="pdsa_cycles")
    title = models.CharField("change being tested", max_length=200)
    plan = models.TextField()
    prediction = models.TextField()
    plan_date = models.DateField("date planned")
    do = models.TextField("do: what happened", blank=True)
    do_date = models.DateField("date carried out", null=True, blank=True)
    study = models.TextField("study: what the results show, against the prediction", blank=True)
    study_date = models.DateField("date studied", null=True, blank=True)
    act = models.TextField("act: what comes next", blank=True)
    act_decision = models.CharField("decision", max_length=10, choices=ActDecision.choices, blank=True)
    act_date = models.DateField("date decided", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["plan_date", "pk"]
        verbose_name = "PDSA cycle"
        constraints = [
            models.CheckConstraint(condition=Q(do="") | Q(do_date__isnull=False), name="pdsa_do_dated"),
            models.CheckConstraint(condition=Q(study="") | Q(study_date__isnull=False), name="pdsa_study_dated"),
            models.CheckConstraint(
                condition=(Q(act="") & Q(act_decision="")) | Q(act_date__isnull=False), name="pdsa_act_dated"
            ),
            models.CheckConstraint(
                condition=Q(do_date__isnull=True) | Q(do_date__gte=F("plan_date")), name="pdsa_do_after_plan"
            ),
            models.CheckConstraint(
                condition=Q(study_date__isnull=True) | Q(study_date__gte=F("plan_date")),
                name="pdsa_study_after_plan",
            ),
            models.CheckConstraint(
                condition=Q(act_date__isnull=True) | Q(act_date__gte=F("plan_date")), name="pdsa_act_after_plan"
            ),
            models.CheckConstraint(
                condition=Q(act_decision__in=[*ActDecision.values, ""]), name="pdsa_act_decision_valid"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def phase(self):
        """The last phase written up: Plan, Do, Study or Act."""
        if self.act_date:
            return "Act"
        if self.study_date:
            return "Study"
        if self.do_date:
            return "Do"
        return "Plan"


class Measure(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="measures")
    name = models.CharField(max_length=200)
    definition = models.TextField("how it is measured", blank=True)
    unit = models.CharField(max_length=60, blank=True, help_text="For example: people, visits, % of referrals.")
    direction = models.CharField(max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    baseline = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    target = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    chart_type = models.CharField("chart", max_length=10, choices=ChartType.choices, default=ChartType.RUN)
    # How many points each phase's median (or mean) comes from; null is the default, the first 12 points.
    baseline_points = models.PositiveSmallIntegerField("baseline: the first N values", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("project", Lower("name"), name="measure_name_unique_in_project"),
            models.CheckConstraint(condition=Q(direction__in=Direction.values), name="measure_direction_valid"),
            models.CheckConstraint(condition=Q(chart_type__in=ChartType.values), name="measure_chart_type_valid"),
            models.CheckConstraint(
                condition=Q(baseline_points__isnull=True)
                | Q(baseline_points__gte=1, baseline_points__lte=MAX_BASELINE_POINTS),
                name="measure_baseline_points_range",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:measure-detail", args=[self.pk])


class MeasurePhase(models.Model):
    """A new phase of a measure's chart from `starts_on`: a fresh baseline after a tested change, with its reason.

    The first phase starts with the first value and has no row. Phases are started by people, never by the app.
    """

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="phases")
    starts_on = models.DateField("the new phase starts on")
    reason = models.CharField("what changed", max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint("measure", "starts_on", name="measure_phase_one_per_date"),
            models.CheckConstraint(condition=not_blank("reason"), name="measure_phase_reason_not_blank"),
        ]

    def __str__(self):
        return f"{self.measure}: new phase from {self.starts_on}"

    def get_absolute_url(self):
        return f"{self.measure.get_absolute_url()}#phases"


class DataPoint(models.Model):
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="points")
    date = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=2)
    note = models.CharField(max_length=200, blank=True, help_text="For example: PDSA cycle 2 started.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint("measure", "date", name="data_point_one_per_date")]

    def __str__(self):
        return f"{self.measure}: {self.value} on {self.date}"


# --- "Did it last?": asked six and twelve months after a project reached its last stage (projects/follow_up.py) ---


class FollowUpDue(models.IntegerChoices):
    """Months after the project reached its last stage."""

    SIX = 6, "Six months after closing"
    TWELVE = 12, "Twelve months after closing"


class FollowUpOutcome(models.TextChoices):
    EMBEDDED = "embedded", "Part of everyday work"
    ADAPTED = "adapted", "Adapted"
    STOPPED = "stopped", "Stopped"


class ProjectFollowUp(models.Model):
    """The answer to "Did it last?", once per project and question; a writer may change it (the audit trail keeps
    what it said before). When a question is due is never stored ahead: projects.follow_up works it out."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="follow_ups")
    due = models.PositiveSmallIntegerField("months after it closed", choices=FollowUpDue.choices)
    due_on = models.DateField("asked from")
    outcome = models.CharField("what became of it", max_length=10, choices=FollowUpOutcome.choices)
    reason = models.TextField("why")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField()

    class Meta:
        ordering = ["due"]
        verbose_name = "project follow-up"
        constraints = [
            models.UniqueConstraint("project", "due", name="project_follow_up_once"),
            models.CheckConstraint(condition=Q(due__in=FollowUpDue.values), name="project_follow_up_due_valid"),
            models.CheckConstraint(
                condition=Q(outcome__in=FollowUpOutcome.values), name="project_follow_up_outcome_valid"
            ),
            models.CheckConstraint(condition=not_blank("reason"), name="project_follow_up_reason_not_blank"),
        ]

    def __str__(self):
        return f"{self.project}: {self.get_due_display().lower()}"


class FollowUpReminder(models.Model):
    """That the email asking a follow-up question went out (send_follow_up_reminders): once per question and date."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    due = models.PositiveSmallIntegerField(choices=FollowUpDue.choices)
    due_on = models.DateField()
    sent_at = models.DateTimeField()
    recipients = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint("project", "due", "due_on", name="follow_up_reminder_once"),
            models.CheckConstraint(condition=Q(due__in=FollowUpDue.values), name="follow_up_reminder_due_valid"),
        ]

    def __str__(self):
        return f"{self.project}: reminder of {self.due_on}"
