"""The OpenAPI document states every status code the API answers with, errors included."""

from typing import Any

ERROR_SCHEMA = {
    "type": "object",
    "description": '{"detail": "…"} for the whole request, or {"field": ["…"]} for refused values of named fields.',
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
COMMON = {
    "400": "The request was refused: a value could not be used (a message per field).",
    "401": "No valid credentials: log in again or send a valid token.",
    "403": "Logged in, but this role may not do this.",
    "406": "The Accept header asks for a format the API does not produce.",
    "429": "Too many requests; try again later.",
}
WITH_PATH = {"404": "There is no such object, or it is not visible to this user."}
WITH_BODY = {"415": "The request body's media type is not accepted."}


def _response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def document_error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the errors every operation may answer with."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = dict(COMMON)
            if "{" in path:
                codes.update(WITH_PATH)
            if "requestBody" in operation:
                codes.update(WITH_BODY)
            responses = operation.setdefault("responses", {})
            for code, description in codes.items():
                responses.setdefault(code, _response(description))
    return result
