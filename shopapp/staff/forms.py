from django import forms
from django.contrib.auth.forms import AuthenticationForm


class StaffAuthenticationForm(AuthenticationForm):
    """Only active staff accounts sign in; merchants never have one (their login is Shopify)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "not_staff": "This account is not a BackerKit staff account.",
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise forms.ValidationError(self.error_messages["not_staff"], code="not_staff")


class ReasonField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 2}),
            error_messages={"required": "Give a reason: it is kept in the audit log."},
            **kwargs,
        )


class TransactionDataForm(forms.Form):
    enabled = forms.TypedChoiceField(
        choices=[("on", "On: Paid or Partially paid, with “Total Paid by Backer”"), ("off", "Off: always Paid")],
        coerce=lambda value: value == "on",
        widget=forms.RadioSelect,
        label="Transaction data",
    )
    reason = ReasonField(label="Reason for the change")


class PauseForm(forms.Form):
    paused = forms.TypedChoiceField(
        choices=[("pause", "Pause"), ("resume", "Resume")],
        coerce=lambda value: value == "pause",
        widget=forms.HiddenInput,
    )
    reason = ReasonField(label="Reason")
