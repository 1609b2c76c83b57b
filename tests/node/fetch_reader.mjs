// The README's raw fetch reader: reads the SSE body as it arrives and prints the data lines' JSON.
const [baseURL, apiKey, question] = process.argv.slice(2);
const response = await fetch(`${baseURL}/v1/chat/completions`, {
  method: "POST",
  headers: { "Content-Type": "application/json", Authorization: `Bearer ${apiKey}` },
  body: JSON.stringify({ model: "lawbot-pro", stream: true, messages: [{ role: "user", content: question }] }),
});
const reader = response.body.getReader();
const decoder = new TextDecoder();
let buffer = "";
let text = "";
let done = false;
let reads = 0;
while (!done) {
  const { value, done: finished } = await reader.read();
  if (finished) break;
  reads += 1;
  buffer += decoder.decode(value, { stream: true });
  let end;
  while ((end = buffer.indexOf("\n\n")) >= 0) {
    const event = buffer.slice(0, end);
    buffer = buffer.slice(end + 2);
    if (!event.startsWith("data: ")) continue;
    const data = event.slice(6);
    if (data === "[DONE]") {
      done = true;
      break;
    }
    text += JSON.parse(data).choices[0]?.delta?.content ?? "";
  }
}
console.log(JSON.stringify({ status: response.status, text, reads, done }));
