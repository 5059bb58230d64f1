"""python manage.py waves SHOP list | create NAME [rules] | release NAME [--countries ..] | hold-new on|off

    create NAME [--countries US,CA] [--skus A,B] [--connection NAME] [--backers-file F] [--rest]
                [--ship-date YYYY-MM-DD] [--schedule]      (prints each wave's count before saving)
    release NAME [--countries ..] [--no-wait] [--timeout S]  (waits until every hold is released)
    list                                                    (each wave, its rules and counts)
    hold-new on|off                                         (the shop's "push orders held")

The same services as the Waves page, audited alike ("command" as who). Releasing runs on the
Celery workers (or this process's own local worker without REDIS_URL), with progress and ETA.
"""

import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from integrations.orders import local_worker
from integrations.orders.management.progress import ProgressBar
from integrations.orders.models import Wave
from integrations.orders.selectors.waves import wave_rows
from integrations.orders.services import wave_release, waves
from integrations.orders.services.waves import Rules, WaveError
from integrations.orders.wave_tasks import release_wave_holds, start_release
from integrations.shopify.domains import sanitize_shop_domain
from integrations.shops.models import Shop

BY = "command (manage.py waves)"


def _list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


class Command(BaseCommand):
    help = "Waves of a shop: list, create, release, and whether new orders are pushed held."

    def add_arguments(self, parser):
        parser.add_argument("shop")
        parser.add_argument("action", choices=["list", "create", "release", "hold-new"])
        parser.add_argument("name", nargs="?", help="The wave's name (create, release), or on|off (hold-new)")
        parser.add_argument("--countries")
        parser.add_argument("--skus")
        parser.add_argument("--connection", default="")
        parser.add_argument("--backers-file")
        parser.add_argument("--rest", action="store_true")
        parser.add_argument("--ship-date")
        parser.add_argument("--schedule", action="store_true", help="Release on the ship date (beat)")
        parser.add_argument("--no-wait", action="store_true")
        parser.add_argument("--timeout", type=float, default=900.0)

    def handle(self, *args, **options):
        domain = sanitize_shop_domain(options["shop"])
        shop = Shop.objects.filter(domain=domain).first() if domain else None
        if shop is None:
            raise CommandError(f"No installed shop named {options['shop']!r}.")
        try:
            getattr(self, "_" + options["action"].replace("-", "_"))(shop, options)
        except (WaveError, ValueError) as exc:
            raise CommandError(str(exc)) from exc

    def _list(self, shop: Shop, options) -> None:
        held = waves.wave_settings(shop).push_orders_held
        self.stdout.write(f"New orders pushed held: {'on' if held else 'off'}")
        for row in wave_rows(shop_id=shop.id):
            wave = row.wave
            state = wave.get_state_display()
            if wave.released_countries and wave.state != Wave.State.RELEASED:
                state += f" ({', '.join(wave.released_countries)} released)"
            self.stdout.write(
                f"{wave.name}: {_rules(wave)}; ship date {wave.ship_date or '-'}"
                f"{' (scheduled)' if wave.release_scheduled else ''}; {state}; {row.orders} orders, "
                f"{row.pushed} pushed, {row.held + row.releasing} held, {row.released} released, "
                f"{row.needs_attention} need attention"
            )
        unmatched = waves.preview_counts(shop=shop).unmatched
        self.stdout.write(f"In no wave: {unmatched}")

    def _create(self, shop: Shop, options) -> None:
        name = options["name"] or ""
        backers = []
        if options["backers_file"]:
            path = Path(options["backers_file"])
            if not path.exists():
                raise CommandError(f"No file {path}")
            backers = [line.strip() for line in path.read_text().splitlines() if line.strip()]
        ship_date = date.fromisoformat(options["ship_date"]) if options["ship_date"] else None
        rules = dict(countries=_list(options["countries"]), skus=_list(options["skus"]),
                     connection_name=options["connection"], backer_ids=backers, rest=options["rest"])  # fmt: skip
        wave = waves.create_wave(shop=shop, name=name, by=BY, ship_date=ship_date, **rules)
        if options["schedule"]:
            wave_release.schedule_release(wave=wave, on=True, by=BY)
        counts = waves.preview_counts(shop=shop)
        self.stdout.write(f"Wave {wave.name} created: {counts.per_wave.get(wave.name, 0)} orders.")
        for other, count in counts.per_wave.items():
            self.stdout.write(f"  {other}: {count}")
        self.stdout.write(f"  in no wave: {counts.unmatched}")

    def _hold_new(self, shop: Shop, options) -> None:
        value = (options["name"] or "").lower()
        if value not in ("on", "off"):
            raise CommandError("hold-new takes on or off.")
        waves.set_push_orders_held(shop=shop, on=value == "on", by=BY)
        self.stdout.write(f"New orders of waves not released are {'pushed held' if value == 'on' else 'not held'}.")

    def _release(self, shop: Shop, options) -> None:
        wave = waves.find_wave(shop=shop, name=options["name"] or "")
        countries = _list(options["countries"])
        worker = None if options["no_wait"] else local_worker.start(release_wave_holds.app)
        audit = wave_release.request_release(wave=wave, by=BY, countries=countries or None)
        start_release(shop_id=shop.id)
        scope = f" ({', '.join(countries)})" if countries else ""
        self.stdout.write(f"Releasing wave {wave.name}{scope}: {audit.targeted} holds to release.")
        if not options["no_wait"]:
            self._wait(wave=wave, timeout=options["timeout"])
        if worker is not None:
            worker.stop(timeout=10)

    def _wait(self, *, wave: Wave, timeout: float) -> None:
        first = wave_release.progress(wave=wave)
        bar = ProgressBar(total=first.targeted, label="release", stream=self.stdout)
        deadline = time.monotonic() + timeout
        while True:
            now = wave_release.progress(wave=wave)
            bar.update(now.released, extra=f"{now.needs_attention} need attention" if now.needs_attention else "")
            if now.left == 0:
                break
            if time.monotonic() > deadline:
                bar.finish()
                self.stdout.write(
                    self.style.WARNING(f"Gave up waiting: {now.left} holds still to release (they will be).")
                )
                return
            time.sleep(0.5)
        bar.finish()
        done = wave_release.progress(wave=wave)
        self.stdout.write(f"Released: {done.released}; need attention: {done.needs_attention}.")


def _rules(wave: Wave) -> str:
    rules = Rules.of(wave)
    if rules.rest:
        return "everything not in another wave"
    parts = []
    if rules.countries:
        parts.append("countries " + ",".join(rules.countries))
    if rules.skus:
        parts.append("SKUs " + ",".join(rules.skus))
    if wave.connection_id:
        parts.append(f"connection {wave.connection.store_name}")
    if rules.backer_ids:
        parts.append(f"{len(rules.backer_ids)} backers")
    return "; ".join(parts)
