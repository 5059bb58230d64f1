"""Releasing a wave's holds in Shopify: paced in the shop's cost bucket, exactly once, audited.

``request_release`` (now, or a country first) marks the wave (or its countries) released and every
held member of that scope to release, and records who asked; ``run_release`` is the release lane:
it claims members to release (``FOR UPDATE SKIP LOCKED``, a lease), and for each one releases only
the wave's own holds (``holdIds``: never the merchant's or another app's). ``release_sent_at`` is
stamped before each call; a member whose answer never came (5xx, timeout, worker killed) is read
back first: if its hold is gone it is released, and nothing is sent twice. ``due_releases`` is beat's:
scheduled waves whose ship date has come, members left held in a released scope (a late pledge held
while the release ran), abandoned claims.
"""

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from integrations.orders.models import Wave, WaveMember, WaveRelease
from integrations.orders.wave_documents import ORDER_HOLDS, RELEASE
from integrations.shopify.client import AdminClient
from integrations.shopify.errors import ShopifyInvalid, ShopifyThrottled, ShopifyTransient
from integrations.shopify.rate_limit import CostBucket
from integrations.shops.models import Shop
from integrations.shops.tokens.access import admin_client_for

logger = logging.getLogger(__name__)

Hold = WaveMember.Hold
RELEASE_COST = 10.0
READ_COST = 15.0
BATCH = 20
MAX_ATTEMPTS = 12
_RELEASABLE = (Hold.HELD, Hold.TO_HOLD)


@dataclass(frozen=True)
class ReleaseProgress:
    targeted: int
    released: int
    left: int
    needs_attention: int
    rate_per_second: float | None
    eta_seconds: float | None


def _scope(wave: Wave, countries: list[str] | None):
    members = WaveMember.objects.filter(wave=wave)
    return members.filter(country__in=countries) if countries else members


def request_release(*, wave: Wave, by: str, countries: list[str] | None = None) -> WaveRelease:
    """Release the wave (or only ``countries`` of it): holds still to be placed are released as
    soon as they are; orders pushed later are not held. Audited; safe to ask twice."""
    countries = sorted({c.strip().upper() for c in countries or () if c.strip()})
    with transaction.atomic():
        locked = Wave.objects.select_for_update().get(id=wave.id)
        if countries:
            locked.released_countries = sorted(set(locked.released_countries or []) | set(countries))
            fields = ["released_countries"]
        else:
            locked.state, locked.released_at, locked.release_scheduled = Wave.State.RELEASED, timezone.now(), False
            fields = ["state", "released_at", "release_scheduled"]
        locked.save(update_fields=fields)
        targeted = _scope(locked, countries).filter(hold_state=Hold.HELD).update(hold_state=Hold.TO_RELEASE)
        audit = WaveRelease.objects.create(wave=locked, requested_by=by[:255], countries=countries, targeted=targeted)
    logger.info("waves.release_requested",
                extra={"wave_id": wave.id, "by": by, "countries": countries, "targeted": targeted})  # fmt: skip
    wave.refresh_from_db()
    return audit


def schedule_release(*, wave: Wave, on: bool, by: str) -> None:
    if on and wave.ship_date is None:
        raise ValueError(f"Wave {wave.name} has no ship date to release it on.")
    Wave.objects.filter(id=wave.id).update(release_scheduled=on)
    logger.info("waves.release_scheduled", extra={"wave_id": wave.id, "on": on, "by": by})


def has_work(*, shop_id: int) -> bool:
    now = timezone.now()
    return (
        WaveMember.objects.filter(wave__shop_id=shop_id, hold_state=Hold.TO_RELEASE)
        .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
        .exists()
    )


def _claim(*, shop_id: int, token: str) -> list[WaveMember]:
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            WaveMember.objects.select_for_update(skip_locked=True)
            .filter(wave__shop_id=shop_id, hold_state=Hold.TO_RELEASE)
            .filter(Q(not_before__isnull=True) | Q(not_before__lte=now))
            .order_by("id")
            .values_list("id", flat=True)[:BATCH]
        )
        WaveMember.objects.filter(id__in=ids).update(hold_state=Hold.RELEASING, claim_token=token, claimed_at=now)
    return list(WaveMember.objects.filter(id__in=ids).select_related("wave", "record"))


def run_release(*, shop_id: int, budget_seconds: float | None) -> bool:
    """Release what is due until nothing is or the budget is spent; True when work remains."""
    deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
    shop = Shop.objects.get(id=shop_id)
    if not shop.is_connected:
        return False
    client, bucket, token = admin_client_for(shop_id=shop_id), CostBucket(shop.domain), secrets.token_hex(8)
    while deadline is None or time.monotonic() < deadline:
        batch = _claim(shop_id=shop_id, token=token)
        if not batch:
            break
        for position, member in enumerate(batch):
            try:
                _release_one(member=member, client=client, bucket=bucket, token=token)
            except ShopifyThrottled as exc:
                bucket.drain(exc.retry_after)
                _back(batch[position:], token=token, wait=exc.retry_after)
                break
            except Exception:  # the per-member boundary: this member waits, the others go on
                logger.exception("waves.release_crashed", extra={"member_id": member.id})
                _back([member], token=token, wait=30.0, counted=True)
    return has_work(shop_id=shop_id)


