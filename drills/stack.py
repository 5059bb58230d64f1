"""The processes of one drill, each its own OS process as in production (Procfile): the Shopify
simulator, the BackerKit simulator (where the drill pulls), gunicorn, Celery workers (threads
pool) and Celery beat, on a fresh database of the run's private PostgreSQL and on its private
Redis (emptied). And the faults they can suffer: a worker SIGKILLed, Redis or PostgreSQL stopped
and started again on the same port.
"""

import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis
from django.db import connections

from drills.environment import app_env
from harness.celery_processes import CeleryBeat, CeleryWorker
from harness.postgres_cluster import PostgresCluster
from harness.redis_server import RedisServer
from harness.served_process import ServedProcess, stop_all
from harness.simulator_control import SimulatorControl
from harness.waiting import free_port, wait_for

TEMPLATE_DATABASE = "drills_template"  # migrated once per run; each drill's database is a copy
BACKERKIT_PROJECT = "drill-campaign"
BACKERKIT_KEY = "bk_drill_key_0123456789"  # the simulator's key for the drill project, not a credential
STARTUP_SECONDS = 90.0  # 2 busy cores start about eight Python processes at once


class DrillError(Exception):
    """The drill could not do what it set out to (a fault struck too late, a process died...)."""


@dataclass
class Services:
    """What every drill of a run shares: a private PostgreSQL cluster and a private Redis."""

    postgres: PostgresCluster
    redis: RedisServer
    logs: Path


@dataclass(frozen=True)
class StackOptions:
    workers: int = 3
    concurrency: int = 4
    latency_ms: str = "5-20"
    backerkit: bool = False
    env: tuple[tuple[str, str], ...] = ()  # the drill's own settings, on top of drills/environment.py


@dataclass
class Expectation:
    """What the drill fed in, so that a drill that fails half-way can still be counted."""

    shop_domain: str = ""
    order_ids: list[str] = field(default_factory=list)


def use_database(name: str) -> None:
    """Point this (the driver's) Django connections at the drill's database."""
    from django.conf import settings

    connections.close_all()
    settings.DATABASES["default"]["NAME"] = name


