"""Validation only: the attendee's questionnaire, paper entry, surveys and templates."""

import datetime

from django import forms
from django.core import signing
from django.db.models import F
from django.utils import timezone

from coprod.forms import OnceForm
from coprod.models import Locality, Partnership
from surveys.models import (
    DONT_KNOW,
    PAIRING_ALPHABET,
    PAIRING_CODE_LENGTH,
    SHARED_LINK_DAYS,
    BoardPaper,
    ItemPhase,
    Phase,
    QuestionnaireTemplate,
    Scale,
    SharedLinkKind,
    StatementKind,
    Survey,
)
from surveys.permissions import can_share
from surveys.services import TEXT_ANSWER_MAX_LENGTH, pairing_code_clean
from workshops.models import Programme, SessionKind

DONT_KNOW_VALUE = "dk"
SCALE_CHOICES = [(str(value), label) for value, label in Scale.choices] + [(DONT_KNOW_VALUE, DONT_KNOW)]


def field_name(statement_id):
    return f"s{statement_id}"


def _answer_value(raw):
    return None if raw == DONT_KNOW_VALUE else int(raw)


def _pairing_code_is_well_formed(code):
    """Six characters of the unambiguous alphabet: the only codes the questionnaire after a session accepts."""
    return len(code) == PAIRING_CODE_LENGTH and all(char in PAIRING_ALPHABET for char in code)


FORM_STAMP_SALT = "surveys.answer-form"


def form_stamp(submission_key, now=None):
    """The form's key and the moment it was handed out, signed: a form handed out before its questionnaire closed
    may still be sent in the grace after (surveys.services.response_submit); a key made up later may not."""
    moment = (now or timezone.now()).timestamp()
    return signing.dumps({"key": str(submission_key), "at": moment}, salt=FORM_STAMP_SALT)


class ResponseForm(forms.Form):
    """One field per statement the survey asks, built from its prefetched items (`survey.asked`).

    The page draws the fields itself (large radio buttons in a fieldset each); labels here name the
    statements by number, for the error summary at the top.
    """

    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    handed_out = forms.CharField(required=False, widget=forms.HiddenInput)  # form_stamp

    def handed_out_at(self):
        """When the page handed this form out, if its stamp is ours and for this key; None otherwise."""
        try:
            stamp = signing.loads(self.cleaned_data.get("handed_out") or "", salt=FORM_STAMP_SALT)
        except signing.BadSignature:
            return None
        if stamp.get("key") != str(self.cleaned_data["submission_key"]):
            return None
        return datetime.datetime.fromtimestamp(stamp["at"], tz=datetime.UTC)

    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.rows = []
        for number, item in enumerate(survey.asked, start=1):
            statement = item.statement
            label = f"Statement {number}" if statement.is_scale else f"Question {number}"
            if statement.is_scale:
                field = forms.ChoiceField(
                    label=label,
                    choices=SCALE_CHOICES,
                    widget=forms.RadioSelect,
                    required=item.required,
                    error_messages={
                        "required": f"Choose an answer, or choose {DONT_KNOW}",
                        "invalid_choice": "Choose one of the answers given",
                    },
                )
            else:
                field = forms.CharField(
                    label=label,
                    required=item.required,
                    max_length=TEXT_ANSWER_MAX_LENGTH,
                    widget=forms.Textarea(attrs={"rows": 3}),
                    error_messages={
                        "required": "Write an answer",
                        "max_length": "Keep your answer under 2,000 characters",
                    },
                )
            name = field_name(statement.pk)
            self.fields[name] = field
            self.rows.append((item, name))
        if survey.phase == Phase.POST:
            self.fields["pairing_code"] = forms.CharField(
                label="Your code from the first questionnaire",
                required=False,
                max_length=20,
                help_text="Optional. 6 letters and numbers, for example K7MP2Q.",
            )
        elif survey.session.programme_id:
            # One code for a whole programme: its first questionnaire gives it, later sessions carry it.
            self.fields["pairing_code"] = forms.CharField(
                label="Your code from an earlier session of this programme",
                required=False,
                max_length=20,
                help_text="Optional. Leave it empty at your first session: you will get a code to keep.",
            )

    def statement_fields(self):
        """(number, item, bound field) per statement, in order, for the template."""
        return [(number, item, self[name]) for number, (item, name) in enumerate(self.rows, start=1)]

    def clean_pairing_code(self):
        code = pairing_code_clean(self.cleaned_data["pairing_code"])
        if code and not _pairing_code_is_well_formed(code):
            raise forms.ValidationError(
                "Check your code: it has 6 letters and numbers, without 0, O, 1, I or L. "
                "Or leave this empty to send your answers without it"
            )
        return code

    def answers(self):
        """{statement id: 1-5, None for Don't know, or text}; statements left blank are left out."""
        answers = {}
        for item, name in self.rows:
            raw = self.cleaned_data.get(name)
            if raw in (None, ""):
                continue
            answers[item.statement_id] = _answer_value(raw) if item.statement.is_scale else raw
        return answers


