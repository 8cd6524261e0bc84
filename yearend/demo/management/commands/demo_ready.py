from django.core.management.base import BaseCommand

from yearend.demo.readiness import DEMO_STEPS


class Command(BaseCommand):
    help = "Prepare what the demo needs beyond seed data (idempotent; safe on every start)."

    def handle(self, *args, **options):
        for step in DEMO_STEPS:
            step()
