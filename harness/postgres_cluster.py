"""A private PostgreSQL cluster: its own data directory (a temporary one), port and socket
directory, trust authentication for the ``postgres`` user on 127.0.0.1. The drills restart it
without touching the machine's shared server.

As root, ``initdb`` and ``postgres`` refuse to run: they are run as the ``postgres`` user
(``runuser``), in a directory that user owns. Durability is switched off (fsync, synchronous
commit): the data is thrown away afterwards, and what the drills check does not depend on it.
"""

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg

from harness.waiting import free_port, wait_for


def postgres_bindir() -> Path:
    """``$PG_BINDIR``, else the newest /usr/lib/postgresql/*/bin, else the directory of ``pg_ctl``."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    raise FileNotFoundError("PostgreSQL's pg_ctl was not found: install postgresql or set PG_BINDIR")


class PostgresCluster:
    def __init__(
        self, *, port: int | None = None, bindir: Path | None = None, user: str = "postgres", options: str = ""
    ):
        self.options = options  # extra server options, e.g. "-c shared_preload_libraries=pg_stat_statements"
        self.port = port or free_port()
        self.bindir = bindir or postgres_bindir()
        self.os_user = user
        self.directory: Path | None = None

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    @property
    def log_path(self) -> Path:
        return self.directory / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _as_owner(self, argv: list[str]) -> list[str]:
        return ["runuser", "-u", self.os_user, "--", *argv] if os.geteuid() == 0 else argv

    def _run(self, *argv: str) -> None:
        result = subprocess.run(self._as_owner(list(argv)), capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{Path(argv[0]).name} failed ({result.returncode}): {result.stderr or result.stdout}")

    def init(self) -> "PostgresCluster":
        self.directory = Path(tempfile.mkdtemp(prefix="pg-cluster-"))
        if os.geteuid() == 0:
            owner = pwd.getpwnam(self.os_user)
            os.chown(self.directory, owner.pw_uid, owner.pw_gid)
        self._run(str(self.bindir / "initdb"), "-D", str(self.data_dir), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--locale=C", "--no-sync", "--no-instructions")  # fmt: skip
        return self

    def start(self, *, timeout: float = 60.0) -> "PostgresCluster":
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c max_connections=200 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        if self.options:
            options += f" {self.options}"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_path), "-o", options,
                  "-w", "-t", str(int(timeout)), "start")  # fmt: skip
        wait_for(self.accepts_connections, timeout=timeout, what="the PostgreSQL cluster")
        return self

    def stop(self, *, mode: str = "fast") -> None:
        """``fast``: clients are disconnected, the server shuts down cleanly (a restart, a failover);
        ``immediate``: it dies at once (a crash)."""
        if self.directory is not None and (self.data_dir / "postmaster.pid").exists():
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", mode, "-w", "stop")

    def accepts_connections(self) -> bool:
        try:
            with psycopg.connect(self.url(), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def create_database(self, name: str, *, template: str | None = None) -> str:
        """A new database (a copy of ``template`` when given); returns its URL."""
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def destroy(self, *, keep_log: Path | None = None) -> None:
        """Stop at once and delete the cluster (``keep_log``: copy the server log there first)."""
        if self.directory is None:
            return
        try:
            self.stop(mode="immediate")
        finally:
            if keep_log is not None and self.log_path.exists():
                shutil.copyfile(self.log_path, keep_log)
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def __enter__(self) -> "PostgresCluster":
        return self.init().start()

    def __exit__(self, *exc) -> None:
        self.destroy()
