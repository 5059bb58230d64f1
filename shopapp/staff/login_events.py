"""Staff login events in the app's own log, with stable names (django-axes' own messages are off:
AXES_VERBOSE). Connected in ShopAppConfig.ready(). The username is a staff account's, not a secret;
never the password, and no address (the platform's router hides the client's anyway)."""

import logging

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

logger = logging.getLogger(__name__)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    logger.warning("staff.login_failed", extra={"username": str(credentials.get("username", ""))[:150]})


@receiver(user_locked_out)
def _locked_out(sender, request=None, username=None, **kwargs) -> None:
    logger.warning("staff.login_locked_out", extra={"username": str(username or "")[:150]})


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    logger.info(
        "staff.logged_in",
        extra={"staff_user_id": user.pk, "second_factor": bool(getattr(user, "otp_device", None))},
    )
