"""The core every app stands on: users, partnerships, localities, organisations and memberships."""

from auditlog.models import AbstractLogEntry, LogEntryManager
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django_otp.models import Device, ThrottlingMixin, TimestampMixin


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Sector(models.TextChoices):
    NHS = "nhs", "NHS / health board"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    HSCP = "hscp", "Health and Social Care Partnership"
    THIRD_SECTOR = "third_sector", "Third sector"
    INDEPENDENT = "independent", "Independent provider"
    COMMUNITY = "community", "Community or volunteer-led group"
    ACADEMIC = "academic", "Academic"
    NATIONAL_BODY = "national_body", "National body"


class Role(models.TextChoices):
    """A member's role in one partnership, strongest first."""

    LEAD = "lead", "Partnership lead"
    FACILITATOR = "facilitator", "Facilitator"
    VIEWER = "viewer", "Viewer"


class User(AbstractUser):
    is_alliance_staff = models.BooleanField(
        "ALLIANCE staff",
        default=False,
        help_text="National role: reads every partnership, manages organisations, templates and users.",
    )

    def __str__(self):
        return self.get_full_name() or self.username

    def get_absolute_url(self):
        return reverse("user-edit", args=[self.pk])


class PartnershipQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_alliance_staff:
            return self.all()
        # A subquery, not a join: a join on memberships would leave for_list() counting the user's own alone.
        return self.filter(pk__in=Membership.objects.filter(user=user).values("partnership_id"))

    def for_list(self):
        return self.annotate(
            locality_count=models.Count("localities", distinct=True),
            member_count=models.Count("memberships", distinct=True),
        ).order_by("name")


class Partnership(TimeStampedModel):
    """A Health and Social Care Partnership (Integration Authority)."""

    name = models.CharField(max_length=120)
    council_area = models.CharField(max_length=120, blank=True)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Lower("name"), name="partnership_name_unique_ci")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partnership-detail", args=[self.pk])

    @property
    def short_name(self):
        """The council area ("North Ayrshire"), where the full name would not fit: a table's rows, a chart's."""
        return self.council_area or self.name


class Locality(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="localities")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "localities"
        constraints = [
            models.UniqueConstraint("partnership", Lower("name"), name="locality_name_unique_in_partnership"),
        ]

    def __str__(self):
        return self.name


class Priority(models.Model):
    """One priority of the partnership's strategic plan, in the plan's order."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="priorities")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=250)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name_plural = "priorities"
        constraints = [
            models.UniqueConstraint("partnership", Lower("title"), name="priority_title_unique_in_partnership"),
        ]

    def __str__(self):
        return self.title


class ContextFigure(models.Model):
    """A figure that describes the partnership's population, always with its source."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="context_figures")
    label = models.CharField(max_length=200)
    value = models.CharField(max_length=60, help_text="As published, e.g. 28% or 1,200.")
    source = models.CharField(max_length=250, help_text="Publication and year, e.g. SIMD 2020.")

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.label}: {self.value}"


class Membership(TimeStampedModel):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__username"]
        constraints = [
            models.UniqueConstraint("user", "partnership", name="membership_unique_per_partnership"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.partnership})"


