"""Questionnaire templates, the pre/post surveys of a session, and the anonymous responses to them.

Anonymity is built into the tables: a Response has no link to an attendee or a user, no address and no
time finer than the day; its primary key is random, and an Answer's is (response, statement), so not even
the order of insertion can be read back and matched against the attendance register or server logs.
"""

import datetime
import hashlib
import secrets
import uuid

from django.db import models
from django.db.models import Count, F, Max, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from coprod.models import Partnership, TimeStampedModel
from workshops.models import Programme, Session

# Six characters from an alphabet without look-alikes (no 0/O, 1/I/L): about 30 bits, easy to copy by hand.
PAIRING_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PAIRING_CODE_LENGTH = 6
# A form started before its survey closed may still be sent this long after: the survey's answers are final (and
# enter results) only when it has passed.
CLOSING_GRACE = datetime.timedelta(minutes=30)


class Phase(models.TextChoices):
    PRE = "pre", "Before the session"
    POST = "post", "After the session"


class ItemPhase(models.TextChoices):
    BOTH = "both", "Before and after"
    PRE = "pre", "Before only"
    POST = "post", "After only"


class StatementKind(models.TextChoices):
    SCALE = "scale", "Agreement scale"
    TEXT = "text", "Free text"


class Scale(models.IntegerChoices):
    """The five-point agreement scale. "Don't know" is stored as NULL and left out of percentages."""

    STRONGLY_DISAGREE = 1, "Strongly disagree"
    DISAGREE = 2, "Disagree"
    NEITHER = 3, "Neither agree nor disagree"
    AGREE = 4, "Agree"
    STRONGLY_AGREE = 5, "Strongly agree"


DONT_KNOW = "Don't know"


class Source(models.TextChoices):
    ONLINE = "online", "Online"
    PAPER = "paper", "Paper"


class QuestionnaireTemplateQuerySet(models.QuerySet):
    def national(self):
        return self.filter(partnership__isnull=True)

    def visible_to(self, user):
        """National templates for every signed-in user; a partnership's copies for its members."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(partnership__isnull=True) | Q(partnership__in=Partnership.objects.visible_to(user)))

    def for_partnership(self, partnership):
        """What a session of this partnership may use: the national templates and the partnership's copies."""
        return self.filter(Q(partnership__isnull=True) | Q(partnership=partnership))

    def for_list(self):
        return (
            self.select_related("partnership", "based_on")
            .annotate(item_count=Count("items", distinct=True), survey_count=Count("surveys", distinct=True))
            .order_by(Lower("title"), "pk")
        )


class QuestionnaireTemplate(TimeStampedModel):
    """A national template (no partnership), managed by ALLIANCE staff, or a partnership's copy of one.

    A copy holds only the partnership's local statements: the national ones always come from the template it
    is based on, so a copy never drifts from the national wording and national results pool across copies.
    """

    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, null=True, blank=True, related_name="questionnaire_templates"
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="copies",
        limit_choices_to={"partnership__isnull": True},
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="For staff: what the questionnaire is for.")

    objects = QuestionnaireTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                Lower("title"), condition=Q(partnership__isnull=True), name="national_template_title_unique"
            ),
            models.UniqueConstraint(
                "partnership",
                Lower("title"),
                condition=Q(partnership__isnull=False),
                name="template_title_unique_in_partnership",
            ),
            models.UniqueConstraint("partnership", "based_on", name="template_one_copy_per_partnership"),
            # National templates stand alone; a copy belongs to a partnership and is based on a national one.
            models.CheckConstraint(
                condition=Q(partnership__isnull=True, based_on__isnull=True)
                | Q(partnership__isnull=False, based_on__isnull=False),
                name="template_national_or_copy",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("surveys:template-detail", args=[self.pk])

    @property
    def is_national(self):
        return self.partnership_id is None


class Statement(models.Model):
    """One version of a statement's wording: immutable once asked.

    Rewording a statement that a survey already uses makes a new version in the same family, so results only
    ever pool answers given to identical words. National statements have no partnership.
    """

    family = models.UUIDField(default=uuid.uuid4, editable=False)
    version = models.PositiveSmallIntegerField(default=1, editable=False)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, null=True, blank=True, related_name="statements"
    )
    kind = models.CharField(max_length=10, choices=StatementKind.choices, default=StatementKind.SCALE)
    text = models.CharField(max_length=300)
    hint = models.CharField(max_length=300, blank=True, help_text="Plain-English help shown under the statement.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint("family", "version", name="statement_version_unique_in_family"),
            models.CheckConstraint(condition=Q(version__gte=1), name="statement_version_positive"),
            models.CheckConstraint(condition=Q(kind__in=StatementKind.values), name="statement_kind_valid"),
        ]

    def __str__(self):
        return self.text

    @property
    def is_scale(self):
        return self.kind == StatementKind.SCALE


