"""Joins four migrations written side by side (money digits, pull errors, pull runs, push holds): each touches
its own fields, so they apply in any order."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_money_in_its_own_currency"),
        ("orders", "0004_pull_errors"),
        ("orders", "0004_pull_runs"),
        ("orders", "0004_push_hold_outcomes"),
    ]

    operations = []