class Invitation(models.Model):
    """An existing account asked to join a partnership: a member only once its owner accepts (coprod.services)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint("user", "partnership", name="invitation_unique_per_partnership"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="invitation_role_valid"),
        ]

    def __str__(self):
        return f"Invitation to {self.partnership} ({self.get_role_display()})"

    def get_absolute_url(self):
        return reverse("invitation", args=[self.pk])


class OrganisationQuerySet(models.QuerySet):
    def for_list(self):
        return self.prefetch_related(
            models.Prefetch("partnerships", queryset=Partnership.objects.only("id", "name"))
        ).order_by(Lower("name"))


class Organisation(TimeStampedModel):
    """A body that takes part in sessions and projects: the register is shared nationally."""

    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=30, choices=Sector.choices)
    is_alliance_member = models.BooleanField("ALLIANCE member", default=False)
    partnerships = models.ManyToManyField(
        Partnership, related_name="organisations", blank=True, verbose_name="partnerships it works in"
    )
    website = models.URLField(blank=True)
    contact_email = models.EmailField(blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="organisation_name_unique_ci"),
            models.CheckConstraint(condition=models.Q(sector__in=Sector.values), name="organisation_sector_valid"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organisation-detail", args=[self.pk])


class SubmissionKey(models.Model):
    """A one-time key carried by a rendered form, so a double submit stores one record.

    The unique key is the guard: the second submit's insert fails inside the same transaction
    as the first one's writes, and the user is sent to what the first submit created.
    """

    key = models.UUIDField(unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    redirect_url = models.CharField(max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return str(self.key)


def code_normalise(code):
    """A code as typed (spaces, hyphens, capitals) in the form it is checked: a second factor or a recovery code."""
    return "".join(str(code).split()).replace("-", "").lower()


class RecoveryCodes(TimestampMixin, ThrottlingMixin, Device):
    """A user's single-use recovery codes, as a django-otp device: their second factor when the phone is lost.

    Each code is kept only as a salted password hash (ASVS 5.0 6.5.2: a lookup secret of under 112 bits). Its last
    four characters are stored as they are and say which hash to check, so a code costs one slow hash, not one
    per code left; the rest of it, 40 random bits, is the secret.
    """

    class Meta:
        verbose_name_plural = "recovery codes"
        constraints = [models.UniqueConstraint(fields=["user"], name="recovery_codes_one_set_per_user")]

    def get_throttle_factor(self):
        return 1

    def verify_token(self, token):
        """Use up the code if it is one of ours; the caller holds the device's row lock (select_for_update)."""
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        code = code_normalise(token)
        match = self.codes.filter(locator=code[-RecoveryCode.LOCATOR_LENGTH :]).first()
        if match is None:
            make_password(code)  # as slow as a real check, so the time taken does not tell which codes exist
        elif check_password(code, match.hash):
            match.delete()
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
            return True
        self.throttle_increment()
        return False


class RecoveryCode(models.Model):
    LOCATOR_LENGTH = 4

    device = models.ForeignKey(RecoveryCodes, on_delete=models.CASCADE, related_name="codes")
    locator = models.CharField(max_length=LOCATOR_LENGTH)
    hash = models.CharField(max_length=128)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device", "locator"], name="recovery_code_locator_unique")]

    def __str__(self):
        return f"recovery code {self.pk}"

    @classmethod
    def of(cls, device, code):
        code = code_normalise(code)
        return cls(device=device, locator=code[-cls.LOCATOR_LENGTH :], hash=make_password(code))


class AuditEntryManager(LogEntryManager):
    def log_create(self, instance, force_log=False, **kwargs):
        from coprod import audit

        kwargs.setdefault("partnership_id", audit.partnership_of(instance))
        kwargs.setdefault("object_repr", audit.describe(instance))
        return super().log_create(instance, force_log=force_log, **kwargs)

    def log_m2m_changes(self, changed_queryset, instance, operation, field_name, **kwargs):
        from coprod import audit

        kwargs.setdefault("partnership_id", audit.partnership_of(instance))
        kwargs.setdefault("object_repr", audit.describe(instance))
        return super().log_m2m_changes(changed_queryset, instance, operation, field_name, **kwargs)


class AuditEntry(AbstractLogEntry):
    """One entry of the audit trail (django-auditlog's log entry), filed under the partnership it concerns."""

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = AuditEntryManager()

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["partnership", "-timestamp"])]


class PanelVersion(models.Model):
    """A new random token each time the data of a topic that dashboard panels read changes (coprod.panels).

    A cached panel is kept under the tokens of what it reads, so it is built afresh after any change. The token is
    written in the same transaction as the change, so no one can read the new token with the old data.
    """

    topic = models.CharField(max_length=20, primary_key=True, editable=False)
    token = models.CharField(max_length=32, editable=False)

    def __str__(self):
        return f"{self.topic}: {self.token}"


class RateCount(models.Model):
    """One client's count in one window of a rate limit (coprod.limits), kept here where no Redis is configured.

    The key names its window, so a count is never reset inside it; rows of past windows are deleted as new ones
    begin.
    """

    key = models.CharField(max_length=200, primary_key=True, editable=False)
    count = models.PositiveIntegerField(editable=False)
    expires_at = models.DateTimeField(db_index=True, editable=False)

    def __str__(self):
        return f"{self.key}: {self.count}"
