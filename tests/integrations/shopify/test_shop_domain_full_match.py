"""A shop domain or admin host is accepted only when the whole value is one: ``$`` in a regular
expression also matches before a final newline, so "abc.myshopify.com\\n" once passed."""

import base64

import pytest

from integrations.shopify.domains import host_names_shop, sanitize_shop_domain

SHOP = "abc.myshopify.com"


def host(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize("value", ["abc.myshopify.com\n", "abc.myshopify.com\n/", "abc\n", "abc.myshopify.com\r\n"])
def test_a_domain_with_a_trailing_newline_is_not_a_shop(value):
    assert sanitize_shop_domain(value) is None


@pytest.mark.parametrize("value", ["abc.myshopify.com", "https://abc.myshopify.com/", "ABC.myshopify.com", "abc"])
def test_a_shop_domain_is_still_recognised(value):
    assert sanitize_shop_domain(value) == SHOP


@pytest.mark.parametrize("text", ["admin.shopify.com/store/abc", "abc.myshopify.com/admin"])
def test_the_admin_host_of_the_shop_is_recognised(text):
    assert host_names_shop(host(text), SHOP)


@pytest.mark.parametrize(
    "text",
    [
        "evil.example/store/abc",  # ends like the shop's admin, but is another host
        "admin.shopify.com/store/abc/../other",
        "abc.myshopify.com/admin.evil.example",
        "admin.shopify.com/store/abc\n",
        "admin.shopify.com/store/other",
        "other.myshopify.com/admin",
    ],
)
def test_any_other_host_is_refused(text):
    assert not host_names_shop(host(text), SHOP)


def test_a_host_that_is_not_base64_is_refused():
    assert not host_names_shop("%%%not-base64%%%", SHOP)
    assert not host_names_shop(host("admin.shopify.com/store/abc"), "")