PAPER_SCALE_CHOICES = (
    [("", "Not answered")]
    + [(str(value), f"{value} {label}") for value, label in Scale.choices]
    + [(DONT_KNOW_VALUE, DONT_KNOW)]
)


class PaperRowForm(forms.Form):
    """One paper questionnaire: a select per statement, a box for the code. An empty row is skipped."""

    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, survey_items, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey_items = survey_items
        self.fields["pairing_code"] = forms.CharField(label="Code", required=False, max_length=20)
        for number, item in enumerate(survey_items, start=1):
            if item.statement.is_scale:
                field = forms.ChoiceField(
                    label=f"Statement {number}",
                    choices=PAPER_SCALE_CHOICES,
                    required=False,
                    widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
                )
            else:
                field = forms.CharField(
                    label=f"Question {number}",
                    required=False,
                    max_length=TEXT_ANSWER_MAX_LENGTH,
                    widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
                )
            self.fields[field_name(item.statement_id)] = field

    def clean_pairing_code(self):
        # The same rule as the attendee's form: a code it could never accept would never pair.
        code = pairing_code_clean(self.cleaned_data["pairing_code"])
        if code and not _pairing_code_is_well_formed(code):
            raise forms.ValidationError(
                f"Check the code “{code}”: a code has 6 letters and numbers, without 0, O, 1, I or L"
            )
        return code

    def answers(self):
        answers = {}
        for item in self.survey_items:
            raw = self.cleaned_data.get(field_name(item.statement_id))
            if raw in (None, ""):
                continue
            answers[item.statement_id] = _answer_value(raw) if item.statement.is_scale else raw
        return answers

    def is_blank(self):
        return not self.answers() and not self.cleaned_data.get("pairing_code")

    def cells(self):
        """The bound fields of the statements, in order, for the table's cells."""
        return [self[field_name(item.statement_id)] for item in self.survey_items]


class BasePaperFormSet(forms.BaseFormSet):
    def __init__(self, *args, survey_items, **kwargs):
        self.survey_items = survey_items
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"survey_items": self.survey_items}


PaperFormSet = forms.formset_factory(PaperRowForm, formset=BasePaperFormSet, extra=0, max_num=100, absolute_max=100)


DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_FORMAT)


class SurveyWindowForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["opens_at", "closes_at"]
        widgets = {"opens_at": DateTimeLocalInput, "closes_at": DateTimeLocalInput}
        help_texts = {
            "opens_at": "Date and time. Leave empty to open straight away.",
            "closes_at": "Date and time. Leave empty to keep it open until you close it.",
        }

    def clean(self):
        cleaned = super().clean()
        opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", "The closing time must be after the opening time.")
        return cleaned


STAR_TEMPLATE = "Co-production Star"  # surveys/migrations/0008_coproduction_star_template.py
STAR_KINDS = {"star_workshop", "lab"}


class SurveySetupForm(OnceForm):
    """Set up the session's questionnaires before and after in one step, from one template."""

    template = forms.ModelChoiceField(queryset=QuestionnaireTemplate.objects.none(), empty_label=None)

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        templates = QuestionnaireTemplate.objects.for_partnership(session.partnership).select_related("partnership")
        field = self.fields["template"]
        field.label = "Questionnaire"
        field.help_text = "Both questionnaires ask its statements: those for before, and those for after."
        field.queryset = templates.order_by(F("partnership").asc(nulls_first=True), "title")
        offered = list(field.queryset)  # one query: the choices below are this list, not a second reading
        field.choices = [(template.pk, _template_label(template)) for template in offered]
        if self.is_bound:
            return
        # A Co-production Star workshop or Lab asks the Star questionnaire; other sessions the partnership's own
        # copy where it has one (it adds local statements to the national ones), else the national default.
        national = [template for template in offered if not template.partnership_id]
        star = [template for template in national if template.title == STAR_TEMPLATE]
        local = [template for template in offered if template.partnership_id]
        others = [template for template in national if template.title != STAR_TEMPLATE]
        chosen = star if session.kind in STAR_KINDS else local or others
        if chosen:
            self.initial["template"] = chosen[0].pk


