"""Extension points of the reset run. The reports app registers the year-end archive here."""

from __future__ import annotations

from collections.abc import Callable

_SNAPSHOT_HOOKS: list[Callable] = []


def register_snapshot_hook(fn: Callable) -> Callable:
    """``fn(run)`` runs at the snapshot step, before the cut-over. It must be idempotent:
    a resumed run calls it again."""
    if fn not in _SNAPSHOT_HOOKS:
        _SNAPSHOT_HOOKS.append(fn)
    return fn


def snapshot_hooks() -> list[Callable]:
    return list(_SNAPSHOT_HOOKS)


_CERTIFICATE_SECTIONS: dict[str, Callable] = {}


def register_certificate_section(name: str, fn: Callable) -> Callable:
    """``fn(run) -> dict | None`` adds a section ``name`` to the deletion certificate
    (counts and dates only, never student personal data). None leaves it out."""
    _CERTIFICATE_SECTIONS[name] = fn
    return fn


def certificate_sections(run) -> dict:
    sections = {}
    for name, fn in sorted(_CERTIFICATE_SECTIONS.items()):
        section = fn(run)
        if section is not None:
            sections[name] = section
    return sections
