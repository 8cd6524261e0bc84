"""A OneRoster CSV bundle (a .zip or a folder): its files, read as streams when wanted.

No file is held in memory: a folder's files are opened from disk and a .zip's members
are decompressed as they are read, each time a reader asks. Reading the bundle once, to
compute its digest, also proves every member can be read, so a damaged .zip is refused
before validation starts.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from yearend.errors import InvalidInput

# Anything bigger is not a roster an import should take on.
MAX_BUNDLE_BYTES = 2 * 1024**3
PIECE = 1 << 20
ZIP_ERRORS = (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError, ValueError)

Opener = Callable[[], BinaryIO]


@dataclass
class Bundle:
    """The CSV files of one bundle, keyed by their lower-cased base name (``users.csv``):
    each a function that opens the file for reading."""

    files: dict[str, Opener]
    names: dict[str, str]  # lower-cased name -> name as written
    digest: str = ""

    def read(self, key: str) -> bytes:
        """One file whole: for the small ones (the manifest)."""
        with self.files[key]() as stream:
            return stream.read()

    def write_zip(self, target: BinaryIO) -> None:
        """The bundle as one compressed .zip written to ``target`` (a seekable file), a
        piece at a time: nothing of it is held in memory."""
        with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for key, opener in self.files.items():
                # zip64 from the start: a member's size is not known before it is copied,
                # and one of up to MAX_BUNDLE_BYTES may pass the plain .zip's 2 GiB.
                with (
                    opener() as source,
                    archive.open(self.names[key], "w", force_zip64=True) as member,
                ):
                    shutil.copyfileobj(source, member, PIECE)


def bundle_read(path: str | Path) -> Bundle:
    path = Path(path)
    if path.is_dir():
        return _digested(_from_folder(path), "the folder")
    if path.is_file():
        return _zip_file(path, f"{path.name}: not")
    raise InvalidInput(f"{path}: no such file or folder.")


def bundle_from_zip_bytes(data: bytes) -> Bundle:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = _members(archive)
    except ZIP_ERRORS as error:
        raise InvalidInput(f"Not a readable .zip bundle ({error}).") from None
    return _digested(_from_zip(lambda: zipfile.ZipFile(io.BytesIO(data)), infos), "the .zip")


def bundle_from_upload(uploaded) -> Bundle:
    """An uploaded .zip (a Django ``UploadedFile``): read from the temporary file Django
    spooled it to when it was big, from memory only when it was small enough to be kept
    there. Refusals read as ``bundle_from_zip_bytes``'s, without the temporary file's name.
    """
    temporary_path = getattr(uploaded, "temporary_file_path", None)
    if temporary_path is None:
        return bundle_from_zip_bytes(uploaded.read())
    return _zip_file(temporary_path(), "Not")


def _zip_file(path: str | Path, refusal: str) -> Bundle:
    """A .zip on disk, its members opened from it when read; ``refusal`` starts the
    message of a file that is not a readable .zip."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = _members(archive)
    except ZIP_ERRORS as error:
        raise InvalidInput(f"{refusal} a readable .zip bundle ({error}).") from None
    return _digested(_from_zip(lambda: zipfile.ZipFile(path), infos), "the .zip")


def _from_folder(folder: Path) -> Bundle:
    files, names = {}, {}
    for entry in sorted(folder.iterdir()):
        if entry.is_file() and entry.suffix.lower() == ".csv":
            files[entry.name.lower()] = lambda entry=entry: entry.open("rb")
            names[entry.name.lower()] = entry.name
    return Bundle(files, names)


def _members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    infos: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in archive.infolist():
        base = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
        if info.is_dir() or not base.lower().endswith(".csv") or base.startswith("._"):
            continue
        total += info.file_size
        if total > MAX_BUNDLE_BYTES:
            raise InvalidInput("The bundle is larger than 2 GB uncompressed.")
        infos[base] = info
    return infos


class _Member(io.RawIOBase):
    """A .zip member as a stream that closes its archive when it is closed."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        self.archive = archive
        self.stream = archive.open(info)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self.stream.close()
            self.archive.close()
        super().close()


def _from_zip(archive_open: Callable[[], zipfile.ZipFile], infos) -> Bundle:
    files, names = {}, {}
    for base, info in infos.items():

        def opener(info=info) -> BinaryIO:
            return io.BufferedReader(_Member(archive_open(), info), PIECE)

        # A later member of the same name wins, as reading them in order did.
        files[base.lower()] = opener
        names[base.lower()] = base
    return Bundle(files, names)


def _digested(bundle: Bundle, source: str) -> Bundle:
    """Compute the bundle's digest, reading every file once (a damaged member is refused
    here, before anything else reads it)."""
    sha = hashlib.sha256()
    for key in sorted(bundle.files):
        sha.update(key.encode())
        file_sha = hashlib.sha256()
        try:
            with bundle.files[key]() as stream:
                while piece := stream.read(PIECE):
                    file_sha.update(piece)
        except ZIP_ERRORS as error:
            name = bundle.names[key]
            raise InvalidInput(f"{name}: cannot be read from {source} ({error}).") from None
        sha.update(file_sha.digest())
    bundle.digest = sha.hexdigest()
    return bundle
