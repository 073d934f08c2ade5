"""Django's form renderer, with the plain `<input>` and `<textarea>` widgets written in Python.

A report form has 30-200 fields; rendering each widget through its template (`input.html`, which
includes `attrs.html`) took about half of the form page's time, and an officer sees that page
again after every save. These widgets' templates only write the widget's type, name, value and
attributes: `WidgetRenderer` writes the same markup directly (tests/test_form_renderer.py compares
it with Django's templates, byte for byte). Every other widget (select, checkbox, file with its
"clear" box, anything with a template of its own) is rendered by Django's templates as before.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe


def _attrs(attrs: Mapping[str, Any]) -> str:
    # attrs.html: False leaves the attribute out, True writes its name alone.
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    shown = f' value="{conditional_escape(value)}"' if value is not None else ""
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'
    )


def _textarea(widget: Mapping[str, Any]) -> str:
    value = widget["value"]
    return (
        f'<textarea name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>\n'
        f"{conditional_escape(value) if value else ''}</textarea>"
    )


_INPUTS = ("color", "date", "datetime", "email", "hidden", "number", "password", "search")
_INPUTS += ("tel", "text", "time", "url")
WRITERS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    **{f"django/forms/widgets/{name}.html": _input for name in _INPUTS},
    "django/forms/widgets/textarea.html": _textarea,
}


class WidgetRenderer(DjangoTemplates):
    """The portal's FORM_RENDERER: plain inputs and textareas written directly, the rest by
    Django's templates."""

    def render(
        self, template_name: str, context: dict[str, Any], request: Any = None
    ) -> SafeString:
        write = WRITERS.get(template_name)
        widget = context.get("widget")
        if write is None or widget is None:
            return super().render(template_name, context, request=request)
        return mark_safe(write(widget))  # noqa: S308 (every part is escaped above)
