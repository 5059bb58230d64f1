from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django_otp import devices_for_user

from shopapp.staff.second_factor import needs_second_factor


class StaffAuthenticationForm(AuthenticationForm):
    """Only active staff accounts sign in; merchants never have one (their login is Shopify).

    The password is checked through django-axes' backend (a locked-out username is refused before
    its password is looked at). A rep with an authenticator device must also give its current code
    (django-otp; a wrong code counts as a failed login for the lockout, and the device throttles
    guesses itself); with ``STAFF_REQUIRE_TOTP`` a rep without a device is refused."""

    otp_token = forms.CharField(
        label="Authentication code",
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text="From your authenticator app, if one is set up for your account.",
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "not_staff": "This account is not a BackerKit staff account.",
        "code_needed": "Enter the authentication code from your authenticator app.",
        "code_wrong": "That authentication code is wrong or has expired. Enter the current one.",
        "device_needed": (
            "Staff accounts need an authenticator app. Ask an administrator to enrol one "
            "(manage.py enrol_staff_totp USERNAME)."
        ),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise forms.ValidationError(self.error_messages["not_staff"], code="not_staff")
        if not needs_second_factor(user):
            return
        with transaction.atomic():
            devices = list(devices_for_user(user, confirmed=True, for_verify=True))
            if not devices and settings.STAFF_REQUIRE_TOTP:
                raise forms.ValidationError(self.error_messages["device_needed"], code="device_needed")
            token = (self.cleaned_data.get("otp_token") or "").strip().replace(" ", "")
            if not token:
                raise forms.ValidationError(self.error_messages["code_needed"], code="code_needed")
            device = next((d for d in devices if d.verify_token(token)), None)
        if device is None:
            user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=self.request)
            raise forms.ValidationError(self.error_messages["code_wrong"], code="code_wrong")
        # django_otp stores the device in the session when auth.login() sees this attribute.
        user.otp_device = device


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
