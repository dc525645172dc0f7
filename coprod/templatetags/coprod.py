from django import forms, template

register = template.Library()


def _form_errors(form, prefix=""):
    for error in form.non_field_errors():
        yield "", f"{prefix}{error}"
    for field in form:
        if field.is_hidden:
            for error in field.errors:
                yield "", f"{prefix}{error}"
            continue
        for error in field.errors:
            target = field.auto_id
            if isinstance(field.field.widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
                target = f"{field.auto_id}_0"
            label = (
                str(field.label) if str(field.label).endswith("?") else f"{field.label}:"
            )  # "Why? Say why", not "Why?:"
            yield f"#{target}", f"{prefix}{label} {error}"


@register.inclusion_tag("includes/_error_summary.html")
def error_summary(*forms_or_formsets):
    """The GOV.UK pattern: every error of the page at the top, each linking to its field."""
    errors = []
    for item in forms_or_formsets:
        if isinstance(item, forms.BaseFormSet):
            errors += [("", error) for error in item.non_form_errors()]
            for number, form in enumerate(item.forms, start=1):
                errors += _form_errors(form, prefix=f"Row {number}, ")
        elif item is not None:
            errors += _form_errors(item)
    return {"errors": errors}


@register.filter
def role_label(value, choices):
    return dict(choices).get(value, value)
