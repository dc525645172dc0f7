"""Workshops forms."""

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.db.models.functions import Lower
from django.template.defaultfilters import filesizeformat

from coprod.forms import OnceForm
from coprod.models import Locality, Organisation, Partnership, Role, Sector
from workshops import selectors, services
from workshops.models import (
    AHP_ROLES,
    NOTE_MAX_LENGTH,
    AttendanceStatus,
    Attendee,
    AttendeeRole,
    Programme,
    Session,
    SessionKind,
    SessionStatus,
)
from workshops.services import BULK_MAX_BYTES

# --- Sessions and attendance ---


class SessionPartnershipForm(forms.Form):
    """First step of a new session when the user may log sessions in more than one partnership."""

    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(),
        empty_label="Choose a partnership",
        error_messages={"invalid_choice": "Choose one of your partnerships."},
    )

    def __init__(self, *args, partnerships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships


class SessionForm(forms.ModelForm):
    class Meta:
        model = Session
        fields = [
            "kind",
            "title",
            "locality",
            "programme",
            "date",
            "start_time",
            "end_time",
            "venue",
            "is_online",
            "facilitators",
            "facilitating_organisations",
            "aim_codesign",
            "aim_local_projects",
            "aim_resources",
            "aim_alliance",
            "aims_other",
            "status",
            "notes",
        ]
        labels = {
            "start_time": "Start time",
            "end_time": "End time",
            "is_online": "Online",
            "facilitators": "Facilitators (members of the partnership)",
            "facilitating_organisations": "Facilitating organisations",
            "aim_codesign": "Co-design of new ways of working across health, social care and the third sector",
            "aim_local_projects": "Identify and progress local multi-agency projects that support the strategic plan",
            "aim_resources": "Awareness of local and national resources for health and wellbeing",
            "aim_alliance": "Awareness of the ALLIANCE and its self-management resources",
            "aims_other": "Other aims",
        }
        help_texts = {
            "date": "For example 24/01/2018.",
            "start_time": "UK time, for example 09:30.",
            "end_time": "UK time, for example 13:00.",
            "venue": "For example Volunteer Rooms, Irvine. Leave empty for an online session.",
            "is_online": "Tick for an online session (or a hybrid one, with a venue too).",
            "facilitating_organisations": "Organisations that work in this partnership or nationally.",
        }
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "facilitators": forms.CheckboxSelectMultiple,
            "facilitating_organisations": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        mine = f"Choose one of {partnership}'s"
        locality = self.fields["locality"]
        locality.queryset = partnership.localities.order_by("name")
        locality.empty_label = "No particular locality"
        locality.error_messages["invalid_choice"] = f"{mine} localities."
        programme = self.fields["programme"]
        programme.queryset = Programme.objects.filter(partnership=partnership).order_by("title")
        programme.empty_label = "Not part of a programme"
        programme.error_messages["invalid_choice"] = f"{mine} programmes."
        facilitators = self.fields["facilitators"]
        facilitators.queryset = (
            get_user_model()
            .objects.filter(
                # Those who may run a session: its leads and facilitators (a viewer reads only), and whoever
                # facilitates it already.
                Q(memberships__partnership=partnership, memberships__role__in=[Role.LEAD, Role.FACILITATOR])
                | Q(pk__in=self.instance.facilitators.values("pk") if self.instance.pk else [])
            )
            .distinct()
            .order_by("first_name", "last_name", "username")
        )
        facilitators.error_messages["invalid_choice"] = f"{mine} members."
        chosen = self.instance.facilitating_organisations.all() if self.instance.pk else Organisation.objects.none()
        self.fields["facilitating_organisations"].queryset = (
            Organisation.objects.filter(
                Q(partnerships=partnership) | Q(partnerships=None) | Q(pk__in=chosen.values("pk"))
            )
            .distinct()
            .order_by(Lower("name"))
        )
        self.fields["status"].help_text = "Cancel a session with its Cancel button, which keeps its register."
        self.fields["title"].help_text = "For example Exploring New Ways of Working: North Ayrshire."

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", "The session must end after it starts: check the end time.")
        if not data.get("is_online") and not (data.get("venue") or "").strip() and "venue" not in self.errors:
            self.add_error("venue", "Give the venue, or tick “Online” for an online session.")
        return data

    def session_fields(self):
        """The cleaned data as the services take it."""
        data = dict(self.cleaned_data)
        data.pop("submission_key", None)
        return data


class SessionCreateForm(OnceForm, SessionForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new session is planned or already held; cancelling comes later.
        self.fields["status"].choices = [
            (value, label) for value, label in SessionStatus.choices if value != SessionStatus.CANCELLED
        ]
        self.fields["status"].help_text = "Choose “Held” to log a session that has already taken place."


class SessionFilterForm(forms.Form):
    WHEN_CHOICES = [("", "Upcoming and past"), ("upcoming", "Upcoming"), ("past", "Past")]

    when = forms.ChoiceField(choices=WHEN_CHOICES, required=False)
    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(), required=False, empty_label="Any partnership"
    )
    kind = forms.ChoiceField(choices=[("", "Any kind")] + SessionKind.choices, required=False)
    locality = forms.ModelChoiceField(queryset=Locality.objects.none(), required=False, empty_label="Any locality")
    programme = forms.ModelChoiceField(queryset=Programme.objects.none(), required=False, empty_label="Any programme")
    status = forms.ChoiceField(choices=[("", "Any status")] + SessionStatus.choices, required=False)
    date_from = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, partnerships, **kwargs):
        """`partnerships`: those the user can see (a list); names are added to labels when there are several."""
        super().__init__(*args, **kwargs)
        several = len(partnerships) > 1
        self.fields["partnership"].queryset = Partnership.objects.filter(pk__in=[p.pk for p in partnerships])
        if not several:
            del self.fields["partnership"]
        localities = Locality.objects.filter(partnership__in=partnerships).select_related("partnership")
        self.fields["locality"].queryset = localities.order_by("partnership__name", "name")
        programmes = Programme.objects.filter(partnership__in=partnerships).select_related("partnership")
        self.fields["programme"].queryset = programmes.order_by("partnership__name", "title")
        if several:
            self.fields["locality"].label_from_instance = lambda o: f"{o.name} ({o.partnership})"
            self.fields["programme"].label_from_instance = lambda o: f"{o.title} ({o.partnership})"

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end of the date range must not be before its start.")
        return data


