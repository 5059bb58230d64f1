"""Home's setup guide: three steps, each done when the store's numbers say so, with the page
that does it. Shown until the merchant dismisses it or every step is done."""

from dataclasses import dataclass, field

from integrations.orders.models import PushRecord
from integrations.orders.selectors.metrics import StoreMetrics

State = PushRecord.State


@dataclass(frozen=True)
class SetupStep:
    key: str
    title: str
    text: str
    done: bool
    action_label: str
    action_url_name: str


@dataclass
class SetupGuide:
    steps: list[SetupStep] = field(default_factory=list)

    @property
    def done_count(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def complete(self) -> bool:
        return self.done_count == len(self.steps)

    @property
    def next_step(self) -> SetupStep | None:
        return next((step for step in self.steps if not step.done), None)


def setup_guide(*, metrics: StoreMetrics) -> SetupGuide:
    return SetupGuide(
        steps=[
            SetupStep(
                "connect",
                "Connect your BackerKit project",
                "Add the project's API key. We check it with BackerKit before saving it.",
                metrics.has_connection,
                "Connect BackerKit",
                "pages:connection",
            ),
            SetupStep(
                "preview",
                "Preview your orders",
                "See what each backer's order will become in Shopify (Paid or Partially paid) before anything is sent.",
                metrics.total > 0 and (metrics.counts[State.PUSHED] > 0 or metrics.attention > 0),
                "Preview orders",
                "pages:preview",
            ),
            SetupStep(
                "push",
                "Push your first orders",
                "Send the waiting orders to Shopify. You can follow every order's progress on the Orders page.",
                metrics.counts[State.PUSHED] > 0,
                "Go to orders",
                "pages:orders",
            ),
        ]
    )
