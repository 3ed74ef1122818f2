"""schemathesis against the API's OpenAPI schema: every operation, valid and invalid inputs, as a county admin (who
passes every read rule and so gets furthest into the code); no answer may be a server error.

Bounded and deterministic so it runs in ``make test``: about 20 examples per operation (half valid, half invalid),
derandomized (the same inputs every run), no example database. Run alone with ``pytest -m fuzz``.
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_reads_matrix import world  # noqa: F401  (a fixture: ids in the paths that exist)

pytestmark = pytest.mark.fuzz
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 10))  # per operation and generation mode


def operations() -> list[Any]:
    import schemathesis

    from dianti.api import api

    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    return [result.ok() for result in schema.get_all_operations()]


def _send(client: Client, case: Any) -> Any:
    """Send ``case`` through Django's test client, in process, inside a savepoint of the test's transaction: a request
    that failed in the database is rolled back on its own and cannot fail the requests after it."""
    with transaction.atomic():
        return _request(client, case)


def _request(client: Client, case: Any) -> Any:
    path = case.formatted_path
    query = urlencode({k: v for k, v in (case.query or {}).items() if v is not None}, doseq=True)
    if case.method.upper() == "GET":
        return client.get(f"{path}?{query}" if query else path)
    body = {} if case.body is None or type(case.body).__name__ == "NotSet" else case.body
    return client.generic(case.method.upper(), f"{path}?{query}" if query else path,
                          json.dumps(body, default=str), content_type="application/json")


def test_no_api_operation_answers_with_a_server_error(world: Any, users: Any) -> None:  # noqa: F811
    from schemathesis import GenerationMode

    client = Client(raise_request_exception=False)
    client.force_login(users.county_admin)
    failures: list[str] = []
    sent: set[str] = set()
    strategies = [op.as_strategy(generation_mode=mode) for op in operations()
                  for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]

    @settings(max_examples=MAX_EXAMPLES * len(strategies), derandomize=os.environ.get("FUZZ_RANDOM") is None, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data: Any) -> None:
        case = data.draw(st.sampled_from(strategies).flatmap(lambda s: s))
        response = _send(client, case)
        sent.add(f"{case.method} {case.path}")
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} query={case.query} → {response.status_code}")

    run()
    assert len(sent) >= len(strategies) // 2 * 0.9, f"only {len(sent)} operations were exercised"
    assert not failures, "\n".join(sorted(set(failures))[:20])
