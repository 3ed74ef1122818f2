"""The API's OpenAPI document: valid, described in Chinese throughout, and true — every read operation, asked by a
county admin's API token with schemathesis' generated inputs and with the ids of a real county's data, answers
without a server error and with a body its schema describes.

Bounded and deterministic (derandomized, no example database) so it runs in ``make test``; ``pytest -m fuzz``
runs it with the write fuzzing of test_api_fuzz.py.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .test_reads_matrix import world  # noqa: F401  (a fixture: a county with the whole cycle's data)

pytestmark = pytest.mark.fuzz
EXAMPLES = 6  # per read operation and generation mode
CJK = re.compile(r"[\u4e00-\u9fff]")


def document() -> dict[str, Any]:
    """Return the schema as /api/v1/openapi.json serves it (JSON: status codes as strings)."""
    from dianti.api import api

    return json.loads(json.dumps(api.get_openapi_schema(), default=str))


def test_the_openapi_document_is_valid() -> None:
    import schemathesis
    from openapi_spec_validator import validate

    schema = document()
    validate(schema)  # raises with the first problem
    schemathesis.openapi.from_dict(schema).validate()
    ids = [op["operationId"] for ops in schema["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))


def test_no_two_schemas_share_a_name() -> None:
    """The schema names its components by class name: two ``ResultOut`` would make one describe the other's
    answers (as the meetings' tally once was described by the appraisal's result)."""
    import inspect
    import sys

    from ninja import Schema

    import dianti.api  # noqa: F401  (every router, and so every API module, imported)

    found: dict[str, list[str]] = {}
    for name, module in list(sys.modules.items()):
        if name.startswith("dianti.") and name.rsplit(".", 1)[-1].startswith("api"):
            for cls_name, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, Schema) and cls.__module__ == name:
                    found.setdefault(cls_name, []).append(name)
    assert len(found) > 40
    assert not {k: v for k, v in found.items() if len(v) > 1}


def test_every_operation_parameter_and_field_is_described_in_chinese() -> None:
    schema, missing = document(), []
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            missing += [f"{method} {path} {k}" for k in ("summary", "description") if not CJK.search(op.get(k, ""))]
            missing += [f"{method} {path} ?{p['name']}" for p in op.get("parameters", [])
                        if not CJK.search(p.get("description", ""))]
            missing += [f"{method} {path} → {code}" for code, answer in op["responses"].items()
                        if not CJK.search(answer.get("description", ""))]
    for name, component in schema["components"]["schemas"].items():
        missing += [f"{name}.{prop}" for prop, spec in component.get("properties", {}).items()
                    if not CJK.search(spec.get("description", ""))]
    missing += [f"sign-in {name}" for name, scheme in schema["components"]["securitySchemes"].items()
                if not CJK.search(scheme.get("description", ""))]
    assert not missing, "\n".join(missing)


def _choices(spec: dict[str, Any]) -> list[str]:
    for option in spec.get("anyOf", [spec]):
        if "enum" in option:
            return list(option["enum"])
    return []


def test_every_documented_choice_of_a_filter_is_accepted(client: Any, users: Any,
                                                        world: dict[str, Any]) -> None:  # noqa: F811
    """A filter's documented values are the ones its model takes: a value the schema offers is never refused (once,
    ``Subject.Status`` and ``Meeting.Status`` were documented as the proposals' statuses)."""
    client.force_login(users.county_admin)
    tried, ids = 0, _real_ids(world)
    for path, operations in document()["paths"].items():
        for param in operations.get("get", {}).get("parameters", []):
            if param["in"] != "query":
                continue
            for value in _choices(param["schema"]):
                query = {param["name"]: value, **({"year": 2020} if "assessment" in path else {})}
                response = client.get(path.format(**ids), query)
                assert response.status_code == 200, (path, param["name"], value, response.content[:200])
                tried += 1
    assert tried >= 20


