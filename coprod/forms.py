import uuid

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model

from coprod.models import ContextFigure, Locality, Organisation, Partnership, Priority, Role, SubmissionKey


class OnceForm(forms.Form):
    """Carries a one-time key so that a double submit stores one record (see services.save_once).

    A repeat of a key already used is valid whatever else it carries (the first submit may have taken
    the name it asks for): `save_once` then sends the user to what the first submit made.
    """

    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def full_clean(self):
        super().full_clean()
        key = self.cleaned_data.get("submission_key") if self.is_bound else None
        if key and self._errors and SubmissionKey.objects.filter(key=key).exists():
            self._errors = forms.utils.ErrorDict()


class CaseInsensitiveNameMixin:
    """A friendly field error for a name taken in another case; the database constraint backs it."""

    taken_message = "That name is already taken."

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        others = type(self.instance)._default_manager.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(self.taken_message)
        return name


class PartnershipForm(CaseInsensitiveNameMixin, forms.ModelForm):
    taken_message = "A partnership with this name already exists."

    class Meta:
        model = Partnership
        fields = ["name", "council_area"]


class OrganisationForm(CaseInsensitiveNameMixin, forms.ModelForm):
    taken_message = "An organisation with this name already exists (names are compared ignoring case)."

    class Meta:
        model = Organisation
        fields = ["name", "sector", "is_alliance_member", "partnerships", "website", "contact_email"]
        widgets = {"partnerships": forms.CheckboxSelectMultiple}

    def __init__(self, *args, partnerships, **kwargs):
        """`partnerships`: those this user may link the organisation to; links to others are kept."""
        super().__init__(*args, **kwargs)
        self.fields["partnerships"].queryset = partnerships
        self.fields["sector"].choices = [("", "Choose a sector")] + self.fields["sector"].choices[1:]

    def clean_partnerships(self):
        chosen = set(self.cleaned_data["partnerships"])
        if self.instance.pk:
            offered = set(self.fields["partnerships"].queryset)
            chosen |= set(self.instance.partnerships.all()) - offered
        return sorted(chosen, key=lambda p: p.pk)


class OrganisationCreateForm(OnceForm, OrganisationForm):
    pass


class PartnershipCreateForm(OnceForm, PartnershipForm):
    pass


class LocalityForm(forms.ModelForm):
    class Meta:
        model = Locality
        fields = ["name"]


class PriorityForm(forms.ModelForm):
    class Meta:
        model = Priority
        fields = ["position", "title"]
        labels = {"position": "Order"}


class ContextFigureForm(forms.ModelForm):
    class Meta:
        model = ContextFigure
        fields = ["label", "value", "source"]


def _formset(form, extra):
    return forms.inlineformset_factory(Partnership, form._meta.model, form=form, extra=extra, can_delete=True)


LocalityFormSet = _formset(LocalityForm, 2)
PriorityFormSet = _formset(PriorityForm, 2)
ContextFigureFormSet = _formset(ContextFigureForm, 1)


# A new account's username is its email (coprod.services.user_create), and Django's usernames hold 150 characters.
ACCOUNT_EMAIL_MAX_LENGTH = 150


class MemberAddForm(forms.Form):
    email = forms.EmailField(
        max_length=ACCOUNT_EMAIL_MAX_LENGTH,
        help_text="An existing user with this email is added; otherwise we invite them.",
    )
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)

    def clean_email(self):
        return get_user_model().objects.normalize_email(self.cleaned_data["email"]).lower()


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class OrganisationFilterForm(forms.Form):
    q = forms.CharField(label="Search by name", required=False, max_length=100)
    sector = forms.ChoiceField(
        choices=[("", "Any sector")] + Organisation._meta.get_field("sector").choices, required=False
    )
    partnership = forms.ModelChoiceField(
        queryset=Partnership.objects.none(), required=False, empty_label="Any partnership"
    )

    def __init__(self, *args, partnerships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partnership"].queryset = partnerships


class PartnershipFilterForm(forms.Form):
    q = forms.CharField(label="Search by name or council area", required=False, max_length=100)


class UserForm(forms.ModelForm):
    class Meta:
        model = get_user_model()
        fields = ["first_name", "last_name", "email", "is_alliance_staff", "is_active"]
        labels = {"is_active": "Can sign in"}
        help_texts = {"is_active": "Untick to stop someone signing in without deleting their history."}

    def __init__(self, *args, editor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.editor = editor

    def clean_email(self):
        email = get_user_model().objects.normalize_email(self.cleaned_data["email"]).lower()
        if get_user_model().objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("Another user already has this email address.")
        return email

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk == self.editor.pk and not (cleaned.get("is_active") and cleaned.get("is_alliance_staff")):
            raise forms.ValidationError("You cannot remove your own ALLIANCE staff role or sign-in.")
        return cleaned


class UserInviteForm(OnceForm):
    email = forms.EmailField(max_length=ACCOUNT_EMAIL_MAX_LENGTH)
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    is_alliance_staff = forms.BooleanField(label="ALLIANCE staff", required=False)

    def clean_email(self):
        email = get_user_model().objects.normalize_email(self.cleaned_data["email"]).lower()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("A user with this email address already exists.")
        return email


class UserFilterForm(forms.Form):
    q = forms.CharField(label="Search by name or email", required=False, max_length=100)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Also reaches invited users who have not chosen a password yet (Django skips unusable passwords)."""

    def get_users(self, email):
        users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
        return (user for user in users if _email_matches(user, email))


def _email_matches(user, email):
    return auth_forms._unicode_ci_compare(email, getattr(user, user.get_email_field_name()))


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(label="What", required=False)
    start = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Every change and export"), ("export", "Exports"), *kinds]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", "The end date must be on or after the start date.")
        return cleaned


CODE_ATTRS = {"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false", "class": "code-input"}


class TwoFactorCodeForm(forms.Form):
    """The second step of logging in: a code from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label="Code from your authenticator app, or a recovery code",
        max_length=32,
        help_text="Six digits from the app, or one of the ten recovery codes you saved (each works once).",
        widget=forms.TextInput(attrs=CODE_ATTRS),
        error_messages={"required": "Enter the code from your authenticator app, or a recovery code."},
    )


class AuthenticatorConfirmForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app",
        max_length=32,
        help_text="The six digits the app shows for CoProd now.",
        widget=forms.TextInput(attrs={**CODE_ATTRS, "inputmode": "numeric"}),
        error_messages={"required": "Enter the six-digit code your authenticator app shows for CoProd."},
    )


class TwoFactorRemoveForm(forms.Form):
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": "Enter your password to turn two-factor authentication off."},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        if not self.user.check_password(self.cleaned_data["password"]):
            raise forms.ValidationError("That is not your password.")
        return self.cleaned_data["password"]
