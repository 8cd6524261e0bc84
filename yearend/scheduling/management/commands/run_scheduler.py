import signal
import socket
import time
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from yearend.scheduling.models import PeriodicSlot, SchedulerHeartbeat
from yearend.scheduling.periodic import registered_jobs
from yearend.scheduling.scheduler import scheduler_tick


class Command(BaseCommand):
    help = "Enqueue periodic jobs when they are due. Safe to run several at once."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=5.0, help="seconds between ticks")
        parser.add_argument("--once", action="store_true", help="one tick, then exit")

    def handle(self, *args, **options):
        self.running = True
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        name = f"{socket.gethostname()}:{id(self)}"
        jobs = registered_jobs()
        self.stdout.write(f"Scheduler {name}: {', '.join(sorted(jobs)) or 'no jobs'}")
        while self.running:
            close_old_connections()
            enqueued = scheduler_tick()
            if enqueued:
                self.stdout.write(f"enqueued {', '.join(enqueued)}")
            SchedulerHeartbeat.objects.update_or_create(
                name=name, defaults={"last_tick_at": timezone.now()}
            )
            # Old slots only guard against double enqueues of recent ones.
            PeriodicSlot.objects.filter(enqueued_at__lt=timezone.now() - timedelta(days=2)).delete()
            if options["once"]:
                break
            deadline = time.monotonic() + options["interval"]
            while self.running and time.monotonic() < deadline:
                time.sleep(0.2)

    def _stop(self, signum, frame):
        self.running = False
