"""The OpenAPI paths of the REST resources, generated from their serializers (the same classes that
validate the requests and shape the answers), so the published schema is what the server does.

A small generator rather than drf-spectacular: the document is otherwise written by hand
(chat/api/openapi.py) with the API's own error object and conventions, and the fuzz run holds
every constraint to the letter (a minimum, a pattern, a required field); mapping the dozen field
kinds these serializers use is less to keep truthful than a second generator's defaults."""

import typing
from collections.abc import Callable

from rest_framework import serializers as f

from chat.api.rest import serializers as s

JSON = "application/json"
DATE_PATTERN = r"^(19|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
NO_NUL = "^[^\\x00]*$"
# Serializers published as named schemas (and rendered on /docs), by class.
COMPONENTS = {
    s.LawOut: "Law",
    s.LawDetailOut: "LawDetail",
    s.ArticleOut: "Article",
    s.ParagraphOut: "Paragraph",
    s.CitationOut: "ArticleCitation",
    s.HitOut: "SearchHit",
    s.CalculationOut: "Calculation",
    s.CalculationInput: "CalculationInput",
}
PYTHON_TYPES = {str: "string", int: "integer", bool: "boolean", float: "number"}


def nullable(schema: dict, field) -> dict:
    if not getattr(field, "allow_null", False):
        return schema
    if "type" in schema and isinstance(schema["type"], str):
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def described(schema: dict, field) -> dict:
    text = getattr(field, "help_text", None)
    return {**schema, "description": str(text)} if text else schema


def _method_schema(serializer: f.Serializer, name: str) -> dict:
    override = getattr(serializer, "method_schemas", {}).get(name)
    if override is not None:
        return field_schema(override, incoming=False)
    hint = typing.get_type_hints(getattr(serializer, f"get_{name}")).get("return")
    args = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    schema = {"type": PYTHON_TYPES[args[0]]}
    if type(None) in typing.get_args(hint):
        schema["type"] = [schema["type"], "null"]
    if name == "object":  # the resource's name: always the same word
        schema = {"type": "string"}
    return schema


def field_schema(field, *, incoming: bool, in_query: bool = False) -> dict:
    """The JSON Schema of one DRF field as the server treats it."""
    if isinstance(field, f.ListSerializer):
        return nullable({"type": "array", "items": serializer_ref(field.child, incoming)}, field)
    if isinstance(field, f.Serializer):
        return nullable(serializer_ref(field, incoming), field)
    if isinstance(field, f.ChoiceField):
        schema = {"type": "string", "enum": list(field.choices)}
    elif isinstance(field, f.BooleanField):
        schema = {"type": "boolean"}
    elif isinstance(field, f.IntegerField):
        schema = {"type": "integer"}
        if field.min_value is not None:
            schema["minimum"] = field.min_value
        if field.max_value is not None:
            schema["maximum"] = field.max_value
    elif isinstance(field, f.DecimalField):
        schema = {"type": "number"}
        if field.min_value is not None:
            schema["minimum"] = float(field.min_value)
        if field.max_value is not None:
            schema["maximum"] = float(field.max_value)
    elif isinstance(field, f.FloatField):
        schema = {"type": "number"}
    elif isinstance(field, f.DateField):
        schema = {"type": "string", "format": "date", "pattern": DATE_PATTERN}
    elif isinstance(field, f.ListField):
        schema = {"type": "array", "items": field_schema(field.child, incoming=incoming)}
        if field.max_length is not None:
            schema["maxItems"] = field.max_length
    elif isinstance(field, f.DictField):
        schema = {
            "type": "object",
            "additionalProperties": field_schema(field.child, incoming=False),
        }
    elif isinstance(field, f.CharField):
        schema = {"type": "string"}
        if incoming:
            if field.max_length is not None:
                schema["maxLength"] = field.max_length
            # Whitespace is trimmed before a required string is checked: then at least one
            # other character.
            schema["pattern"] = NO_NUL if field.allow_blank else r"^[^\x00]*[^\s\x00][^\x00]*$"
    else:  # pragma: no cover - a field kind the generator does not know yet
        raise TypeError(f"no schema for {type(field).__name__}")
    return described(nullable(schema, field), field)


def serializer_schema(serializer: f.Serializer, incoming: bool) -> dict:
    properties, required = {}, []
    for name, field in serializer.fields.items():
        if isinstance(field, f.SerializerMethodField):
            properties[name] = _method_schema(serializer, name)
        else:
            properties[name] = field_schema(field, incoming=incoming)
        if (field.required if incoming else True) and not (incoming and field.read_only):
            required.append(name)
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if incoming:
        schema["additionalProperties"] = False
    return schema


def serializer_ref(serializer: f.Serializer, incoming: bool) -> dict:
    name = COMPONENTS.get(type(serializer))
    if name:
        return {"$ref": f"#/components/schemas/{name}"}
    return serializer_schema(serializer, incoming)


