"""Run under another openai SDK version: streams, non-streams and triggers errors; prints JSON."""

import json
import sys

import openai

url, secret, question = sys.argv[1:4]
client = openai.OpenAI(base_url=url, api_key=secret, max_retries=0)
streamed = "".join(
    chunk.choices[0].delta.content or ""
    for chunk in client.chat.completions.create(
        model="lawbot-pro", messages=[{"role": "user", "content": question}], stream=True
    )
    if chunk.choices
)
plain = client.chat.completions.create(
    model="lawbot-lite", messages=[{"role": "user", "content": question}]
)
errors = []
for call in (
    lambda: openai.OpenAI(
        base_url=url, api_key="lb-wrong-000000000000000000", max_retries=0
    ).models.list(),
    lambda: client.chat.completions.create(model="lawbot-pro", messages=[], max_tokens=1),
    lambda: client.models.retrieve("nope"),
):
    try:
        call()
    except openai.APIStatusError as exc:
        errors.append(type(exc).__name__)
print(
    json.dumps(
        {
            "version": openai.__version__,
            "streamed": streamed,
            "non_streamed_finish": plain.choices[0].finish_reason,
            "errors": errors,
        },
        ensure_ascii=False,
    )
)
