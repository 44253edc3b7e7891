"""The encoder's files, built once per installed weights file and kept beside the embedding cache.

A folder named after the weights file's hash holds the int8 ONNX graph, the
4-bit word table as whole numbers and scales, the position rows and the
tokenizer tables. It is built in a temporary folder and renamed into place, under
a lock, so two processes that start at once build it once and a build that
was stopped leaves nothing half-written; a missing or incomplete folder is
built again.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from indexer.semantic.e5.weights import E5Weights, read_weights, weights_hash

#: Changes whenever the vectors would (graph, quantisation): new files, new model_id.
RECIPE = 1
#: Changes whenever only the files' layout does: new files, same vectors and model_id.
LAYOUT = 2
#: Written last: a folder without it is incomplete.
DONE = "done.json"
#: Default folder when neither SOK_ENCODER_FILES nor SOK_EMBEDDING_CACHE names one.
DEFAULT_ROOT = Path("var/embedding-cache")


def files_root() -> Path:
    """Where encoder files are kept: ``SOK_ENCODER_FILES``, else ``encoder/`` in the embedding cache.

    ``sok index`` and ``sok serve`` set ``SOK_ENCODER_FILES`` to their index's embedding cache.
    """
    named = os.environ.get("SOK_ENCODER_FILES", "").strip()
    if named:
        return Path(named)
    cache = os.environ.get("SOK_EMBEDDING_CACHE", "").strip()
    return (Path(cache) if cache else DEFAULT_ROOT) / "encoder"


def files_name(weights: Path) -> str:
    """The folder name of the files built from ``weights``."""
    return f"e5-onnx-r{RECIPE}-l{LAYOUT}-{weights_hash(weights)[:16]}"


def ensure_files(weights: Path, root: Path | None = None) -> Path:
    """The folder of the files built from ``weights``, building them first if they are missing."""
    root = root or files_root()
    folder = root / files_name(weights)
    if (folder / DONE).is_file():
        return folder
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be building the same folder
        if not (folder / DONE).is_file():
            shutil.rmtree(folder, ignore_errors=True)
            work = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
            try:
                write_files(read_weights(weights), work, weights_hash(weights))
                work.rename(folder)
            finally:
                shutil.rmtree(work, ignore_errors=True)
    return folder


def write_files(weights: E5Weights, folder: Path, source_hash: str) -> None:
    """Write the graph (int8 per channel), word table, positions and tokenizer of ``weights`` into ``folder``."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from indexer.semantic.e5.graph import build_graph

    plain = folder / "float32.onnx"
    onnx.save(build_graph(weights), plain)
    # Weights only, one scale per output channel: per-tensor scales lost 3 points of R@1.
    quantize_dynamic(plain, folder / "model.onnx", per_channel=True, weight_type=QuantType.QInt8,
                     op_types_to_quantize=["MatMul"])
    plain.unlink()
    values, scales = weights.blocks("emb.word", weights.hidden)
    np.save(folder / "word_values.npy", values)
    np.save(folder / "word_scales.npy", scales)
    positions = weights.dense("emb.pos").reshape(weights.max_positions, weights.hidden)
    token_type = weights.dense("emb.type").reshape(-1, weights.hidden)[0]
    np.save(folder / "positions.npy", (positions + token_type).astype(np.float32))
    # Pieces as one NUL-separated text (none holds a NUL): read back without a JSON parser's garbage.
    (folder / "pieces.txt").write_text("\0".join(weights.pieces), encoding="utf-8")
    np.save(folder / "scores.npy", weights.scores.astype(np.float32))
    tokenizer = {"bos": weights.bos, "eos": weights.eos, "unk": weights.unk,
                 "normalisation": {str(code): text for code, text in weights.normalisation.items()}}
    (folder / "tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False), encoding="utf-8")
    (folder / DONE).write_text(json.dumps({"weights_sha256": source_hash, "recipe": RECIPE}), encoding="utf-8")
