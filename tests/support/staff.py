"""A staff (Success rep) account for the console tests."""

STAFF_PASSWORD = "correct-horse-battery-staple-42"
