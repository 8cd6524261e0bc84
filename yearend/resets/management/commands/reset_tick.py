from yearend.commands import ServiceCommand
from yearend.resets.dispatch import reset_tick


class Command(ServiceCommand):
    help = "Start every reset whose date has begun (one scheduler tick, for cron)."

    def handle(self, *args, **options):
        started = reset_tick()
        for organization in started:
            self.stdout.write(f"started the reset of {organization.site_code}")
        if not started:
            self.stdout.write("nothing due")
