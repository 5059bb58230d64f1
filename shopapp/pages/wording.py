"""What the merchant's pages say about the domain's states and problems: payment-status labels,
the push's time left, why a connection, a pull, a push or a preview could not go ahead. The
domain hands codes and numbers (integrations/orders/); the sentences are here, in one place."""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.timesince import timesince

from integrations.orders.models import PullRun
from integrations.orders.services.connections import ConnectionProblem
from integrations.orders.services.connections import Problem as ConnectionCode
from integrations.orders.services.preview import PreviewProblem
from integrations.orders.services.push_requests import PushNotPossible

FINANCIAL_LABELS = {"PAID": "Paid", "PARTIALLY_PAID": "Partially paid", "PENDING": "Payment pending"}

# Shopify's orderCreate options, as the settings page names them (the detail page says the same).
INVENTORY_LABELS = {
    "BYPASS": "Don't change inventory",
    "DECREMENT_IGNORING_POLICY": "Decrease inventory, even below zero",
    "DECREMENT_OBEYING_POLICY": "Decrease inventory, following each product's policy",
}
TAX_MODE_LABELS = {"one_line_item": "All taxes as one line item", "tax_lines": "Shopify tax lines"}
# How orders travel to Shopify (integrations/orders/services/bulk_road.py).
PUSH_ROAD_LABELS = {
    "auto": "Automatic: large pushes also use Shopify bulk operations",
    "calls": "One request per order only",
    "bulk": "Prefer Shopify bulk operations",
}
PUSH_ROAD_HELP = {
    "auto": "Above a few hundred waiting orders, part of them goes through Shopify's bulk import, "
    "beside the one-by-one requests: both finish together, sooner than either alone.",
    "calls": "Every order is its own request, paced by Shopify's rate limit.",
    "bulk": "As much as possible goes through Shopify's bulk import; the one-by-one requests still run beside it.",
}


def road_label(road: str, bulk_id: str = "") -> str:
    """Which road pushed an order, for its detail page."""
    if road == "bulk":
        number = bulk_id.rsplit("/", 1)[-1] if bulk_id else ""
        return f"Shopify bulk operation {number}".strip()
    return "One request to Shopify"


def inventory_label(code: str) -> str:
    return INVENTORY_LABELS.get(code, code.replace("_", " ").capitalize() if code else "—")


def accepted(labels: dict[str, str]) -> str:
    """ "Choose one of: A, B or C." for a choice field's invalid value."""
    names = [f"“{label}”" for label in labels.values()]
    return f"Choose one of: {', '.join(names[:-1])} or {names[-1]}."


def financial_label(status: str) -> str:
    return FINANCIAL_LABELS.get(status, status.replace("_", " ").capitalize() if status else "—")


def eta_text(seconds: float | None, *, running: bool) -> str:
    if not running:
        return ""
    if seconds is None:
        return "Estimating time left…"
    if seconds < 60:
        return "Less than a minute left"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"About {minutes} minute{'s' if minutes != 1 else ''} left"
    hours, minutes = divmod(minutes, 60)
    return f"About {hours} h {minutes:02d} min left"


def time_ago(moment: datetime, *, now: datetime | None = None) -> str:
    """ "just now" under a minute, else Django's "3 minutes ago" (whose "0 minutes", with a
    non-breaking space, is never what a merchant should read)."""
    now = now or timezone.now()
    if now - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment, now)} ago".replace("\xa0", " ")


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


# --- BackerKit connections and their pulls --------------------------------------------------------

PROBLEMS = {
    PullRun.Problem.KEY_REFUSED: "BackerKit refused this API key. Copy it again from BackerKit.",
    PullRun.Problem.PROJECT_NOT_FOUND: "BackerKit has no project with this ID. Check the project ID.",
    PullRun.Problem.BACKERKIT_UNAVAILABLE: "BackerKit did not answer just now. Try again in a minute.",
    PullRun.Problem.CONNECTION_STOPPED: "This connection is stopped. Add it again with a valid API key.",
    PullRun.Problem.ABANDONED: "The fetch stopped without finishing. Fetch again: nothing is taken in twice.",
    ConnectionCode.STORE_NAME_TAKEN: "You already have a connection with this store name.",
    ConnectionCode.NO_API_KEY: "This connection imports files: there is no API key to test.",
}


