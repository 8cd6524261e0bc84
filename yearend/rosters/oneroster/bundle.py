"""Reading a OneRoster CSV bundle (a .zip or a folder) into memory as named files."""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from yearend.errors import InvalidInput

# Anything bigger is not a roster we can hold in memory safely.
MAX_BUNDLE_BYTES = 2 * 1024**3


@dataclass
class Bundle:
    """The CSV files of one bundle, keyed by their lower-cased base name (``users.csv``)."""

    files: dict[str, bytes]
    names: dict[str, str]  # lower-cased name -> name as written

    @property
    def digest(self) -> str:
        sha = hashlib.sha256()
        for key in sorted(self.files):
            sha.update(key.encode())
            sha.update(hashlib.sha256(self.files[key]).digest())
        return sha.hexdigest()

    def to_zip(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for key, data in self.files.items():
                archive.writestr(self.names[key], data)
        return out.getvalue()


def bundle_read(path: str | Path) -> Bundle:
    path = Path(path)
    if path.is_dir():
        return _from_folder(path)
    if path.is_file():
        try:
            with zipfile.ZipFile(path) as archive:
                return _from_zip(archive)
        except (
            zipfile.BadZipFile,
            OSError,
            EOFError,
            zlib.error,
            RuntimeError,
            ValueError,
        ) as error:
            raise InvalidInput(f"{path.name}: not a readable .zip bundle ({error}).") from None
    raise InvalidInput(f"{path}: no such file or folder.")


def bundle_from_zip_bytes(data: bytes) -> Bundle:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return _from_zip(archive)
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, RuntimeError, ValueError) as error:
        raise InvalidInput(f"Not a readable .zip bundle ({error}).") from None


def _from_folder(folder: Path) -> Bundle:
    files, names = {}, {}
    for entry in sorted(folder.iterdir()):
        if entry.is_file() and entry.suffix.lower() == ".csv":
            files[entry.name.lower()] = entry.read_bytes()
            names[entry.name.lower()] = entry.name
    return Bundle(files, names)


def _from_zip(archive: zipfile.ZipFile) -> Bundle:
    files, names = {}, {}
    total = 0
    for info in archive.infolist():
        base = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
        if info.is_dir() or not base.lower().endswith(".csv") or base.startswith("._"):
            continue
        total += info.file_size
        if total > MAX_BUNDLE_BYTES:
            raise InvalidInput("The bundle is larger than 2 GB uncompressed.")
        try:
            files[base.lower()] = archive.read(info)
        except (
            zipfile.BadZipFile,
            OSError,
            EOFError,
            zlib.error,
            RuntimeError,
            ValueError,
        ) as error:
            raise InvalidInput(f"{base}: cannot be read from the .zip ({error}).") from None
        names[base.lower()] = base
    return Bundle(files, names)
