"""The sok command: index, ask, search, and serve over real HTTP."""

import json
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from search_app.cli import main
from tests.conftest import CORPUS, free_port, sok_executable


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def test_index_ask_and_search(runner: CliRunner, tmp_path: Path) -> None:
    index = tmp_path / "index"
    result = runner.invoke(main, ["index", "--corpus", str(CORPUS), "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert "2 dokument" in result.output
    asked = runner.invoke(main, ["ask", "vilka kommuner var pilotkommuner?", "--index", str(index)])
    assert asked.exit_code == 0
    assert "Flen, Gotland, Haninge" in asked.output
    assert asked.output.startswith("Svar: Flen, Gotland, Haninge, Härjedalen, Kramfors, Munkedal, Surahammar, "
                                   "Vimmerby, Östhammar och Överkalix\n")  # the fact first
    assert "Källa: Det här har vi gjort tidigare › Stärkt lokal attraktionskraft" in asked.output
    searched = runner.invoke(main, ["search", "jämställdhet", "--index", str(index)])
    assert searched.exit_code == 0
    assert "Jämställd tillväxt Stockholm" in searched.output
    none = runner.invoke(main, ["ask", "hur ansöker jag om bygglov", "--index", str(index)])
    assert "Inget säkert svar" in none.output


def test_index_reads_jsonl_and_reports_bad_rows(runner: CliRunner, tmp_path: Path) -> None:
    rows = tmp_path / "extra.jsonl"
    rows.write_text(
        json.dumps({"url": "https://x.se/cykel", "title": "Cykelvägar",
                    "text": "# Cykelvägar\n\nNya cykelbanor byggs."})
        + "\n{trasig\n",
        encoding="utf-8",
    )
    index = tmp_path / "index"
    result = runner.invoke(main, ["index", "--corpus", str(CORPUS), "--jsonl", str(rows), "--index", str(index)])
    assert result.exit_code == 0
    assert "3 dokument" in result.output
    assert "extra.jsonl:2: inte giltig JSON" in result.output
    strict = runner.invoke(main, ["index", "--corpus", str(CORPUS), "--jsonl", str(rows), "--index", str(index),
                                  "--strict"])
    assert strict.exit_code != 0
    found = runner.invoke(main, ["search", "cykelbanor", "--index", str(index)])
    assert "Cykelvägar" in found.output


def test_commands_on_a_missing_index_say_what_to_run(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["ask", "fråga", "--index", str(tmp_path / "saknas")])
    assert result.exit_code == 1
    assert "sok index" in result.output
    assert "Traceback" not in result.output


def test_serve_answers_over_http(live_server: str) -> None:
    served = live_server
    query = urllib.parse.urlencode({"q": "vilka kommuner var pilotkommuner"})
    with urllib.request.urlopen(f"{served}/api/ask?{query}", timeout=10) as response:
        body = json.load(response)
    assert "Gotland" in body["answer"]["text"]
    assert "tillvaxtverket.se" in body["answer"]["url"]
    with urllib.request.urlopen(f"{served}/?{urllib.parse.urlencode({'q': 'pilotkommuner'})}", timeout=10) as page:
        html = page.read().decode()
    assert "Stärkt lokal attraktionskraft" in html


def test_serve_refuses_to_start_without_an_index(tmp_path: Path) -> None:
    result = subprocess.run([sok_executable(), "serve", "--index", str(tmp_path), "--port", str(free_port())],
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1
    assert "sok index" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_eval_prints_the_measures_with_the_baseline(runner: CliRunner, tmp_path: Path, seed_index: Path) -> None:
    questions = tmp_path / "questions.jsonl"
    rows = [
        {"question": "vilka kommuner var pilotkommuner", "expect": ["Flen, Gotland, Haninge"]},
        {"question": "när pågick utveckla svenska städer",
         "expect_urls": ["https://tillvaxtverket.se/amnesomraden/regional-kapacitet/"
                         "tillvaxtskapande-samhallsplanering/det-har-har-vi-gjort-tidigare.html"]},
        {"question": "hur förnyar jag mitt pass", "expect": None, "kind": "no_answer"},
    ]
    questions.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows), encoding="utf-8")
    result = runner.invoke(main, ["eval", str(questions), "--index", str(seed_index), "--baseline",
                                  "--corpus", str(CORPUS)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("| run | questions | hit@1 | hit@3 | hit@5 | MRR@10 | answer contains |"
                               " no-answer accuracy |")
    assert lines[2] == "| Sök | 3 | 100.0 | 100.0 | 100.0 | 1.000 | – | 100.0 |"
    assert lines[3].startswith("| baseline (BM25) | 3 |")


def test_ask_and_stats_read_the_sok_config_file(runner: CliRunner, tmp_path: Path, seed_index: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """INDEX_DIR and ANALYTICS_DB from SOK_CONFIG's file reach `sok ask` and `sok stats`, as they reach the app."""
    database = tmp_path / "statistik.sqlite"
    config = tmp_path / "sok.cfg"
    config.write_text(f"INDEX_DIR = {str(seed_index)!r}\nANALYTICS_DB = {str(database)!r}\n", encoding="utf-8")
    monkeypatch.setenv("SOK_CONFIG", str(config))
    for name in ("SOK_INDEX_DIR", "SOK_ANALYTICS_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no var/index here to fall back on
    asked = runner.invoke(main, ["ask", "vilka kommuner var pilotkommuner?"])
    assert asked.exit_code == 0, asked.output
    assert "Flen, Gotland, Haninge" in asked.output
    assert asked.output.startswith("Svar: Flen, Gotland, Haninge, Härjedalen, Kramfors, Munkedal, Surahammar, "
                                   "Vimmerby, Östhammar och Överkalix\n")  # the fact first
    counted = runner.invoke(main, ["stats"])
    assert counted.exit_code == 0, counted.output
    assert f"i {database}" in counted.output


def test_a_bad_setting_is_one_line_naming_it(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOK_SEMANTIC", "kanske")
    result = runner.invoke(main, ["ask", "fråga"])
    assert result.exit_code == 1
    assert "SEMANTIC" in result.output and "SOK_SEMANTIC" in result.output
    assert "Traceback" not in result.output
