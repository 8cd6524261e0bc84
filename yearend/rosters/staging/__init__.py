"""The per-import staging tables: validated rows written into them, and what the
database checks over them once a file is written (repeated ids, an enrollment's
references). ``stage.py`` validates a whole bundle into them."""
