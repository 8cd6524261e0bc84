from django.db import migrations

PRODUCTS = [
    ("im_prek2", "Imagine Math PreK-2", "PK", "02"),
    ("im_3plus", "Imagine Math 3+", "03", "GEO"),
    ("im_facts", "Imagine Math Facts", "01", "08"),
]


def load(apps, schema_editor):
    Product = apps.get_model("organizations", "Product")
    for code, name, low, high in PRODUCTS:
        Product.objects.update_or_create(
            code=code, defaults={"name": name, "lowest_grade": low, "highest_grade": high}
        )


class Migration(migrations.Migration):
    dependencies = [("organizations", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
