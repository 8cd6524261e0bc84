"""Helpers that need no Django: environment parsing, time, signing."""
