"""Pydantic's validation errors as OpenAI's: one error, its `param` path (`messages[0].role`),
and a message that says what the schema asks for, read from the schema itself."""

import json
from dataclasses import dataclass

from pydantic import ValidationError

from chat.api.errors import ApiError, invalid

NULL = {"type": "null"}
# The error types a model's own validators raise: the code of the OpenAI error, with its message.
CODES = ("invalid_value", "unsupported_parameter")
FEW = 64  # errors converted one by one; past that, pydantic serialises them (a hostile body)


def shown(text: str) -> str:
    """Text from the request as errors echo it: a 1 MiB key must not come back as a 1 MiB error."""
    return text if len(text) <= 100 else text[:100] + "…"


@dataclass
class _Where:
    """Where an error is in the request: OpenAI's `param` path and the schema it breaks."""

    error: dict
    param: str
    schema: dict
    depth: int  # the fields and indices of the path
    unions: list[tuple[int, "_Where"]]  # each union passed: its loc length, and where it is


def api_error_of(exc: ValidationError, root: dict[str, dict], name: str) -> ApiError:
    """The error to report of those pydantic found: the first, except that of a union's
    branches the one that went furthest into the value is what the caller meant (the part of a
    `content` array, not "expected a string"), and if none went in, the union itself. `root`
    holds the model's schema as `name` and the schemas it refers to (`contract.schemas`)."""
    if exc.error_count() <= FEW:
        errors = exc.errors(include_url=False, include_input=False)
    else:
        errors = _first_errors(exc)
    places = [_where(error, root[name], root) for error in errors]
    return _message(_choose(places), root)


def _first_errors(exc: ValidationError) -> list[dict]:
    text = exc.json(include_url=False, include_input=False)
    decoder, errors, at = json.JSONDecoder(), [], 0
    while len(errors) < FEW:
        error, at = decoder.raw_decode(text, text.index("{", at))
        errors.append({**error, "loc": tuple(error["loc"])})
    return errors


def _resolve(schema: dict, root: dict) -> dict:
    while "$ref" in schema:
        schema = root[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _branches(schema: dict, root: dict) -> list[dict]:
    return [_resolve(s, root) for s in schema.get("anyOf", schema.get("oneOf", [])) if s != NULL]


def _where(error: dict, schema: dict, root: dict) -> _Where:
    loc = error["loc"]
    steps = loc[:-1] if error["type"] == "extra_forbidden" else loc
    param, depth, unions = "", 0, []
    for i, item in enumerate(steps):
        schema = _resolve(schema, root)
        branches = _branches(schema, root)
        if len(branches) == 1:  # `X | None`: pydantic does not count it as a union
            schema = branches[0]
        elif branches:
            fits = [
                b
                for b in branches
                if (isinstance(item, int) and "items" in b) or item in b.get("properties", {})
            ]
            if not fits:  # pydantic's label of a branch ('str', 'list[TextPart]')
                unions.append((i, _Where(error, param, schema, depth, [])))
                continue
            schema = fits[0]
        if isinstance(item, int) and "items" in schema:
            param, schema = f"{param}[{item}]", schema["items"]
        elif isinstance(item, str) and item in schema.get("properties", {}):
            param, schema = f"{param}.{item}" if param else item, schema["properties"][item]
        else:
            break  # a key of a free-form object (metadata): the field is the param
        depth += 1
    if steps is not loc:
        param = f"{param}.{shown(str(loc[-1]))}" if param else shown(str(loc[-1]))
    return _Where(error, param, _resolve(schema, root), depth, unions)


def _choose(places: list[_Where]) -> _Where:
    first = places[0]
    if not first.unions:
        return first
    at, union = first.unions[0]
    prefix = first.error["loc"][:at]
    branch = [p for p in places if p.error["loc"][:at] == prefix and p.unions]
    inner = [p for p in branch if p.depth > union.depth]
    if not inner:  # the value is none of the branches' kinds, or of one but out of its bounds
        kinds = {p.error["type"] for p in branch}
        kind = "union_type" if all(k.endswith("_type") for k in kinds) else "union_value"
        return _Where({"type": kind}, union.param, union.schema, union.depth, [])
    deepest = max(inner, key=lambda p: p.depth)
    label = deepest.error["loc"][at]
    return _choose(
        [
            _Where(p.error, p.param, p.schema, p.depth, p.unions[1:])
            for p in inner
            if p.error["loc"][at] == label
        ]
    )


def _message(place: _Where, root: dict) -> ApiError:
    kind, param = place.error["type"], place.param or None
    if kind in CODES:
        return invalid(place.error["msg"], param=param, code=kind)
    if kind == "missing":
        return invalid(
            f"Missing required parameter: '{param}'.",
            param=param,
            code="missing_required_parameter",
        )
    if kind == "extra_forbidden":
        return invalid(f"Unrecognized argument '{param}'.", param=param, code="unknown_parameter")
    what = "type" if kind.endswith("_type") else "value"
    return invalid(
        f"Invalid {what} for '{param}': expected {expected(place.schema, root)}.",
        param=param,
    )


NOUNS = {
    "string": ("a string", "strings"),
    "integer": ("an integer", "integers"),
    "number": ("a number", "numbers"),
    "boolean": ("a boolean", "booleans"),
    "object": ("an object", "objects"),
    "array": ("an array", "arrays"),
    "null": ("null", "nulls"),
}


def _bound(value: float | None) -> str | None:
    """1000000 as 1000000, not 1e+06; 0.5 as 0.5."""
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _and(words: list[str]) -> str:
    return " and ".join([", ".join(words[:-1]), words[-1]] if len(words) > 2 else words)


def _count(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"{low}" if low == high else f"{low} to {high}"
    return f"at least {low}" if low is not None else f"at most {high}"


def expected(schema: dict, root: dict, plural: bool = False) -> str:
    """What a JSON schema asks for, in words: "a number from 0 to 2", "a string or an array of
    at most 4 strings". Error messages say it, so they cannot disagree with the schema."""
    schema = _resolve(schema, root)
    if branches := _branches(schema, root):
        return " or ".join(expected(b, root, plural) for b in branches)
    if "enum" in schema:
        return "one of " + ", ".join(
            v if isinstance(v, str) else json.dumps(v) for v in schema["enum"]
        )
    if "const" in schema:
        return (
            repr(schema["const"])
            if isinstance(schema["const"], str)
            else json.dumps(schema["const"])
        )
    kind = schema.get("type")
    words = NOUNS.get(kind, ("a value", "values"))[plural]
    low, high = _bound(schema.get("minimum")), _bound(schema.get("maximum"))
    if low is not None and high is not None:
        words += f" from {low} to {high}"
    elif low is not None:
        words += f" of at least {low}"
    elif high is not None:
        words += f" of at most {high}"
    if kind == "string" and schema.get("minLength") == 1:
        words = "non-empty strings" if plural else "a non-empty string"
    if kind == "array":
        items = expected(schema["items"], root, plural=True) if schema.get("items") else "items"
        low, high = schema.get("minItems"), schema.get("maxItems")
        if high == 0:
            words = "empty arrays" if plural else "an empty array"
        elif low == 1 and high is None:
            words = f"{'non-empty arrays' if plural else 'a non-empty array'} of {items}"
        elif low is not None or high is not None:
            words += f" of {_count(low, high)} {items}"
        elif items != "items":
            words += f" of {items}"
    if kind == "object":
        if isinstance(schema.get("additionalProperties"), dict):
            words += f" of {expected(schema['additionalProperties'], root, plural=True)}"
        elif schema.get("required"):
            words += " with " + _and([f"'{name}'" for name in schema["required"]])
    return words