class TemplateItem(models.Model):
    template = models.ForeignKey(QuestionnaireTemplate, on_delete=models.CASCADE, related_name="items")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="template_items")
    position = models.PositiveSmallIntegerField(default=1)
    phase = models.CharField("asked", max_length=10, choices=ItemPhase.choices, default=ItemPhase.BOTH)
    required = models.BooleanField(default=True, help_text="Attendees must answer it (Don't know counts).")

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint("template", "statement", name="template_item_statement_once"),
            models.CheckConstraint(condition=Q(phase__in=ItemPhase.values), name="template_item_phase_valid"),
        ]

    def __str__(self):
        return f"{self.position}. {self.statement}"

    def asked_in(self, phase):
        return self.phase in (ItemPhase.BOTH, phase)


def new_token():
    """128 random bits, URL-safe: the survey's public address, never a database id."""
    return secrets.token_urlsafe(16)


# A survey's short code, for its typeable address /q/<code>/: the pairing codes' alphabet, stored in capitals.
# Eight characters make 31**8, about 8.5e11 codes. Wrong guesses are refused past SURVEY_RATE_LIMIT per address
# (300 in 10 minutes, some 43,000 a day): with 1,000 questionnaires open at once, an address guessing all day
# long finds one about once in 20,000 days. Six, like a pairing code, would find one about once in 20 days.
SHORT_CODE_LENGTH = 8


def new_short_code():
    return "".join(secrets.choice(PAIRING_ALPHABET) for _ in range(SHORT_CODE_LENGTH))


def released_q(now=None):
    """A Q over surveys: released (see SurveyQuerySet.released)."""
    cutoff = (now or timezone.now()) - CLOSING_GRACE
    return Q(closed_at__lte=cutoff) | Q(closes_at__lte=cutoff)


class SurveyQuerySet(models.QuerySet):
    def released(self, now=None):
        """Closed, and past the grace for forms still open on phones: the answers are final and enter results."""
        return self.filter(released_q(now))

    def unreleased(self, now=None):
        return self.exclude(released_q(now))

    def release_stamp(self, now=None):
        """Changes exactly when the clock releases another questionnaire: the latest closings past their grace.

        One released since the last stamp closed after every closing counted then, so a maximum moves.
        """
        cutoff = (now or timezone.now()) - CLOSING_GRACE
        stamp = self.aggregate(
            closed=Max("closed_at", filter=Q(closed_at__lte=cutoff)),
            closes=Max("closes_at", filter=Q(closes_at__lte=cutoff)),
        )
        return stamp["closed"], stamp["closes"]

    def with_counts(self):
        return self.annotate(
            response_count=Count("responses", distinct=True),
            paired_count=Count("responses", filter=Q(responses__paired_with__isnull=False), distinct=True),
        )


