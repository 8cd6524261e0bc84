"""gunicorn settings of the web processes: ``gunicorn -c python:yearend.gunicorn_config``.

Only what the command line cannot say (processes, threads and the rest are flags; see
``yearend.run_scaled.web_command`` and the README's deployment table).
"""

from __future__ import annotations

import sys

# A page is about eight round trips to PostgreSQL. Each time a request's thread comes back
# from the database it must take the GIL back from a thread that is running Python, which
# lets go only every switch interval: 5 ms by default, so with 8 threads per process a page
# can wait up to that long at every round trip. 1 ms costs no measurable CPU (9.2-9.6 ms per
# request either way). 50 users on 2 x 8 on this 2-core machine, with stand-ins for 2 busy
# workers, portal home / API p95 in ms: with other work on the machine, 146-172 / 64-86 at
# 5 ms and 72 / 36 at 1 ms; on a quieter machine 59-71 / 33-43 and 53-77 / 27-31 (the home
# page within noise). Kept for the busy case, where the waits pile up.
SWITCH_INTERVAL_SECONDS = 0.001


def post_fork(server, worker) -> None:
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
