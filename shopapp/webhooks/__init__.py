"""Webhooks from Shopify: verified, recorded once per delivery id, processed in a task."""
