from django.core.management.base import BaseCommand

from yearend.demo.readiness import prepare_demo


class Command(BaseCommand):
    help = "Prepare what the demo needs beyond seed data (idempotent; safe on every start)."

    def handle(self, *args, **options):
        prepared = prepare_demo()
        if prepared:
            self.stdout.write(f"Demo prepared: {', '.join(prepared)}")
