"""The OpenAPI description is the single source of the API contract: code and description agree.

A route, a parameter or a response field that exists in the code but not in
the description fails here, and so does one that the description promises
but the code does not have.
"""

from __future__ import annotations

import inspect
import re
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from search_app.settings import defaults
from search_app.web import api
from search_app.web.api_docs import openapi_spec, resolve

SPEC = openapi_spec()
# Pages, not the API; /metrics is Prometheus's text format for operators (README).
SKIP_ROUTES = {"/", "/svar", "/tur", "/tillganglighet", "/favicon.ico",  # the page's routes
                "/widget.js", "/demo", "/admin/stats", "/openapi.json", "/api/docs", "/metrics"}


def spec_operations() -> set[tuple[str, str]]:
    return {(path, method.upper()) for path, methods in SPEC["paths"].items() for method in methods}


def test_every_route_is_described_and_every_description_routed(app: Flask) -> None:
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/static") or rule.rule in SKIP_ROUTES:
            continue
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            routed.add((rule.rule.replace("/api/v1/", "/api/").replace("/api/", "/api/v1/"), method))
    assert routed == spec_operations()
    aliases = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
               and not rule.rule.startswith("/api/v1/") and rule.rule != "/api/docs"}
    assert {alias.replace("/api/", "/api/v1/") for alias in aliases} == {p for p in SPEC["paths"] if "/api/" in p}


VIEWS = {"/api/v1/search": api.api_search, "/api/v1/ask": api.api_ask, "/api/v1/click": api.api_click,
         "/api/v1/feedback": api.api_feedback, "/api/v1/suggest": api.api_suggest,
         "/api/v1/contacts": api.api_contacts, "/healthz": api.healthz}
_READ = re.compile(r'(?:request\.args\.get\(|read_int\(request\.args, |body\.get\()"(\w+)"')
_HELPERS = {"read_publisher(request.args)": ("publisher",), "read_publisher(body)": ("publisher",),
            "read_kind(request.args)": ("type",), "read_history(body.get(\"history\"))": ("history",),
            # api._beacon reads a click's or a verdict's q and history; api._counted reads count
            "_beacon(": ("q", "history"), "_counted()": ("count",)}


def parameters_in_code(view: Callable[..., object]) -> set[str]:
    source = inspect.getsource(view)
    return set(_READ.findall(source)) | {name for call, names in _HELPERS.items() if call in source for name in names}


def parameters_in_spec(path: str) -> set[str]:
    names = set()
    for operation in SPEC["paths"][path].values():
        names |= {resolve(SPEC, p)["name"] for p in operation.get("parameters", [])}
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            names |= set(resolve(SPEC, body["schema"])["properties"])
    return names


def test_every_parameter_the_code_reads_is_described_and_the_other_way_round() -> None:
    for path, view in VIEWS.items():
        assert parameters_in_code(view) == parameters_in_spec(path), path


def test_the_described_limits_are_the_configured_ones() -> None:
    config = defaults()
    q = SPEC["components"]["parameters"]["q"]["schema"]
    assert q["maxLength"] == config["MAX_QUERY_CHARS"]
    search = {p.get("name"): p for p in SPEC["paths"]["/api/v1/search"]["get"]["parameters"]}
    assert search["limit"]["schema"]["maximum"] == config["MAX_LIMIT"]
    assert search["limit"]["schema"]["default"] == config["DEFAULT_LIMIT"]
    assert search["offset"]["schema"]["maximum"] == config["MAX_OFFSET"]


