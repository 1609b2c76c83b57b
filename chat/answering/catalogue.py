"""The models Lawbot serves and which engine answers each. It sits with the engines (not above
them) because the pipeline needs it as much as the API's model list and the page's picker do."""

from chat.answering.engines.upstream import upstream_configured, upstream_owner

MODELS = {
    "lawbot-pro": "Retrieval over Taiwan's laws + the configured LLM (the built-in composer without one)",
    "lawbot-lite": "Retrieval over Taiwan's laws + the built-in composer: deterministic, quotes articles",
}
DEFAULT_MODEL = "lawbot-pro"
UPSTREAM_MODELS = {"lawbot-pro"}


def model_exists(model: str) -> bool:
    return model in MODELS


def upstream_serves(model: str) -> bool:
    return model in UPSTREAM_MODELS and upstream_configured()


def engine_owner(model: str) -> str:
    """`owned_by` in GET /models: who generates the model's answers."""
    return upstream_owner() if upstream_serves(model) else "lawbot"
