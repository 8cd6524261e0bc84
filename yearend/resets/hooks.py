"""Extension points of the reset run. The reports app registers the year-end archive here,
and the readers of its facts that notices asks about (see below)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.module_loading import autodiscover_modules

from yearend.resets.models import ResetRun

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


# --- What a district kept of its data: facts of reports, for notices ------------------------
# Notices reminds a district before its reset to download its export, and tells it after
# the reset until when the year-end archive can be downloaded. Both are facts of reports,
# and notices may not import reports: they are independent apps of one layer, above this
# one. The facts cannot move down (they are reports' own rows), and reports cannot plan
# those notices itself without knowing notices. So reports registers a reader of each
# here, in its reset_hooks.py beside the archive's hooks above, and notices asks through
# this module. A reader answers for many organizations or runs in one query, so a notice
# pass stays set-based. Without a reader (reports not installed) nothing was downloaded
# or kept.


@dataclass(frozen=True)
class KeptArchive:
    """A reset's year-end archive that can still be downloaded, until ``expires_at``."""

    archive_id: int
    expires_at: datetime


# One reader of each fact: a later registration replaces the earlier one.
_READERS: dict[str, Callable] = {}


def register_last_export_downloads(fn: Callable[[list[int]], dict[int, datetime]]) -> Callable:
    """``fn(organization_ids) -> {organization id: when}``: when each organization last
    downloaded an export of the whole district (absent: never)."""
    _READERS["last_export_downloads"] = fn
    return fn


def register_kept_archives(fn: Callable[[list[ResetRun]], dict[int, KeptArchive]]) -> Callable:
    """``fn(runs) -> {run id: KeptArchive}``: the year-end archive of each run that can
    still be downloaded (absent: none was kept, or it was destroyed)."""
    _READERS["kept_archives"] = fn
    return fn


def last_export_downloads(organization_ids: Iterable[int]) -> dict[int, datetime]:
    return _read("last_export_downloads", list(organization_ids))


def kept_archives(runs: Iterable[ResetRun]) -> dict[int, KeptArchive]:
    return _read("kept_archives", list(runs))


def _read(fact: str, keys: list) -> dict:
    autodiscover_modules("reset_hooks")  # the apps that register readers
    reader = _READERS.get(fact)
    return reader(keys) if reader is not None and keys else {}
