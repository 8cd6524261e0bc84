"""Comparing a staged roster with the database and applying it: the plan and the
statement sets it counts with, the safety holds, the preview of a hold, the integrity
check and fingerprint, and one import run's steps (``run.py``)."""