def test_every_staff_operation_documents_its_errors() -> None:
    for path, operations in document()["paths"].items():
        for method, op in operations.items():
            if op.get("security"):
                assert {"401", "403"} <= set(op["responses"]), f"{method} {path}"
                assert op["responses"]["403"]["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"}


def read_operations() -> list[Any]:
    import schemathesis

    schema = schemathesis.openapi.from_dict(document())
    return [op for op in (r.ok() for r in schema.get_all_operations()) if op.method.upper() == "GET"]


def _send(client: Client, case: Any, token: str) -> Any:
    query = urlencode({k: v for k, v in (case.query or {}).items() if v is not None}, doseq=True)
    return client.get(f"{case.formatted_path}?{query}" if query else case.formatted_path,
                      HTTP_AUTHORIZATION=f"Bearer {token}")


def _check(case: Any, response: Any) -> str | None:
    """Return what is wrong with ``response`` to ``case`` (a server error, or a body its schema does not
    describe), or None."""
    import requests
    from schemathesis.checks import not_a_server_error
    from schemathesis.core.transport import Response
    from schemathesis.specs.openapi.checks import response_schema_conformance

    request = requests.Request("GET", f"http://testserver{case.formatted_path}", params=case.query or {}).prepare()
    answer = Response(status_code=response.status_code, headers={k.lower(): [v] for k, v in response.items()},
                      content=response.content, request=request, elapsed=0.0, verify=True)
    try:
        case.validate_response(answer, checks=[not_a_server_error, response_schema_conformance])
    except Exception as exc:  # schemathesis' failure group: every failed check, described
        return f"GET {case.formatted_path} {case.query} → {response.status_code}: {str(exc)[:600]}"
    return None


def _real_ids(w: dict[str, Any]) -> dict[str, Any]:
    case = w["case"]
    return {"code": w["tree"].village_a1.code, "campaign_id": w["campaign"].pk, "subject_id": w["va1"].pk,
            "meeting_id": w["meeting"].pk, "opinion_id": w["opinion"].pk, "case_id": case.pk,
            "person_id": w["person"].pk, "key": "default", "job_id": 1}


def test_every_read_answers_real_data_as_its_schema_says(world: dict[str, Any], users: Any) -> None:  # noqa: F811
    from dianti.core.tokens import token_create

    token = token_create(actor=None, user=users.county_admin, name="schema")
    ids, client, wrong, seen = _real_ids(world), Client(raise_request_exception=False), [], 0
    queries = {"/api/v1/stats": {"org": "330424"}, "/api/v1/orgs/search": {"q": "村"},
               "/api/v1/appraisal/assessment": {"year": world["campaign"].year}}
    for op in read_operations():
        params = {p["name"]: ids[p["name"]] for p in op.definition.raw.get("parameters", []) if p["in"] == "path"}
        case = op.Case(path_parameters=params, query=queries.get(op.path, {}))
        response = _send(client, case, token)
        seen += response.status_code == 200
        if problem := _check(case, response):
            wrong.append(problem)
    assert not wrong, "\n".join(wrong)
    assert seen >= len(read_operations()) - 3, f"only {seen} reads found their data"


def test_generated_reads_find_no_server_error_and_no_answer_off_schema(world: dict[str, Any],  # noqa: F811
                                                                      users: Any) -> None:
    from schemathesis import GenerationMode

    from dianti.core.tokens import token_create

    token = token_create(actor=None, user=users.county_admin, name="fuzz")
    client, wrong, sent = Client(raise_request_exception=False), [], set()
    strategies = [op.as_strategy(generation_mode=mode) for op in read_operations()
                  for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]

    @settings(max_examples=EXAMPLES * len(strategies), derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data: Any) -> None:
        case = data.draw(st.sampled_from(strategies).flatmap(lambda s: s))
        sent.add(case.path)
        if problem := _check(case, _send(client, case, token)):
            wrong.append(problem)

    run()
    assert len(sent) >= len(read_operations()) * 0.9, f"only {len(sent)} read operations were exercised"
    assert not wrong, "\n".join(sorted(set(wrong))[:20])
