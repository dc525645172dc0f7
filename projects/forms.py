"""Validation only: services do the writing (see services.py)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.db.models.functions import Lower
from django.utils import timezone

from coprod.forms import OnceForm
from coprod.models import Locality, Organisation, Partnership, Priority, Sector
from projects.models import (
    STAGE_ORDER,
    DataPoint,
    Measure,
    PartnerRole,
    PdsaCycle,
    Project,
    Stage,
    StarMode,
    Topic,
)
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
