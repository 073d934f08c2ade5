from django import forms
from django.utils.translation import gettext_lazy as _


class UnlockForm(forms.Form):
    kind = forms.ChoiceField(choices=[("username", _("Username")), ("ip_address", _("Address"))])
    value = forms.CharField(max_length=255)
