"""``scripts/drills [NAME ...]``: run the drills (all, or those named) and print the table.

A private PostgreSQL cluster and a private Redis serve the whole run (never the machine's shared
ones: the drills restart them); the schema is migrated once into a template database and each
drill gets a copy. Logs: artifacts/drills/<drill>/. Exit status 0 when every drill passed (no
order duplicated, none lost, each drill finished in time), 1 otherwise, 130 when interrupted;
the table is printed in every case, and everything started is stopped and deleted.
"""

import argparse
import os
import signal
import subprocess
import sys
import time
import traceback

from harness.postgres_cluster import PostgresCluster
from harness.redis_server import RedisServer
from harness.served_process import ROOT

LOGS = ROOT / "artifacts" / "drills"
# The drills' names, known before Django is set up (the drills themselves need it): checked against them.
NAMES = ("worker-kill", "redis-restart", "postgres-restart", "shopify-outage", "token-revoked", "legacy-cutover",
         "double-import", "hostile-inputs", "frozen-shop", "backerkit-key-refused", "backerkit-down-shipping",
         "webhooks-lost", "changes-during-faults", "bulk-worker-kill")  # fmt: skip
INTERRUPTED = "interrupted"


def _all_drills():
    from drills import (
        backerkit_drills,
        bulk_drills,
        change_drills,
        crash_drills,
        input_drills,
        shipping_drills,
        shop_hold_drills,
        shopify_drills,
    )

    drills = [*crash_drills.DRILLS, *shopify_drills.DRILLS, *input_drills.DRILLS, *shop_hold_drills.DRILLS,
              *backerkit_drills.DRILLS, *shipping_drills.DRILLS, *change_drills.DRILLS,
              *bulk_drills.DRILLS]  # fmt: skip
    assert tuple(d.name for d in drills) == NAMES, "drills/run.py NAMES must list every drill, in order"
    return drills


def _interrupted(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def _cleaning_up() -> None:
    """Interrupted once: stopping everything must not be interrupted in turn."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)


def main(argv: list[str]) -> int:
    names = NAMES
    parser = argparse.ArgumentParser(prog="scripts/drills", description=__doc__.split("\n")[0])
    parser.add_argument("drills", nargs="*", metavar="NAME", help=f"among: {', '.join(names)} (default: all)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.drills) - set(names))
    if unknown:
        parser.error(f"unknown drill(s): {', '.join(unknown)}")
    signal.signal(signal.SIGTERM, _interrupted)
    signal.signal(signal.SIGHUP, _interrupted)

    started = time.monotonic()
    LOGS.mkdir(parents=True, exist_ok=True)
    postgres, redis_server = PostgresCluster(), RedisServer()
    results, interrupted = [], False
    try:
        postgres.init().start()
        redis_server.start()
        _prepare(postgres, redis_server)
        from drills.stack import Services

        services = Services(postgres=postgres, redis=redis_server, logs=LOGS)
        selected = [d for d in _all_drills() if not args.drills or d.name in args.drills]
        for drill in selected:
            print(f"drill {drill.number} {drill.name}: {drill.title} ...", flush=True)
            result = _run_one(drill, services)
            results.append(result)
            print(f"    {'ok' if result.ok else 'FAILED'} in {result.seconds:.0f} s"
                  + (f": {result.error}" if result.error else ""), flush=True)  # fmt: skip
            if result.error == INTERRUPTED:
                raise KeyboardInterrupt
    except KeyboardInterrupt:
        _cleaning_up()
        interrupted = True
        print("interrupted: everything started is stopped", flush=True)
    finally:
        try:
            redis_server.stop()
        finally:  # the private cluster goes whatever happened to Redis
            postgres.destroy(keep_log=LOGS / "postgres.log")

    from drills.report import details, table

    print()
    print(details(results))
    print()
    print(table(results, total_seconds=time.monotonic() - started))
    if interrupted:
        return 130
    return 0 if results and all(r.ok for r in results) else 1


def _prepare(postgres: PostgresCluster, redis_server: RedisServer) -> None:
    """The template database (migrated once), and Django in this process (the driver reads the
    drills' databases and talks to the broker)."""
    from drills.environment import app_env
    from drills.stack import TEMPLATE_DATABASE

    url = postgres.create_database(TEMPLATE_DATABASE)
    env = app_env(database_url=url, redis_url=redis_server.url, app_url="http://127.0.0.1:9",
                  shopify_url="http://127.0.0.1:9")  # fmt: skip
    with open(LOGS / "migrate.log", "wb") as log:
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, stdout=log,
                       stderr=subprocess.STDOUT, check=True)  # fmt: skip
    # The driver's connections go to each drill's database in turn, never to the template (a
    # database with connections cannot be copied).
    os.environ.update(DATABASE_URL=url, REDIS_URL=redis_server.url, LOG_LEVEL="WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shopapp.settings")
    import django

    django.setup()


def _run_one(drill, services):
    from drills.report import DrillResult
    from drills.stack import DrillError, Stack
    from drills.tally import count_orders

    stack = Stack(services, name=drill.name, options=drill.options)
    started = time.monotonic()
    result = DrillResult(drill=drill, seconds=0.0)
    try:
        stack.start()
        result.tally = drill.run(stack)
    except KeyboardInterrupt:
        _cleaning_up()
        result.error = INTERRUPTED
    except (DrillError, TimeoutError) as exc:
        result.error = str(exc)
    except Exception as exc:  # any failure of a drill is reported in the table, and the next drill runs
        result.error = f"{type(exc).__name__}: {exc} (traceback in {stack.logs / 'driver.log'})"
        (stack.logs / "driver.log").write_text(traceback.format_exc())
    if result.error not in ("", INTERRUPTED) and stack.expectation.order_ids and stack.sim is not None:
        try:  # count what a failed drill left, so that the table still says what was lost
            stack.stop_pushing()
            result.tally = count_orders(stack.sim, stack.expectation.shop_domain, stack.expectation.order_ids)
        except Exception as exc:  # the count is a courtesy; the drill has failed already
            result.error += f" (and it could not be counted: {type(exc).__name__}: {exc})"
    stack.stop()
    result.seconds = time.monotonic() - started
    return result
