"""The readers of corpus files, by suffix: Markdown and text, HTML, PDF.

Reading never stops at a bad input: each problem is reported as a
:class:`~indexer.corpus.model.Problem` naming the file and the reason, and
every other document is still read. That holds for a failure of any kind (a
reader's own bug included), so one file can never break every later build.
A symbolic link to a file outside the corpus folder is refused. JSON Lines
files are read by ``indexer.corpus.readers.jsonl``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from indexer.budgets import MAX_DOCUMENT_BYTES
from indexer.corpus.model import Document, DocumentError, Problem, ReadResult
from indexer.corpus.readers import html, markdown, pdf
from indexer.snapshot.layout import LANGUAGE_FILES

_log = logging.getLogger(__name__)

#: The reader of each corpus file suffix (lower case), from each reader module's ``SUFFIXES`` and ``read``.
READERS: dict[str, Callable[[Path], Document]] = {
    suffix: module.read for module in (markdown, html, pdf) for suffix in module.SUFFIXES
}


def read_corpus_file(path: Path) -> Document:
    """Read one corpus file: Markdown or text with YAML front matter, an HTML page or a PDF."""
    if path.stat().st_size > MAX_DOCUMENT_BYTES:
        raise DocumentError(f"filen är större än {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB")
    # A file of any other suffix, when named directly, is read as text with front matter.
    reader = READERS.get(path.suffix.lower(), markdown.read)
    return reader(path)


def corpus_files(corpus_dir: Path) -> list[Path]:
    """The document files of a corpus folder, in a stable order."""
    return sorted(
        path
        for path in corpus_dir.rglob("*")
        if path.is_file() and path.suffix.lower() in READERS and not path.name.startswith(".")
        and path.name.lower() not in ("readme.md", *LANGUAGE_FILES)
    )


def read_corpus(corpus_dir: Path) -> ReadResult:
    """Read every document of a corpus folder; a file that cannot be read, for any reason, is a Problem."""
    result = ReadResult()
    root = corpus_dir.resolve()
    for path in corpus_files(corpus_dir):
        try:
            if not path.resolve().is_relative_to(root):
                raise DocumentError("en symbolisk länk till en fil utanför korpusmappen; hoppar över")
            result.documents.append(read_corpus_file(path))
        except DocumentError as error:
            result.problems.append(Problem(str(path), str(error)))
        except Exception as error:  # any failure of one file is that file's problem, not the build's
            _log.debug("reading %s failed", path, exc_info=True)
            result.problems.append(Problem(str(path), f"kunde inte läsas ({type(error).__name__}: {str(error)[:120]})"))
    return result
