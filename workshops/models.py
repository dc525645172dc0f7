"""Sessions, programmes, attendees and attendance: where questionnaires and projects attach."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from coprod.models import Locality, Organisation, Partnership, Sector, TimeStampedModel


class SessionKind(models.TextChoices):
    EXPLORING = "exploring", "Exploring New Ways of Working session"
    GOOD_CONVERSATIONS = "good_conversations", "Good Conversations workshop"
    STAR_WORKSHOP = "star_workshop", "Co-production Star workshop"
    LAB = "lab", "Co-production Lab"
    OTHER = "other", "Other"


class SessionStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class AttendeeRole(models.TextChoices):
    ART_THERAPIST = "art_therapist", "Art therapist"
    DIAGNOSTIC_RADIOGRAPHER = "diagnostic_radiographer", "Diagnostic radiographer"
    DIETITIAN = "dietitian", "Dietitian"
    DRAMA_THERAPIST = "drama_therapist", "Drama therapist"
    MUSIC_THERAPIST = "music_therapist", "Music therapist"
    OCCUPATIONAL_THERAPIST = "occupational_therapist", "Occupational therapist"
    ORTHOPTIST = "orthoptist", "Orthoptist"
    ORTHOTIST = "orthotist", "Orthotist"
    PARAMEDIC = "paramedic", "Paramedic"
    PHYSIOTHERAPIST = "physiotherapist", "Physiotherapist"
    PODIATRIST = "podiatrist", "Podiatrist"
    PROSTHETIST = "prosthetist", "Prosthetist"
    SPEECH_AND_LANGUAGE_THERAPIST = "speech_and_language_therapist", "Speech and language therapist"
    THERAPEUTIC_RADIOGRAPHER = "therapeutic_radiographer", "Therapeutic radiographer"
    SOCIAL_CARE_STAFF = "social_care_staff", "Social care staff"
    THIRD_SECTOR_STAFF = "third_sector_staff", "Third sector staff"
    VOLUNTEER = "volunteer", "Volunteer"
    LIVED_EXPERIENCE = "lived_experience", "Person with lived experience"
    UNPAID_CARER = "unpaid_carer", "Unpaid carer"
    OTHER = "other", "Other"


AHP_ROLES = AttendeeRole.values[:14]


class AttendanceStatus(models.TextChoices):
    REGISTERED = "registered", "Registered"
    ATTENDED = "attended", "Attended"
    ABSENT = "absent", "Did not attend"


class ProgrammeQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(partnership__in=Partnership.objects.visible_to(user))


class Programme(TimeStampedModel):
    """A series of sessions, e.g. the Co-production Star Action Learning Programme."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="programmes")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    facilitating_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="programmes_facilitated"
    )
    cpd_hours_per_session = models.DecimalField(
        "CPD hours per session", max_digits=4, decimal_places=1, default=0, help_text="For example 3 or 2.5."
    )
    completion_threshold = models.PositiveSmallIntegerField(
        "sessions needed to complete", help_text="A participant completes by attending at least this many sessions."
    )
    signatory_name = models.CharField(
        "signatory's name",
        max_length=200,
        blank=True,
        help_text="Printed under the signature line of each certificate.",
    )
    signatory_role = models.CharField(
        "signatory's role", max_length=200, blank=True, help_text="For example: Chief Officer, North Ayrshire HSCP."
    )

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint("partnership", Lower("title"), name="programme_title_unique_in_partnership"),
            models.CheckConstraint(condition=Q(completion_threshold__gte=1), name="programme_threshold_positive"),
            models.CheckConstraint(condition=Q(cpd_hours_per_session__gte=0), name="programme_cpd_hours_not_negative"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("workshops:programme-detail", args=[self.pk])


class SessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(partnership__in=Partnership.objects.visible_to(user))

    def for_list(self):
        return self.select_related("partnership", "locality", "programme").annotate(
            registered_count=Count("attendances", distinct=True),
            attended_count=Count("attendances", filter=Q(attendances__status=AttendanceStatus.ATTENDED), distinct=True),
        )


class Session(TimeStampedModel):
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="sessions")
    kind = models.CharField(max_length=30, choices=SessionKind.choices, default=SessionKind.EXPLORING)
    title = models.CharField(max_length=200)
    locality = models.ForeignKey(Locality, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions")
    date = models.DateField()
    start_time = models.TimeField()
    end_time = models.TimeField()
    venue = models.CharField(max_length=200, blank=True, help_text="Leave empty for an online session.")
    is_online = models.BooleanField("online", default=False)
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="sessions_facilitated", verbose_name="facilitators"
    )
    facilitating_organisations = models.ManyToManyField(Organisation, blank=True, related_name="sessions_facilitated")
    # The four aims of the Exploring New Ways of Working framework, plus free text.
    aim_codesign = models.BooleanField(
        "co-design of new ways of working across health, social care and the third sector", default=False
    )
    aim_local_projects = models.BooleanField(
        "identify and progress local multi-agency projects that support the strategic plan", default=False
    )
    aim_resources = models.BooleanField(
        "awareness of local and national resources for health and wellbeing", default=False
    )
    aim_alliance = models.BooleanField("awareness of the ALLIANCE and its self-management resources", default=False)
    aims_other = models.CharField("other aims", max_length=300, blank=True)
    status = models.CharField(max_length=20, choices=SessionStatus.choices, default=SessionStatus.PLANNED)
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-start_time"]
        indexes = [models.Index(fields=["partnership", "date"])]
        constraints = [
            models.CheckConstraint(condition=Q(end_time__gt=models.F("start_time")), name="session_ends_after_start"),
            models.CheckConstraint(condition=Q(kind__in=SessionKind.values), name="session_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=SessionStatus.values), name="session_status_valid"),
            models.CheckConstraint(condition=Q(is_online=True) | ~Q(venue=""), name="session_has_venue_or_online"),
        ]

    def __str__(self):
        return f"{self.title} ({self.date:%-d %b %Y})"

    def get_absolute_url(self):
        return reverse("workshops:session-detail", args=[self.pk])

    @property
    def aims(self):
        """The labels of the aims this session addresses, in the framework's order."""
        names = ["aim_codesign", "aim_local_projects", "aim_resources", "aim_alliance"]
        chosen = [self._meta.get_field(name).verbose_name for name in names if getattr(self, name)]
        return chosen + ([self.aims_other] if self.aims_other else [])


class AttendeeQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(partnership__in=Partnership.objects.visible_to(user))


class Attendee(TimeStampedModel):
    """One person, once per partnership, however many of its sessions they come to.

    Name and email are personal data: erasure blanks them and keeps the attendance rows, so counts stay.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="attendees")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="attendees"
    )
    sector = models.CharField(max_length=30, choices=Sector.choices)
    role = models.CharField(max_length=40, choices=AttendeeRole.choices)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = AttendeeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "partnership", Lower("email"), condition=~Q(email=""), name="attendee_email_unique_in_partnership"
            ),
            models.CheckConstraint(condition=Q(sector__in=Sector.values), name="attendee_sector_valid"),
            models.CheckConstraint(condition=Q(role__in=AttendeeRole.values), name="attendee_role_valid"),
        ]

    def __str__(self):
        return self.name


class Attendance(TimeStampedModel):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    attendee = models.ForeignKey(Attendee, on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(max_length=20, choices=AttendanceStatus.choices, default=AttendanceStatus.REGISTERED)

    class Meta:
        ordering = ["attendee__name"]
        constraints = [
            models.UniqueConstraint("session", "attendee", name="attendance_once_per_session"),
            models.CheckConstraint(condition=Q(status__in=AttendanceStatus.values), name="attendance_status_valid"),
        ]

    def __str__(self):
        return f"{self.attendee} at {self.session}"


# Certificate numbers: no 0/O, 1/I/L, so a number read off paper is typed right. 31**8 (about 850 billion)
# numbers, drawn at random: a few hundred guesses per address per window (the rate limit) find nobody.
CERTIFICATE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CERTIFICATE_NUMBER_LENGTH = 8
NOTE_MAX_LENGTH = 1000


def certificate_number_new():
    return "".join(secrets.choice(CERTIFICATE_ALPHABET) for _ in range(CERTIFICATE_NUMBER_LENGTH))


def hash_note_key(key):
    """The stored form of a note link's key. The key is 256 random bits, so a plain SHA-256 cannot be reversed."""
    return hashlib.sha256(key.encode()).hexdigest()


class Certificate(TimeStampedModel):
    """A completer's CPD certificate, issued when a lead sends or prints it: its number stays checkable.

    The reflective note is the participant's, written through a single-use link emailed to them. Erasing the
    attendee erases the note and the link; the row stays, so the number still checks out, without a name.
    """

    number = models.CharField(
        max_length=CERTIFICATE_NUMBER_LENGTH, unique=True, default=certificate_number_new, editable=False
    )
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="certificates")
    attendee = models.ForeignKey(Attendee, on_delete=models.PROTECT, related_name="certificates")
    issued_at = models.DateTimeField(default=timezone.now)
    note = models.TextField("reflective note", blank=True)
    note_written_at = models.DateTimeField(null=True, blank=True)
    # Only the hash of the emailed link's key: a copy of the database cannot write anyone's note.
    note_key_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    note_link_sent_at = models.DateTimeField(null=True, blank=True)
    note_link_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["issued_at", "pk"]
        constraints = [
            models.UniqueConstraint("programme", "attendee", name="certificate_once_per_programme_and_attendee"),
            models.CheckConstraint(
                condition=Q(number__regex=rf"^[{CERTIFICATE_ALPHABET}]{{{CERTIFICATE_NUMBER_LENGTH}}}$"),
                name="certificate_number_format",
            ),
        ]

    def __str__(self):
        return f"Certificate {self.number_display}"

    @property
    def number_display(self):
        """K7MP2QXR as K7MP-2QXR: easier to read aloud and to type."""
        half = CERTIFICATE_NUMBER_LENGTH // 2
        return f"{self.number[:half]}-{self.number[half:]}"