def _role_choices():
    """The AHP professions grouped, then the other roles."""
    others = [(value, label) for value, label in AttendeeRole.choices if value not in AHP_ROLES]
    ahps = [(value, label) for value, label in AttendeeRole.choices if value in AHP_ROLES]
    return [("", "Choose a role"), ("Allied Health Professions", ahps), ("Other roles", others)]


class OrganisationChoiceField(forms.ChoiceField):
    """The register as one select: organisations working in the partnership first, in one query."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._organisations = {}

    def set_organisations(self, organisations, partnership):
        organisations = list(organisations)
        self._organisations = {str(o.pk): o for o in organisations}
        here = [(str(o.pk), o.name) for o in organisations if o.works_here]
        elsewhere = [(str(o.pk), o.name) for o in organisations if not o.works_here]
        self.choices = [("", "None, or not in the register")] + [
            group for group in [(f"Working in {partnership}", here), ("National organisations", elsewhere)] if group[1]
        ]

    def clean(self, value):
        value = super().clean(value)
        return self._organisations.get(value) if value else None


class AttendeeAddForm(forms.Form):
    name = forms.CharField(max_length=200, error_messages={"required": "Enter the person's name."})
    email = forms.EmailField(
        required=False,
        max_length=Attendee._meta.get_field("email").max_length,
        help_text="Optional. Someone already known to the partnership by this email is matched to their record.",
    )
    organisation = OrganisationChoiceField(label="Organisation", required=False)
    new_organisation = forms.CharField(
        label="Or a new organisation",
        max_length=200,
        required=False,
        help_text="Not in the register? Type its name and it is added, with the sector below.",
    )
    sector = forms.ChoiceField(
        choices=[("", "The organisation's sector")] + Sector.choices,
        required=False,
        help_text="Leave as it is to use the sector of the organisation chosen above.",
    )
    role = forms.ChoiceField(choices=_role_choices(), error_messages={"required": "Choose the person's role."})

    def __init__(self, *args, partnership, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].set_organisations(organisations, partnership)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class AttendanceMarkForm(forms.Form):
    status = forms.ChoiceField(choices=AttendanceStatus.choices)
    page = forms.IntegerField(required=False, min_value=1)


def read_csv_upload(upload):
    """The text of an uploaded CSV file, or a ValidationError that says what to do instead."""
    name = upload.name or "The file"
    if not name.lower().endswith((".csv", ".txt", ".tsv")):
        raise forms.ValidationError(
            f"“{name}” is not a CSV file. In your spreadsheet choose Save As, then “CSV UTF-8”, and upload that."
        )
    if upload.size > BULK_MAX_BYTES:
        raise forms.ValidationError(
            f"“{name}” is {filesizeformat(upload.size)}; the limit is 1 MB (about 5,000 rows). "
            "Split it into smaller files."
        )
    data = upload.read()
    if not data.strip():
        raise forms.ValidationError(f"“{name}” is empty.")
    if b"\x00" in data:
        raise forms.ValidationError(
            f"“{name}” is not a CSV file: it holds binary data, as a spreadsheet workbook does. "
            "In your spreadsheet choose Save As, then “CSV UTF-8”, and upload that."
        )
    for encoding in ("utf-8-sig", "cp1252"):  # CSV UTF-8, or Excel's older "CSV (comma delimited)"
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise forms.ValidationError(
        f"The text of “{name}” cannot be read. In your spreadsheet choose Save As, then “CSV UTF-8”, and upload that."
    )


class BulkRegisterForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.tsv,text/csv"}),
        help_text="Up to 1 MB and 5,000 people.",
    )
    text = forms.CharField(
        label="Or paste the rows",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text="Copied from a spreadsheet (tab-separated) or as CSV, one person a line.",
    )
    all_attended = forms.BooleanField(
        label="Everyone on this list attended (it is a signed-in sheet)",
        required=False,
        help_text="Leave unticked to register them, then mark attendance on the register.",
    )

    def clean_text(self):
        text = self.cleaned_data["text"]
        if len(text.encode()) > BULK_MAX_BYTES:
            raise forms.ValidationError("The pasted rows are over 1 MB (about 5,000 rows): paste fewer at a time.")
        return text

    def clean(self):
        data = super().clean()
        upload, text = data.get("file"), data.get("text", "")
        if upload and text.strip():
            self.add_error("text", "Upload a file or paste rows, not both: clear one of them.")
        elif upload:
            try:
                data["csv_text"] = read_csv_upload(upload)
            except forms.ValidationError as error:
                self.add_error("file", error)
        elif text.strip():
            data["csv_text"] = text
        elif not self.errors:
            self.add_error("file", "Choose a CSV file to upload, or paste the rows.")
        return data


class BulkRegisterSaveForm(OnceForm):
    """The checked rows travel back as text and are checked again on save: nothing from the client is trusted."""

    text = forms.CharField(widget=forms.HiddenInput, strip=False)
    all_attended = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def clean_text(self):
        text = self.cleaned_data["text"]
        if len(text.encode()) > BULK_MAX_BYTES:
            raise forms.ValidationError("The rows are over 1 MB (about 5,000 rows).")
        return text


class AttendeeForm(forms.ModelForm):
    class Meta:
        model = Attendee
        fields = ["name", "email", "organisation", "sector", "role"]
        help_texts = {"email": "Optional. It matches this person when they come to another session."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = selectors.organisations_for_attendees(
            partnership=self.instance.partnership_id, keep=self.instance.organisation_id
        )
        self.fields["organisation"].empty_label = "None, or not in the register"
        self.fields["role"].choices = _role_choices()

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        others = Attendee.objects.filter(partnership=self.instance.partnership_id, email__iexact=email)
        if email and others.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                "Another attendee of this partnership has this email: merge the two records instead."
            )
        return email


class AttendeeFilterForm(forms.Form):
    """No search by name: names are personal data and never go into URLs."""

    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(), required=False, empty_label="Any partnership"
    )

    def __init__(self, *args, partnerships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = Partnership.objects.filter(pk__in=[p.pk for p in partnerships])


class AttendeeMergeForm(forms.Form):
    keep = forms.ModelChoiceField(queryset=Attendee.objects.none(), label="Record to keep")
    duplicate = forms.ModelChoiceField(
        queryset=Attendee.objects.none(),
        label="Duplicate record",
        help_text="Its sessions move to the record kept, then it is deleted.",
        empty_label="Choose the duplicate",
    )

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        people = (
            Attendee.objects.filter(partnership=partnership, erased_at=None)
            .select_related("organisation")
            .order_by(Lower("name"), "pk")
        )
        for name in ("keep", "duplicate"):
            self.fields[name].queryset = people
            self.fields[name].label_from_instance = _attendee_label

    def clean(self):
        data = super().clean()
        if data.get("keep") and data.get("keep") == data.get("duplicate"):
            self.add_error("duplicate", "Choose a different record from the one kept.")
        return data


def _attendee_label(attendee):
    details = [attendee.email or "no email", str(attendee.organisation or "no organisation")]
    return f"{attendee.name} ({', '.join(details)})"


# --- Programmes and CPD certificates ---


class ProgrammeForm(forms.ModelForm):
    completion_threshold = forms.IntegerField(
        label="Sessions needed to complete",
        min_value=1,
        max_value=500,
        help_text="The completion rule: a participant completes by attending at least this many of its sessions.",
        error_messages={
            "min_value": "Enter 1 or more: a participant completes by attending at least this many sessions.",
            "max_value": "Enter a number of sessions of 500 or fewer.",
            "invalid": "Enter a whole number of sessions, for example 7.",
            "required": "Enter how many sessions a participant must attend to complete, for example 7.",
        },
    )
    cpd_hours_per_session = forms.DecimalField(
        label="CPD hours per session",
        min_value=0,
        max_value=Decimal("99.9"),
        max_digits=3,
        decimal_places=1,
        help_text="For example 3 or 2.5. A certificate counts this for every session attended.",
        error_messages={
            "min_value": "CPD hours cannot be negative.",
            "max_value": "Enter 99.9 hours or fewer.",
            "invalid": "Enter a number of hours, for example 3 or 2.5.",
            "required": "Enter the CPD hours per session, or 0 if it carries none.",
        },
    )

    class Meta:
        model = Programme
        fields = [
            "partnership",
            "title",
            "description",
            "facilitating_organisation",
            "cpd_hours_per_session",
            "completion_threshold",
            "signatory_name",
            "signatory_role",
        ]
        help_texts = {"facilitating_organisation": "From the organisation register, e.g. Governance International."}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, partnerships, **kwargs):
        """`partnerships`: those the user may create programmes in."""
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships
        self.fields["partnership"].empty_label = "Choose a partnership"
        organisation = self.fields["facilitating_organisation"]
        organisation.queryset = Organisation.objects.order_by(Lower("name"))
        organisation.empty_label = "None"
        # Held and planned sessions: a cancelled one can never be attended.
        self.session_count = 0
        if self.instance.pk:
            sessions = self.instance.sessions.all()
            self.session_count = sessions.exclude(status=SessionStatus.CANCELLED).count()
            if sessions.exists():
                # Its sessions belong to this partnership: moving the programme would split them.
                self.fields["partnership"].disabled = True
                self.fields["partnership"].help_text = "A programme with sessions stays in its partnership."

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean_completion_threshold(self):
        threshold = self.cleaned_data["completion_threshold"]
        # Checked when changed, so that a programme still adding sessions can be edited meanwhile.
        if self.session_count and "completion_threshold" in self.changed_data and threshold > self.session_count:
            sessions = f"{self.session_count} session{'s' if self.session_count != 1 else ''}"
            raise forms.ValidationError(
                f"This programme has {sessions} (not counting cancelled ones), so nobody could attend "
                f"{threshold}: enter a number from 1 to {self.session_count}."
            )
        return threshold

    def clean(self):
        cleaned = super().clean()
        partnership, title = cleaned.get("partnership"), cleaned.get("title")
        if partnership and title:
            taken = Programme.objects.filter(partnership=partnership, title__iexact=title).exclude(pk=self.instance.pk)
            if taken.exists():
                self.add_error("title", f"{partnership} already has a programme called “{title}”.")
        return cleaned


class ProgrammeCreateForm(OnceForm, ProgrammeForm):
    pass


class CertificateNoteForm(forms.Form):
    """The participant's reflective note: the only field of a page that shows nothing else of theirs."""

    note = forms.CharField(
        label="Your reflective note",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=(
            f"What you learned, and how it will benefit your practice and the people you work with. Up to "
            f"{NOTE_MAX_LENGTH:,} characters. It is printed on your certificate. This link works once: after you "
            "save, the note cannot be changed here."
        ),
        error_messages={"required": "Write your note, or close this page if you would rather not add one."},
    )

    def clean_note(self):
        note = services.note_clean(self.cleaned_data["note"])
        if len(note) > NOTE_MAX_LENGTH:
            # Said here, not by a maxlength attribute: a pasted note is never cut short without a word.
            raise forms.ValidationError(
                f"Your note is {len(note):,} characters: shorten it to {NOTE_MAX_LENGTH:,} or fewer."
            )
        return note
