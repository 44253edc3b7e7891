"""The public Swedish data sets in ../shared/data as documents and evaluation questions.

Each data set becomes a list of :class:`~indexer.documents.Document` and a
list of questions in the format of ``search_app.evaluation``. URLs of the
data-set passages are synthetic (``https://eval.sok.invalid/…``): they only
need to be unique and stable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from indexer.documents import Document, iter_jsonl
from search_app.evaluation import Question

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
EVAL_HOST = "https://eval.sok.invalid"


@dataclass
class Dataset:
    """Documents and questions of one data set split."""

    name: str
    documents: list[Document]
    questions: list[Question]


def swefaq_dev(data: Path = SHARED_DATA) -> Dataset:
    """SweFAQ dev: every candidate answer is a document titled by its FAQ category."""
    documents: dict[str, Document] = {}
    questions = []
    for line in (data / "swefaq" / "swefaq_dev.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        category = row["meta"]["category"]
        urls = []
        for number, answer in enumerate(row["candidate_answers"]):
            url = f"{EVAL_HOST}/swefaq/{row['category_id']}/{number}"
            documents.setdefault(url, Document(url=url, title=category, text=answer,
                                               publisher=row["meta"]["source"]))
            urls.append(url)
        questions.append(Question(row["question"], expect_urls=(urls[row["label"]],)))
    return Dataset("SweFAQ dev", list(documents.values()), questions)


def swequad_mc(split: str, data: Path = SHARED_DATA) -> Dataset:
    """SweQUAD-MC (``training`` or ``dev``): questions over all 498 train+dev passages."""
    folder = data / "swequad-mc"
    documents = []
    for line in (folder / "swequad_mc_passages.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        text = row["text"].replace("\r\n", "\n")
        title = text.split("\n", 1)[0].strip()[:120]
        documents.append(Document(url=f"{EVAL_HOST}/swequad/{row['passage_id']}", title=title, text=text))
    questions = []
    for line in (folder / "swequad_mc_questions.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["split"] == split:
            questions.append(Question(row["question"], expect_urls=(f"{EVAL_HOST}/swequad/{row['passage_id']}",)))
    return Dataset(f"SweQUAD-MC {split}", documents, questions)


def regeringen_pages(data: Path = SHARED_DATA) -> list[Document]:
    """The 44k regeringen.se pages, as distractors."""
    documents = []
    for path in sorted((data / "regeringen-se-pages").glob("regeringen_part*.jsonl")):
        documents += [item for item in iter_jsonl(path) if isinstance(item, Document)]
    return documents
