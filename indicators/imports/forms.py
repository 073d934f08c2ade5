from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.imports import selectors


class ImportUploadForm(forms.Form):
    year = forms.IntegerField(label=_("Year of the figures"), min_value=2000, max_value=2100)
    file = forms.FileField(
        label=_("Excel workbook (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args, **kwargs):
        # The year being reported now, not the calendar year (in January people still report
        # last year, and the campaign ends in 2020).
        kwargs.setdefault("initial", {"year": selectors.default_import_year()})
        super().__init__(*args, **kwargs)


class TemplateForm(forms.Form):
    # The page offers the campaign's years in a list; any plausible year is accepted, so a
    # bookmarked link for another year still works.
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=64)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Explain the figures that do not add up."),
    )