def fields_of(schema: dict, value: Any, seen: dict[str, set[str]], name: str) -> None:
    """Check ``value`` against the properties of ``schema`` and note which properties occurred."""
    schema = resolve(SPEC, schema)
    if "oneOf" in schema:
        if value is None:
            return
        schema = resolve(SPEC, next(s for s in schema["oneOf"] if "$ref" in s))
        name = schema.get("title", name)
    if schema.get("type") == "array" or (isinstance(schema.get("type"), list) and "array" in schema["type"]):
        for item in value or []:
            fields_of(schema["items"], item, seen, name + "[]")
        return
    if "properties" not in schema:
        return
    assert isinstance(value, dict), (name, value)
    extra = set(value) - set(schema["properties"])
    assert not extra, f"{name}: fields the description lacks: {extra}"
    missing = set(schema.get("required", [])) - set(value)
    assert not missing, f"{name}: described as always there but missing: {missing}"
    seen[name] |= set(value)
    for key, prop in schema["properties"].items():
        if key in value:
            fields_of(prop, value[key], seen, f"{name}.{key}")


def response_schema(path: str, method: str, status: str) -> dict:
    response = resolve(SPEC, SPEC["paths"][path][method]["responses"][status])
    content = response["content"]
    return next(iter(content.values()))["schema"]


def test_every_response_field_is_described_and_every_described_field_occurs(client: FlaskClient) -> None:
    seen: dict[str, set[str]] = defaultdict(set)
    calls = [
        ("/api/v1/search", "get", {"q": "pilotkommuner"}), ("/api/v1/search", "get", {"q": "bygglov", "type": "page"}),
        ("/api/v1/search", "get", {"q": "pilotkomuner"}),
        ("/api/v1/ask", "get", {"q": "vilka kommuner var pilotkommuner?"}), ("/api/v1/ask", "get", {"q": "pass"}),
        ("/api/v1/suggest", "get", {"q": "pilot"}), ("/api/v1/contacts", "get", {}), ("/healthz", "get", {}),
    ]
    for path, method, query in calls:
        response = client.get(path, query_string=query)
        assert response.status_code == 200, (path, response.get_data(as_text=True)[:200])
        fields_of(response_schema(path, method, "200"), response.get_json(), seen, path)
    posted = client.post("/api/v1/ask", json={"q": "och när pågick det?", "history": ["pilotkommuner"]})
    fields_of(response_schema("/api/v1/ask", "post", "200"), posted.get_json(), seen, "/api/v1/ask")
    problem = client.get("/api/v1/search", query_string={"q": ""})
    assert problem.status_code == 400 and problem.mimetype == "application/problem+json"
    fields_of(response_schema("/api/v1/search", "get", "400"), problem.get_json(), seen, "Problem")
    # Every described field of the objects we saw occurred at least once.
    for name, keys in seen.items():
        schema = {"Problem": SPEC["components"]["schemas"]["Problem"]}.get(name)
        if schema:
            assert set(schema["properties"]) == keys, (name, set(schema["properties"]) - keys)
    results = SPEC["components"]["schemas"]["Passage"]["properties"]
    assert set(results) == seen["/api/v1/search.results[]"]
    assert set(SPEC["components"]["schemas"]["SearchResponse"]["properties"]) == seen["/api/v1/search"]
    assert set(SPEC["components"]["schemas"]["AskResponse"]["properties"]) == seen["/api/v1/ask"]


def test_the_description_and_a_readable_page_are_served_without_other_sites(client: FlaskClient) -> None:
    served = client.get("/openapi.json")
    assert served.status_code == 200 and served.get_json() == SPEC
    assert SPEC["openapi"].startswith("3.1")
    page = client.get("/api/docs").get_data(as_text=True)
    for path in SPEC["paths"]:
        assert path in page
    assert 'id="problem-invalid-parameter"' in page and 'id="schema-Passage"' in page
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)  # no third-party requests


def test_every_described_field_and_parameter_has_a_description() -> None:
    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            for key, value in (node.get("properties") or {}).items():
                assert isinstance(value, dict) and (value.get("description") or "$ref" in value), f"{where}.{key}"
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}[{index}]")

    walk(SPEC["components"]["schemas"], "schemas")
    for path, methods in SPEC["paths"].items():
        for method, operation in methods.items():
            assert operation.get("summary"), (path, method)
            for parameter in operation.get("parameters", []):
                assert resolve(SPEC, parameter).get("description"), (path, method, parameter)
