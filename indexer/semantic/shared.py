"""One read-only copy of a snapshot file in shared memory, mapped by every worker of a machine.

A worker that maps a snapshot's own file dies with SIGBUS at its next read if
the file is truncated in place under it (a disk filling up, a careless copy);
a copy read into each worker's memory is safe but costs one copy per worker.
So the first worker to open a snapshot's vectors (or its ANN index) reads the
file once, checks its size (and, where one is given, its SHA-256), and writes it
into ``/dev/shm`` (renamed into place when complete); every worker maps that
copy read-only, and the kernel keeps one copy for all. Damage to the
snapshot's file afterwards does not reach the copy; a copy is named after the
file's path, size, inode and modification time, so a changed file gets a new
one. Copies of an index's older snapshots are unlinked when a copy for a newer
one is made, and copies whose snapshot file is gone (workers that still map
one keep it until they let go).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import numpy as np

#: Where copies go: a memory file system shared by the machine's processes.
SHARED_FOLDER = Path("/dev/shm")  # noqa: S108 (files made with unique names, read-only to others)
PREFIX = "sok-vectors-"
#: The note beside each copy that names its source file (a copy without one is unfinished or orphaned).
NOTE = ".source"


def _folder() -> Path:
    return SHARED_FOLDER if SHARED_FOLDER.is_dir() and os.access(SHARED_FOLDER, os.W_OK) else \
        Path(tempfile.gettempdir())


def _key(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def shared_copy(path: Path, size: int, family: str, digest: str | None = None) -> Path:
    """The machine's read-only copy of ``path`` (made now if there is none yet).

    ``family`` names the index the file belongs to: copies of the family's
    other snapshots are removed. ValueError if the file does not hold exactly
    ``size`` bytes, or (``digest`` given) if its SHA-256 is not ``digest``.
    """
    status = path.stat()
    if status.st_size != size:
        raise ValueError(f"{status.st_size} byte, väntade {size}")
    source = path.resolve()
    identity = f"{source}|{status.st_size}|{status.st_ino}|{status.st_mtime_ns}"
    # family, snapshot (the file's folder), file: the sweep keeps every file of the snapshot just opened
    name = f"{PREFIX}{_key(family, 12)}-{_key(str(source.parent), 8)}-{_key(identity, 16)}{path.suffix}"
    folder = _folder()
    copy = folder / name
    if not (copy.is_file() and copy.stat().st_size == size):
        _make_copy(path, copy, size, digest)
        _sweep(folder, keep=copy)
    return copy


def shared_matrix(path: Path, rows: int, width: int, family: str) -> np.ndarray:
    """The float32 ``rows × width`` matrix in ``path``, mapped read-only from the machine's shared copy.

    ValueError if the file does not hold exactly that many values.
    """
    if rows == 0:
        if path.stat().st_size:
            raise ValueError(f"{path.stat().st_size} byte passar inte 0 vektorer")
        return np.zeros((0, width), dtype=np.float32)
    return np.memmap(shared_copy(path, rows * width * 4, family), dtype="<f4", mode="r", shape=(rows, width))


def _sweep(folder: Path, keep: Path) -> None:
    """Unlink the copies of this index's other snapshots and every copy whose source file is gone."""
    family, snapshot = keep.name.split("-")[2:4]
    for other in folder.glob(f"{PREFIX}*"):
        if other == keep or other.suffix == NOTE:
            continue
        note = other.with_suffix(NOTE)
        try:  # the note is written before its copy is renamed into place: no note, no owner
            gone = not Path(note.read_text(encoding="utf-8")).exists()
        except OSError:
            gone = True
        parts = other.name.split("-")
        if gone or (parts[2:3] == [family] and parts[3:4] != [snapshot]):
            other.unlink(missing_ok=True)
            note.unlink(missing_ok=True)


def _make_copy(source: Path, copy: Path, expected: int, digest: str | None) -> None:
    data = source.read_bytes()
    if len(data) != expected:  # changed between stat and read
        raise ValueError(f"{len(data)} byte, väntade {expected}")
    if digest is not None and hashlib.sha256(data).hexdigest() != digest:
        raise ValueError("filens kontrollsumma stämmer inte")
    handle, temporary = tempfile.mkstemp(prefix=f".{copy.name}.", dir=copy.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o444)
        copy.with_suffix(NOTE).write_text(str(source.resolve()), encoding="utf-8")
        os.replace(temporary, copy)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
