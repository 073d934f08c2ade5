"""What every form of the portal shares: Bootstrap classes, and a service's refusal shown on it."""

from collections.abc import Container, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    # One field's errors, in any of the forms add_error takes them.
    Errors = ValidationError | StrOrPromise | Sequence[ValidationError | StrOrPromise]


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
            # Screen readers read the error with the field (templates/partials/_field.html).
            attrs = field.widget.attrs
            attrs["aria-invalid"] = "true"
            auto_id = form.auto_id
            if isinstance(auto_id, str) and auto_id:
                error_id = f"{auto_id % form.add_prefix(name)}-error"
                attrs["aria-describedby"] = " ".join(
                    filter(None, [error_id, attrs.get("aria-describedby", "")])
                )
        field.widget.attrs["class"] = css


class StyledForm(forms.Form):
    """Bootstrap classes on every field, and the invalid state once the form is validated."""

    # Django's own attribute behind `errors`, None until the form is validated.
    _errors: ErrorDict | None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Not through `self.errors`: that would validate before subclasses finish their set-up.
        style_fields(self)

    def full_clean(self) -> None:
        super().full_clean()
        style_fields(self, errors=self._errors or ())

    def add_error(self, field: str | None, error: "Errors | Mapping[str, Errors]") -> None:
        if isinstance(error, Mapping):
            # Errors for several fields name no field; Django refuses them with one.
            if field is not None:
                raise TypeError("Errors for several fields are added with field=None.")
            super().add_error(None, error)
        else:
            super().add_error(field, error)
        style_fields(self, errors=self._errors or ())
