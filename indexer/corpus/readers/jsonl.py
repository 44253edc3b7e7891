"""JSON Lines files: one document per line, an object with at least ``url``, ``title`` and ``text``.

Not a corpus-folder file type: a JSON Lines file is named on the command line
(``sok index --jsonl``) and holds many documents, so it is not in the suffix
registry of ``indexer.corpus.readers``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from indexer.budgets import MAX_JSONL_ROW_BYTES
from indexer.corpus.model import Document, DocumentError, Problem, ReadResult
from indexer.corpus.readers.fields import document_from_fields

_SKIP_CHUNK_BYTES = 1024 * 1024


def iter_jsonl(path: Path) -> Iterator[Document | Problem]:
    """Yield a Document (or a Problem) per line of a JSON Lines file.

    A row longer than :data:`MAX_JSONL_ROW_BYTES` is a Problem; it is skipped
    in small pieces, never read into memory whole.
    """
    limit = MAX_JSONL_ROW_BYTES
    with path.open("rb") as handle:
        number = 0
        while raw := handle.readline(limit + 1):
            number += 1
            source = f"{path}:{number}"
            if len(raw) > limit and not raw.endswith(b"\n"):
                while (rest := handle.readline(_SKIP_CHUNK_BYTES)) and not rest.endswith(b"\n"):
                    pass
                yield Problem(source, f"raden är större än {_size(limit)} (samma gräns som för en fil); "
                                      "den hoppas över")
                continue
            if not raw.strip():
                continue
            try:
                row = json.loads(raw.decode("utf-8"))
                if not isinstance(row, dict):
                    raise DocumentError("raden är inte ett JSON-objekt")
                if not str(row.get("text") or "").strip():
                    raise DocumentError("fältet text saknas eller är tomt")
                yield document_from_fields(row, str(row["text"]), source)
            except UnicodeDecodeError:
                yield Problem(source, "inte giltig UTF-8")
            except json.JSONDecodeError as error:
                yield Problem(source, f"inte giltig JSON ({error.msg})")
            except DocumentError as error:
                yield Problem(source, str(error))
            except Exception as error:  # one bad row is that row's problem, not the build's
                yield Problem(source, f"kunde inte läsas ({type(error).__name__}: {str(error)[:120]})")


def read_jsonl(path: Path) -> ReadResult:
    """Read every document of a JSON Lines file."""
    result = ReadResult()
    for item in iter_jsonl(path):
        if isinstance(item, Document):
            result.documents.append(item)
        else:
            result.problems.append(item)
    return result


def _size(count: int) -> str:
    megabytes = count / (1024 * 1024)
    return f"{megabytes:g} MB" if megabytes >= 1 else f"{count} byte"
