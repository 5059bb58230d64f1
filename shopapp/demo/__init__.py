"""The one-command demo: the product end to end on its embedded default (see `manage.py demo`)."""
