"""Grade levels in school order, as OneRoster writes them (CEDS codes)."""

from django.db import models


class Grade(models.TextChoices):
    PREK = "PK", "Pre-K"
    KINDERGARTEN = "KG", "Kindergarten"
    G1 = "01", "Grade 1"
    G2 = "02", "Grade 2"
    G3 = "03", "Grade 3"
    G4 = "04", "Grade 4"
    G5 = "05", "Grade 5"
    G6 = "06", "Grade 6"
    G7 = "07", "Grade 7"
    G8 = "08", "Grade 8"
    ALGEBRA = "ALG", "Algebra"
    GEOMETRY = "GEO", "Geometry"


GRADE_ORDER: list[str] = [g.value for g in Grade]
PREK_TO_2: list[str] = GRADE_ORDER[: GRADE_ORDER.index("02") + 1]
GRADE_3_AND_UP: list[str] = GRADE_ORDER[GRADE_ORDER.index("03") :]