def components() -> dict:
    found = {
        name: serializer_schema(cls(), incoming=cls is s.CalculationInput)
        for cls, name in COMPONENTS.items()
    }
    # CalculationInput.validate: a kind, or a question to read the numbers from.
    found["CalculationInput"]["anyOf"] = [{"required": ["kind"]}, {"required": ["question"]}]
    return found


def query_parameters(serializer_class) -> list[dict]:
    params = []
    for name, field in serializer_class().fields.items():
        schema = field_schema(field, incoming=True, in_query=True)
        schema.pop("description", None)
        params.append(
            {
                "name": name,
                "in": "query",
                "required": bool(field.required),
                "schema": schema,
                "description": str(field.help_text or ""),
            }
        )
    return params


def path_parameter(name: str, description: str, example: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9-]{1,32}$"},
        "example": example,
    }


def page_of(item: dict) -> dict:
    return {
        "type": "object",
        "required": ["object", "data", "has_more", "next_cursor"],
        "properties": {
            "object": {"const": "list"},
            "data": {"type": "array", "items": item},
            "has_more": {"type": "boolean"},
            "next_cursor": {
                "type": ["string", "null"],
                "description": "Pass as `cursor` for the next page; null on the last.",
            },
        },
    }


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def rest_paths(errors: Callable[..., dict]) -> dict:
    """errors(*statuses): the error responses, as the rest of the document writes them."""
    authenticated = ("401", "429", "500", "503")
    pcode = path_parameter("pcode", "The law's code.", "N0030001")
    number = path_parameter("number", "The article's number: 17, or 10-1 for 第十條之一.", "17")

    def get(operation_id: str, summary: str, answer: dict, *, params=(), statuses=()) -> dict:
        return {
            "get": {
                "operationId": operation_id,
                "summary": summary,
                "tags": ["law"],
                "parameters": list(params),
                "responses": {
                    "200": {"description": "OK.", "content": {JSON: {"schema": answer}}},
                    **errors(*statuses, *authenticated),
                },
            }
        }

    return {
        "/laws": get(
            "listLaws",
            "Laws by name, abbreviation (勞基法), English name or code; level and in force",
            page_of(ref("Law")),
            params=query_parameters(s.LawQuery),
            statuses=("400", "404"),
        ),
        "/laws/{pcode}": get(
            "retrieveLaw",
            "One law: names, level, category, dates, in force or abolished, chapters, URL",
            ref("LawDetail"),
            params=[pcode],
            statuses=("404",),
        ),
        "/laws/{pcode}/articles": get(
            "listArticles",
            "A law's articles in order, with paragraphs (項) and subparagraphs (款)",
            page_of(ref("Article")),
            params=[pcode, *query_parameters(s.PageQuery)],
            statuses=("400", "404"),
        ),
        "/laws/{pcode}/articles/{number}": get(
            "retrieveArticle",
            "One article, marked deleted when it reads （刪除）",
            ref("Article"),
            params=[pcode, number],
            statuses=("404",),
        ),
        "/articles/resolve": get(
            "resolveCitation",
            "The article (and 項/款) a citation names: 勞基法第38條第1項",
            ref("ArticleCitation"),
            params=query_parameters(s.ResolveQuery),
            statuses=("400", "404"),
        ),
        "/search": get(
            "searchLaw",
            "The retrieval the answers use: articles for a question, with the matching paragraph",
            {
                "type": "object",
                "required": ["object", "data", "missing"],
                "properties": {
                    "object": {"const": "list"},
                    "data": {"type": "array", "items": ref("SearchHit")},
                    "missing": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "Articles the query cites that the law does not have.",
                    },
                },
            },
            params=query_parameters(s.SearchQuery),
            statuses=("400",),
        ),
        "/calculations": {
            "post": {
                "operationId": "createCalculation",
                "summary": "Labour-law calculators: severance, notice, annual leave, overtime, "
                "average wage; from numbers or from a question in words",
                "tags": ["law"],
                "requestBody": {
                    "required": True,
                    "content": {
                        JSON: {
                            "schema": {
                                **ref("CalculationInput"),
                            },
                            "examples": {
                                "severance": {
                                    "value": {
                                        "kind": "severance",
                                        "monthly_wage": 45000,
                                        "hired": "2015-03-01",
                                        "left": "2024-02-29",
                                    }
                                },
                                "question": {
                                    "value": {"question": "月薪4萬5，年資3年6個月，資遣費多少？"}
                                },
                            },
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "The calculations (one for `kind`; those the question "
                        "asks for).",
                        "content": {
                            JSON: {
                                "schema": {
                                    "type": "object",
                                    "required": ["object", "data"],
                                    "properties": {
                                        "object": {"const": "list"},
                                        "data": {"type": "array", "items": ref("Calculation")},
                                    },
                                }
                            }
                        },
                    },
                    **errors("400", "413", *authenticated),
                },
            }
        },
    }
