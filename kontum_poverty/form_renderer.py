"""Django's form renderer, with the plain `<input>`, `<textarea>` and `<select>` widgets written
in Python.

A report form has 30-200 fields; rendering each widget through its template (`input.html`, which
includes `attrs.html`) took about half of the form page's time, and an officer sees that page
again after every save. A `<select>` is dearer still: its template includes one template per
option, and each of those `attrs.html` again (the report form's two selects took 3.6 ms, more
than its 34 other fields together). These templates only write the widget's type, name, value,
attributes and options: `WidgetRenderer` writes the same markup directly
(tests/test_form_renderer.py compares it with Django's templates, byte for byte). Every other
widget (checkbox, radio, a stored file with its "clear" box, a select whose options have a
template of their own, anything with a template of its own) is rendered by Django's templates as
before.
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime


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


def _file(widget: Mapping[str, Any]) -> str | None:
    # clearable_file_input.html: with no stored file, the bare input (a file input never shows
    # a value); with one, its link and "clear" box are Django's template's to write.
    if widget["is_initial"]:
        return None
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>'
    )


def _shown(value: Any) -> str:
    # `{{ value }}` in a template: localised (a number gets its separators), then escaped
    # (django.template.base.render_value_in_context).
    value = localize(template_localtime(value))
    return conditional_escape(value if isinstance(value, str) else str(value))


OPTION = "django/forms/widgets/select_option.html"


def _select(widget: Mapping[str, Any]) -> str | None:
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
        for option in options:
            if option["template_name"] != OPTION:
                return None  # a widget's own option template: Django renders the select
            # select_option.html, which ends with a newline, after the loop's own.
            parts.append(
                f'\n  <option value="{conditional_escape(option["value"])}"'
                f"{_attrs(option['attrs'])}>{_shown(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


_INPUTS = ("color", "date", "datetime", "email", "file", "hidden", "number", "password", "search")
_INPUTS += ("tel", "text", "time", "url")
# A writer returns None to leave a widget to Django's templates.
WRITERS: dict[str, Callable[[Mapping[str, Any]], str | None]] = {
    **{f"django/forms/widgets/{name}.html": _input for name in _INPUTS},
    "django/forms/widgets/textarea.html": _textarea,
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/clearable_file_input.html": _file,
}


class WidgetRenderer(DjangoTemplates):
    """The portal's FORM_RENDERER: plain inputs and textareas written directly, the rest by
    Django's templates."""

    def render(
        self, template_name: str, context: dict[str, Any], request: Any = None
    ) -> SafeString:
        write = WRITERS.get(template_name)
        widget = context.get("widget")
        written = write(widget) if write is not None and widget is not None else None
        if written is None:
            return super().render(template_name, context, request=request)
        return mark_safe(written)  # noqa: S308 (every part is escaped above)
