"""The scale-out stack (PostgreSQL + RQ): many small districts due on one date.

- time to finish them all with 1 and with 2 RQ workers, on identical copies of the data
  (goal: 2 workers at least 1.6 times faster);
- one reset tick over 20,000 organizations (goal: under 1 s), against the previous
  row-by-row due query as the baseline;
- p95 latency of the portal home and of an API read (as a district administrator) under
  50 concurrent users while a 2-worker run goes on (goal: under 300 ms), against idle.
  Each user requests a page, waits for it and thinks 0.5-1.5 s (mean BENCH_THINK_SECONDS, 1), for
  BENCH_LOAD_SECONDS of that run (default 90; the run is stopped there: its pace under
  load is reported, its end is not needed); then once more with the workers at normal
  CPU priority (WORKER_NICE=0) against the default 10.

Each run also prints what judges its noise: districts and rows per second, the CPU
seconds of the stack's processes, of PostgreSQL (all its databases) and of the whole
machine against what its cores could give. The figures mean something on a quiet
machine only: run the full scale under ``flock /tmp/yer-heavy-bench.lock``.

Size: BENCH_SCALE small (60 x 50) or full (1,000 x 200); BENCH_SCALE_OUT_SIZE=500x200
overrides both. The full scale takes 30-45 minutes: each figure is printed as soon as it
is measured, and every run's progress (districts done so far) is appended to
BENCH_PROGRESS_FILE (default var/bench/scale_out_progress.log), so a run stopped early
still tells its pace. PostgreSQL only: on SQLite (the embedded default, one machine) nothing
is measured. Redis: BENCH_REDIS_URL (default redis://127.0.0.1:6379/14, flushed).
"""

from __future__ import annotations

import http.client
import itertools
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from unittest import mock

from django.db import connection
from django.utils import timezone

from bench.harness import POSTGRES_URL, Stopwatch
from bench.harness import emit as _emit_result

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
SIZES = {"small": (60, 50), "full": (1_000, 200)}
TICK_ORGANIZATIONS = 20_000
USERS = 50
# A person reads a page before the next click; 1 s is brisk (50 users: ~50 requests/s).
THINK_SECONDS = float(os.environ.get("BENCH_THINK_SECONDS", "1.0"))
LOAD_SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "90"))
# Each user alternates: the portal home and an API read, as the district administrator.
PATHS = {
    "/org/DEMO001/": "portal home (/ redirects here)",
    "/api/v1/organizations/DEMO001": "API organization",
}
WEB_ADDRESS = ("127.0.0.1", 8799)


def _admin_sql(sql: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql)


PROGRESS_FILE = Path(
    os.environ.get("BENCH_PROGRESS_FILE", ROOT / "var" / "bench" / "scale_out_progress.log")
)
PROGRESS_EVERY_SECONDS = 30


def _progress(message: str) -> None:
    """One line for whoever watches a long run (the figures come only when it is done)."""
    PROGRESS_FILE.parent.mkdir(parents=True, exist_ok=True)
    with PROGRESS_FILE.open("a") as out:
        out.write(f"{time.strftime('%H:%M:%S')} {message}\n")


def emit(name: str, value: float, unit: str, **details) -> None:
    """The harness's record, and the same figure in the progress file at once."""
    _emit_result(name, value, unit, **details)
    _progress(f"FIGURE {name}: {value:,.3f} {unit} {details}")


def _copy_database(source: str) -> tuple[str, str]:
    """A copy of the seeded database. FILE_COPY copies the files after one checkpoint;
    the default strategy (WAL_LOG) writes the whole copy through the WAL, which at the
    full scale (~40 million rows, ~5 GB) takes several times longer."""
    name = f"yer_scale_bench_{uuid.uuid4().hex[:8]}"
    _admin_sql(f'CREATE DATABASE "{name}" TEMPLATE "{source}" STRATEGY FILE_COPY')
    return name, POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"


