"""lawbot-pro passing the caller's function tools and response formats to its upstream LLM (the
stand-in), and relaying the upstream's tool_calls back through the real SDK: Chat Completions
(plain and streamed) and the Responses API."""

import json

import openai
import pytest

from tests.standin_llm import StandInLLM

pytestmark = pytest.mark.e2e
SEED = "勞基法第38條，特休幾天？"
CALL = {"id": "call_1", "name": "lookup_leave", "arguments": json.dumps({"years": 3})}
TOOL = {
    "type": "function",
    "function": {
        "name": "lookup_leave",
        "description": "Days of leave for years of service",
        "parameters": {"type": "object", "properties": {"years": {"type": "integer"}}},
    },
}


@pytest.fixture(scope="module")
def standin():
    with StandInLLM() as server:
        yield server


@pytest.fixture(scope="module")
def client(lawbot_server_factory, standin) -> openai.OpenAI:
    server = lawbot_server_factory(
        LAWBOT_LLM_BASE_URL=standin.url, LAWBOT_LLM_MODEL="standin-7b", LAWBOT_LLM_TIMEOUT="5"
    )
    return openai.OpenAI(base_url=server.url + "/v1", api_key=server.secret, max_retries=0)


def test_chat_completions_relay_tools_and_tool_calls(client, standin):
    standin.reset(deltas=[], tool_calls=[CALL])
    completion = client.chat.completions.create(
        model="lawbot-pro",
        messages=[{"role": "user", "content": SEED}],
        tools=[TOOL],
        tool_choice="auto",
        store=True,
    )
    sent = standin.last.body
    assert sent["tools"] == [TOOL] and sent["tool_choice"] == "auto"
    assert "勞動基準法" in sent["messages"][0]["content"]  # the law is in its context
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    call = choice.message.tool_calls[0]
    assert (call.id, call.function.name, json.loads(call.function.arguments)) == (
        "call_1",
        "lookup_leave",
        {"years": 3},
    )
    stored = client.chat.completions.retrieve(completion.id)
    assert stored.choices[0].message.tool_calls[0].id == "call_1"


def test_a_tool_result_goes_back_to_the_upstream(client, standin):
    standin.reset()
    client.chat.completions.create(
        model="lawbot-pro",
        tools=[TOOL],
        messages=[
            {"role": "user", "content": SEED},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "lookup_leave", "arguments": "{}"},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "10 days"},
        ],
    )
    roles = [(m["role"], m.get("tool_call_id")) for m in standin.last.body["messages"]]
    assert roles == [("system", None), ("user", None), ("assistant", None), ("tool", "call_1")]


def test_streamed_tool_calls_accumulate_in_the_sdk(client, standin):
    standin.reset(deltas=[], tool_calls=[CALL])
    with client.chat.completions.stream(
        model="lawbot-pro", messages=[{"role": "user", "content": SEED}], tools=[TOOL]
    ) as stream:
        final = stream.get_final_completion()
    assert final.choices[0].finish_reason == "tool_calls"
    assert final.choices[0].message.tool_calls[0].function.arguments == CALL["arguments"]


PIECES = {"id": "call_7", "name": "lookup_leave", "arguments": json.dumps({"years": 3, "month": 7})}


def test_sdk_chat_stream_sees_the_arguments_piece_by_piece(client, standin):
    standin.reset(deltas=[], tool_calls=[PIECES], argument_pieces=5)
    with client.chat.completions.stream(
        model="lawbot-pro", messages=[{"role": "user", "content": SEED}], tools=[TOOL]
    ) as stream:
        fragments = [
            event.arguments_delta
            for event in stream
            if event.type == "tool_calls.function.arguments.delta"
        ]
        final = stream.get_final_completion()
    assert len(fragments) == 5 and "".join(fragments) == PIECES["arguments"]
    call = final.choices[0].message.tool_calls[0]
    assert (call.id, call.function.name, call.function.arguments) == (
        "call_7",
        "lookup_leave",
        PIECES["arguments"],
    )


