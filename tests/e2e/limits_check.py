"""Run under an openai SDK version: drives every key limit and status, prints what the SDK saw.

The SDK's retry pause is recorded instead of slept (its `time` module is swapped), so the test
learns whether and how long the SDK would wait without waiting."""

import json
import sys
import time
import types

import openai
import openai._base_client as base_client

url, secrets_json = sys.argv[1:3]
keys = json.loads(secrets_json)
slept: list[float] = []
base_client.time = types.SimpleNamespace(time=time.time, sleep=slept.append)
ASK = [{"role": "user", "content": "勞基法第38條"}]


def client(name: str, retries: int = 0) -> openai.OpenAI:
    return openai.OpenAI(base_url=url, api_key=keys[name], max_retries=retries)


def failure(call) -> dict:
    slept.clear()
    try:
        call()
    except openai.APIStatusError as exc:
        headers = exc.response.headers
        return {
            "exception": type(exc).__name__,
            "status": exc.status_code,
            "type": exc.type,
            "code": exc.code,
            "param": exc.param,
            "retry_after": headers.get("retry-after"),
            "should_retry": headers.get("x-should-retry"),
            "slept": list(slept),
        }
    return {"exception": None, "slept": list(slept)}


def ask(name: str, retries: int = 0, model: str = "lawbot-lite"):
    return client(name, retries).chat.completions.create(model=model, messages=ASK)


out: dict = {"version": openai.__version__}
out["allowed_model"] = ask("models").choices[0].finish_reason
out["model_not_allowed"] = failure(lambda: ask("models", model="lawbot-pro"))

ask("rpm")
out["rpm"] = failure(lambda: ask("rpm"))
if out["rpm"]["exception"] is None:  # the minute turned over between the two: again
    out["rpm"] = failure(lambda: ask("rpm"))
out["rpm_retried"] = failure(lambda: ask("rpm", retries=2))

out["tpd_first"] = ask("tpd").usage.total_tokens
out["tpd"] = failure(lambda: ask("tpd", retries=2))

holder = client("concurrent").chat.completions.create(
    model="lawbot-lite", messages=ASK, stream=True
)
next(iter(holder))
out["concurrent"] = failure(lambda: ask("concurrent", retries=2))
holder.close()  # the client goes away: the server must give the slot back
deadline, again = time.monotonic() + 15, None
while time.monotonic() < deadline:
    again = failure(lambda: ask("concurrent"))
    if again["exception"] is None:
        break
out["concurrent_after_close"] = again

out["revoked"] = failure(lambda: ask("revoked"))
out["expired"] = failure(lambda: ask("expired"))
print(json.dumps(out))