def _back(members: list[WaveMember], *, token: str, wait: float, counted: bool = False, error: str = "") -> None:
    """Back to be released later; an answer that never came is resolved by reading back first."""
    for member in members:
        fields = {
            "hold_state": Hold.TO_RELEASE,
            "claim_token": "",
            "not_before": timezone.now() + timedelta(seconds=wait),
        }
        if error:
            fields["last_error"] = error[:2000]
        WaveMember.objects.filter(id=member.id, hold_state=Hold.RELEASING, claim_token=token).update(**fields)
        if counted and member.attempts + 1 >= MAX_ATTEMPTS:
            WaveMember.objects.filter(id=member.id, hold_state=Hold.TO_RELEASE).update(
                hold_state=Hold.NEEDS_ATTENTION,
                last_error=f"Releasing the hold for wave {member.wave.name} kept failing ({error or 'no answer'}).",
            )


def _release_one(*, member: WaveMember, client: AdminClient, bucket: CostBucket, token: str) -> None:
    wave = member.wave
    WaveMember.objects.filter(id=member.id).update(attempts=member.attempts + 1)
    try:
        if member.release_sent_at is not None or not member.hold_ids:
            # An earlier release's answer never came (or the holds were never read): look first.
            left = _our_holds(client=client, bucket=bucket, member=member)
        else:
            left = dict(zip(member.fulfillment_order_ids, member.hold_ids, strict=False))
        for fo_id, hold_id in left.items():
            WaveMember.objects.filter(id=member.id, claim_token=token).update(release_sent_at=timezone.now())
            bucket.wait_and_take(RELEASE_COST, max_wait=20.0)
            response = client.execute(RELEASE, {"id": fo_id, "holdIds": [hold_id], "externalId": f"wave-{wave.id}"})
            bucket.observe(response.cost, taken=RELEASE_COST)
            errors = (response.data.get("fulfillmentOrderReleaseHold") or {}).get("userErrors") or []
            if errors:
                raise ShopifyInvalid("; ".join(str(e.get("message")) for e in errors), shop=client.shop)
    except ShopifyTransient as exc:
        _back([member], token=token, wait=min(2 ** (member.attempts + 1), 60), counted=True, error=exc.message)
        return
    except ShopifyInvalid as exc:
        text = f"Shopify refused to release the hold for wave {wave.name}: {exc.message}"
        WaveMember.objects.filter(id=member.id, claim_token=token).update(
            hold_state=Hold.NEEDS_ATTENTION, claim_token="", last_error=text[:2000]
        )
        return
    WaveMember.objects.filter(id=member.id, claim_token=token).update(
        hold_state=Hold.RELEASED, released_at=timezone.now(), release_sent_at=None, claim_token="", last_error=""
    )


def _our_holds(*, client: AdminClient, bucket: CostBucket, member: WaveMember) -> dict[str, str]:
    """{fulfilment order id: our hold id} still in place, read from Shopify."""
    bucket.wait_and_take(READ_COST, max_wait=20.0)
    response = client.execute(ORDER_HOLDS, {"id": member.record.shopify_order_id})
    bucket.observe(response.cost, taken=READ_COST)
    nodes = ((response.data.get("order") or {}).get("fulfillmentOrders") or {}).get("nodes") or []
    ours = {}
    for fo in nodes:
        hold = next((h for h in fo.get("fulfillmentHolds") or [] if h.get("handle") == member.wave.handle), None)
        if hold is not None:
            ours[fo["id"]] = hold["id"]
    return ours


def progress(*, wave: Wave) -> ReleaseProgress:
    counts = dict(WaveMember.objects.filter(wave=wave).values_list("hold_state").annotate(n=Count("id")))
    last = wave.releases.first()
    released, left = counts.get(Hold.RELEASED, 0), counts.get(Hold.TO_RELEASE, 0) + counts.get(Hold.RELEASING, 0)
    rate = eta = None
    if last is not None and left:
        elapsed = (timezone.now() - last.requested_at).total_seconds()
        done_since = WaveMember.objects.filter(wave=wave, released_at__gte=last.requested_at).count()
        if elapsed > 0 and done_since:
            rate = done_since / elapsed
            eta = left / rate
    return ReleaseProgress(targeted=released + left, released=released, left=left,
                           needs_attention=counts.get(Hold.NEEDS_ATTENTION, 0), rate_per_second=rate,
                           eta_seconds=eta)  # fmt: skip


def due_releases() -> list[int]:
    """Beat: release scheduled waves whose date came, pick up what was left, return shops with work."""
    today = timezone.localdate()
    for wave in Wave.objects.filter(release_scheduled=True, ship_date__lte=today).exclude(state=Wave.State.RELEASED):
        request_release(wave=wave, by="schedule (ship date)")
    lease = timezone.now() - timedelta(seconds=settings.PUSH_CLAIM_LEASE_SECONDS)
    WaveMember.objects.filter(hold_state=Hold.RELEASING, claimed_at__lt=lease).update(
        hold_state=Hold.TO_RELEASE, claim_token=""
    )
    for wave in Wave.objects.filter(Q(state=Wave.State.RELEASED) | ~Q(released_countries=[])):
        scope = WaveMember.objects.filter(wave=wave, hold_state=Hold.HELD)
        if wave.state != Wave.State.RELEASED:
            scope = scope.filter(country__in=wave.released_countries)
        scope.update(hold_state=Hold.TO_RELEASE)
    now = timezone.now()
    due = WaveMember.objects.filter(hold_state=Hold.TO_RELEASE).filter(
        Q(not_before__isnull=True) | Q(not_before__lte=now)
    )
    return sorted(set(due.values_list("wave__shop_id", flat=True)))