def test_sdk_responses_stream_sees_the_arguments_piece_by_piece(client, standin):
    standin.reset(deltas=[], tool_calls=[PIECES], argument_pieces=5)
    tool = {"type": "function", "name": "lookup_leave", "parameters": {"type": "object"}}
    with client.responses.stream(model="lawbot-pro", input=SEED, tools=[tool]) as stream:
        fragments = [
            event.delta
            for event in stream
            if event.type == "response.function_call_arguments.delta"
        ]
        final = stream.get_final_response()
    assert len(fragments) == 5 and "".join(fragments) == PIECES["arguments"]
    calls = [item for item in final.output if item.type == "function_call"]
    assert [(c.call_id, c.name, c.arguments) for c in calls] == [
        ("call_7", "lookup_leave", PIECES["arguments"])
    ]


def test_response_format_is_passed_on(client, standin):
    standin.reset(deltas=['{"days": 10}'])
    schema = {"type": "object", "properties": {"days": {"type": "integer"}}}
    completion = client.chat.completions.create(
        model="lawbot-pro",
        messages=[{"role": "user", "content": SEED}],
        response_format={"type": "json_schema", "json_schema": {"name": "leave", "schema": schema}},
    )
    assert standin.last.body["response_format"]["json_schema"]["name"] == "leave"
    assert json.loads(completion.choices[0].message.content) == {"days": 10}


def test_responses_relay_function_tools_and_text_format(client, standin):
    standin.reset(deltas=[], tool_calls=[CALL])
    tool = {
        "type": "function",
        "name": "lookup_leave",
        "parameters": TOOL["function"]["parameters"],
    }
    response = client.responses.create(model="lawbot-pro", input=SEED, tools=[tool])
    assert standin.last.body["tools"][0]["function"]["name"] == "lookup_leave"
    calls = [item for item in response.output if item.type == "function_call"]
    assert (calls[0].call_id, calls[0].name) == ("call_1", "lookup_leave")
    standin.reset()
    follow = client.responses.create(
        model="lawbot-pro",
        previous_response_id=response.id,
        tools=[tool],
        input=[{"type": "function_call_output", "call_id": "call_1", "output": "10 days"}],
    )
    assert follow.output_text
    sent = standin.last.body["messages"]
    assert sent[-2]["tool_calls"][0]["id"] == "call_1"  # the call, then its result
    assert standin.last.body["messages"][-1] == {
        "role": "tool",
        "content": "10 days",
        "tool_call_id": "call_1",
    }
    standin.reset(deltas=['{"days": 10}'])
    events = list(
        client.responses.create(
            model="lawbot-pro",
            input=SEED,
            stream=True,
            text={"format": {"type": "json_schema", "name": "leave", "schema": {"type": "object"}}},
        )
    )
    assert standin.last.body["response_format"]["type"] == "json_schema"
    assert events[-1].type == "response.completed"


def test_lawbot_lite_refuses_tools_naming_the_field(client, standin):
    with pytest.raises(openai.BadRequestError) as refused:
        client.chat.completions.create(
            model="lawbot-lite", messages=[{"role": "user", "content": SEED}], tools=[TOOL]
        )
    assert refused.value.param == "tools"
    with pytest.raises(openai.BadRequestError) as refused:
        client.responses.create(
            model="lawbot-lite", input=SEED, text={"format": {"type": "json_object"}}
        )
    assert refused.value.param == "text.format"


def test_an_upstream_failure_mid_stream_is_an_error_event_then_response_failed(client, standin):
    standin.reset(fail="die", fail_after=2)
    events = list(client.responses.create(model="lawbot-pro", input=SEED, stream=True))
    kinds = [event.type for event in events]
    assert kinds[-2:] == ["error", "response.failed"]
    assert events[-2].code == "upstream_error"
    failed = events[-1].response
    assert failed.status == "failed" and failed.error.code == "server_error"
    stored = client.responses.retrieve(failed.id)  # kept, as OpenAI keeps a failed response
    assert stored.status == "failed"
    assert stored.output_text == "".join(
        e.delta for e in events if e.type == "response.output_text.delta"
    )