def connection_problem(problem: ConnectionProblem) -> str:
    if problem.code == ConnectionCode.CURRENCY_MISMATCH:
        return f"{problem.detail} Orders can only be pushed to a store in the same currency."
    if problem.code == PullRun.Problem.BACKERKIT_REFUSED:
        return f"BackerKit refused the request: {problem.detail}"
    return PROBLEMS.get(problem.code, "BackerKit could not be reached. Try again in a minute.")


def pull_problem(run: PullRun, *, stopped_reason: str = "") -> str:
    if run.problem == PullRun.Problem.UNEXPECTED:
        return f"Something went wrong while fetching (error {run.error_id}). Fetch again, or contact support."
    if run.problem == PullRun.Problem.BACKERKIT_REFUSED:
        return "BackerKit refused the request. Check the project in BackerKit, then fetch again."
    if run.problem == PullRun.Problem.CONNECTION_STOPPED and stopped_reason:
        return f"The connection stopped: {stopped_reason}"
    return PROBLEMS.get(run.problem, "The fetch did not finish.")


def connection_checked(project, *, resumed: bool = False) -> str:
    checked = f"Connected to “{project.name}” ({project.currency})."
    return f"{checked} Fetching resumes." if resumed else checked


def pull_status(run: PullRun, *, stopped_reason: str = "") -> str:
    """One line about a pull: queued, how far it got, or how it ended."""
    fetched = plural(run.accepted, "order")
    if run.state == PullRun.State.QUEUED:
        return "Fetch queued: it starts in a moment."
    if run.state == PullRun.State.RUNNING:
        return f"Fetching orders from BackerKit: {fetched} taken in so far ({plural(run.pages, 'page')})."
    if run.state == PullRun.State.FINISHED:
        refused = f", {run.refused} refused (see Orders)" if run.refused else ""
        return f"Fetch finished: {fetched} taken in{refused}."
    taken = f" after {fetched}" if run.accepted else ""
    return f"Fetch stopped{taken}. {pull_problem(run, stopped_reason=stopped_reason)}"


# --- the push and the preview ----------------------------------------------------------------

PUSH_REFUSALS = {
    PushNotPossible.DISCONNECTED: "Shopify is disconnected. Reconnect the store first: nothing is lost meanwhile.",
    PushNotPossible.PAUSED_BY_SUPPORT: "BackerKit support paused pushes for this store. Contact your Success rep.",
}
RETRY_REFUSALS = {
    **PUSH_REFUSALS,
    PushNotPossible.DISCONNECTED: "Shopify is disconnected. Reconnect the store first, then retry.",
}


def retry_outcome(count: int, states: dict[str, int]) -> tuple[str, str]:
    """(notice, error) after a retry of ``count`` orders whose states are now ``states``: the
    outcome where it is already known (in-process, a retry may be over before the page answers),
    "queued" only for what is still queued."""
    if not count:
        return "Nothing to retry", ""
    pushed = states.get("pushed", 0)
    stopped = states.get("needs_attention", 0) + states.get("failed", 0)
    queued = count - pushed - stopped
    if queued > 0 and not (pushed or stopped):
        return f"{plural(count, 'order')} queued to push again", ""
    parts = [f"{plural(pushed, 'order')} pushed"] if pushed else []
    if queued > 0:
        parts.append(f"{queued} still queued")
    if stopped:
        still = "still needs attention" if stopped == 1 else "still need attention"
        parts.append(f"{plural(stopped, 'order')} {still}: see why below")
        return "", ", ".join(parts) + "."
    return ", ".join(parts), ""


PREVIEW_PROBLEMS = {
    PreviewProblem.DISCONNECTED: "Shopify is disconnected: reconnect to preview your orders.",
    PreviewProblem.SHOPIFY_UNAVAILABLE: "Shopify did not answer just now. Try again in a minute.",
}
