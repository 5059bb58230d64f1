"""The Success reps' console: Django staff accounts only, never a merchant's session token."""
