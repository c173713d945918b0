"""Every request the HighLevel client sends, checked against HighLevel's official OpenAPI specs.

openapi-core checks the path, method, required headers (Version), query parameters and the body
schema. The real API also refuses properties its schema does not list (422 "property x should not
exist"), which the specs do not say with additionalProperties, so that is checked here too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from bot.crm.highlevel import USER_AGENT
from bot.sandbox.highlevel import SeenRequest

SPECS = Path(__file__).parent / "data" / "openapi" / "ghl" / "apps"
SERVICES = {"calendars": "calendars.json", "contacts": "contacts.json", "users": "users.json"}
HOST = "https://services.leadconnectorhq.com"


class _Request:
    """What openapi-core reads from a request."""

    def __init__(self, seen: SeenRequest):
        self.host_url = HOST
        self.path = seen.path
        self.method = seen.method.lower()
        self.full_url_pattern = HOST + seen.path
        self.parameters = RequestParameters(query=ImmutableMultiDict(seen.query), header=Headers(seen.headers),
                                            cookie=ImmutableMultiDict(), path={})
        self.content_type = seen.headers.get("content-type", "application/json").split(";")[0]
        self.body = seen.body or None


@dataclass
class Contract:
    specs: dict[str, OpenAPI] = field(default_factory=dict)
    raw: dict[str, dict[str, Any]] = field(default_factory=dict)
    checked: set[tuple[str, str]] = field(default_factory=set)
    violations: list[str] = field(default_factory=list)

    def spec(self, service: str) -> tuple[OpenAPI, dict[str, Any]]:
        if service not in self.specs:
            path = SPECS / SERVICES[service]
            self.specs[service] = OpenAPI.from_file_path(str(path), config=Config(spec_validator_cls=None))
            self.raw[service] = json.loads(path.read_text())
        return self.specs[service], self.raw[service]

    def observe(self, seen: SeenRequest) -> None:
        """Called for every request a HighLevel sandbox receives; only the bot's own are judged."""
        if not seen.headers.get("user-agent", "").startswith(USER_AGENT):
            return
        problems = self.problems(seen)
        if problems:
            self.violations.append(f"{seen.method} {seen.path}: " + "; ".join(problems))

    def problems(self, seen: SeenRequest) -> list[str]:
        service = seen.path.strip("/").split("/")[0]
        if service not in SERVICES:
            return [f"no HighLevel spec covers {seen.path}"]
        spec, raw = self.spec(service)
        try:
            spec.validate_request(_Request(seen))
        except Exception as error:  # openapi-core raises one of many types; all are violations
            cause = f" ({error.__cause__})" if error.__cause__ else ""
            return [f"{type(error).__name__}: {error}{cause}"]
        template, operation = _operation(raw, seen.path, seen.method.lower())
        self.checked.add((seen.method, template))
        return _unknown_properties(raw, operation, seen.body)


def _operation(raw: dict[str, Any], path: str, method: str) -> tuple[str, dict[str, Any]]:
    exact = raw["paths"].get(path) or raw["paths"].get(path.rstrip("/") + "/")
    if exact and method in exact:
        return path, exact[method]
    for template, operations in raw["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template.rstrip("/")) + "/?$"
        if method in operations and re.match(pattern, path):
            return template, operations[method]
    raise AssertionError(f"openapi-core accepted {method} {path} but no path matches")


def _unknown_properties(raw: dict[str, Any], operation: dict[str, Any], body: bytes) -> list[str]:
    schema = (((operation.get("requestBody") or {}).get("content") or {}).get("application/json") or {}).get("schema")
    if not schema or not body:
        return []
    while "$ref" in schema:
        schema = raw["components"]["schemas"][schema["$ref"].split("/")[-1]]
    allowed = set(schema.get("properties") or {})
    sent = json.loads(body)
    if not allowed or not isinstance(sent, dict):
        return []
    return [f"property {name} is not in the spec" for name in sent if name not in allowed]


CONTRACT = Contract()
