"""Enrol a staff account's authenticator app (TOTP second factor, django-otp):

    python manage.py enrol_staff_totp USERNAME            # prints the otpauth:// address and secret
    python manage.py enrol_staff_totp USERNAME --confirm 123456

Scan the address (or type the secret) into the authenticator app, then confirm with the code it
shows. From then on that rep's login asks for the code. Run it on the server's shell: the secret is
printed to the terminal only, never logged.
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from shopapp.staff.second_factor import begin_enrolment, confirm_enrolment


class Command(BaseCommand):
    help = "Enrol (then --confirm) a TOTP authenticator app for a staff account."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--confirm", metavar="CODE", help="A current code from the app, to confirm the device.")

    def handle(self, *args, username: str, confirm: str | None, **options):
        user = get_user_model().objects.filter(username=username, is_staff=True, is_active=True).first()
        if user is None:
            raise CommandError(f"No active staff account {username!r}.")
        if confirm is not None:
            if not confirm_enrolment(user=user, code=confirm):
                raise CommandError("That code does not match the pending device (or there is none): enrol again.")
            self.stdout.write(self.style.SUCCESS(f"{username}'s authenticator is confirmed; their login asks for it."))
            return
        device = begin_enrolment(user=user)
        self.stdout.write(f"Add this to {username}'s authenticator app:\n  {device.config_url}\n")
        self.stdout.write(f"Then confirm: python manage.py enrol_staff_totp {username} --confirm CODE")
