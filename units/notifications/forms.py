from django import forms
from django.utils.translation import gettext_lazy as _

from units.notifications.models import NotificationKind


class EmailPreferencesForm(forms.Form):
    emailed = forms.MultipleChoiceField(
        label=_("Send me an e-mail when"),
        choices=NotificationKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
