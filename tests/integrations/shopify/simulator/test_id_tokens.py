"""Id tokens minted by the simulator are what App Bridge gives an embedded app."""

import time

import jwt
import pytest
from django.conf import settings

# The test settings' app secret is shorter than PyJWT recommends; it is a test value.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def test_id_token_claims_verify_with_the_app_secret(shopify_sim, shop_domain):
    token = shopify_sim.mint_id_token(shop_domain, user_id=42)

    claims = jwt.decode(token, settings.SHOPIFY_API_SECRET, algorithms=["HS256"], audience=settings.SHOPIFY_API_KEY)

    assert claims["iss"] == f"https://{shop_domain}/admin"
    assert claims["dest"] == f"https://{shop_domain}"
    assert claims["sub"] == "42"
    assert claims["exp"] - claims["iat"] == 60 and claims["nbf"] <= time.time() + 1
    assert claims["jti"] and claims["sid"]


def test_an_id_token_signed_with_another_secret_does_not_verify(shopify_sim, shop_domain):
    token = shopify_sim.mint_id_token(shop_domain, secret="not-the-app-secret")

    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, settings.SHOPIFY_API_SECRET, algorithms=["HS256"], audience=settings.SHOPIFY_API_KEY)


def test_a_back_dated_id_token_is_expired(shopify_sim, shop_domain):
    token = shopify_sim.mint_id_token(shop_domain, issued_offset_seconds=-120)

    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(token, settings.SHOPIFY_API_SECRET, algorithms=["HS256"], audience=settings.SHOPIFY_API_KEY)
