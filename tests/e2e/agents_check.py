"""Run under the OpenAI Agents SDK (its own venv): one agent turn with its Responses model and one
with its Chat Completions model, both pointed at Lawbot; prints JSON of the answers."""

import asyncio
import json
import sys

from agents import (
    Agent,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    RunConfig,
    Runner,
    set_tracing_disabled,
)
from openai import AsyncOpenAI

url, secret, question = sys.argv[1:4]
set_tracing_disabled(True)  # nothing may be sent to OpenAI's trace endpoint


async def main() -> dict:
    client = AsyncOpenAI(base_url=url + "/v1", api_key=secret, max_retries=0)
    seen = {}
    for name, model in [
        ("responses", OpenAIResponsesModel(model="lawbot-lite", openai_client=client)),
        ("chat_completions", OpenAIChatCompletionsModel(model="lawbot-lite", openai_client=client)),
    ]:
        agent = Agent(name="Lawbot", instructions="Answer from Taiwan's laws.", model=model)
        result = await Runner.run(agent, question, run_config=RunConfig(tracing_disabled=True))
        seen[name] = result.final_output
    streamed = Runner.run_streamed(
        Agent(
            name="Lawbot",
            instructions="Answer from Taiwan's laws.",
            model=OpenAIResponsesModel(model="lawbot-lite", openai_client=client),
        ),
        question,
        run_config=RunConfig(tracing_disabled=True),
    )
    async for _ in streamed.stream_events():
        pass
    seen["responses_streamed"] = streamed.final_output
    return seen


print(json.dumps(asyncio.run(main()), ensure_ascii=False))
