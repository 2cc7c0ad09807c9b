'use strict';
/** The three workloads of the client benchmarks, as an app calls them with the official openai client. */
const messages = [
  { role: 'system', content: 'You are a concise assistant.' },
  { role: 'user', content: 'Summarise the plot of a short story about a fox and a dog in one paragraph.' },
];
const EMBED_INPUT = 'The quick brown fox jumps over the lazy dog, again and again, until the dog wakes up.';

/** chat, stream and embed for one client; each returns what the app received (> 0). */
function workloadsOf(client) {
  return {
    async chat() {
      const r = await client.chat.completions.create({ model: 'gpt-4.1', messages, max_tokens: 128, temperature: 0.2 });
      return r.choices[0].message.content.length;
    },
    async stream() {
      const s = await client.chat.completions.create({
        model: 'gpt-4.1',
        messages,
        max_tokens: 128,
        stream: true,
        stream_options: { include_usage: true },
      });
      let n = 0;
      for await (const chunk of s) n += chunk.choices[0]?.delta?.content?.length ?? 0;
      return n;
    },
    async embed() {
      const r = await client.embeddings.create({ model: 'text-embedding-3-small', input: EMBED_INPUT });
      return r.data[0].embedding.length;
    },
  };
}

module.exports = { workloadsOf };
