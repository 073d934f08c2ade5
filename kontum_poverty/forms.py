"""What every form of the portal shares: Bootstrap classes, and a service's refusal shown on it."""

from collections.abc import Container

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's refusal on the form: per field where it names one, on the form otherwise."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def style_fields(form: forms.Form, *, errors: Container[str] = (), small: bool = False) -> None:
    """Bootstrap classes on every visible field; `errors` names the fields shown as invalid."""
    size = " form-select-sm" if small else ""
    for name, field in form.fields.items():
        if isinstance(field.widget, forms.HiddenInput):
            continue
        if isinstance(field, forms.ChoiceField):
            css = "form-select" + size
        else:
            css = "form-control" + size.replace("select", "control")
        if name in errors:
            css += " is-invalid"
        field.widget.attrs["class"] = css


class StyledForm(forms.Form):
    """Bootstrap classes on every field, and the invalid state once the form is validated."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # Not through `self.errors`: that would validate before subclasses finish their set-up.
        style_fields(self)

    def full_clean(self) -> None:
        super().full_clean()
        style_fields(self, errors=self._errors or ())

    def add_error(self, field: str | None, error: object) -> None:
        super().add_error(field, error)  # type: ignore[arg-type]
        style_fields(self, errors=self._errors or ())
