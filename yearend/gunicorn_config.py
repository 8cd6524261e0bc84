"""gunicorn settings of the web processes: ``gunicorn -c python:yearend.gunicorn_config``.

Only what the command line cannot say (processes, threads and the rest are flags; see
``yearend.run_scaled.web_command`` and the README's deployment table).
"""

from __future__ import annotations

import sys

# A page is about eight round trips to PostgreSQL. Each time a request's thread comes back
# from the database it must take the GIL back from a thread that is running Python, which
# lets go only every switch interval: 5 ms by default, so with 8 threads per process a page
# can wait up to that long at every round trip. 1 ms, measured with 50 users on 2 x 8 on
# this 2-core machine (busy with stand-ins for 2 workers): portal home p95 146-172 ms at
# 5 ms, 72 ms at 1 ms, the same CPU per request (9.5 ms).
SWITCH_INTERVAL_SECONDS = 0.001


def post_fork(server, worker) -> None:
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
