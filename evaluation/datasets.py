"""The public Swedish data sets in ../shared/data as documents and evaluation questions.

Each data set becomes a list of :class:`~indexer.corpus.model.Document` and a
list of questions in the format of ``evaluation.metrics``. URLs of the
data-set passages are synthetic (``https://eval.sok.invalid/…``): they only
need to be unique and stable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from evaluation.metrics import Question, read_questions
from indexer.corpus.model import Document
from indexer.corpus.readers.jsonl import iter_jsonl

SHARED_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
EVERYDAY_QUESTIONS = Path(__file__).resolve().parent / "data" / "everyday_dev.jsonl"
CROSSLINGUAL_QUESTIONS = Path(__file__).resolve().parent / "data" / "crosslingual_dev.jsonl"
#: Pages in the everyday-words set's pool (its questions were written over the first of these).
EVERYDAY_POOL = 2000
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
            questions.append(Question(row["question"], expect_urls=(f"{EVAL_HOST}/swequad/{row['passage_id']}",),
                                      answer_text=(row["answer"],)))
    return Dataset(f"SweQUAD-MC {split}", documents, questions)


def regeringen_pages(data: Path = SHARED_DATA) -> list[Document]:
    """The 44k regeringen.se pages, as distractors."""
    documents = []
    for path in sorted((data / "regeringen-se-pages").glob("regeringen_part*.jsonl")):
        documents += [item for item in iter_jsonl(path) if isinstance(item, Document)]
    return documents


#: The seed of the one fixed shuffle of the regeringen.se pages that every sample is a prefix of,
#: so that the distractor pool, the everyday-words pool and the bench corpus share embeddings.
REGERINGEN_SEED = 20261201


def regeringen_sample(count: int, data: Path = SHARED_DATA) -> list[Document]:
    """The first ``count`` regeringen.se pages of a fixed-seed shuffle (a random sample across all shards)."""
    import random

    pages = sorted(regeringen_pages(data), key=lambda doc: doc.url)
    random.Random(REGERINGEN_SEED).shuffle(pages)  # noqa: S311 (a fixed-seed sample, not a secret)
    return pages[:count]


def everyday_dev(data: Path = SHARED_DATA) -> Dataset:
    """Questions in everyday words over regeringen.se pages (evaluation/data/EVERYDAY.md), in their 2,000-page pool."""
    return Dataset("everyday words dev", regeringen_sample(EVERYDAY_POOL, data), read_questions(EVERYDAY_QUESTIONS))


def crosslingual_dev(language: str, data: Path = SHARED_DATA) -> Dataset:
    """The cross-lingual dev set's questions in ``language`` (evaluation/data/CROSSLINGUAL.md) over the everyday
    set's 2,000-page pool: questions in English, Arabic and Polish about Swedish pages, with the page and its fact."""
    rows = [json.loads(line) for line in CROSSLINGUAL_QUESTIONS.read_text(encoding="utf-8").splitlines() if line]
    questions = [Question(row["question"], tuple(row.get("expect_urls") or ()), (),
                          (row["fact"],) if row.get("fact") else ())
                 for row in rows if row["language"] == language]
    return Dataset(f"cross-lingual dev ({language})", regeringen_sample(EVERYDAY_POOL, data), questions)


#: SQuAD-sv's articles from this index on are held out: the answer step never trains on them (split by article).
SQUAD_HELD_OUT_FROM = 25


def squad_articles(data: Path = SHARED_DATA) -> list[dict]:
    """SQuAD-sv's articles as its file holds them (title, paragraphs with their context and questions)."""
    articles: list[dict] = json.loads((data / "squad-v2-sv" / "squad_dev_v2_sv.json").read_text(encoding="utf-8"))[
        "data"]
    return articles


def squad_sv(answerable: int = 500, unanswerable: int = 500, data: Path = SHARED_DATA,
             from_article: int = 0) -> Dataset:
    """SQuAD-sv dev: its 1,204 paragraphs, and a fixed-seed sample of answerable and unanswerable questions (of the
    articles from ``from_article`` on: SQUAD_HELD_OUT_FROM keeps to the ones the answer step never trained on)."""
    import random

    documents, yes, no = [], [], []
    for index, article in enumerate(squad_articles(data)):
        for number, paragraph in enumerate(article["paragraphs"]):
            url = f"{EVAL_HOST}/squad/{article['title']}/{number}".replace(" ", "_")
            documents.append(Document(url=url, title=article["title"].replace("_", " "), text=paragraph["context"]))
            for qa in paragraph["qas"] if index >= from_article else ():
                if qa.get("is_impossible"):
                    no.append(Question(qa["question"]))
                else:
                    texts = tuple(dict.fromkeys(a["text"] for a in qa["answers"]))
                    yes.append(Question(qa["question"], expect_urls=(url,), answer_text=texts))
    pick = random.Random(REGERINGEN_SEED)  # noqa: S311 (a fixed-seed sample, not a secret)
    questions = pick.sample(yes, min(answerable, len(yes))) + pick.sample(no, min(unanswerable, len(no)))
    name = "SQuAD-sv dev" if not from_article else "SQuAD-sv dev, held-out articles"
    return Dataset(name, documents, questions)
