"""A shop's offline access token through its life: obtained, refreshed, migrated, refused, replaced."""
