"""Reading a OneRoster bundle and checking its files, one module per file kind.

Nothing here writes to the database: the rows of users, classes and enrollments are
handed on as they are checked (``rows.py``), and ``yearend.rosters.staging`` stages them.
"""
