"""Schemathesis against the live server's OpenAPI spec: generated requests (valid and invalid)
to every operation must never get a 5xx, and every response must match the documented status
codes, content types, headers and schemas. Bounded examples per operation keep CI time sane.

The spec is loaded from the running server (fixture `http_server`), so the operations are
driven from inside one test with Hypothesis rather than collected at import time."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
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
EXAMPLES = 10  # per operation and mode


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
def test_openapi_spec_holds_against_the_live_server(http_server, mode):
    schema = schemathesis.openapi.from_url(f"{http_server.url}/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    # Admin key: every operation is reachable; the role matrix is tested in test_http.py.
    headers = http_server.headers("admin")
    failures = []
    for operation in operations:

        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck),
                  derandomize=True, database=None)
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS, timeout=60)

        try:
            check()
        except Unsatisfiable:  # nothing invalid to send (an operation without parameters or body)
            assert mode is GenerationMode.NEGATIVE, operation.label
        except Exception as exc:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)