def _drop_database(name: str) -> None:
    _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _stack_env(url: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yearend.settings",
        "DATABASE_URL": url,
        "TASK_BACKEND": "rq",
        "REDIS_URL": REDIS_URL,
        "CACHE_URL": "",
        "LOG_LEVEL": "WARNING",
        "MEDIA_ROOT": str(ROOT / "var" / "bench-files"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "RESET_TICK_SECONDS": "5",
    }


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def _count(url: str, sql: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        return conn.execute(sql).fetchone()[0]


def _spawn(command: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _stop(processes: list[subprocess.Popen]) -> None:
    import signal

    for proc in processes:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in processes:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


# --------------------------------------------------------------------------- CPU accounting


def _machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = fields[3] + fields[4]  # idle + iowait
    tick = os.sysconf("SC_CLK_TCK")
    return (sum(fields) - idle) / tick, sum(fields) / tick


def _group_cpu(groups: list[int]) -> float:
    """CPU seconds of the living processes of these process groups, with what they
    collected from their ended children (gunicorn's master reaps its workers)."""
    total = sum(
        sum(int(x) for x in fields[11:15])
        for _uid, fields in _processes()
        if int(fields[2]) in groups
    )
    return total / os.sysconf("SC_CLK_TCK")


def _processes():
    """(owner uid, /proc/<pid>/stat fields after the command name) of every living process."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            uid = entry.stat().st_uid
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended while we looked
        yield uid, fields


def _own_cpu() -> float:
    """This process (the users' threads) and its ended children (the tick command)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _postgres_cpu() -> float:
    """CPU seconds of every PostgreSQL process, living or exited: the live ones' own, plus
    what the postmaster collected from backends that ended (its children's times)."""
    import pwd

    try:
        uid = pwd.getpwnam("postgres").pw_uid
    except KeyError:
        return 0.0
    total = 0
    for owner, fields in _processes():
        if owner != uid:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
        if fields[1] == "1" or fields[1] == "0":  # the postmaster: its parent is init
            total += int(fields[13]) + int(fields[14])  # cutime, cstime
    return total / os.sysconf("SC_CLK_TCK")


@dataclass
class CpuMeter:
    """CPU seconds spent between start and stop: the stack (this process, its ended
    children, the living process ``groups`` such as gunicorn's), PostgreSQL, machine."""

    groups: list[int] = field(default_factory=list)
    children: float = 0.0
    postgres: float = 0.0
    machine: float = 0.0
    capacity: float = 0.0

    def start(self) -> CpuMeter:
        self._children = _own_cpu() + _group_cpu(self.groups)
        self._postgres = _postgres_cpu()
        self._machine = _machine_cpu()
        return self

    def stop(self) -> CpuMeter:
        self.children = _own_cpu() + _group_cpu(self.groups) - self._children
        self.postgres = _postgres_cpu() - self._postgres
        busy, total = _machine_cpu()
        self.machine = busy - self._machine[0]
        self.capacity = total - self._machine[1]
        return self

    def describe(self) -> str:
        others = max(0.0, self.machine - self.children - self.postgres)
        return (
            f"CPU s: stack {self.children:.0f}, PostgreSQL {self.postgres:.0f}, "
            f"rest of machine {others:.0f}; machine busy {self.machine:.0f} of "
            f"{self.capacity:.0f} ({self.machine / max(self.capacity, 1e-9):.0%}); "
            f"load avg {os.getloadavg()[0]:.1f}"
        )


# --------------------------------------------------------------------------- runs


@dataclass
class Run:
    workers: int
    seconds: float
    finished: int  # resets done when the clock stopped
    rows: int  # student-data rows those resets deleted
    cpu: CpuMeter
    steps: dict[str, float] = field(default_factory=dict)  # median seconds per step

    def pace(self) -> str:
        return (
            f"{self.finished} districts in {self.seconds:.1f} s: "
            f"{self.finished / self.seconds:.2f} districts/s, "
            f"{self.rows / self.seconds:,.0f} rows/s deleted; {self.cpu.describe()}"
        )


def _deleted_rows(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        counts = conn.execute(
            "SELECT counts FROM resets_resetrun WHERE status = 'succeeded'"
        ).fetchall()
    return sum(sum(c.values()) for (c,) in counts if c)


def _step_medians(url: str) -> dict[str, float]:
    """Median seconds of each step over the succeeded runs, from their logs: each step's
    "<step> done" entry against the entry before it. A step that waits for school tasks
    includes its wait; one job that drives a run end to end gives each step's own time."""
    import psycopg

    with psycopg.connect(url) as conn:
        logs = conn.execute("SELECT log FROM resets_resetrun WHERE status = 'succeeded'").fetchall()
    gaps: dict[str, list[float]] = {}
    for (log,) in logs:
        times = [(entry["message"], datetime.fromisoformat(entry["at"])) for entry in log]
        for (_, before), (message, at) in itertools.pairwise(times):
            if message.endswith(" done"):
                gaps.setdefault(message[: -len(" done")], []).append((at - before).total_seconds())
    return {step: statistics.median(seconds) for step, seconds in gaps.items()}


def _finish_all(
    url: str,
    workers: int,
    organizations: int,
    during=None,
    stop_after: float | None = None,
    web: subprocess.Popen | None = None,
) -> Run:
    """From the tick that starts them to the last reset's end, with ``workers``; with
    ``stop_after`` the clock (and the stack) stop after that many seconds instead."""
    from yearend.run_scaled import scheduler_command, worker_command

    env = _stack_env(url)
    _flush_redis()
    subprocess.run(
        [sys.executable, "-m", "yearend.resets.tests.set_all_due"], cwd=ROOT, env=env, check=True
    )
    processes = [_spawn(worker_command(), env) for _ in range(workers)]
    # Each process leads its own group: the meter reads them while they live.
    meter = CpuMeter(groups=[p.pid for p in processes] + ([web.pid] if web else []))
    try:
        time.sleep(3)  # workers up (Django loaded) before the clock starts
        meter.start()
        started = time.perf_counter()
        processes.append(_spawn(scheduler_command(1.0), env))
        meter.groups.append(processes[-1].pid)
        subprocess.run([sys.executable, "manage.py", "reset_tick"], cwd=ROOT, env=env, check=True)
        ended = threading.Event()
        probe = threading.Thread(target=during, args=(ended,), daemon=True) if during else None
        if probe:
            probe.start()
        done_sql = "SELECT count(*) FROM resets_resetrun WHERE status <> 'running'"
        told = started
        while True:
            done = _count(url, done_sql)
            if done >= organizations:
                break
            if time.perf_counter() - told >= PROGRESS_EVERY_SECONDS:
                told = time.perf_counter()
                elapsed = told - started
                _progress(
                    f"{workers} worker(s): {done}/{organizations} done after {elapsed:.0f} s "
                    f"({done / elapsed:.2f} districts/s)"
                )
            if stop_after is not None and time.perf_counter() - started >= stop_after:
                break
            time.sleep(0.2)
        seconds = time.perf_counter() - started
        ended.set()
        failed = _count(
            url, "SELECT count(*) FROM resets_resetrun WHERE status NOT IN ('succeeded', 'running')"
        )
        if failed:
            raise RuntimeError(f"{failed} resets did not succeed")
        if probe:
            probe.join()
        meter.stop()
    finally:
        _stop(processes)
    succeeded = "SELECT count(*) FROM resets_resetrun WHERE status = 'succeeded'"
    if stop_after is None and _count(url, succeeded) < organizations:
        raise RuntimeError("not every reset succeeded")
    steps = _step_medians(url)
    _progress(
        f"{workers} worker(s), median ms per step: "
        + ", ".join(f"{step} {1000 * value:.0f}" for step, value in steps.items())
    )
    return Run(workers, seconds, _count(url, succeeded), _deleted_rows(url), meter, steps)


# --------------------------------------------------------------------------- web latency


def _login(address) -> str:
    conn = http.client.HTTPConnection(*address, timeout=30)
    conn.request("GET", "/login/")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = f"csrfmiddlewaretoken={token}&username=demo001-district-admin&password=reset-demo-2024"
    conn.request(
        "POST",
        "/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Referer": f"http://{address[0]}:{address[1]}/login/",
        },
    )
    response = conn.getresponse()
    response.read()
    cookies = response.msg.get_all("Set-Cookie") or []
    session = [c.split(";")[0] for c in cookies if c.startswith("sessionid=")]
    if response.status != 302 or not session:
        raise RuntimeError(f"sign-in failed: {response.status}")
    return session[0]


def _users(address, cookie: str, until: threading.Event, paths) -> dict[str, list[float]]:
    """USERS threads, each requesting the paths in turn with a think time, until ``until``
    is set; the latencies in seconds by path."""
    order = list(paths)
    samples: dict[str, list[float]] = {path: [] for path in order}
    errors: list[str] = []

    def user(n: int) -> None:
        conn = http.client.HTTPConnection(*address, timeout=30)
        # One unmeasured round first: a fresh gunicorn thread opens its database
        # connection and warms its caches once, which is not what a p95 is about.
        for path in order:
            try:
                conn.request("GET", path, headers={"Cookie": cookie})
                conn.getresponse().read()
            except (OSError, http.client.HTTPException):
                conn = http.client.HTTPConnection(*address, timeout=30)
        i = n
        while not until.is_set():
            path = order[i % len(order)]
            i += 1
            began = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
                if response.status != 200:
                    errors.append(f"{path}: {response.status}")
            except (OSError, http.client.HTTPException) as error:
                errors.append(f"{path}: {error}")
                conn = http.client.HTTPConnection(*address, timeout=30)
                continue
            samples[path].append(time.perf_counter() - began)
            # Jittered around the mean: users in lockstep would arrive as one burst of 50
            # each second, which measures the burst, not 50 people reading pages.
            time.sleep(random.uniform(0.5, 1.5) * THINK_SECONDS)

    threads = [threading.Thread(target=user, args=(n,)) for n in range(USERS)]
    for t in threads:
        t.start()
        time.sleep(0.01)
    for t in threads:
        t.join()
    if errors:
        print(f"{len(errors)} failed requests, e.g. {errors[:3]}", file=sys.stderr)
    return samples


def _p95(samples: list[float]) -> float:
    if len(samples) < 2:  # a run too short for the users to get going (tiny sizes)
        return max(samples, default=float("nan"))
    return statistics.quantiles(samples, n=20)[-1]


def _web(url: str) -> subprocess.Popen:
    from yearend.run_scaled import web_command

    env = {
        **_stack_env(url),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SETTINGS_MODULE": "bench.stack.settings",
    }
    proc = _spawn(web_command(f"{WEB_ADDRESS[0]}:{WEB_ADDRESS[1]}"), env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(*WEB_ADDRESS, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not start")


# --------------------------------------------------------------------------- tick


def _old_dates_due(now):
    """The due query before it was set-based: every run and every date read into Python."""
    from yearend.resetdates.models import OrganizationResetDate
    from yearend.resets.calendar_link import local_today
    from yearend.resets.models import ResetRun

    started = set(ResetRun.unscoped.values_list("organization_id", "cycle_id"))
    rows = (
        OrganizationResetDate.unscoped.select_related("organization", "cycle")
        .filter(reset_date__lte=now.date() + timedelta(days=1))
        .order_by("reset_date", "id")
    )
    return [
        (row.organization, row.cycle, row.reset_date)
        for row in rows
        if (row.organization_id, row.cycle_id) not in started
        and local_today(row.organization, now) >= row.reset_date
    ]


def _tick_bench() -> None:
    from yearend.organizations.models import Organization
    from yearend.resetdates.models import OrganizationResetDate, ResetCycle, ResetDateSource
    from yearend.resets import dispatch

    cycle = ResetCycle.objects.order_by("-year").first()
    now = timezone.now()
    orgs = Organization.objects.bulk_create(
        [
            Organization(
                site_code=f"TICK{n:05d}",
                name=f"Tick District {n}",
                time_zone=["America/Chicago", "America/New_York", "America/Denver"][n % 3],
                country="US",
                subdivision="TX",
            )
            for n in range(TICK_ORGANIZATIONS)
        ],
        batch_size=2000,
    )
    OrganizationResetDate.unscoped.filter(cycle=cycle).update(reset_date=date(2099, 1, 1))
    OrganizationResetDate.unscoped.bulk_create(
        [
            OrganizationResetDate(
                organization=org,
                cycle=cycle,
                reset_date=date(2099, 1, 1),
                source=ResetDateSource.DEFAULT,
            )
            for org in orgs
        ],
        batch_size=2000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    # An ordinary minute: 20,000 dated organizations, none due.
    with Stopwatch() as idle:
        dispatch.reset_tick(now)
    with Stopwatch() as idle_old:
        _old_dates_due(now)
    emit(
        "tick, 20,000 organizations, none due",
        idle.seconds,
        "s",
        baseline=idle_old.seconds,
        goal="< 1 s",
        note="baseline: the previous row-by-row due query alone",
    )

    # The Friday: all 20,000 due at once; the tick starts as many as the run limit allows.
    OrganizationResetDate.unscoped.filter(cycle=cycle).update(
        reset_date=now.date() - timedelta(days=1)
    )
    with Stopwatch() as due_old:
        _old_dates_due(now)

    class Handed:  # stands for the queue: the start itself is the workers' job
        @staticmethod
        def enqueue(*args):
            return None

    no_enqueue = mock.patch.object(dispatch, "reset_start_task", Handed)
    with no_enqueue, Stopwatch() as due:
        started = dispatch.reset_tick(now)
    emit(
        f"tick, 20,000 organizations all due (hands {len(started)} to workers: the limit)",
        due.seconds,
        "s",
        baseline=due_old.seconds,
        goal="< 1 s",
        note="baseline: the previous due query alone (it then started every one inline); "
        "queue writes not included",
    )


# --------------------------------------------------------------------------- run


def _size(scale: str) -> tuple[int, int]:
    override = os.environ.get("BENCH_SCALE_OUT_SIZE", "")
    if override:
        organizations, students = override.lower().split("x")
        return int(organizations), int(students)
    return SIZES[scale]


def run(scale: str) -> None:
    if connection.vendor != "postgresql":
        print("scale_out: PostgreSQL only (the scaled stack); nothing measured on SQLite")
        return
    organizations, students = _size(scale)
    from yearend.demo.seeding import seed_demo

    _progress(f"scale_out: seeding {organizations} x {students}")
    with Stopwatch() as seeding:
        seeded = seed_demo(organizations=organizations, students_per_org=students, seed=1)
    # Planner statistics, as a live database has them (autovacuum): the copies are made
    # right after a bulk load, and without statistics PostgreSQL plans the reset's counts
    # blind. At the full scale that halved the pace (0.46 districts/s against 1.1).
    with Stopwatch() as analyzing, connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        # Without autovacuum the purges' dead rows pile up during a run and the reset's
        # counts slow down as they do (the pace falls off): say so next to the figures.
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
    source = connection.settings_dict["NAME"]
    connection.close()
    label = f"{organizations} districts x {students} students"
    emit(
        f"seed {label} ({seeded.total_rows:,} rows)",
        seeding.seconds,
        "s",
        note=f"{seeded.total_rows / seeding.seconds:,.0f} rows/s; then ANALYZE "
        f"{analyzing.seconds:.1f} s; PostgreSQL autovacuum {autovacuum}",
    )
    copy_seconds = [0.0]

    def measured(measure, *args, **kwargs):
        """``measure(url, ...)`` on a fresh copy of the seeded data, dropped afterwards:
        every run starts from the same state, and the disk holds one copy at a time."""
        with Stopwatch() as copy:
            name, url = _copy_database(source)
        copy_seconds[0] += copy.seconds
        _progress(f"copy made in {copy.seconds:.0f} s; {measure.__name__} {args}")
        try:
            return measure(url, *args, **kwargs)
        finally:
            _drop_database(name)

    try:
        one = measured(_finish_all, 1, organizations)
        emit(f"finish {label}, 1 worker", one.seconds, "s", note=one.pace())
        _emit_noise("1 worker", one)
        two = measured(_finish_all, 2, organizations)
        emit(f"finish {label}, 2 workers", two.seconds, "s", note=two.pace())
        _emit_noise("2 workers", two)
        emit(
            f"speed-up, 2 workers vs 1 ({label})",
            one.seconds / two.seconds,
            "x",
            goal=">= 1.6x",
            note=f"2 workers took {two.seconds:.1f} s",
        )
        # The same 2-worker run again, now with 50 portal users on gunicorn: workers at
        # the default lower CPU priority (WORKER_NICE=10), then not lowered (0).
        idle, busy, loaded = measured(_loaded_run, organizations, idle_first=True)
        with mock.patch.dict(os.environ, {"WORKER_NICE": "0"}):
            _, busy_unniced, _ = measured(_loaded_run, organizations)
    finally:
        _flush_redis()
    emit(
        "copies of the seeded database (CREATE DATABASE ... TEMPLATE), all 4",
        copy_seconds[0],
        "s",
    )
    for path, what in PATHS.items():
        emit(
            f"{what} p95, {USERS} users during the 2-worker run",
            _p95(busy[path]) * 1000,
            "ms",
            baseline=_p95(idle[path]) * 1000,
            goal="< 300 ms",
            note=f"{len(busy[path])} requests; baseline: same users, idle stack",
        )
        emit(
            f"{what} p95, same, workers at normal CPU priority (WORKER_NICE=0)",
            _p95(busy_unniced[path]) * 1000,
            "ms",
            baseline=_p95(busy[path]) * 1000,
            note="baseline: workers at WORKER_NICE=10 (the default), the row above",
        )
    emit(
        "2-worker run under the 50 users (pace)",
        loaded.finished / loaded.seconds,
        "districts/s",
        baseline=two.finished / two.seconds,
        note=f"baseline: the 2-worker run without users; {loaded.pace()}",
    )
    _emit_noise("2 workers + 50 users", loaded)
    _progress("scale_out: tick over 20,000 organizations")
    _tick_bench()
    _progress("scale_out: done")


def _loaded_run(url: str, organizations: int, *, idle_first: bool = False):
    """(idle latencies, latencies during the run, the run): 50 users on gunicorn while 2
    workers reset, for LOAD_SECONDS; the idle latencies first when asked."""
    web = _web(url)
    try:
        cookie = _login(WEB_ADDRESS)
        idle: dict[str, list[float]] = {}
        if idle_first:
            stop_idle = threading.Event()
            threading.Timer(8, stop_idle.set).start()
            idle = _users(WEB_ADDRESS, cookie, stop_idle, PATHS)
        busy: dict[str, list[float]] = {}

        def load(ended: threading.Event) -> None:
            busy.update(_users(WEB_ADDRESS, cookie, ended, PATHS))

        run = _finish_all(url, 2, organizations, during=load, stop_after=LOAD_SECONDS, web=web)
    finally:
        _stop([web])
    return idle, busy, run


def _emit_noise(tag: str, run: Run) -> None:
    """What a reader needs to judge a run's figure: its pace and where the CPU went.

    "rest of the machine" is CPU that neither this run's processes nor PostgreSQL spent
    (other people's work: the figures are clean when it is near 0); busy is against
    what all cores could give while the run went on.
    """
    cpu = run.cpu
    emit(f"  {tag}: pace", run.finished / run.seconds, "districts/s")
    emit(f"  {tag}: rows deleted per second", run.rows / run.seconds, "rows/s")
    emit(f"  {tag}: CPU, the stack's processes", cpu.children, "s")
    emit(f"  {tag}: CPU, PostgreSQL (all its databases)", cpu.postgres, "s")
    emit(
        f"  {tag}: CPU, rest of the machine",
        max(0.0, cpu.machine - cpu.children - cpu.postgres),
        "s",
    )
    emit(f"  {tag}: machine busy", 100 * cpu.machine / max(cpu.capacity, 1e-9), "%")
    if run.steps:
        emit(
            f"  {tag}: a district's steps, median",
            1000 * sum(run.steps.values()),
            "ms",
            note=", ".join(f"{step} {1000 * value:.0f}" for step, value in run.steps.items()),
        )
