"""One read-only copy of a snapshot file in shared memory, mapped by every worker of a machine.

A worker that maps a snapshot's own file dies with SIGBUS at its next read if
the file is truncated in place under it (a disk filling up, a careless copy);
a copy read into each worker's memory is safe but costs one copy per worker.
So the first worker to open a snapshot's vectors reads the file once, checks
its size, and writes it into ``/dev/shm`` (renamed into place when complete);
every worker maps that copy read-only, and the kernel keeps one copy for all.
Damage to the snapshot's file afterwards does not reach the copy; a copy is
named after the file's path, size, inode and modification time, so a changed
file gets a new one. Copies of an index's older snapshots are unlinked when a
newer one is made, and copies whose snapshot folder is gone (workers that
still map one keep it until they let go).
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


def _folder() -> Path:
    return SHARED_FOLDER if SHARED_FOLDER.is_dir() and os.access(SHARED_FOLDER, os.W_OK) else \
        Path(tempfile.gettempdir())


def shared_matrix(path: Path, rows: int, width: int, family: str) -> np.ndarray:
    """The float32 ``rows × width`` matrix in ``path``, mapped read-only from the machine's shared copy.

    ``family`` names the index the file belongs to (older copies of the same family are removed).
    ValueError if the file does not hold exactly that many values.
    """
    status = path.stat()
    expected = rows * width * 4
    if status.st_size != expected:
        raise ValueError(f"{status.st_size} byte passar inte {rows} vektorer")
    if rows == 0:
        return np.zeros((0, width), dtype=np.float32)
    family_key = hashlib.sha256(family.encode()).hexdigest()[:12]
    identity = f"{path.resolve()}|{status.st_size}|{status.st_ino}|{status.st_mtime_ns}"
    name = f"{PREFIX}{family_key}-{hashlib.sha256(identity.encode()).hexdigest()[:24]}.f32"
    folder = _folder()
    copy = folder / name
    if not (copy.is_file() and copy.stat().st_size == expected):
        _make_copy(path, copy, expected)
        _sweep(folder, keep=copy, family_key=family_key)
    return np.memmap(copy, dtype="<f4", mode="r", shape=(rows, width))


def _sweep(folder: Path, keep: Path, family_key: str) -> None:
    """Unlink the other copies of this index and every copy whose source file is gone."""
    for other in folder.glob(f"{PREFIX}*.f32"):
        if other == keep:
            continue
        note = other.with_suffix(".source")
        try:  # the note is written before its copy is renamed into place: no note, no owner
            gone = not Path(note.read_text(encoding="utf-8")).exists()
        except OSError:
            gone = True
        if gone or other.name.startswith(f"{PREFIX}{family_key}-"):
            other.unlink(missing_ok=True)
            note.unlink(missing_ok=True)


def _make_copy(source: Path, copy: Path, expected: int) -> None:
    data = source.read_bytes()
    if len(data) != expected:  # changed between stat and read
        raise ValueError(f"{len(data)} byte, väntade {expected}")
    handle, temporary = tempfile.mkstemp(prefix=f".{copy.name}.", dir=copy.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temporary, 0o444)
        copy.with_suffix(".source").write_text(str(source.resolve()), encoding="utf-8")
        os.replace(temporary, copy)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