class Stack:
    def __init__(self, services: Services, *, name: str, options: StackOptions):
        self.services = services
        self.name = name
        self.options = options
        self.logs = services.logs / name
        self.workers: list[CeleryWorker] = []
        self.beat: CeleryBeat | None = None
        self.shopify: ServedProcess | None = None
        self.backerkit: ServedProcess | None = None
        self.web: ServedProcess | None = None
        self.sim: SimulatorControl | None = None
        self.expectation = Expectation()
        self.env: dict[str, str] = {}
        self.pushing_stopped = False

    # --- start ------------------------------------------------------------------------------------

    def start(self) -> "Stack":
        shutil.rmtree(self.logs, ignore_errors=True)
        self.logs.mkdir(parents=True)
        database = f"drill_{self.name.replace('-', '_')}"
        database_url = self.services.postgres.create_database(database, template=TEMPLATE_DATABASE)
        use_database(database)
        redis.Redis.from_url(self.services.redis.url).flushall()

        sim_port, web_port = free_port(), free_port()
        self.shopify_url, self.web_url = f"http://127.0.0.1:{sim_port}", f"http://127.0.0.1:{web_port}"
        self.backerkit_url = f"http://127.0.0.1:{free_port()}" if self.options.backerkit else ""
        self.env = app_env(database_url=database_url, redis_url=self.services.redis.url, app_url=self.web_url,
                           shopify_url=self.shopify_url, backerkit_url=self.backerkit_url)  # fmt: skip
        self.env.update(dict(self.options.env))

        python = sys.executable
        self.shopify = self._serve("shopify-simulator", [python, "manage.py", "shopify_simulator", "--port",
                                   str(sim_port), "--no-catalog", "--latency-ms", self.options.latency_ms])  # fmt: skip
        if self.options.backerkit:
            port = self.backerkit_url.rsplit(":", 1)[1]
            self.backerkit = self._serve("backerkit-simulator", [python, "manage.py", "backerkit_simulator", "--port",
                                         port, "--project", BACKERKIT_PROJECT, "--api-key", BACKERKIT_KEY])  # fmt: skip
        self.web = self._serve("web", [python, "-m", "gunicorn", "shopapp.wsgi", "--bind", f"127.0.0.1:{web_port}",
                               "--workers", "2", "--access-logfile", "-", "--graceful-timeout", "5"])  # fmt: skip
        for index in range(self.options.workers):
            self.start_worker(index, wait=False)
        self.beat = CeleryBeat(self.env, log_path=self.logs / "beat.log", schedule_path=self.logs / "beat-schedule",
                               own_session=True).start()  # fmt: skip

        self.shopify.wait_http(f"{self.shopify_url}/_simulator/state.json", timeout=STARTUP_SECONDS)
        if self.backerkit:
            self.backerkit.wait_http(f"{self.backerkit_url}/_simulator/state.json", timeout=STARTUP_SECONDS)
        self.web.wait_http(f"{self.web_url}/healthz", timeout=STARTUP_SECONDS)
        for worker in self.workers:
            self.wait_consuming(worker, timeout=STARTUP_SECONDS)
        self.beat.wait_ready(timeout=STARTUP_SECONDS)
        self.sim = SimulatorControl(self.shopify_url, timeout=60)
        return self

    def _serve(self, name: str, argv: list[str]) -> ServedProcess:
        log_path = self.logs / f"{name}.log"
        return ServedProcess(argv, env=self.env, log_path=log_path, name=name, own_session=True).start()

    def start_worker(self, index: int, *, wait: bool = True) -> CeleryWorker:
        worker = CeleryWorker(self.env, concurrency=self.options.concurrency, name=f"{self.name}-w{index}",
                              log_path=self.logs / f"worker-{index}.log", own_session=True).start()  # fmt: skip
        if index < len(self.workers):
            self.workers[index] = worker
        else:
            self.workers.append(worker)
        if wait:
            self.wait_consuming(worker, timeout=STARTUP_SECONDS)
        return worker

    def wait_consuming(self, worker: CeleryWorker, *, timeout: float = 60.0) -> None:
        """Until the worker answers a ping through the broker: it is connected and consuming."""
        from shopapp.celery import app

        worker.wait_ready(app, timeout=timeout)

    # --- faults -----------------------------------------------------------------------------------

    def busiest_worker(self) -> tuple[int, int]:
        """(index, lanes running) of the worker running the most push lanes right now."""
        from shopapp.celery import app

        deadline = time.monotonic() + 15
        while True:
            active = app.control.inspect([w.hostname for w in self.workers], timeout=1.0).active() or {}
            lanes = [sum(t.get("name") == "orders.push_lane" for t in active.get(w.hostname, [])) for w in self.workers]
            index = max(range(len(lanes)), key=lambda i: lanes[i])
            if lanes[index] > 0:
                return index, lanes[index]
            if time.monotonic() > deadline:  # killing an idle worker would prove nothing
                raise DrillError("no worker reported a running push lane to kill")

    def kill_worker(self, index: int) -> None:
        self.workers[index].kill()

    def restart_redis(self, *, down_seconds: float) -> None:
        """Redis stops (everything it held is lost: queued messages, locks, buckets), stays down for
        ``down_seconds``, and starts again, empty, on the same port."""
        self.services.redis.stop()
        time.sleep(down_seconds)  # the outage itself, not a wait for something to happen
        self.services.redis.start()

    def restart_postgres(self, *, down_seconds: float) -> None:
        """PostgreSQL shuts down (every connection is cut), stays down, and starts again on the same port."""
        self.services.postgres.stop(mode="fast")
        time.sleep(down_seconds)  # the outage itself
        self.services.postgres.start()

    # --- health -----------------------------------------------------------------------------------

    def processes(self) -> list[ServedProcess]:
        return [p for p in (self.shopify, self.backerkit, self.web, *self.workers, self.beat) if p is not None]

    def check_alive(self) -> None:
        if self.pushing_stopped:
            return
        dead = [p for p in self.processes() if p.process is not None and not p.alive]
        if dead:
            names = ", ".join(f"{p.name} ({p.process.returncode})" for p in dead)
            raise DrillError(f"process died: {names}; logs in {self.logs}")

    def check_consuming(self) -> None:
        """Every worker answers through the broker (after a restart: it reconnected)."""
        for worker in self.workers:
            self.wait_consuming(worker, timeout=30)

    # --- stop -------------------------------------------------------------------------------------

    def stop_pushing(self) -> None:
        """Workers and beat stop (warm shutdown: running lanes finish first), then the simulator
        finishes what it was answering: after this nothing more can reach Shopify."""
        if self.pushing_stopped:
            return
        self.pushing_stopped = True
        stop_all([*self.workers, self.beat])
        if self.sim is not None and self.shopify is not None and self.shopify.alive:
            self._wait_shopify_quiet()

    def _wait_shopify_quiet(self) -> None:
        """Admin API requests counted before the workers stopped may still be executing (their client
        gone): none arrives any more, so a count unchanged for a second (far longer than the
        simulator's latency) means every one of them has been carried out."""
        last: list[int] = []

        def quiet() -> bool:
            last.append(self.sim.state()["counters"].get("admin_api_requests", 0))
            return len(last) >= 3 and last[-1] == last[-3]

        wait_for(quiet, timeout=30, what="the Shopify simulator to have answered every request", interval=0.5)

    def stop(self) -> None:
        """Everything, whatever state it is in; never raises (it runs while a drill is failing)."""
        self.pushing_stopped = True
        try:
            stop_all([*self.workers, self.beat, self.web, self.backerkit, self.shopify])
        finally:
            if self.sim is not None:
                self.sim.close()
            connections.close_all()
