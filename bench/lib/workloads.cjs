'use strict';
/** The three workloads of the client benchmarks, as an app calls them with the official openai client. */
const path = require('node:path');

const benchRequire = require('node:module').createRequire(path.join(__dirname, '..', 'package.json'));
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

/**
 * A copy of the openai package of its own (a fresh load, the module cache of
 * the previous one dropped): V8 keeps type feedback and optimised code per
 * copy, so two variants that shared one copy would share its warm-up and its
 * caches (in a run with one shared copy the ALS control was 35 µs per call
 * cheaper than the same client on a copy of its own). Copies loaded before
 * the contrib SDK starts are never patched; one loaded after it is.
 */
function freshOpenAI() {
  for (const k of Object.keys(require.cache)) if (k.includes(`${path.sep}node_modules${path.sep}openai${path.sep}`)) delete require.cache[k];
  return benchRequire('openai');
}

module.exports = { workloadsOf, freshOpenAI };
