"""Validation only: services do the writing (see services.py)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.db.models.functions import Lower
from django.utils import timezone

from coprod.forms import OnceForm
from coprod.models import Locality, Organisation, Partnership, Priority, Sector
from projects import paste
from projects.models import (
    MAX_BASELINE_POINTS,
    STAGE_ORDER,
    ChartType,
    DataPoint,
    FollowUpOutcome,
    Measure,
    PartnerRole,
    PdsaCycle,
    Project,
    Stage,
    StarMode,
    Topic,
)
from projects.runchart import BASELINE_POINTS
from projects.services import AIM_MISSING
from workshops.models import Session


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def mode_field_name(mode):
    return f"mode_{mode}"


MODE_HELP = {
    StarMode.CO_COMMISSIONING: "Agreeing priorities and what services there should be, with the people who use them.",
    StarMode.CO_DESIGN: "Shaping the service or activity with the people who use it and their carers.",
    StarMode.CO_DELIVERY: "Local people and service users doing some of the work themselves.",
    StarMode.CO_ASSESSMENT: "People who use the service judging how good it is and what should change.",
}


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "title",
            "topic",
            "topic_other",
            "aim",
            "locality",
            "sessions",
            "priorities",
            "people_involved_count",
            "people_involved_how",
            "shown_to_attendees",
        ]
        labels = {
            "topic": "Problem or topic",
            "topic_other": "Topic, if other",
            "aim": "Aim statement",
            "locality": "Locality",
            "sessions": "Sessions it came from",
            "priorities": "Strategic plan priorities it supports",
            "people_involved_count": "How many people who use services and unpaid carers are involved",
            "people_involved_how": "How they are involved",
            "shown_to_attendees": "Show this project to the people at its sessions",
        }
        help_texts = {
            "aim": "As in the Model for Improvement: what will improve, for whom, by how much and by when. "
            "For example: “By March 2027, 30 in-patients of Woodland View will take part in a community "
            "activity of their choice before discharge.”",
            "topic_other": "Only if the topic is not in the list.",
            "people_involved_count": "0 if none yet.",
        }
        widgets = {
            "aim": forms.Textarea(attrs={"rows": 3}),
            "people_involved_how": forms.Textarea(attrs={"rows": 2}),
            "sessions": forms.CheckboxSelectMultiple,
            "priorities": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "aim": {"required": AIM_MISSING},
            "title": {"required": "Give the project a title."},
            "topic": {"required": "Choose the problem or topic, or Other and name it."},
        }

    def __init__(self, *args, partnership, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        self.fields["topic"].choices = [("", "Choose a topic")] + Topic.choices
        self.fields["locality"].queryset = Locality.objects.filter(partnership=partnership)
        self.fields["locality"].empty_label = "Across the partnership"
        self.fields["sessions"].queryset = Session.objects.filter(partnership=partnership).order_by("-date", "pk")
        self.fields["priorities"].queryset = Priority.objects.filter(partnership=partnership)
        self.fields["people_involved_count"].min_value = 0
        current = {row.mode: row.how for row in self.instance.modes.all()} if self.instance.pk else {}
        for mode in StarMode:
            self.fields[mode_field_name(mode)] = forms.CharField(
                label=f"{mode.label}: how the project uses it",
                required=False,
                max_length=300,
                help_text=f"{MODE_HELP[mode]} Leave empty if the project does not use it.",
                initial=current.get(mode, ""),
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            *(["submission_key"] if "submission_key" in self.fields else []),
            Fieldset("The project", "title", "topic", "topic_other", "aim"),
            Fieldset("Where it came from", "locality", "sessions", "priorities"),
            Fieldset("People who use services and unpaid carers", "people_involved_count", "people_involved_how"),
            Fieldset("Co-production Star modes", *(mode_field_name(mode) for mode in StarMode)),
            Fieldset("What happened next", "shown_to_attendees"),
        )

    def clean(self):
        data = super().clean()
        if data.get("topic") == Topic.OTHER and not data.get("topic_other", "").strip():
            self.add_error("topic_other", "Name the topic, since it is not one of the list.")
        return data

    @property
    def modes(self):
        return {mode: self.cleaned_data.get(mode_field_name(mode), "") for mode in StarMode.values}

    def service_arguments(self):
        data = self.cleaned_data
        arguments = {name: data[name] for name in self._meta.fields}
        arguments["people_involved_count"] = data["people_involved_count"] or 0
        return arguments | {"modes": self.modes}


class ProjectCreateForm(OnceForm, ProjectForm):
    pass


class PartnershipChoiceForm(forms.Form):
    partnership = forms.ModelChoiceField(queryset=Partnership.objects.none(), empty_label="Choose a partnership")

    def __init__(self, *args, partnerships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships


class PartnerForm(forms.Form):
    """One partner organisation. The choices come in once for the whole formset: no query per row."""

    organisation = forms.TypedChoiceField(coerce=int, required=False, label="Organisation")
    role = forms.ChoiceField(choices=PartnerRole.choices, initial=PartnerRole.PARTNER)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisations = organisations
        self.fields["organisation"].choices = [("", "Choose an organisation")] + [
            (organisation.pk, f"{organisation.name} ({organisation.get_sector_display()})")
            for organisation in organisations.values()
        ]

    def clean_organisation(self):
        pk = self.cleaned_data["organisation"]
        return self.organisations[pk] if pk not in (None, "") else None


class BasePartnerFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = "Remove this partner"

    def clean(self):
        if any(self.errors):
            return
        names = [form.cleaned_data["organisation"] for form in self.kept_forms()]
        twice = sorted({organisation.name for organisation in names if names.count(organisation) > 1})
        if twice:
            raise forms.ValidationError(f"Each organisation takes part once: {', '.join(twice)} is listed twice.")

    def kept_forms(self):
        return [
            form for form in self.forms if form.cleaned_data.get("organisation") and not form.cleaned_data.get("DELETE")
        ]

    def partners(self):
        return [(form.cleaned_data["organisation"], form.cleaned_data["role"]) for form in self.kept_forms()]


PartnerFormSet = forms.formset_factory(PartnerForm, formset=BasePartnerFormSet, extra=3, can_delete=True)


def organisations_for_partners():
    return {organisation.pk: organisation for organisation in Organisation.objects.order_by(Lower("name"))}


STAGE_HINTS = {Stage.TESTING: "Testing (small tests of change: PDSA cycles)"}


class StageForm(forms.Form):
    to_stage = forms.ChoiceField(
        label="Move to stage", widget=forms.RadioSelect, error_messages={"required": "Choose the new stage."}
    )
    date = forms.DateField(
        label="Date of the change", widget=date_input(), error_messages={"required": "Enter the date of the change."}
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when moving back to an earlier stage or reopening a closed project.",
    )

    def __init__(self, *args, project, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)
        here = STAGE_ORDER[project.stage]
        self.fields["to_stage"].choices = [
            (value, STAGE_HINTS.get(value, label) + (" (back: give a reason)" if STAGE_ORDER[value] < here else ""))
            for value, label in Stage.choices
            if value != project.stage
        ]


class ProgressUpdateForm(forms.Form):
    date = forms.DateField(widget=date_input(), error_messages={"required": "Enter the date of the update."})
    text = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say what happened."},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"date": timezone.localdate()})
        super().__init__(*args, **kwargs)


class LearningPointForm(forms.Form):
    text = forms.CharField(
        label="Learning point",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: “Everyone involved in the improvement process is an equal partner.”",
        error_messages={"required": "Write the learning point."},
    )


class PdsaForm(forms.ModelForm):
    class Meta:
        model = PdsaCycle
        fields = [
            "title",
            "plan",
            "prediction",
            "plan_date",
            "do",
            "do_date",
            "study",
            "study_date",
            "act",
            "act_decision",
            "act_date",
        ]
        labels = {
            "title": "Change being tested",
            "plan": "Plan: what, who, where and when",
            "prediction": "Prediction: what you expect to happen",
            "plan_date": "Date planned",
            "do": "Do: what happened",
            "do_date": "Date carried out",
            "study": "Study: what the results show, against the prediction",
            "study_date": "Date studied",
            "act": "Act: what comes next",
            "act_decision": "Decision",
            "act_date": "Date decided",
        }
        widgets = {
            "plan": forms.Textarea(attrs={"rows": 3}),
            "prediction": forms.Textarea(attrs={"rows": 2}),
            "do": forms.Textarea(attrs={"rows": 3}),
            "study": forms.Textarea(attrs={"rows": 3}),
            "act": forms.Textarea(attrs={"rows": 2}),
            "act_decision": forms.RadioSelect,
            "plan_date": date_input(),
            "do_date": date_input(),
            "study_date": date_input(),
            "act_date": date_input(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["act_decision"].choices = [("", "Not decided yet")] + list(self.fields["act_decision"].choices)[1:]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset("Plan", "title", "plan", "prediction", "plan_date"),
            Fieldset("Do", "do", "do_date"),
            Fieldset("Study", "study", "study_date"),
            Fieldset("Act", "act", "act_decision", "act_date"),
        )

    def clean(self):
        data = super().clean()
        plan_date = data.get("plan_date")
        for text, date, what in [
            ("do", "do_date", "it was carried out"),
            ("study", "study_date", "it was studied"),
            ("act", "act_date", "it was decided"),
        ]:
            written = data.get(text) or (text == "act" and data.get("act_decision"))
            if written and not data.get(date) and date not in self.errors:
                self.add_error(date, f"Enter the date {what}.")
            if plan_date and data.get(date) and data[date] < plan_date:
                self.add_error(date, "This cannot be before the date planned.")
        return data


class MeasureForm(forms.ModelForm):
    class Meta:
        model = Measure
        fields = ["name", "definition", "unit", "direction", "baseline", "target"]
        labels = {"direction": "Which way is better", "baseline": "Baseline (before the change)"}
        widgets = {"direction": forms.RadioSelect, "definition": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "definition": "What is counted, and how often: for example “in-patients discharged each month who "
            "took part in a community activity”.",
            "target": "The figure the aim statement sets, if it sets one.",
        }
        error_messages = {"name": {"required": "Name the measure."}}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        same = self.project.measures.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if same.exists():
            raise forms.ValidationError(f"This project already has a measure called “{name}”.")
        return name


class DataPointForm(forms.ModelForm):
    class Meta:
        model = DataPoint
        fields = ["date", "value", "note"]
        widgets = {"date": date_input()}
        labels = {"note": "Note (optional)"}
        error_messages = {
            "date": {"required": "Enter the date the value is for."},
            "value": {"required": "Enter the value.", "invalid": "Enter a number, for example 12 or 4.5."},
        }


class RegisterFilterForm(forms.Form):
    """The register's filters; the querysets are those the user may see."""

    q = forms.CharField(label="Title contains", required=False, max_length=100)
    stage = forms.ChoiceField(choices=[("", "Any stage")] + Stage.choices, required=False)
    topic = forms.ChoiceField(choices=[("", "Any topic")] + Topic.choices, required=False)
    mode = forms.ChoiceField(
        label="Co-production Star mode", choices=[("", "Any mode")] + StarMode.choices, required=False
    )
    sector = forms.ChoiceField(
        label="Partner from sector", choices=[("", "Any sector")] + Sector.choices, required=False
    )
    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(), required=False, empty_label="Any partnership"
    )
    locality = forms.ModelChoiceField(queryset=Locality.objects.none(), required=False, empty_label="Any locality")
    session = forms.ModelChoiceField(
        label="From session", queryset=Session.objects.none(), required=False, empty_label="Any session"
    )

    def __init__(self, *args, partnership=None, partnerships=None, **kwargs):
        """One `partnership` for its register, or the `partnerships` the user sees for the national one."""
        super().__init__(*args, **kwargs)
        localities = Locality.objects.select_related("partnership").order_by("partnership__name", "name")
        sessions = Session.objects.select_related("partnership").order_by("-date", "pk")
        if partnership is not None:
            del self.fields["partnership"]
            self.fields["locality"].queryset = localities.filter(partnership=partnership)
            self.fields["session"].queryset = sessions.filter(partnership=partnership)
            return
        self.fields["partnership"].queryset = partnerships
        self.fields["locality"].queryset = localities.filter(partnership__in=partnerships)
        self.fields["locality"].label_from_instance = lambda locality: f"{locality} ({locality.partnership})"
        self.fields["session"].queryset = sessions.filter(partnership__in=partnerships)
        self.fields["session"].label_from_instance = lambda session: f"{session} ({session.partnership})"