def _template_label(template):
    return f"{template.title} ({template.partnership or 'national'})"


class TemplateForm(forms.ModelForm):
    class Meta:
        model = QuestionnaireTemplate
        fields = ["title", "description"]

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        same = QuestionnaireTemplate.objects.filter(title__iexact=title, partnership=self.instance.partnership_id)
        if same.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("A questionnaire with this title already exists.")
        return title


class TemplateCreateForm(OnceForm, TemplateForm):
    pass


class TemplateCopyForm(forms.Form):
    partnership = forms.ModelChoiceField(queryset=None, empty_label=None, label="For partnership")

    def __init__(self, *args, partnerships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships


class TemplateItemForm(forms.Form):
    text = forms.CharField(label="Statement or question", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    hint = forms.CharField(
        required=False,
        max_length=300,
        help_text="Optional plain-English help shown under it, e.g. what an abbreviation means.",
    )
    phase = forms.ChoiceField(label="Asked", choices=ItemPhase.choices, widget=forms.RadioSelect)
    required = forms.BooleanField(required=False, help_text="Attendees must answer it (Don't know counts).")

    def clean_text(self):
        return " ".join(self.cleaned_data["text"].split())

    def clean_hint(self):
        return " ".join(self.cleaned_data["hint"].split())


class TemplateItemAddForm(TemplateItemForm):
    kind = forms.ChoiceField(
        label="Answered with",
        choices=StatementKind.choices,
        widget=forms.RadioSelect,
        initial=StatementKind.SCALE,
        help_text="The agreement scale (Strongly disagree to Strongly agree, and Don't know) or a written answer.",
    )
    field_order = ["text", "hint", "kind", "phase", "required"]


class TemplateItemEditForm(TemplateItemForm):
    position = forms.IntegerField(label="Order", min_value=1, max_value=999)
    field_order = ["text", "hint", "phase", "required", "position"]


# --- Results ---


class ResultsFilterForm(forms.Form):
    """Which sessions a partnership's or the national results pool: GET, every field optional."""

    date_from = forms.DateField(
        label="Sessions from", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label="Sessions to", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(label="Kind of session", choices=[("", "Any kind")] + SessionKind.choices, required=False)
    programme = forms.ModelChoiceField(queryset=Programme.objects.none(), required=False, empty_label="Any programme")
    locality = forms.ModelChoiceField(queryset=Locality.objects.none(), required=False, empty_label="Any locality")

    def __init__(self, *args, partnership=None, **kwargs):
        """A partnership's own programmes and localities; without one (national), every partnership's, named."""
        super().__init__(*args, **kwargs)
        programmes = Programme.objects.only("pk", "title", "partnership__name").select_related("partnership")
        localities = Locality.objects.only("pk", "name", "partnership__name").select_related("partnership")
        if partnership is not None:
            self.fields["programme"].queryset = programmes.filter(partnership=partnership).order_by("title")
            self.fields["locality"].queryset = localities.filter(partnership=partnership).order_by("name")
        else:
            self.fields["programme"].queryset = programmes.order_by("partnership__name", "title")
            self.fields["locality"].queryset = localities.order_by("partnership__name", "name")
            self.fields["programme"].label_from_instance = lambda o: f"{o.title} ({o.partnership.name})"
            self.fields["locality"].label_from_instance = lambda o: f"{o.name} ({o.partnership.name})"

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end of the date range must not be before its start.")
        return data

    def described(self):
        """The filters in words, for the page and the printed report: [] when none is set."""
        if not self.is_bound or not self.is_valid():
            return []
        data, words = self.cleaned_data, []
        if data["date_from"] and data["date_to"]:
            words.append(f"sessions from {data['date_from']:%-d %B %Y} to {data['date_to']:%-d %B %Y}")
        elif data["date_from"]:
            words.append(f"sessions from {data['date_from']:%-d %B %Y}")
        elif data["date_to"]:
            words.append(f"sessions up to {data['date_to']:%-d %B %Y}")
        if data["kind"]:
            words.append(SessionKind(data["kind"]).label)
        if data["programme"]:
            words.append(f"programme: {data['programme'].title}")
        if data["locality"]:
            words.append(f"locality: {data['locality'].name}")
        return words


class DashboardFilterForm(ResultsFilterForm):
    """The results filters, a period for the tables over time and, on the national dashboard, a partnership."""

    period = forms.ChoiceField(
        label="Over time, by", choices=[("year", "Year"), ("quarter", "Quarter")], required=False, initial="year"
    )
    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(), required=False, empty_label="Every partnership"
    )

    field_order = ["partnership", "date_from", "date_to", "kind", "programme", "locality", "period"]

    def __init__(self, *args, partnership=None, **kwargs):
        super().__init__(*args, partnership=partnership, **kwargs)
        if partnership is None:
            self.fields["partnership"].queryset = Partnership.objects.only("pk", "name").order_by("name")
        else:
            del self.fields["partnership"]

    def clean_period(self):
        return self.cleaned_data["period"] or "year"


class SharedLinkForm(OnceForm):
    """A read-only link to the page it is on: what the page is (hidden) and its filters as they are, frozen."""

    label = forms.CharField(
        label="What it is for (optional)", max_length=200, required=False, help_text="For example: board, 12 March"
    )
    days = forms.IntegerField(
        label="Days until it expires", min_value=1, max_value=365, initial=SHARED_LINK_DAYS, help_text="1 to 365"
    )
    kind = forms.ChoiceField(choices=SharedLinkKind.choices, widget=forms.HiddenInput)
    target = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)


def share_form(request, kind, obj=None, *, allowed=None):
    """The "Share a read-only link" form for the page of `obj` (None: national), if the user may share it
    (`allowed`, where the view knows already)."""
    partnership = getattr(obj, "partnership", obj)
    if not (can_share(request.user, partnership) if allowed is None else allowed):
        return None
    target = obj.pk if obj is not None else None
    return SharedLinkForm(initial={"kind": kind, "target": target, "query": request.GET.urlencode()})


def _quarter_start(year, quarter):
    """The first day of quarter 0-3 of the financial year that starts in April `year`."""
    month = 4 + 3 * quarter
    return datetime.date(year + (month > 12), (month - 1) % 12 + 1, 1)


def financial_periods(today):
    """The shortcuts for a board paper's period, latest first: the last four quarters of the financial year (April
    to March) that have begun, then this financial year and the last. [(value, label, start, end)]."""
    this_year = today.year if today.month >= 4 else today.year - 1
    year, quarter = this_year, (today.month - 4) % 12 // 3
    periods = []
    for _ in range(4):
        start = _quarter_start(year, quarter)
        end = _quarter_start(year + (quarter == 3), (quarter + 1) % 4) - datetime.timedelta(days=1)
        label = f"Q{quarter + 1} {year}/{(year + 1) % 100:02d} ({start:%B} to {end:%B %Y})"
        periods.append((f"q{quarter + 1}-{year}", label, start, end))
        year, quarter = (year, quarter - 1) if quarter else (year - 1, 3)
    for year in (this_year, this_year - 1):
        label = f"Financial year {year}/{(year + 1) % 100:02d} (April {year} to March {year + 1})"
        periods.append((f"fy-{year}", label, datetime.date(year, 4, 1), datetime.date(year + 1, 3, 31)))
    return periods


class BoardPaperCreateForm(OnceForm):
    """A new board paper: its period, a quarter or financial year, or two dates."""

    DATES = "dates"

    period = forms.ChoiceField(label="Period", widget=forms.RadioSelect)
    period_start = forms.DateField(
        label="First day", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_end = forms.DateField(
        label="Last day", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, partnership, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.partnership = partnership
        periods = financial_periods(today or timezone.localdate())
        self.shortcuts = {value: (start, end) for value, _, start, end in periods}
        choices = [(value, label) for value, label, _, _ in periods]
        self.fields["period"].choices = [*choices, (self.DATES, "Two dates: the first and last day, below")]

    def clean(self):
        data = super().clean()
        period = data.get("period")
        if period == self.DATES:
            start, end = data.get("period_start"), data.get("period_end")
            if not start:
                self.add_error("period_start", "Enter the first day of the period.")
            if not end:
                self.add_error("period_end", "Enter the last day of the period.")
            if start and end and end < start:
                self.add_error("period_end", "The end of the period must not be before its start.")
        elif period:
            data["period_start"], data["period_end"] = self.shortcuts[period]
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and not self.errors:
            taken = BoardPaper.objects.filter(partnership=self.partnership, period_start=start, period_end=end)
            if taken.exists():
                raise forms.ValidationError("This partnership already has a board paper for this period.")
        return data


class BoardPaperForm(OnceForm, forms.ModelForm):
    """The lead's own words on a board paper: its title, assessment and recommendation."""

    class Meta:
        model = BoardPaper
        fields = ["title", "assessment", "recommendation"]
        widgets = {
            "assessment": forms.Textarea(attrs={"rows": 8, "maxlength": 1000}),
            "recommendation": forms.Textarea(attrs={"rows": 6, "maxlength": 1000}),
        }
