"""The API's written contract: /openapi.json (from search_app/web/openapi.yaml) and a readable /api/docs."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml
from flask import Blueprint, Response, jsonify, render_template
from markupsafe import Markup, escape

from search_app.web.problems import PROBLEMS

SPEC_PATH = Path(__file__).parent / "openapi.yaml"
bp = Blueprint("api_docs", __name__)
_CODE_RE = re.compile(r"`([^`]+)`")


@bp.app_template_filter("inline_code")
def inline_code(text: object) -> Markup:
    """The description's Markdown code spans (`` `q` ``) as ``<code>`` elements, everything else escaped."""
    # Safe: the text is escaped first, and only the <code> tags are added.
    return Markup(_CODE_RE.sub(lambda match: f"<code>{match.group(1)}</code>", str(escape(text or ""))))  # noqa: S704


@lru_cache(maxsize=1)
def openapi_spec() -> dict:
    """The OpenAPI 3.1 description of the API (the one source of the contract)."""
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def resolve(spec: dict, item: dict) -> dict:
    """``item`` with a ``$ref`` inside the description followed."""
    while isinstance(item, dict) and "$ref" in item:
        node: object = spec
        for part in item["$ref"].removeprefix("#/").split("/"):
            node = node[part]  # type: ignore[index]
        item = node  # type: ignore[assignment]
    return item


@bp.get("/openapi.json")
def openapi_json() -> Response:
    """The OpenAPI description as JSON."""
    return jsonify(openapi_spec())


@bp.get("/api/docs")
def api_docs() -> str:
    """The OpenAPI description as a readable page: endpoints, schemas and problem kinds."""
    spec = openapi_spec()
    operations = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            parameters = [resolve(spec, p) for p in operation.get("parameters", [])]
            responses = {status: resolve(spec, r) for status, r in operation["responses"].items()}
            operations.append({"path": path, "method": method.upper(), "operation": operation,
                               "parameters": parameters, "responses": responses})
    schemas = spec["components"]["schemas"]
    return render_template("api_docs.html", spec=spec, operations=operations, schemas=schemas,
                           problems=PROBLEMS)