# --- "Did it last?" (projects/follow_up.py) ---

FOLLOW_UP_HINTS = {
    FollowUpOutcome.EMBEDDED: "it carries on as the usual way of doing things",
    FollowUpOutcome.ADAPTED: "it carries on, changed",
    FollowUpOutcome.STOPPED: "it no longer runs",
}


class FollowUpForm(forms.Form):
    outcome = forms.ChoiceField(
        label="What became of the project?",
        choices=[(value, f"{label}: {FOLLOW_UP_HINTS[value]}") for value, label in FollowUpOutcome.choices],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what became of the project."},
    )
    reason = forms.CharField(
        label="Why?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What kept it going, what changed, or what stopped it. A line or two is enough.",
        error_messages={"required": "Say why: what kept it going, what changed, or what stopped it."},
    )
    # The answer the form was opened on (projects.follow_up.seen_stamp): another person's answer saved meanwhile is
    # shown, not overwritten unseen.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)


# --- A measure's chart: run chart or XmR, its baseline, its phases ---


class ChartSettingsForm(forms.Form):
    """A plain form, not a ModelForm: an invalid post must not change the measure the page then draws."""

    chart_type = forms.ChoiceField(
        label="Chart",
        widget=forms.RadioSelect,
        choices=[
            (ChartType.RUN, "Run chart, IHI rules: the median and four rules (the usual choice)"),
            (ChartType.XMR, "XmR chart, Making Data Count rules: the mean and process limits"),
        ],
        error_messages={"required": "Choose a run chart or an XmR chart."},
    )
    baseline_points = forms.IntegerField(
        label="Fix the baseline: the first N values",
        required=False,
        min_value=1,
        max_value=MAX_BASELINE_POINTS,
        help_text=f"Each phase's median (or mean) comes from its first N values, then is extended over the later "
        f"ones, never recomputed. Leave empty for the default: the first {BASELINE_POINTS} values, or all of them "
        "while there are fewer.",
        error_messages={
            "invalid": "Enter a whole number of values, for example 12.",
            "min_value": "The baseline needs at least 1 value.",
            "max_value": f"The baseline can be at most {MAX_BASELINE_POINTS} values.",
        },
    )


