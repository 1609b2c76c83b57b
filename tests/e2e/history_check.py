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
