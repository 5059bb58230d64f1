"""Whether a staff session has the second factor it needs (django-otp TOTP).

A rep with a confirmed authenticator device always needs its code; with ``STAFF_REQUIRE_TOTP`` every
rep does (one without a device cannot log in until one is enrolled: ``manage.py enrol_staff_totp``).
A session is verified when the login checked a code (``django_otp.login`` stored the device in it).
"""

import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

logger = logging.getLogger(__name__)


def needs_second_factor(user) -> bool:
    return bool(settings.STAFF_REQUIRE_TOTP) or user_has_device(user, confirmed=True)


def session_has_second_factor(request: HttpRequest) -> bool:
    user = request.user
    if not needs_second_factor(user):
        return True
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def begin_enrolment(*, user) -> TOTPDevice:
    """A new, unconfirmed authenticator device for ``user`` (an earlier unconfirmed one is replaced).
    It is not asked for at login until ``confirm_enrolment`` saw a code from it."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def confirm_enrolment(*, user, code: str) -> bool:
    """Confirm ``user``'s pending device with a current code from the authenticator app."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None or not device.verify_token(code.strip().replace(" ", "")):
            return False
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    logger.info("staff.totp_enrolled", extra={"staff_user_id": user.pk})
    return True
