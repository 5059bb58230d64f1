"""Real processes for the test suite, the benchmarks and the drills (scripts/drills).

waiting.py            free_port, wait_for (poll a condition with a deadline: never a fixed sleep)
served_process.py     one child process with its own log: start, wait until ready, stop, kill
celery_processes.py   a Celery worker and Celery beat
redis_server.py       a private redis-server on its own port (stopped and started again on it)
postgres_cluster.py   a private PostgreSQL cluster in a temporary directory (restartable)
simulator_control.py  a client of the Shopify simulator's control API
"""
