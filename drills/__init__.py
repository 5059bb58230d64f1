"""The drills (issue #8): the real processes -- gunicorn, Celery workers and beat, PostgreSQL,
Redis, the Shopify and BackerKit simulators -- pushing a campaign while something goes wrong, then
a check that every order is in Shopify once or has its reason. Run them with ``scripts/drills``.

    run.py            the command: private PostgreSQL and Redis, each drill in turn, the table
    drill.py          what a drill is (number, name, title, processes, function)
    environment.py    the app's settings every process of a drill gets (short leases and intervals)
    stack.py          the processes of one drill, and the faults they can suffer (kill, restart)
    web.py            the merchant's side through the web: install and Reconnect (OAuth)
    shops.py          a shop in the Shopify simulator, installed through the web
    pushing.py        importing a campaign and waiting (with deadlines) for the push to get somewhere
    tally.py          expected, pushed once, duplicated, lost, needing attention (with reasons)
    report.py         the table
    crash_drills.py   1-3: a worker SIGKILLed, Redis restarted, PostgreSQL restarted, mid-push
    shopify_drills.py 4-6: Shopify 5xx then lost answers, token revoked then Reconnect, the 2027 cut-over
    input_drills.py   7-8: one campaign imported twice and pulled at once; 1,000 hostile inputs
    shop_hold_drills.py 9: Shopify freezes the store mid-push, then unfreezes it (the periodic check resumes)
    backerkit_drills.py 10: BackerKit refuses the key mid-pull; the merchant enters the new key
"""
