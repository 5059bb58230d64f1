"""``{% shopify_api_key %}``: the API key App Bridge reads from ``<meta name="shopify-api-key">``."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def shopify_api_key() -> str:
    return settings.SHOPIFY_API_KEY
