from django.db import migrations

PATHWAYS = [
    ("im_prek2", "prek2-prek", "PreK Math", "PK", 40),
    ("im_prek2", "prek2-k", "Kindergarten Math", "KG", 50),
    ("im_prek2", "prek2-g1", "Grade 1 Math", "01", 60),
    ("im_prek2", "prek2-g2", "Grade 2 Math", "02", 60),
    ("im_3plus", "3plus-g3", "Grade 3 Math", "03", 60),
    ("im_3plus", "3plus-g4", "Grade 4 Math", "04", 60),
    ("im_3plus", "3plus-g5", "Grade 5 Math", "05", 60),
    ("im_3plus", "3plus-g6", "Grade 6 Math", "06", 60),
    ("im_3plus", "3plus-g7", "Grade 7 Math", "07", 60),
    ("im_3plus", "3plus-g8", "Grade 8 Math", "08", 60),
    ("im_3plus", "3plus-alg1", "Algebra I", "ALG", 60),
    ("im_3plus", "3plus-geo", "Geometry", "GEO", 60),
    ("im_3plus", "3plus-fluency", "Foundational Fluency", "03", 40),
    ("im_3plus", "3plus-staar", "State Test Readiness", "05", 40),
]


def load(apps, schema_editor):
    Product = apps.get_model("organizations", "Product")
    Pathway = apps.get_model("learning", "Pathway")
    products = {p.code: p for p in Product.objects.all()}
    for product, code, name, grade, lessons in PATHWAYS:
        Pathway.objects.update_or_create(
            code=code,
            defaults={"product": products[product], "name": name, "grade": grade,
                      "lesson_count": lessons},
        )


class Migration(migrations.Migration):
    dependencies = [("learning", "0002_initial"), ("organizations", "0002_products")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