class Survey(TimeStampedModel):
    """A session's questionnaire before or after it, with its own copy of the template's statements."""

    # Deleting a session removes its empty surveys; a survey with responses protects the session (Response).
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="surveys")
    template = models.ForeignKey(QuestionnaireTemplate, on_delete=models.PROTECT, related_name="surveys")
    phase = models.CharField(max_length=10, choices=Phase.choices)
    token = models.CharField(max_length=43, unique=True, default=new_token, editable=False)
    # Drawn at random: a clash is so unlikely that the unique constraint refusing it is enough.
    short_code = models.CharField(max_length=SHORT_CODE_LENGTH, unique=True, default=new_short_code, editable=False)
    opens_at = models.DateTimeField("opens", null=True, blank=True, help_text="Empty: open straight away.")
    closes_at = models.DateTimeField("closes", null=True, blank=True, help_text="Empty: open until closed.")
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["session", "-phase"]  # "pre" before "post"
        constraints = [
            models.UniqueConstraint("session", "phase", name="survey_once_per_session_phase"),
            models.CheckConstraint(condition=Q(phase__in=Phase.values), name="survey_phase_valid"),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="survey_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(short_code__regex=rf"^[{PAIRING_ALPHABET}]{{{SHORT_CODE_LENGTH}}}$"),
                name="survey_short_code_format",
            ),
        ]

    def __str__(self):
        return f"{self.session.title}: {self.get_phase_display().lower()}"

    def get_absolute_url(self):
        return reverse("surveys:session-surveys", args=[self.session_id])

    def get_public_url(self):
        return reverse("surveys:survey-answer", args=[self.token])

    def get_kiosk_url(self):
        """The questionnaire for a device passed round the room: it keeps no code, and starts afresh each time."""
        return reverse("surveys:survey-kiosk", args=[self.token])

    @property
    def short_code_display(self):
        """The short code in two groups of four, easier to read off a screen: K7MP-2QXR."""
        half = SHORT_CODE_LENGTH // 2
        return f"{self.short_code[:half]}-{self.short_code[half:]}"

    def get_short_url(self):
        return reverse("surveys:survey-short", args=[self.short_code_display])

    @property
    def closing_moment(self):
        """When it stopped (or will stop) taking answers: 'close now' or the end of its window."""
        moments = [moment for moment in (self.closed_at, self.closes_at) if moment]
        return min(moments) if moments else None

    def state(self, now=None):
        now = now or timezone.now()
        if self.closing_moment and self.closing_moment <= now:
            return "closed"
        if self.opens_at and self.opens_at > now:
            return "not_yet_open"
        return "open"

    def is_released(self, now=None):
        """Its answers are final and in results: closed, and the grace for forms still open has passed."""
        moment = self.closing_moment
        return moment is not None and moment + CLOSING_GRACE <= (now or timezone.now())

    def accepts_answers(self, now=None, grace=datetime.timedelta(0)):
        """Open, or closed less than `grace` ago (so a form started before closing is not thrown away)."""
        now = now or timezone.now()
        if self.opens_at and self.opens_at > now:
            return False
        return not self.closing_moment or now < self.closing_moment + grace


class SurveyItem(models.Model):
    """A statement as one survey asks it: copied from the template when the survey is created."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="items")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="survey_items")
    position = models.PositiveSmallIntegerField()
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [models.UniqueConstraint("survey", "statement", name="survey_item_statement_once")]

    def __str__(self):
        return f"{self.position}. {self.statement}"


class Response(models.Model):
    """One attendee's answers to one survey: anonymous by construction (see the module's docstring)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Responses are research data: a survey (and so its session) with responses cannot be deleted.
    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="responses")
    submission_key = models.UUIDField(unique=True, editable=False)
    pairing_code = models.CharField(max_length=PAIRING_CODE_LENGTH, blank=True)
    # Set on an "after" response whose code matched a "before" response of the same session.
    paired_with = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="paired_post", editable=False
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.ONLINE)
    submitted_on = models.DateField(help_text="The day only, on purpose.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "survey", "pairing_code", condition=~Q(pairing_code=""), name="response_pairing_code_unique_in_survey"
            ),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="response_source_valid"),
            models.CheckConstraint(
                condition=Q(pairing_code="") | Q(pairing_code__regex=r"^[A-Z0-9]{6}$"),
                name="response_pairing_code_format",
            ),
            models.CheckConstraint(
                condition=Q(paired_with__isnull=True) | ~Q(pairing_code=""), name="response_paired_by_code"
            ),
        ]

    def __str__(self):
        return f"Response to {self.survey_id} on {self.submitted_on}"


class Answer(models.Model):
    """A scale answer (1-5; NULL is "Don't know") or a free-text answer to one statement version."""

    pk = models.CompositePrimaryKey("response", "statement")
    response = models.ForeignKey(
        Response,
        on_delete=models.CASCADE,
        related_name="answers",
        db_index=False,  # the primary key's prefix
    )
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="answers")
    value = models.SmallIntegerField(null=True, blank=True, choices=Scale.choices)
    text = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=1, value__lte=5), name="answer_value_on_scale"
            ),
            models.CheckConstraint(condition=Q(value__isnull=True) | Q(text=""), name="answer_value_or_text"),
        ]

    def __str__(self):
        return self.text or self.get_value_display() or DONT_KNOW


# --- Rollups: counts kept per session, so results pool a few thousand rows instead of millions of answers ---


