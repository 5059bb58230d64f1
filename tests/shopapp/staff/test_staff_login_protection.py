"""Staff logins resist guessing: a run of wrong passwords locks the account (django-axes) on the
staff console and on Django admin alike; a rep with an authenticator app (django-otp TOTP) must give
its code; sessions last hours; Django admin is for superusers only."""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.support.staff import STAFF_PASSWORD

WRONG = "not-the-password-at-all"


def current_code(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def log_in(client, path: str = "/staff/login/", **fields):
    return client.post(path, {"username": "rep", "password": STAFF_PASSWORD, **fields})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def device(staff_user):
    return TOTPDevice.objects.create(user=staff_user, name="authenticator", confirmed=True)


@pytest.mark.django_db
def test_thirty_wrong_passwords_then_the_right_one_do_not_log_in(client, staff_user, caplog):
    with caplog.at_level(logging.INFO, logger="shopapp.staff.login_events"):
        for _ in range(30):
            client.post("/staff/login/", {"username": "rep", "password": WRONG})
        response = log_in(client)

    assert not logged_in(client)
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"
    events = [r.getMessage() for r in caplog.records]
    assert "staff.login_locked_out" in events and "staff.logged_in" not in events
    assert WRONG not in caplog.text


@pytest.mark.django_db
def test_django_admin_has_no_password_form_of_its_own_and_the_lockout_covers_it(client, staff_user):
    staff_user.is_superuser = True
    staff_user.save()

    # Django admin's login form took any number of guesses; now it only sends to the staff login
    assert log_in(client, "/django-admin/login/").status_code == 302
    assert not logged_in(client)
    for _ in range(30):
        client.post("/staff/login/", {"username": "rep", "password": WRONG})

    log_in(client, "/staff/login/?next=/django-admin/")

    assert not logged_in(client)
    assert client.get("/django-admin/").status_code == 302


@pytest.mark.django_db
def test_a_few_wrong_passwords_do_not_lock_a_rep_out(client, staff_user):
    for _ in range(3):
        client.post("/staff/login/", {"username": "rep", "password": WRONG})

    assert log_in(client).status_code == 302 and logged_in(client)


@pytest.mark.django_db
def test_a_staff_session_lasts_hours_not_weeks(client, staff_user, settings):
    log_in(client)

    assert logged_in(client)
    assert client.session.get_expiry_age() <= 12 * 3600
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] <= 12 * 3600


@pytest.mark.django_db
def test_a_rep_with_an_authenticator_must_give_its_code(client, staff_user, device):
    without = log_in(client)
    assert not logged_in(client) and "authentication code" in without.content.decode().lower()

    right = log_in(client, otp_token=current_code(device))
    assert right.status_code == 302 and logged_in(client)
    assert client.get(reverse("staff:stores")).status_code == 200


@pytest.mark.django_db
def test_a_wrong_code_is_refused_and_counts_as_a_failed_login(client, staff_user, device):
    from axes.models import AccessAttempt

    wrong = log_in(client, otp_token="000000" if current_code(device) != "000000" else "111111")

    assert not logged_in(client) and wrong.status_code == 200
    assert "wrong or has expired" in wrong.content.decode()
    assert AccessAttempt.objects.get(username="rep").failures_since_start == 1
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp slows the next guesses down


@pytest.mark.django_db
def test_a_session_without_the_second_factor_does_not_open_the_console_of_an_enrolled_rep(client, staff_user, device):
    client.force_login(staff_user)  # a password-only session (e.g. from before the device was enrolled)

    response = client.get(reverse("staff:stores"))

    assert response.status_code == 302 and response["Location"].startswith("/staff/login/")


@pytest.mark.django_db
def test_when_totp_is_required_a_rep_without_a_device_cannot_log_in(client, staff_user, settings):
    settings.STAFF_REQUIRE_TOTP = True

    response = log_in(client)

    assert not logged_in(client)
    assert "enrol_staff_totp" in response.content.decode()


@pytest.mark.django_db
def test_without_the_requirement_a_rep_without_a_device_logs_in_with_the_password(client, staff_user, settings):
    settings.STAFF_REQUIRE_TOTP = False

    assert log_in(client).status_code == 302 and logged_in(client)


@pytest.mark.django_db
def test_django_admin_is_for_superusers_only(client, staff_user):
    client.force_login(staff_user)
    assert client.get("/django-admin/").status_code == 302  # staff, not superuser: sent to log in

    superuser = get_user_model().objects.create_superuser(username="root", password=STAFF_PASSWORD)
    client.force_login(superuser)
    assert client.get("/django-admin/").status_code == 200


@pytest.mark.django_db
def test_django_admins_own_login_sends_to_the_staff_login(client):
    response = client.get("/django-admin/login/", {"next": "/django-admin/"})

    assert response.status_code == 302
    assert response["Location"].startswith("/staff/login/") and "django-admin" in response["Location"]


@pytest.mark.django_db
def test_a_rep_enrols_an_authenticator_with_the_command_and_then_needs_its_code(client, staff_user):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("enrol_staff_totp", "rep", stdout=out)
    assert "otpauth://totp/" in out.getvalue()
    pending = TOTPDevice.objects.get(user=staff_user)
    assert not pending.confirmed
    assert log_in(client).status_code == 302  # an unconfirmed device is not asked for yet
    client.logout()

    call_command("enrol_staff_totp", "rep", "--confirm", current_code(pending), stdout=StringIO())

    assert TOTPDevice.objects.get(user=staff_user).confirmed
    assert log_in(client).status_code == 200 and not logged_in(client)
