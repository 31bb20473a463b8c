"""Schemathesis against the live server's OpenAPI spec: generated requests (valid and invalid)
to every operation must never get a 5xx, and every response must match the documented status
codes, content types, headers and schemas. Bounded examples per operation keep CI time sane."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks as C

# The catalog body is JSONL text: send generated strings as they are.
schemathesis.serializer.alias(["application/x-ndjson", "application/jsonl"], "text/plain")

CHECKS = [
    C.not_a_server_error,
    C.status_code_conformance,
    C.content_type_conformance,
    C.response_headers_conformance,
    C.response_schema_conformance,
]


@pytest.fixture(scope="module")
def api_schema(http_server):
    return schemathesis.openapi.from_url(f"{http_server.url}/openapi.json")


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_openapi_spec_holds_against_the_live_server(case, http_server):
    # Admin key: every operation is reachable; the role matrix is tested in test_http.py.
    case.call_and_validate(headers=http_server.headers("admin"), checks=CHECKS, timeout=60)
