"""A request contract written once, as a pydantic model, and read two ways: `validated` checks a
body against it and turns pydantic's errors into OpenAI's (contract_errors.py), and `schemas`
exports it into the OpenAPI document. A new request type is a new model plus one call of each
(chat_request.py is the example).

Models are strict (`5` is not `"5"`, `1` is not `true`), forbid unknown fields, and state their
bounds as `Field(ge=…, le=…, max_length=…)` so that the schema shows exactly what is checked.
"""

import functools
import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, Field, ValidationError, WrapValidator
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import PydanticCustomError, PydanticKnownError

from chat.api.contract_errors import api_error_of, shown
from chat.api.errors import invalid

REF = "#/components/schemas/{model}"


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


# -- Validation ----------------------------------------------------------------------------------


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
        raise api_error_of(exc, schemas(model, model.__name__), model.__name__) from None


@functools.cache
def _fields(model: type[BaseModel]) -> frozenset[str]:
    return frozenset(model.model_fields)
