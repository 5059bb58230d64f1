"""Applying one OrderChange to its Shopify order, exactly once.

Each try starts by reading the order back (``ORDER_STATE``, or the lighter ``ORDER_OWNED_FIELDS``
for an address or tags change): that read is what the guards look at, and what resolves an earlier
write whose answer never came (a step Shopify already has is not sent again). Then, in order:

1. the guards: an order Shopify no longer has or that was canceled there; a line fulfilled or the
   warehouse holding the order (needs attention, with the reason in the merchant's words, unless the
   merchant chose "Apply anyway"); a field we own that the merchant changed in Shopify since our last
   write (a conflict, both values kept, unless the merchant chose ours);
2. the steps the change needs, each through the shop's cost bucket, each recorded once done:
   ``update`` (orderUpdate: address, contact, tags, attributes), ``items`` (orderEditBegin, AddVariant
   / SetQuantity, the shipping line removed and added again, the one "Taxes" custom item replaced,
   Commit, in this one claim; an abandoned edit session is harmless), ``money``
   (orderCreateManualPayment or refundCreate; nothing with transaction data off), ``cancel``
   (orderCancel: restock, no notification, no money moved).

``apply_guarded`` is the per-change boundary, like ``push.push_guarded``.
"""

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from integrations.backerkit.orders import rebuild_validated_order
from integrations.orders import change_documents as docs
from integrations.orders.changes import ADDRESS, CANCEL, ITEMS, MONEY, TAGS, Version, classify, sku_changes
from integrations.orders.mapping import TAXES_TITLE, ShopSettings, paid_attribute, payment_summary
from integrations.orders.models import ChangeAttempt, OrderChange
from integrations.orders.services import change_claims, change_steps
from integrations.orders.services.change_intake import synced_version, version_of_stored
from integrations.orders.services.claims import after
from integrations.orders.services.push import SHOP_LEVEL, backoff, new_error_id
from integrations.orders.services.variants import resolve_variants
from integrations.shopify.client import AdminClient
from integrations.shopify.errors import ShopifyInvalid, ShopifyThrottled, ShopifyTransient
from integrations.shopify.rate_limit import CostBucket
from integrations.shops.choices import TaxMode

logger = logging.getLogger(__name__)

ChangeState = OrderChange.State
Outcome = ChangeAttempt.Outcome
MUTATION_COST = 10.0
# ORDER_STATE as requested (296: 50 lines with their prices, shipping lines, 5 fulfilment orders);
# refunded to the actual cost (about 40 for an order of a few lines).
STATE_COST = 300.0
OWNED_COST = 125.0  # ORDER_OWNED_FIELDS as requested (5 fulfilment orders of 10 lines)
MAX_BUCKET_WAIT_SECONDS = 20.0
FULFILMENT = "fulfilment"
EDIT_SCOPE = "write_order_edits"  # Shopify's order editing needs it (docs/shopify-facts.md)
CONFLICT = "conflict"
CHARGES = "charges"
CHARGES_WORDS = "an order edit cannot change them"  # in the reason of the charges guard
WAREHOUSE_WORDS = "contact the warehouse"  # in the reason of the fulfilment guard


def _amount(order: dict, name: str) -> Decimal:
    bag = order.get(name) or {}
    return Decimal(str((bag.get("shopMoney") or {}).get("amount") or "0"))


class HandBack(Exception):
    """The bucket is short for longer than the lane's budget: give the change back untouched."""


class Stop(Exception):
    """The change ends here with this outcome (written by the raiser's caller)."""

    def __init__(self, state: str, outcome: str, reason: str, **extra):
        super().__init__(reason)
        self.state, self.outcome, self.reason, self.extra = state, outcome, reason, extra


@dataclass
class ChangeContext:
    shop_id: int
    client: AdminClient
    bucket: CostBucket
    token: str
    settings_for: dict[int, ShopSettings]
    scopes: frozenset[str] = frozenset()  # the access scopes the shop granted
    deadline: float | None = None
    stats: dict[str, int] = field(default_factory=dict)

    def count(self, key: str) -> None:
        self.stats[key] = self.stats.get(key, 0) + 1


