from datetime import date

from django.db import migrations


def load(apps, schema_editor):
    ResetCycle = apps.get_model("resetdates", "ResetCycle")
    DefaultResetDate = apps.get_model("resetdates", "DefaultResetDate")
    cycle, _ = ResetCycle.objects.get_or_create(
        year=2024, defaults={"window_start": date(2024, 6, 1), "window_end": date(2024, 10, 1)}
    )
    for day in (date(2024, 7, 19), date(2024, 8, 2), date(2024, 8, 16)):
        DefaultResetDate.objects.get_or_create(cycle=cycle, date=day)


class Migration(migrations.Migration):
    dependencies = [("resetdates", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
