// The README's Node example, run by tests/e2e/test_node_sdk.py: a `for await` stream and the
// `.stream()` helper's finalChatCompletion(). Prints one JSON line of what it saw.
import OpenAI from "openai";

const [baseURL, apiKey, question] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });

const stream = await client.chat.completions.create({
  model: "lawbot-pro",
  messages: [{ role: "user", content: question }],
  stream: true,
  stream_options: { include_usage: true },
});
let text = "";
let chunks = 0;
let citations = [];
let usage = null;
for await (const chunk of stream) {
  chunks += 1;
  if (chunk.choices.length) text += chunk.choices[0].delta.content ?? "";
  if (chunk.citations) citations = chunk.citations;
  if (chunk.usage) usage = chunk.usage;
}

const helper = client.chat.completions.stream({
  model: "lawbot-lite",
  messages: [{ role: "user", content: question }],
});
const final = await helper.finalChatCompletion();

let errorStatus = null;
try {
  await new OpenAI({ baseURL, apiKey: "lb-wrong-key-0000000000000000", maxRetries: 0 }).models.list();
} catch (err) {
  errorStatus = err.status;
}

console.log(
  JSON.stringify({
    text,
    chunks,
    citations: citations.map((c) => c.title),
    usage,
    final: final.choices[0].message.content,
    finalFinish: final.choices[0].finish_reason,
    errorStatus,
  }),
);