class PhaseForm(OnceForm):
    starts_on = forms.DateField(
        label="The new phase starts on",
        widget=date_input(),
        help_text="The day the change was made. Values from this day on get their own baseline and median.",
        error_messages={"required": "Enter the day the new phase starts."},
    )
    reason = forms.CharField(
        label="What changed",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example: “Referral form simplified after PDSA cycle 2.”",
        error_messages={"required": "Say what changed."},
    )


# --- Add or correct many values at once (views/values.py) ---

GRID_NEW_ROWS = 10
GRID_STORED_ROWS = 200  # the latest values; with the empty rows, well under Django's 1,000 fields a request
GRID_SIZE = {"class": "form-control form-control-sm w-auto"}


def _cell_error(error):
    return forms.ValidationError(error.message[0].upper() + error.message[1:] + ".")


class ValueRowForm(forms.Form):
    """One row of the grid. Its cells are read as pasted ones are (projects.paste), so "1/3/26" and "1,200" work."""

    date = forms.CharField(label="Date", required=False, max_length=40, widget=date_input())
    value = forms.CharField(
        label="Value",
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={**GRID_SIZE, "inputmode": "decimal", "size": 9, "autocomplete": "off"}),
    )
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=paste.NOTE_MAX_LENGTH,
        widget=forms.TextInput(attrs={**GRID_SIZE, "size": 30}),
        error_messages={"max_length": "Keep the note to %(limit_value)d characters: it has %(show_value)d."},
    )

    def __init__(self, *args, existing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing  # a stored value: its date is shown, not edited (see the page)
        if existing:
            self.fields["date"].widget = forms.HiddenInput()
        else:
            self.fields["date"].widget.attrs.update(GRID_SIZE)

    def full_clean(self):
        super().full_clean()
        for name in self._errors or ():
            if name in self.fields:  # outlined in red, beside the message under it
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()

    @property
    def date_text(self):
        """The row's date as people read it (the date of a stored value is not an input)."""
        value = self["date"].value()
        if not isinstance(value, str):
            return paste.say_date(value) if value else ""
        try:
            return paste.say_date(paste.parse_date(value))
        except paste.CellError:
            return value

    def _cell(self, name, parse):
        """The cell read as a pasted one is; None when empty."""
        text = self.cleaned_data[name]
        if not text:
            return None
        try:
            return parse(text)
        except paste.CellError as error:
            raise _cell_error(error) from None

    def clean_date(self):
        return self._cell("date", paste.parse_date)

    def clean_value(self):
        return self._cell("value", paste.parse_value)

    def clean(self):
        data = super().clean()
        if data.get("DELETE"):
            return data
        if data.get("date") is None and "date" not in self.errors:
            self.add_error("date", "Enter the date the value is for.")
        elif data.get("date") and (problem := paste.future_problem(data["date"], timezone.localdate())):
            self.add_error("date", problem[0].upper() + problem[1:] + ": values are for dates gone by.")
        if data.get("value") is None and "value" not in self.errors:
            self.add_error("value", "Enter the value, or tick Delete." if self.existing else "Enter the value.")
        return data


class BaseValueFormSet(forms.BaseFormSet):
    """The stored values first (the initial forms, which can be deleted), then empty rows for new ones."""

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "existing": index is not None and index < self.initial_form_count()}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Delete"
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        rows = [(number, form.cleaned_data.get("date")) for number, form in enumerate(self.forms, start=1)]
        problems = []
        for number, earlier, value in paste.repeated_dates(rows):
            if self._should_delete_form(self.forms[earlier - 1]):
                problems.append(
                    f"Row {number} has the date {paste.say_date(value)}, whose value row {earlier} deletes: "
                    f"type the new value on row {earlier} instead, and untick Delete."
                )
            else:
                problems.append(
                    f"Rows {earlier} and {number} both have the date {paste.say_date(value)}: one value a date."
                )
        if problems:
            raise forms.ValidationError(problems)

    def points(self):
        """(date, value, note) of every row kept, for services.data_points_save."""
        return [
            (form.cleaned_data["date"], form.cleaned_data["value"], form.cleaned_data["note"])
            for form in self.forms
            if form.cleaned_data.get("date") and not self._should_delete_form(form)
        ]

    def deleted_dates(self):
        return [form.cleaned_data["date"] for form in self.deleted_forms if form.cleaned_data.get("date")]


ValueFormSet = forms.formset_factory(
    ValueRowForm,
    formset=BaseValueFormSet,
    extra=GRID_NEW_ROWS,
    can_delete=True,
    can_delete_extra=False,
    max_num=GRID_STORED_ROWS + GRID_NEW_ROWS,
    absolute_max=GRID_STORED_ROWS + GRID_NEW_ROWS,
    validate_max=True,
)


class PasteForm(forms.Form):
    text = forms.CharField(
        label="Rows copied from a spreadsheet",
        strip=False,
        max_length=paste.MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "autocomplete": "off"}),
        help_text="Two or three columns: date, value, and a note if you like. The row of column names can come too.",
        error_messages={
            "required": "Paste the rows to check.",
            "max_length": f"That is more than {paste.MAX_ROWS:,} rows can hold: paste fewer at a time.",
        },
    )


class PasteSaveForm(OnceForm):
    """The checked rows travel back as text and are read and checked again: nothing from the client is trusted."""

    text = forms.CharField(widget=forms.HiddenInput, strip=False, max_length=paste.MAX_CHARS)
