"""The OpenAPI schema as plain rows for the server-rendered /docs page (no script, no CDN)."""

import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass
class Field:
    name: str
    type: str
    required: bool
    description: str


@dataclass
class Response:
    status: str
    description: str
    media_types: list[str]


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    auth: bool
    parameters: list[Field]
    body: list[Field]
    responses: list[Response]


def markup(text: str) -> SafeString:
    """The schema's descriptions use Markdown's `code` spans; everything else stays escaped."""
    return mark_safe(re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text)))


def _resolve(schema: dict, root: dict) -> dict:
    while "$ref" in schema:
        schema = root["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _number(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def _bounds(schema: dict) -> str:
    parts = []
    if "minimum" in schema and "maximum" in schema:
        parts.append(f"{_number(schema['minimum'])}–{_number(schema['maximum'])}")
    elif "minimum" in schema:
        parts.append(f"≥ {_number(schema['minimum'])}")
    if "minItems" in schema:
        parts.append(f"≥ {schema['minItems']} items")
    if "maxItems" in schema:
        parts.append(f"≤ {schema['maxItems']} items")
    return f" ({', '.join(parts)})" if parts else ""


def type_label(schema: dict, root: dict) -> str:
    """A short human reading of a JSON schema: `integer (≥ 1) | null`, `array of Message`."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[1]
    for combinator in ("anyOf", "oneOf"):
        if combinator in schema:
            return " | ".join(type_label(s, root) for s in schema[combinator])
    if "enum" in schema or "const" in schema:
        return " | ".join(
            "null" if v is None else repr(v).lower() if isinstance(v, bool) else repr(v)
            for v in schema.get("enum", [schema.get("const")])
        )
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        kind = " | ".join(kind)
    if kind == "array" and "items" in schema:
        kind = f"array of {type_label(schema['items'], root)}"
    if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
        kind = f"object of {type_label(schema['additionalProperties'], root)}"
    return kind + _bounds(schema)


def _description(schema: dict) -> SafeString:
    if "description" in schema:
        return markup(schema["description"])
    for combinator in ("anyOf", "oneOf"):
        for sub in schema.get(combinator, []):
            if "description" in sub:
                return markup(sub["description"])
    return markup("")


def _fields(schema: dict, root: dict) -> list[Field]:
    schema = _resolve(schema, root)
    required = set(schema.get("required", []))
    return [
        Field(name, type_label(sub, root), name in required, _description(sub))
        for name, sub in schema.get("properties", {}).items()
    ]


def operations(root: dict) -> list[Operation]:
    result = []
    for path, methods in root["paths"].items():
        for method, op in methods.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json")
            result.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    summary=op.get("summary", ""),
                    auth=op.get("security", root.get("security")) != [],
                    parameters=[
                        Field(
                            p["name"],
                            type_label(p["schema"], root),
                            p.get("required", False),
                            p["in"],
                        )
                        for p in op.get("parameters", [])
                    ],
                    body=_fields(body["schema"], root) if body else [],
                    responses=[
                        Response(status, markup(r["description"]), list(r.get("content", {})))
                        for status, r in op["responses"].items()
                    ],
                )
            )
    return result


def schemas(root: dict, names: list[str]) -> dict[str, list[Field]]:
    return {name: _fields(root["components"]["schemas"][name], root) for name in names}
