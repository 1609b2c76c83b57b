"""A request contract written once, as a pydantic model, and read two ways: `validated` checks a
body against it and turns pydantic's errors into OpenAI's, and `schemas` exports it into the
OpenAPI document. A new request type is a new model plus one call of each (see chat_request.py).

Models are strict (`5` is not `"5"`, `1` is not `true`), forbid unknown fields, and state their
bounds as `Field(ge=…, le=…, max_length=…)` so that the schema shows exactly what is checked.
"""

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, Field, ValidationError, WrapValidator
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import PydanticCustomError, PydanticKnownError

from chat.api.errors import ApiError, invalid

REF = "#/components/schemas/{model}"
NULL = {"type": "null"}
# The error types a model's own validators raise: the code of the OpenAI error, with its message.
CODES = ("invalid_value", "unsupported_parameter")
FEW = 64  # errors converted one by one; past that, pydantic serialises them (a hostile body)


def shown(text: str) -> str:
    """Text from the request as errors echo it: a 1 MiB key must not come back as a 1 MiB error."""
    return text if len(text) <= 100 else text[:100] + "…"


# -- Reading a body ------------------------------------------------------------------------------


def _not_json(constant: str):
    raise ValueError(f"{constant} is not a JSON value")


def _json(raw: bytes) -> Any:
    """Strict JSON: UTF-8 only, no NaN/Infinity, no lone surrogates (they cannot be stored,
    logged or sent back as UTF-8)."""
    try:
        text = raw.decode("utf-8")
        body = json.loads(text, parse_constant=_not_json)
        # Re-encoding finds a lone surrogate from a "\ud800" escape anywhere in the body. Valid
        # UTF-8 cannot hold a surrogate, so a body without such an escape needs no re-encoding.
        if "\\ud" in text or "\\uD" in text:
            json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeDecodeError as exc:
        raise invalid(
            f"The body of your request is not valid UTF-8 (byte {exc.start}).", code="invalid_json"
        ) from None
    except UnicodeEncodeError:
        raise invalid(
            "The body of your request holds a lone surrogate escape (\\ud800–\\udfff), "
            "which is not valid Unicode.",
            code="invalid_json",
        ) from None
    except RecursionError:
        raise invalid(
            "The body of your request is nested too deeply.", code="invalid_json"
        ) from None
    except ValueError as exc:  # JSONDecodeError, NaN/Infinity, integers of over 4300 digits
        raise invalid(
            f"The body of your request is not valid JSON: {exc}.", code="invalid_json"
        ) from None
    return body


def json_object(raw: bytes, content_type: str) -> dict:
    """The body of a JSON request, read strictly; anything else is a 400 `invalid_json` or
    `invalid_content_type`."""
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise invalid(
            "Content-Type must be application/json.", param=None, code="invalid_content_type"
        )
    body = _json(raw)
    if not isinstance(body, dict):
        raise invalid("The body of your request must be a JSON object.", code="invalid_json")
    return body


# -- Types and validators for models --------------------------------------------------------------


def _json_integer(value: Any) -> Any:
    # JSON Schema counts 5.0 as an integer (and so does the published schema); true is not one.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool):
        raise PydanticKnownError("int_type")
    return value


def _json_boolean(value: Any) -> Any:
    if not isinstance(value, bool):
        raise PydanticKnownError("bool_type")
    return value


# Before a Literal of a number or a boolean, which would take 1.0 for 1 but also true for 1 and 0
# for false: `Annotated[Literal[1], integral]`, `Annotated[Literal[False], boolean]`.
integral = BeforeValidator(_json_integer)
boolean = BeforeValidator(_json_boolean)


def json_int(**bounds: int) -> Any:
    """A JSON integer, with its bounds (`ge=1`). Bounds go inside the conversion: after it,
    pydantic would still check them but publish them as "ge" rather than "minimum"."""
    return Annotated[int, Field(**bounds), integral]


