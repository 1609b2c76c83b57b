"""`metadata` as OpenAI takes it: at most 16 pairs of strings, keys of at most 64 characters,
values of at most 512; and its JSON schema."""

from typing import Any

from chat.api.errors import invalid
from chat.history import storable

MAX_PAIRS, MAX_KEY, MAX_VALUE = 16, 64, 512
SCHEMA = {
    "type": "object",
    "maxProperties": MAX_PAIRS,
    "propertyNames": {"maxLength": MAX_KEY},
    "additionalProperties": {"type": "string", "maxLength": MAX_VALUE},
    "description": f"At most {MAX_PAIRS} pairs; keys of at most {MAX_KEY} characters, values "
    f"of at most {MAX_VALUE}.",
}


def metadata_check(value: Any, param: str = "metadata") -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise invalid(f"Invalid type for '{param}': expected an object of strings.", param=param)
    if len(value) > MAX_PAIRS:
        raise invalid(f"'{param}' may hold at most {MAX_PAIRS} pairs.", param=param)
    if any(len(k) > MAX_KEY for k in value) or any(len(v) > MAX_VALUE for v in value.values()):
        raise invalid(
            f"'{param}' keys may be at most {MAX_KEY} characters, values at most {MAX_VALUE}.",
            param=param,
        )
    # PostgreSQL's JSON cannot hold NUL (nor a lone surrogate): stored as U+FFFD, as the request
    # log stores them, rather than failing the request.
    return storable(value)