class StatementRollup(models.Model):
    """One session's answers to one statement version, counted: kept in step with every submission.

    Each answer value before and after the session ("Don't know" apart), and the paired 2x2 table of the
    people whose answer after was linked to their answer before, both on the scale: agreeing (Agree or
    Strongly agree) before and after, only after (improved), only before (worsened), neither. Results only
    ever add rows of one statement version together. `manage.py rebuild_rollups` recomputes them from the answers.
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="statement_rollups")
    # The session's, copied (a session never changes partnership): a partnership's and the country's results
    # then add up rows without going through the sessions.
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+", db_index=False)
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="rollups")
    pre_1 = models.PositiveIntegerField(default=0)
    pre_2 = models.PositiveIntegerField(default=0)
    pre_3 = models.PositiveIntegerField(default=0)
    pre_4 = models.PositiveIntegerField(default=0)
    pre_5 = models.PositiveIntegerField(default=0)
    pre_dont_know = models.PositiveIntegerField(default=0)
    post_1 = models.PositiveIntegerField(default=0)
    post_2 = models.PositiveIntegerField(default=0)
    post_3 = models.PositiveIntegerField(default=0)
    post_4 = models.PositiveIntegerField(default=0)
    post_5 = models.PositiveIntegerField(default=0)
    post_dont_know = models.PositiveIntegerField(default=0)
    paired_both = models.PositiveIntegerField(default=0)
    paired_improved = models.PositiveIntegerField(default=0)
    paired_worsened = models.PositiveIntegerField(default=0)
    paired_neither = models.PositiveIntegerField(default=0)
    # The same people's answers before and after (1-5), so that where a few people answered only one questionnaire,
    # results can count the pairs' answers alone (surveys/results/pooling.py).
    paired_pre_1 = models.PositiveIntegerField(default=0)
    paired_pre_2 = models.PositiveIntegerField(default=0)
    paired_pre_3 = models.PositiveIntegerField(default=0)
    paired_pre_4 = models.PositiveIntegerField(default=0)
    paired_pre_5 = models.PositiveIntegerField(default=0)
    paired_post_1 = models.PositiveIntegerField(default=0)
    paired_post_2 = models.PositiveIntegerField(default=0)
    paired_post_3 = models.PositiveIntegerField(default=0)
    paired_post_4 = models.PositiveIntegerField(default=0)
    paired_post_5 = models.PositiveIntegerField(default=0)
    # Respondents on the scale before, after and in both, stored: pooled results test them on every row for every
    # sum (which groups count, surveys/results.py), and a stored column is read, not added up again each time.
    pre_n = models.GeneratedField(
        expression=F("pre_1") + F("pre_2") + F("pre_3") + F("pre_4") + F("pre_5"),
        output_field=models.PositiveIntegerField(),
        db_persist=True,
    )
    post_n = models.GeneratedField(
        expression=F("post_1") + F("post_2") + F("post_3") + F("post_4") + F("post_5"),
        output_field=models.PositiveIntegerField(),
        db_persist=True,
    )
    paired_n = models.GeneratedField(
        expression=F("paired_both") + F("paired_improved") + F("paired_worsened") + F("paired_neither"),
        output_field=models.PositiveIntegerField(),
        db_persist=True,
    )

    class Meta:
        constraints = [models.UniqueConstraint("session", "statement", name="statement_rollup_once")]
        indexes = [models.Index(fields=["partnership", "statement"], name="statement_rollup_partnership")]

    def __str__(self):
        return f"Rollup of statement {self.statement_id} in session {self.session_id}"


class SessionRollup(models.Model):
    """How many responses a session's questionnaires have had, before and after, and how many are paired."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, primary_key=True, related_name="rollup")
    pre_responses = models.PositiveIntegerField(default=0)
    post_responses = models.PositiveIntegerField(default=0)
    paired = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"Rollup of session {self.session_id}"


ROLLUP_VALUE_FIELDS = [f"{phase}_{value}" for phase in ("pre", "post") for value in (1, 2, 3, 4, 5, "dont_know")]
ROLLUP_PAIRED_FIELDS = ["paired_both", "paired_improved", "paired_worsened", "paired_neither"]
ROLLUP_PAIRED_VALUE_FIELDS = [f"paired_{phase}_{value}" for phase in ("pre", "post") for value in (1, 2, 3, 4, 5)]
ROLLUP_FIELDS = ROLLUP_VALUE_FIELDS + ROLLUP_PAIRED_FIELDS + ROLLUP_PAIRED_VALUE_FIELDS


