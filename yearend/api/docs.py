"""The API reference page, rendered on the server from the live OpenAPI document.

Swagger UI is not accessible (contrast, nested controls, no page language), and every
page of the product must pass axe; this page lists the same routes as plain HTML.
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse

from yearend.api.v1 import api

METHODS = ("get", "post", "put", "patch", "delete")


def _schema_name(schema: dict) -> str:
    ref = schema.get("$ref") or (schema.get("items") or {}).get("$ref", "")
    name = ref.rsplit("/", 1)[-1] if ref else schema.get("type", "")
    return f"list of {name}" if schema.get("type") == "array" else name


def _operations(document: dict) -> list[dict]:
    operations = []
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {})
            body_schema = next(iter(body.values()), {}).get("schema", {}) if body else {}
            operations.append(
                {
                    "anchor": operation.get("operationId", f"{method}-{path}"),
                    "method": method.upper(),
                    "path": path,
                    "tag": (operation.get("tags") or ["other"])[0],
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": [
                        {
                            "name": p["name"],
                            "where": p.get("in", ""),
                            "required": p.get("required", False),
                            "type": _schema_name(p.get("schema", {})),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "body": _schema_name(body_schema) if body_schema else "",
                    "responses": sorted(operation.get("responses", {})),
                }
            )
    return operations


def api_docs(request):
    document = api.get_openapi_schema(path_prefix=reverse("api-v1:api-root"))
    operations = _operations(document)
    tags = sorted({operation["tag"] for operation in operations})
    return render(
        request,
        "api/docs.html",
        {
            "info": document.get("info", {}),
            "sections": [(tag, [o for o in operations if o["tag"] == tag]) for tag in tags],
            "openapi_url": reverse("api-v1:openapi-json"),
        },
    )