def apply_guarded(*, change: OrderChange, ctx: ChangeContext) -> bool:
    """Apply one change; False when it was handed back (the bucket is short). An unexpected error
    ends this change alone, needing attention under an error id; the lane goes on."""
    started = timezone.now()
    try:
        _Apply(change=change, ctx=ctx, started=started).run()
    except HandBack:
        change_claims.release(change_ids=[change.id], token=ctx.token)
        return False
    except SHOP_LEVEL:
        raise
    except Exception:
        error_id = new_error_id()
        logger.exception("change.crashed", extra={"error_id": error_id, "shop_id": ctx.shop_id, "change_id": change.id})
        change_claims.finish(change=change, token=ctx.token, state=ChangeState.NEEDS_ATTENTION,
                             outcome=Outcome.UNEXPECTED, started_at=started, keep_sent=True,
                             reason=f"Unexpected error {error_id}; this change stopped (it is never applied twice). "
                                    f"Apply it again, or give support the error id {error_id}.")  # fmt: skip
        ctx.count("unexpected")
    return True


class _Apply:
    def __init__(self, *, change: OrderChange, ctx: ChangeContext, started: datetime):
        self.change, self.ctx, self.started = change, ctx, started
        self.record = change.record
        self.current: Version = synced_version(self.record)
        self.target: Version = version_of_stored(change.order_data, store_name=change.store_name)
        self.settings = ctx.settings_for.get(self.record.connection_id) or ShopSettings()
        self.updated_at = self.record.shopify_updated_at
        self.record_fields: dict[str, Any] = {}
        self.edited: dict[str, Any] = {}  # the order as the edit's commit returned it (its new totals)
        self.notes: list[str] = []

    def run(self) -> None:
        try:
            self._run()
        except Stop as stop:
            change_claims.finish(change=self.change, token=self.ctx.token, state=stop.state, outcome=stop.outcome,
                                 started_at=self.started, reason=stop.reason, **stop.extra)  # fmt: skip
            self.ctx.count(stop.outcome)

    def _run(self) -> None:
        result = classify(current=self.current, incoming=self.target)
        if result.verdict != "changed":
            return self._applied(Outcome.FOUND_APPLIED, "Shopify already has this version.")
        kinds = list(result.kinds)
        order = self._read(full=bool({ITEMS, MONEY, CANCEL} & set(kinds)))
        if order is None:
            raise Stop(ChangeState.NEEDS_ATTENTION, Outcome.NEEDS_ATTENTION,
                       "The order is no longer in Shopify (deleted there): nothing to change.")  # fmt: skip
        if CANCEL in kinds and self.target.view["status"] == "locked":
            raise Stop(ChangeState.NEEDS_ATTENTION, Outcome.NEEDS_ATTENTION,
                       "BackerKit reopened this order after it was canceled: a canceled Shopify order cannot be "
                       "reopened. Create it again in Shopify if it must ship, then dismiss this change.")  # fmt: skip
        if order.get("cancelledAt") and CANCEL not in kinds:
            raise Stop(ChangeState.NEEDS_ATTENTION, Outcome.NEEDS_ATTENTION,
                       "The order was canceled in Shopify: the change from BackerKit was not applied.")  # fmt: skip
        if ITEMS in kinds and EDIT_SCOPE not in self.ctx.scopes:
            raise Stop(ChangeState.NEEDS_ATTENTION, Outcome.NEEDS_ATTENTION,
                       "Items changed in BackerKit, but this app may not edit orders in your store yet: "
                       "approve its new permission (Reconnect the store), then apply the change.")  # fmt: skip
        self._guard_fulfilment(order, kinds, result)
        self._guard_charges(order, result)
        self._guard_conflicts(order, kinds, result)
        if {ADDRESS, TAGS} & set(kinds) or (MONEY in kinds and self.settings.include_transaction_data):
            self._step("update", order, done=change_steps.has_update(order, self.target.view)
                       and MONEY not in kinds, send=lambda: self._update(order, kinds=set(kinds)))  # fmt: skip
        if ITEMS in kinds:
            done = change_steps.has_items(order, self.target.view) and change_steps.has_charges(
                order, self._charges(result)
            )
            self._step("items", order, done=done, send=lambda: self._edit_items(order, result))
        if MONEY in kinds or CANCEL in kinds:
            self._step("money", order, done=False, send=lambda: self._money(order))
        if CANCEL in kinds:
            self._step("cancel", order, done=bool(order.get("cancelledAt")), send=lambda: self._cancel(order))
        self._applied(Outcome.APPLIED, " ".join(self.notes))

    # --- guards --------------------------------------------------------------------------------

    def _guard_fulfilment(self, order: dict, kinds: list[str], result) -> None:
        """Not once the warehouse has the order: a fulfilled line, a fulfilment order in progress or
        accepted (or submitted) by a fulfilment service, read with the order itself. Only
        what the warehouse acts on is guarded (address, items, cancellation); tags and payments are not."""
        if FULFILMENT in self.change.overrides or not ({ADDRESS, ITEMS, CANCEL} & set(kinds)):
            return
        items_only = kinds == [ITEMS] and not change_steps.charge_changes(result.changes)
        status = self._warehouse_status(order, touched=set(sku_changes(result)) if items_only else None)
        if status:
            when = self.change.source_updated_at or self.change.created_at
            guarded = [kind for kind in kinds if kind in (ADDRESS, ITEMS, CANCEL)]
            raise Stop(ChangeState.NEEDS_ATTENTION, Outcome.NEEDS_ATTENTION,
                       change_steps.fulfilment_reason(kinds=guarded, when=when, status=status))  # fmt: skip

    def _warehouse_status(self, order: dict, *, touched: set[str] | None) -> str:
        """ "fulfilled", "accepted", "submitted", "in_progress" or "" (nothing with the warehouse), from
        the order's fulfilment orders as read with it (the shared reader's rule: a fulfilment order
        with the warehouse once submitted to or accepted by a service, in progress or closed).
        ``touched``: an items change looks only at those SKUs' lines."""
        orders = ((order.get("fulfillmentOrders") or {}).get("nodes")) or []
        for fo in orders:
            lines = (fo.get("lineItems") or {}).get("nodes") or []
            if touched is not None and not touched & {line.get("sku") for line in lines}:
                continue
            shipped = any(int(line.get("remainingQuantity") or 0) < int(line.get("totalQuantity") or 0)
                          for line in lines)  # fmt: skip
            status, request = fo.get("status"), fo.get("requestStatus")
            if status == "CLOSED" or (shipped and status != "CANCELLED"):
                return "fulfilled"
            if request == "ACCEPTED":
                return "accepted"
            if request in ("SUBMITTED", "CANCELLATION_REQUESTED"):
                return "submitted"
            if status == "IN_PROGRESS":
                return "in_progress"
        if not orders and order.get("displayFulfillmentStatus") not in (None, "UNFULFILLED", "ON_HOLD"):
            return "fulfilled"  # fulfilment orders not visible (scope not granted): Shopify's own summary
        return ""

    def _charges(self, result) -> dict[str, tuple[str, str]]:
        """The shipping and tax amounts this change sets in the order edit (none once the merchant
        chose to apply the rest past the charges guard)."""
        if CHARGES in self.change.overrides:
            return {}
        return change_steps.charge_changes(result.changes)

    def _guard_charges(self, order: dict, result) -> None:
        """Shipping is the push's shipping line and taxes its one "Taxes" custom item (mapping.py):
        both are replaced in the order edit. What an order edit cannot change (taxes sent as Shopify
        tax lines, a "Taxes" item no longer there or already fulfilled) needs attention, so a change
        is never applied silently in part."""
        taxes = self._charges(result).get(change_steps.TAXES)
        if taxes is None:
            return
        old, new = (Decimal(value) for value in taxes)
        lines = change_steps.taxes_lines((order.get("lineItems") or {}).get("nodes") or [])
        why = ""
        if old > 0 and not lines:
            why = ("this store's taxes were sent as Shopify tax lines" if self.settings.tax_mode == TaxMode.TAX_LINES
                   else 'the order\'s "Taxes" item is no longer on it in Shopify')  # fmt: skip
        elif old == 0 and new > 0 and self.settings.tax_mode == TaxMode.TAX_LINES:
            why = "this store sends taxes as Shopify tax lines"
        elif any(int(line.get("unfulfilledQuantity") or 0) < int(line.get("currentQuantity") or 0) for line in lines):
            why = 'the order\'s "Taxes" item is marked fulfilled in Shopify'
        if why:
            raise Stop(ChangeState.NEEDS_ATTENTION, Outcome.NEEDS_ATTENTION,
                       f"The taxes changed in BackerKit ({old} to {new}), but {why}, and {CHARGES_WORDS}. "
                       "Change them in Shopify, then apply the rest of this change anyway, or dismiss it.")  # fmt: skip

    def _guard_conflicts(self, order: dict, kinds: list[str], result) -> None:
        if CONFLICT in self.change.overrides:
            return
        conflicts: list[dict[str, Any]] = []
        if ADDRESS in kinds:
            conflicts += change_steps.address_conflicts(order, self.current.view, self.target.view)
        if ITEMS in kinds:
            have = change_steps.quantities(order)
            for sku, (old, new) in sku_changes(result).items():
                if have.get(sku, 0) not in (old, new):
                    conflicts.append({"field": f"items.{sku}", "ours": new, "shopify": have.get(sku, 0)})
            conflicts += change_steps.charge_conflicts(order, self._charges(result))
        if conflicts:
            names = ", ".join(c["field"] for c in conflicts)
            raise Stop(ChangeState.CONFLICT, Outcome.CONFLICT,
                       f"Edited in Shopify since this app last wrote the order ({names}): choose which value to keep.",
                       extra={"conflict": conflicts})  # fmt: skip

    # --- steps ---------------------------------------------------------------------------------

    def _step(self, name: str, order: dict, *, done: bool, send) -> None:
        if name in self.change.steps_done:
            return
        if done or (self.change.last_sent_at is not None and name == "cancel" and order.get("cancelledAt")):
            change_claims.step_done(change=self.change, token=self.ctx.token, step=name)
            return
        if not change_claims.mark_sending(change=self.change, token=self.ctx.token, step=name):
            raise Stop(ChangeState.APPLYING, Outcome.UNEXPECTED, "taken back")  # another lane owns it: no write
        send()
        change_claims.step_done(change=self.change, token=self.ctx.token, step=name)

    def _update(self, order: dict, *, kinds: set[str]) -> None:
        target_order = rebuild_validated_order(self.change.order_data)
        paid = paid_attribute(target_order) if self.settings.include_transaction_data else None
        variables = {"input": change_steps.update_input(order=order, old=self.current.view, new=self.target.view,
                                                        paid_attribute=paid, kinds=kinds)}  # fmt: skip
        payload = self._mutate(docs.ORDER_UPDATE, variables, "orderUpdate")
        self.updated_at = (payload.get("order") or {}).get("updatedAt") or self.updated_at

    def _edit_items(self, order: dict, result) -> None:
        wanted = sku_changes(result)
        added = [sku for sku, (old, _) in wanted.items() if old == 0]
        variants = resolve_variants(client=self.ctx.client, skus=added, on_cost=self.ctx.bucket.observe)
        missing = [sku for sku in added if sku not in variants]
        if missing:
            raise Stop(ChangeState.NEEDS_ATTENTION, Outcome.NEEDS_ATTENTION,
                       " ".join(f"SKU {sku} is not in your Shopify store." for sku in missing))  # fmt: skip
        begun = self._mutate(docs.ORDER_EDIT_BEGIN, {"id": order["id"]}, "orderEditBegin", cost=MUTATION_COST + 100)
        calculated = begun["calculatedOrder"]
        lines: dict[str, list[str]] = {}
        for line in calculated["lineItems"]["nodes"]:
            if line.get("sku"):
                lines.setdefault(line["sku"], []).append(line["id"])
        for sku, (_, new) in wanted.items():
            if sku in lines:
                for position, line_id in enumerate(lines[sku]):
                    self._mutate(docs.ORDER_EDIT_SET_QUANTITY, {"id": calculated["id"], "lineItemId": line_id,
                                 "quantity": new if position == 0 else 0}, "orderEditSetQuantity")  # fmt: skip
            elif new > 0:
                self._mutate(docs.ORDER_EDIT_ADD_VARIANT, {"id": calculated["id"], "variantId": variants[sku].id,
                             "quantity": new}, "orderEditAddVariant")  # fmt: skip
        self._stage_charges(calculated, self._charges(result))
        committed = self._mutate(docs.ORDER_EDIT_COMMIT, {"id": calculated["id"],
                                 "staffNote": "Items changed in BackerKit"}, "orderEditCommit")  # fmt: skip
        edited = committed.get("order") or {}
        self.edited = edited
        self.updated_at = edited.get("updatedAt") or self.updated_at
        total = Decimal(edited["currentTotalPriceSet"]["shopMoney"]["amount"])
        target_order = rebuild_validated_order(self.change.order_data)
        status, _, explanation = payment_summary(target_order, settings=self.settings, shopify_total=total)
        self.record_fields.update(shopify_total=total, expected_financial_status=status, explanation=explanation,
                                  financial_status=edited.get("displayFinancialStatus") or "")  # fmt: skip

    def _stage_charges(self, calculated: dict, wanted: dict[str, tuple[str, str]]) -> None:
        """Shipping: the order's shipping lines removed, the new amount added as the push's "Shipping"
        line (Shopify edits a shipping fee by removing it and adding a new one). Taxes: the "Taxes"
        custom item set to 0 and a new one added with the new amount, as the push created it."""
        currency = rebuild_validated_order(self.change.order_data).currency
        edit = calculated["id"]
        if change_steps.SHIPPING in wanted:
            for line in calculated.get("shippingLines") or []:
                if line.get("stagedStatus") != "REMOVED":
                    self._mutate(docs.ORDER_EDIT_REMOVE_SHIPPING_LINE, {"id": edit, "shippingLineId": line["id"]},
                                 "orderEditRemoveShippingLine")  # fmt: skip
            amount = Decimal(wanted[change_steps.SHIPPING][1])
            if amount > 0:
                line_input = change_steps.shipping_line_input(amount, currency)
                self._mutate(docs.ORDER_EDIT_ADD_SHIPPING_LINE, {"id": edit, "shippingLine": line_input},
                             "orderEditAddShippingLine")  # fmt: skip
        if change_steps.TAXES in wanted:
            for line in change_steps.taxes_lines(calculated["lineItems"]["nodes"]):
                self._mutate(docs.ORDER_EDIT_SET_QUANTITY, {"id": edit, "lineItemId": line["id"], "quantity": 0,
                             "restock": False}, "orderEditSetQuantity")  # fmt: skip
            amount = Decimal(wanted[change_steps.TAXES][1])
            if amount > 0:
                price = change_steps.money_amount(amount, currency)
                self._mutate(docs.ORDER_EDIT_ADD_CUSTOM_ITEM, {"id": edit, "title": TAXES_TITLE, "price": price},
                             "orderEditAddCustomItem")  # fmt: skip

    def _money(self, order: dict) -> None:
        """Make what Shopify records as paid match BackerKit: a manual payment for what the backer
        paid more, a refund (a record on the external gateway) for what BackerKit refunded. The
        amount is read from the order itself, so a payment whose answer was lost is not paid twice."""
        if not self.settings.include_transaction_data:
            self.notes.append("Transaction data is off for this store: no payment recorded, as at push time.")
            return
        new = rebuild_validated_order(self.change.order_data)
        money = {**order, **self.edited}
        total = _amount(money, "currentTotalPriceSet")
        net = _amount(money, "netPaymentSet")
        target = change_steps.recorded(new.amount_paid, total)
        delta = target - net
        if delta > 0:
            outstanding = _amount(money, "totalOutstandingSet")
            amount = min(delta, outstanding)
            if amount <= 0:
                return
            payload = self._mutate(docs.ORDER_CREATE_MANUAL_PAYMENT, {"id": order["id"], "paymentMethodName":
                                   change_steps.GATEWAY, "amount": change_steps.money_amount(amount, new.currency)},
                                   "orderCreateManualPayment")  # fmt: skip
        elif delta < 0:
            sale = next((t["id"] for t in order.get("transactions") or []
                         if t.get("kind") == "SALE" and t.get("status") == "SUCCESS"), None)  # fmt: skip
            variables = {"key": f"backerkit-change-{self.change.id}-refund",
                         "input": change_steps.refund_input(order_id=order["id"], amount=-delta,
                                                            currency=new.currency, parent_id=sale)}  # fmt: skip
            payload = self._mutate(docs.REFUND_CREATE, variables, "refundCreate")
        else:
            return
        result = payload.get("order") or {}
        self.updated_at = result.get("updatedAt") or self.updated_at
        if result.get("displayFinancialStatus"):
            self.record_fields["financial_status"] = result["displayFinancialStatus"]
        status, _, explanation = payment_summary(new, settings=self.settings, shopify_total=total)
        self.record_fields.update(expected_financial_status=status, explanation=explanation)

    def _cancel(self, order: dict) -> None:
        self._mutate(docs.ORDER_CANCEL, {"orderId": order["id"], "staffNote": "Canceled in BackerKit"}, "orderCancel",
                     errors_key="orderCancelUserErrors")  # fmt: skip
        self.record_fields["financial_status"] = order.get("displayFinancialStatus") or ""

    # --- Shopify -------------------------------------------------------------------------------

    def _read(self, *, full: bool) -> dict | None:
        document, cost = (docs.ORDER_STATE, STATE_COST) if full else (docs.ORDER_OWNED_FIELDS, OWNED_COST)
        response = self._call(document, {"id": self.record.shopify_order_id}, cost=cost, mutation=False)
        return response.data.get("order")

    def _mutate(self, document: str, variables: dict, name: str, *, cost: float = MUTATION_COST,
                errors_key: str = "userErrors") -> dict:  # fmt: skip
        response = self._call(document, variables, cost=cost, mutation=True)
        payload = response.data[name] or {}
        errors = payload.get(errors_key) or []
        if errors:
            text = "; ".join(str(e.get("message")) for e in errors)
            raise Stop(ChangeState.NEEDS_ATTENTION, Outcome.USER_ERRORS, f"Shopify refused the change: {text}")
        return payload

    def _call(self, document: str, variables: dict, *, cost: float, mutation: bool):
        wait = self.ctx.bucket.wait_and_take(cost, max_wait=self._patience())
        if wait > 0:
            raise HandBack
        try:
            response = self.ctx.client.execute(document, variables)
        except ShopifyThrottled as exc:
            self.ctx.bucket.drain(exc.retry_after)
            raise Stop(ChangeState.PENDING, Outcome.THROTTLED, "", not_before=after(exc.retry_after),
                       keep_sent=True, uncounted=True) from exc  # fmt: skip
        except ShopifyTransient as exc:
            raise self._transient(exc, maybe_sent=mutation and exc.ambiguous) from exc
        except ShopifyInvalid as exc:
            raise Stop(ChangeState.NEEDS_ATTENTION, Outcome.USER_ERRORS,
                       f"Shopify refused the request: {exc.message}") from exc  # fmt: skip
        self.ctx.bucket.observe(response.cost, taken=cost)
        return response

    def _transient(self, exc: ShopifyTransient, *, maybe_sent: bool) -> Stop:
        self.ctx.count("transient")
        outcome = Outcome.AMBIGUOUS if maybe_sent else Outcome.TRANSIENT
        if self.change.attempts >= settings.PUSH_MAX_ATTEMPTS:
            return Stop(
                ChangeState.NEEDS_ATTENTION,
                outcome,
                f"Shopify kept failing after {self.change.attempts} "
                f"attempts ({exc.message}). Apply it again: the order is read back first.",
                keep_sent=True,
            )
        return Stop(ChangeState.PENDING, outcome, exc.message, not_before=after(backoff(self.change.attempts)),
                    keep_sent=True)  # fmt: skip

    def _patience(self) -> float:
        if self.ctx.deadline is None:
            return MAX_BUCKET_WAIT_SECONDS
        return max(min(MAX_BUCKET_WAIT_SECONDS, self.ctx.deadline - time.monotonic()), 0.0)

    def _applied(self, outcome: str, detail: str) -> None:
        target_order = rebuild_validated_order(self.change.order_data)
        fields = {
            "order_data": self.change.order_data,
            "synced_fingerprint": self.target.fingerprint,
            "synced_updated_at": self.target.updated_at,
            "synced_store_name": self.change.store_name,
            "shopify_updated_at": self.updated_at or "",
            "amount_paid": target_order.amount_paid,
            **self.record_fields,
        }
        change_claims.applied(change=self.change, outcome=outcome, started_at=self.started, record_fields=fields,
                              detail=detail)  # fmt: skip
        self.ctx.count("applied")
