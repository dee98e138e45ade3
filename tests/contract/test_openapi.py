"""The OpenAPI document's own promises, checked without sending a request.

`thads/api/openapi.py` adds the error answers, headers and examples; these tests
hold it to them: every example is valid against the schema it illustrates,
every error answer has the envelope, the conditional-request headers are where
the assignment endpoints use them. test_schemathesis.py then checks the running
API against the same document.
"""

import copy
from typing import Any

import jsonschema
import pytest
from drf_spectacular.generators import SchemaGenerator

from directives.files import ALLOWED_CONTENT_TYPES

METHODS = ("get", "put", "patch", "post", "delete")
ENVELOPES = {
    "Error",
    "ErrorConflict",
    "ErrorPreconditionFailed",
    "ErrorTooLarge",
    "ErrorUriTooLong",
    "ErrorThrottled",
}


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return SchemaGenerator().get_schema(request=None, public=True)


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def _as_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's `nullable` as JSON Schema's null type; the rest as it is."""
    if isinstance(node, list):
        return [_as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _as_json_schema(value) for key, value in node.items()}
    if converted.pop("nullable", False):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def _validator(document, schema: dict[str, Any]) -> jsonschema.Draft7Validator:
    root = {**_as_json_schema(schema), "components": _as_json_schema(document["components"])}
    return jsonschema.Draft7Validator(root)


def _examples(document):
    """(where, schema, value) for each example in a request body or a response."""
    for path, method, operation in _operations(document):
        contents = [("request", operation.get("requestBody", {}).get("content", {}))]
        contents += [
            (status, response.get("content", {}))
            for status, response in operation["responses"].items()
        ]
        for where, content in contents:
            for media_type, media in content.items():
                for name, example in media.get("examples", {}).items():
                    label = f"{method.upper()} {path} {where} {media_type} {name}"
                    yield label, media["schema"], example["value"]


def test_the_contract_calls_have_examples(document):
    labels = [label for label, _schema, _value in _examples(document)]
    for call in (
        "POST /api/v1/auth/token/ request",
        "POST /api/v1/auth/token/ 200",
        "GET /api/v1/assignments/ 200",
        "POST /api/v1/directives/{id}/assign/ request",
        "POST /api/v1/directives/{id}/assign/ 201",
        "POST /api/v1/assignments/{id}/progress/ request",
        "POST /api/v1/assignments/{id}/progress/ 201",
        "POST /api/v1/assignments/{id}/progress/ 412",
        "GET /api/v1/sync/ 200",
        "GET /api/v1/sync/ 410",
    ):
        assert any(label.startswith(call) for label in labels), call


def test_every_example_is_valid_against_its_schema(document):
    invalid = {}
    for label, schema, value in _examples(document):
        errors = sorted(_validator(document, schema).iter_errors(value), key=str)
        if errors:
            invalid[label] = [f"{error.message} at {list(error.absolute_path)}" for error in errors]
    assert invalid == {}


def test_every_operation_documents_its_errors_with_the_envelope(document):
    for path, method, operation in _operations(document):
        responses = operation["responses"]
        label = f"{method.upper()} {path}"
        assert "401" in responses, label
        assert "414" in responses, label  # the request limits answer before any view
        # The same rule as the hook (thads/api/openapi.py): an operation open to
        # anonymous callers (sign-in, the calendar feed's secret URL) has no 403.
        anonymous = {} in operation.get("security", [{}])
        if not path.startswith("/api/v1/auth/") and not anonymous:
            assert "403" in responses, label
        if "{" in path:
            assert "404" in responses, label
        for status, response in responses.items():
            if int(status) < 400:
                continue
            ref = response["content"]["application/json"]["schema"]["$ref"]
            assert ref.rsplit("/", 1)[-1] in ENVELOPES, (label, status)


def test_the_error_envelope_allows_the_keys_errors_add(document):
    schemas = document["components"]["schemas"]
    error = schemas["Error"]
    assert error["required"] == ["code", "message"]
    assert error["additionalProperties"] is True
    validator = _validator(document, {"$ref": "#/components/schemas/ErrorConflict"})
    validator.validate(
        {
            "code": "transition_not_allowed",
            "message": "…",
            "status": "done",
            "allowed_actions": [],
        }
    )
    with pytest.raises(jsonschema.ValidationError):
        _validator(document, {"$ref": "#/components/schemas/Error"}).validate({"code": "x"})


def test_conditional_requests_are_documented_on_assignments(document):
    paths = document["paths"]
    detail = paths["/api/v1/assignments/{id}/"]["get"]
    assert detail["responses"]["200"]["headers"]["ETag"]["required"] is True
    assert "ETag" in detail["responses"]["304"]["headers"]
    writes = [
        (path, method, operation)
        for path, method, operation in _operations(document)
        if any(p["name"] == "If-Match" for p in operation.get("parameters", []))
    ]
    assert len(writes) == 8  # PATCH and the seven workflow actions
    for path, method, operation in writes:
        responses = operation["responses"]
        assert {"409", "412", "428"} <= set(responses), (method, path)
        ok = responses.get("200")
        if ok is not None:  # the actions that answer with the assignment
            assert "ETag" in ok["headers"], (method, path)


def test_sign_in_documents_the_token_pair_and_throttling(document):
    token = document["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    pair = document["components"]["schemas"]["TokenPair"]
    assert token["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/TokenPair")
    assert {"access", "refresh"} <= set(pair["required"])
    assert "Retry-After" in token["429"]["headers"]
    assert "410" in document["paths"]["/api/v1/sync/"]["get"]["responses"]


def test_the_hook_keeps_what_views_and_other_hooks_declare(document):
    paths = document["paths"]
    # A view's own words (sync's 410, extract's 422) and the Idempotency-Key hook's 409/422.
    assert "resync" in paths["/api/v1/sync/"]["get"]["responses"]["410"]["description"]
    extract = paths["/api/v1/documents/{id}/extract/"]["post"]["responses"]
    assert "numbered items" in extract["422"]["description"]
    acknowledge = paths["/api/v1/assignments/{id}/acknowledge/"]["post"]["responses"]
    assert "transition_not_allowed" in acknowledge["409"]["description"]
    assert "idempotency_key_in_progress" in acknowledge["409"]["description"]
    assert "Retry-After" in acknowledge["409"]["headers"]
    assert "idempotency_key_reused" in acknowledge["422"]["description"]
    # The hook is idempotent: running it again changes nothing.
    from thads.api.openapi import postprocess_errors_headers_examples

    again = postprocess_errors_headers_examples(copy.deepcopy(document), None, None, True)
    assert again == document


# A path's id, as the routers match it (thads/api/ids.py).


def test_a_path_id_is_an_integer_of_at_most_18_digits(document):
    ids = [
        parameter
        for _path, _method, operation in _operations(document)
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "path"
    ]
    # The calendar feed's secret URL carries a token, not an id: 64 hex digits.
    tokens = [parameter for parameter in ids if parameter["name"] == "token"]
    assert [t["schema"].get("pattern") for t in tokens] == ["^[0-9a-f]{64}$"]
    ids = [parameter for parameter in ids if parameter["name"] != "token"]
    assert len(ids) >= 40  # the operations on detail routes
    assert {parameter["name"] for parameter in ids} == {"id"}
    for parameter in ids:
        assert parameter["schema"] == {"type": "integer", "minimum": 0, "maximum": 10**18 - 1}


# Where the schema once misdescribed an answer (found by test_schemathesis.py).

PLAIN_LIST_ACTIONS = [
    ("get", "/api/v1/assignments/{id}/history/", "200"),
    ("get", "/api/v1/assignments/{id}/reports/", "200"),
    ("post", "/api/v1/assignments/transfer/", "200"),
    ("post", "/api/v1/directives/{id}/assign/", "201"),
    ("post", "/api/v1/documents/{id}/extract/", "201"),
    ("get", "/api/v1/units/{id}/history/", "200"),
    ("post", "/api/v1/units/{id}/split/", "201"),
    ("get", "/api/v1/units/tree/", "200"),
]


@pytest.mark.parametrize(("method", "path", "status"), PLAIN_LIST_ACTIONS)
def test_actions_that_answer_a_plain_list_document_an_array_and_no_list_parameters(
    document, method, path, status
):
    operation = document["paths"][path][method]
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    assert schema["type"] == "array"
    # Neither the pagination's nor the viewset's filters: the action reads none of them.
    assert [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"] in (
        [],
        ["on"],  # units/tree/'s own date
    )


def test_an_undecided_extension_request_has_a_null_decider(document):
    decided_by = document["components"]["schemas"]["ExtensionRequest"]["properties"]["decided_by"]
    assert decided_by["nullable"] is True


def test_setting_a_reminder_policy_answers_200_not_201(document):
    responses = document["paths"]["/api/v1/reminder-policies/"]["post"]["responses"]
    assert "200" in responses
    assert "201" not in responses


def test_a_download_documents_each_type_an_upload_may_have(document):
    ok = document["paths"]["/api/v1/attachments/{id}/download/"]["get"]["responses"]["200"]
    assert set(ok["content"]) == ALLOWED_CONTENT_TYPES
    assert {media["schema"]["format"] for media in ok["content"].values()} == {"binary"}
