"""Run under a given openai SDK: stored completions and the Responses API; prints JSON of what
it saw (tests/e2e/test_history_sdk.py checks it)."""

import json
import sys

import openai

url, secret, question = sys.argv[1:4]
client = openai.OpenAI(base_url=url + "/v1", api_key=secret, max_retries=0)
seen: dict = {"version": openai.__version__}

made = client.chat.completions.create(
    model="lawbot-lite", messages=[{"role": "user", "content": question}], store=True
)
seen["stored_listed"] = made.id in [c.id for c in client.chat.completions.list(limit=100)]
tagged = [
    client.chat.completions.create(
        model="lawbot-lite",
        messages=[{"role": "user", "content": question}],
        store=True,
        metadata={"batch": "paged"},
    ).id
    for _ in range(3)
]
# The SDK's auto-pagination follows `after` page by page (limit=1: three pages).
seen["paged_by_metadata"] = [
    c.id for c in client.chat.completions.list(limit=1, metadata={"batch": "paged"})
] == tagged
seen["paged_desc"] = [
    c.id for c in client.chat.completions.list(limit=2, order="desc", metadata={"batch": "paged"})
] == tagged[::-1]
seen["filtered_by_model"] = not list(client.chat.completions.list(model="lawbot-pro", limit=5))
for completion_id in tagged:
    client.chat.completions.delete(completion_id)
retrieved = client.chat.completions.retrieve(made.id)
seen["retrieved_citations"] = bool((retrieved.model_extra or {}).get("citations"))
updated = client.chat.completions.update(made.id, metadata={"topic": "severance"})
seen["updated_metadata"] = updated.metadata
seen["messages_roles"] = [m.role for m in client.chat.completions.messages.list(made.id)]
seen["deleted"] = client.chat.completions.delete(made.id).deleted
try:
    client.chat.completions.retrieve(made.id)
except openai.NotFoundError as exc:
    seen["gone"] = type(exc).__name__

response = client.responses.create(model="lawbot-lite", input=question)
seen["response_id"] = response.id
seen["response_text"] = response.output_text
seen["usage"] = {
    "input_tokens": response.usage.input_tokens,
    "output_tokens": response.usage.output_tokens,
}
text_part = response.output[0].content[0]
seen["annotations_ok"] = all(
    a.type == "url_citation" and response.output_text[a.start_index : a.end_index].startswith("[")
    for a in text_part.annotations
)

deltas, final = [], None
for event in client.responses.create(
    model="lawbot-lite", input="第 17 條呢？", previous_response_id=response.id, stream=True
):
    if event.type == "response.output_text.delta":
        deltas.append(event.delta)
    elif event.type == "response.completed":
        final = event.response
seen["streamed_deltas"] = deltas
seen["streamed_text"] = "".join(deltas)
seen["streamed_final"] = final.output_text
seen["followup_previous"] = final.previous_response_id

seen["retrieved_text"] = client.responses.retrieve(response.id).output_text
seen["input_items"] = [
    item.content[0].text for item in client.responses.input_items.list(response.id)
]

tooled = client.responses.create(
    model="lawbot-lite",
    instructions="Be brief.",
    input=[
        {"role": "developer", "content": "Cite articles."},
        {"role": "user", "content": question},
        *[item.model_dump(exclude_none=True) for item in response.output],
        {"type": "function_call", "call_id": "call_1", "name": "lookup", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_1", "output": "第 17 條"},
        {"role": "user", "content": [{"type": "input_text", "text": "第 17 條呢？"}]},
    ],
)
listed = list(client.responses.input_items.list(tooled.id, order="asc", limit=2))
seen["item_types"] = [type(item).__name__ for item in listed]
seen["item_ids"] = [item.id.split("_")[0] for item in listed]
seen["item_echo"] = {
    "assistant_annotations": len(listed[2].content[0].annotations)
    == len(response.output[0].content[0].annotations),
    "call": [listed[3].call_id, listed[3].name, listed[3].arguments],
    "output": [listed[4].call_id, listed[4].output],
}
client.responses.delete(tooled.id)

types = []
with client.responses.stream(model="lawbot-lite", input=question) as stream:
    for event in stream:
        types.append(event.type)
    helper_final = stream.get_final_response()
seen["helper_text"] = helper_final.output_text
seen["helper_event_types"] = types

client.responses.delete(response.id)
try:
    client.responses.retrieve(response.id)
except openai.NotFoundError as exc:
    seen["response_gone"] = type(exc).__name__
print(json.dumps(seen, ensure_ascii=False))
