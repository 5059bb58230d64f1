"""What shopify.app.toml declares (the app as Shopify CLI deploys it): read by the simulator, which
subscribes the app to the topics declared there, as Shopify does for app-specific subscriptions.
https://shopify.dev/docs/apps/build/cli-for-apps/app-configuration"""

import tomllib
from pathlib import Path

APP_TOML = Path(__file__).resolve().parents[2] / "shopify.app.toml"


def declared_webhook_topics(path: Path = APP_TOML) -> tuple[str, ...]:
    """The app-specific webhook topics (not the compliance ones); () when there is no file."""
    if not path.exists():
        return ()
    subscriptions = tomllib.loads(path.read_text()).get("webhooks", {}).get("subscriptions", [])
    return tuple(topic for s in subscriptions for topic in s.get("topics", []))
