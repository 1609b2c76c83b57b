// The Responses API from the npm SDK, run by tests/e2e/test_node_sdk.py: responses.create
// streamed (typed events), then the stored response retrieved. Prints one JSON line.
import OpenAI from "openai";

const [baseURL, apiKey, question] = process.argv.slice(2);
const client = new OpenAI({ baseURL: `${baseURL}/v1`, apiKey, maxRetries: 0 });

const stream = await client.responses.create({ model: "lawbot-pro", input: question, stream: true });
const types = [];
let text = "";
let final = null;
for await (const event of stream) {
  types.push(event.type);
  if (event.type === "response.output_text.delta") text += event.delta;
  if (event.type === "response.completed") final = event.response;
}
const stored = await client.responses.retrieve(final.id);

console.log(
  JSON.stringify({
    types,
    text,
    finalText: final.output_text ?? final.output[0].content[0].text,
    storedText: stored.output_text,
    annotations: stored.output[0].content[0].annotations.length,
    citations: (stored.citations ?? []).map((c) => c.title),
  }),
);