def unsupported(
    what: str | Callable[[Any], str],
    *,
    values: tuple | None = None,
    when: Callable[[Any], bool] | None = None,
) -> BeforeValidator | WrapValidator:
    """A field whose other values OpenAI accepts but Lawbot does not: refusing one is a 400
    `unsupported_parameter` ("<what> is not supported by Lawbot.") rather than `invalid_value`.
    `what` may be a function of the value. Either `values` names OpenAI's values that are
    refused (checked before the field's type: cheap enough for every message), or it is any value
    the field's type refuses, narrowed by `when` (the rest stay invalid). The schema publishes the
    field's type, which is what is accepted."""

    def refused(value: Any) -> PydanticCustomError:
        name = what(value) if callable(what) else what
        return PydanticCustomError(
            "unsupported_parameter", "{name} is not supported by Lawbot.", {"name": name}
        )

    if values is not None:

        def check_first(value: Any) -> Any:
            if value in values:
                raise refused(value)
            return value

        return BeforeValidator(check_first)

    def check(value: Any, handler):
        try:
            return handler(value)
        except ValidationError:
            if when is not None and not when(value):
                raise
            raise refused(value) from None

    return WrapValidator(check)


def refuse(message: str) -> PydanticCustomError:
    """For a model's own validators: an `invalid_value` error with this message as it stands."""
    return PydanticCustomError("invalid_value", message)


# -- The schema ----------------------------------------------------------------------------------


class _Generator(GenerateJsonSchema):
    """Pydantic's JSON schema without the titles it makes up from names ("Max Tokens")."""

    def field_title_should_be_set(self, schema) -> bool:
        return False

    def model_schema(self, schema):
        generated = super().model_schema(schema)
        generated.pop("title", None)
        return generated

    def typed_dict_schema(self, schema):
        generated = super().typed_dict_schema(schema)
        generated.pop("title", None)
        return generated


@functools.cache
def schemas(model: type[BaseModel], name: str) -> dict[str, dict]:
    """The model's JSON schema as OpenAPI components: `name` and every model it uses (pydantic's
    `$defs`), with references into `#/components/schemas/`."""
    schema = model.model_json_schema(ref_template=REF, schema_generator=_Generator)
    return {name: schema, **schema.pop("$defs", {})}


def components(*groups: dict[str, dict]) -> dict[str, dict]:
    """Components from several models and hand-written schemas; one name, one schema."""
    merged: dict[str, dict] = {}
    for group in groups:
        for name, schema in group.items():
            if merged.setdefault(name, schema) != schema:
                raise ValueError(f"two different schemas are called {name}")
    return merged


# -- Validation, and pydantic's errors as OpenAI's ------------------------------------------------


Model = TypeVar("Model", bound=BaseModel)


def validated(model: type[Model], body: dict) -> Model:
    """The body as the model; a body it refuses raises the ApiError of OpenAI's format."""
    if body.keys() - _fields(model):  # before pydantic, which would list 100,000 unknown keys
        key = next(key for key in body if key not in _fields(model))
        raise invalid(
            f"Unrecognized request argument supplied: {shown(key)}",
            param=shown(key),
            code="unknown_parameter",
        )
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise api_error_of(exc, model) from None


@functools.cache
def _fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(model.model_fields)


@dataclass
class _Where:
    """Where an error is in the request: OpenAI's `param` path and the schema it breaks."""

    error: dict
    param: str
    schema: dict
    depth: int  # the fields and indices of the path
    unions: list[tuple[int, "_Where"]]  # each union passed: its loc length, and where it is


def api_error_of(exc: ValidationError, model: type[BaseModel]) -> ApiError:
    """The error to report of those pydantic found: the first, except that of a union's
    branches the one that went furthest into the value is what the caller meant (the part of a
    `content` array, not "expected a string"), and if none went in, the union itself."""
    if exc.error_count() <= FEW:
        errors = exc.errors(include_url=False, include_input=False)
    else:
        errors = _first_errors(exc)
    root = schemas(model, model.__name__)
    places = [_where(error, root[model.__name__], root) for error in errors]
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
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        words += f" from {low:g} to {high:g}"
    elif low is not None:
        words += f" of at least {low:g}"
    elif high is not None:
        words += f" of at most {high:g}"
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
