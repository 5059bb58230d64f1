"""Fails with a clear message when the test suite's PostgreSQL or Redis cannot be reached.

Creates the database named in DATABASE_URL when it is missing (pytest-django then creates its
``test_`` copy next to it).
"""

import os
import sys
from urllib.parse import urlparse

import psycopg
import redis


def main() -> int:
    db_url = os.environ["DATABASE_URL"]
    if not db_url.startswith(("postgres://", "postgresql://")):
        print(f"check_services: the tests run on PostgreSQL, DATABASE_URL is {db_url!r}", file=sys.stderr)
        return 2
    parsed = urlparse(db_url)
    name = parsed.path.lstrip("/")
    admin_url = parsed._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin_url, connect_timeout=5, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        print(
            f"check_services: PostgreSQL cannot be reached at {parsed.hostname}:{parsed.port or 5432} ({exc}).\n"
            "  Start it: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
            file=sys.stderr,
        )
        return 2
    redis_url = os.environ["REDIS_URL"]
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        print(
            f"check_services: Redis cannot be reached at {redis_url} ({exc}).\n"
            '  Start it: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