class ProgrammeRelease(models.Model):
    """A programme's results, released by its lead: counted over the sessions released by then, and fixed.

    Figures that moved with each new session could single out the few people it changed (surveys.results
    .programme); released once, after the series, they never move. Sessions released later are not counted.
    """

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, primary_key=True, related_name="release")
    released_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey("coprod.User", on_delete=models.SET_NULL, null=True, related_name="+")

    def __str__(self):
        return f"Results of {self.programme_id} released {self.released_at:%Y-%m-%d}"


class WhatHappenedNext(models.Model):
    """A session's "What happened next" page, published by its lead once its questionnaires are released.

    While it exists, the session's questionnaire addresses (and their short codes), closed, show the people who were
    there the session's released results and the projects marked as shown to them; deleting it unpublishes. One per
    session: the primary key.
    """

    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, primary_key=True, related_name="what_happened_next"
    )
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey("coprod.User", on_delete=models.SET_NULL, null=True, related_name="+")

    def __str__(self):
        return f"What happened next: session {self.session_id}"


class BoardPaperQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("created_by").order_by("-period_end", "-period_start", "-pk")


class BoardPaper(models.Model):
    """A partnership's board paper for a period: Situation - Background - Assessment - Recommendation.

    The situation, the background and the figures of the assessment are generated from the period's sessions when
    the paper is shown (surveys.views.board); only the lead's own assessment and recommendation are kept.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="board_papers")
    period_start = models.DateField()
    period_end = models.DateField()
    title = models.CharField(max_length=200)
    assessment = models.TextField(
        blank=True, max_length=1000, help_text="Your own assessment, at most 1,000 characters."
    )
    recommendation = models.TextField(
        blank=True, max_length=1000, help_text="What you recommend the board does, at most 1,000 characters."
    )
    created_by = models.ForeignKey("coprod.User", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BoardPaperQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="board_paper_period_order"),
            models.UniqueConstraint(
                fields=["partnership", "period_start", "period_end"], name="board_paper_one_per_period"
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("surveys:board-paper", args=[self.pk])

    @property
    def filters(self):
        """The results filters of the period: the paper's figures are the results page's under them."""
        return {"date_from": self.period_start, "date_to": self.period_end}


SHARED_LINK_DAYS = 90


def shared_link_expiry():
    return timezone.now() + datetime.timedelta(days=SHARED_LINK_DAYS)


def shared_link_token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


class SharedLinkKind(models.TextChoices):
    SESSION_RESULTS = "session-results", "Session results"
    PARTNERSHIP_RESULTS = "partnership-results", "Partnership results"
    PROGRAMME_RESULTS = "programme-results", "Programme results"
    NATIONAL_RESULTS = "national-results", "National results"
    PARTNERSHIP_DASHBOARD = "partnership-dashboard", "Partnership dashboard"
    NATIONAL_DASHBOARD = "national-dashboard", "National dashboard"


class SharedLinkQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("created_by", "revoked_by", "partnership").order_by("-created_at", "-pk")


class SharedLink(models.Model):
    """A read-only link to a results or dashboard page, its filters frozen, for people without an account.

    Only the sha256 of its token is kept: the link is shown once, when made. It ends when it expires or is revoked;
    through it there are no written answers, downloads or filters (surveys.views.shared).
    """

    kind = models.CharField(max_length=30, choices=SharedLinkKind.choices)
    target_id = models.PositiveBigIntegerField(null=True, blank=True, help_text="The session's or programme's id")
    query = models.CharField(max_length=1000, blank=True, help_text="The page's filters, as its query string")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, null=True, blank=True, related_name="shared_links"
    )
    label = models.CharField(max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey("coprod.User", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=shared_link_expiry)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey("coprod.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = SharedLinkQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(expires_at__gt=F("created_at")), name="shared_link_expires_after"),
            models.CheckConstraint(condition=Q(kind__in=SharedLinkKind.values), name="shared_link_kind_valid"),
        ]

    def __str__(self):
        what = self.get_kind_display()
        return f"{what}: {self.label}" if self.label else what

    def get_absolute_url(self):
        """Where it is listed: its partnership's links, or the national ones."""
        if self.partnership_id:
            return reverse("surveys:shared-links", args=[self.partnership_id])
        return reverse("surveys:national-shared-links")

    def status(self, now=None):
        """ "revoked", "expired" or "active"."""
        if self.revoked_at:
            return "revoked"
        return "expired" if self.expires_at <= (now or timezone.now()) else "active"
