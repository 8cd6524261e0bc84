"""A held import's bundle, kept in the database in parts of at most ``PART_BYTES``.

The worker that holds an import and the web process that approves it may run on
different machines, so the bundle goes to the database, not to a disk; and it goes in
parts, so that neither side has more of it in memory than one part. Storing writes the
.zip to a temporary file first and copies it out a part at a time; opening copies the
parts back, one query each, to a temporary file that the import reads as any .zip.

Holds stored before the parts keep their whole .zip in ``HeldImport.bundle``, which is
still read when a hold has no parts.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from yearend.errors import Conflict
from yearend.rosters.models import HeldBundlePart, HeldImport
from yearend.rosters.oneroster.bundle import Bundle, bundle_read

PART_BYTES = 1 << 20  # a row small enough for any database's limits and driver buffers


@contextmanager
def held_bundle_zipped(bundle: Bundle) -> Iterator[BinaryIO]:
    """``bundle`` as one .zip in a temporary file, deleted when the block ends. Written
    before the transaction that stores it, which then only copies it."""
    with tempfile.TemporaryFile(prefix="held-bundle-") as spool:
        bundle.write_zip(spool)
        yield spool


def held_bundle_store(held: HeldImport, zipped: BinaryIO) -> int:
    """Store the .zip ``zipped`` as the parts of ``held`` (saved, with no parts yet);
    returns how many parts. Call it in the transaction that creates ``held``, so a hold is
    never seen with only some of its parts."""
    zipped.seek(0)
    seq = 0
    while data := zipped.read(PART_BYTES):
        HeldBundlePart.unscoped.create(
            organization_id=held.organization_id, held=held, seq=seq, data=data
        )
        seq += 1
    return seq


@contextmanager
def held_bundle_opened(held: HeldImport) -> Iterator[Bundle]:
    """The bundle ``held`` would apply, read from a temporary file that is deleted when
    the block ends."""
    with tempfile.TemporaryDirectory(prefix="held-bundle-") as folder:
        path = Path(folder) / "bundle.zip"
        with path.open("wb") as out:
            if not _parts_copied(held, out):
                legacy = bytes(held.bundle or b"")
                if not legacy:
                    raise Conflict("This held import's bundle is no longer stored.")
                out.write(legacy)
        yield bundle_read(path)


def held_bundle_delete(held: HeldImport) -> None:
    """Drop the parts of a decided hold (and a bundle stored the old way)."""
    HeldBundlePart.tenant.of(held.organization_id).filter(held=held).delete()
    HeldImport.tenant.of(held.organization_id).filter(pk=held.pk).update(bundle=b"")


def _parts_copied(held: HeldImport, out) -> int:
    """Write the parts of ``held`` to ``out`` in order, one query (one part in memory)
    each; returns how many there were."""
    parts = HeldBundlePart.tenant.of(held.organization_id).filter(held=held)
    seqs = list(parts.order_by("seq").values_list("seq", flat=True))
    if seqs != list(range(len(seqs))):
        # Parts are written in one transaction with their hold; a gap is damage.
        raise Conflict("This held import's bundle is incomplete; discard it and import again.")
    for seq in seqs:
        out.write(parts.filter(seq=seq).values_list("data", flat=True).get())
    return len(seqs)
