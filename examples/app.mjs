// An ordinary app that calls an OpenAI-compatible API with the official
// `openai` package. It holds no telemetry code: run it under
//
//   node --import @aimon/otel/register examples/app.mjs
//
// and every call becomes GenAI spans and metrics.
//
// Env: HOLYSHEEP_API_KEY (the key), OPENAI_BASE_URL (default HolySheep).
// Flags: --once does one round and exits; otherwise it runs until SIGINT/SIGTERM.
import OpenAI from 'openai';

const CHAT_MODELS = ['deepseek-v3.2', 'gpt-4.1', 'claude-sonnet-4.5', 'gemini-2.5-flash'];
const EMBEDDING_MODEL = 'text-embedding-3-small';

const PROMPTS = [
  'Summarise in one sentence: our Q3 support tickets fell 12% after the new onboarding flow shipped.',
  'Write a friendly two-line reply to a customer asking when their refund will arrive.',
  'Translate to French: "The meeting has moved to Thursday at 10am."',
  'Give three name ideas for an internal tool that tracks on-call handovers.',
  'Explain the difference between a mutex and a semaphore in two sentences.',
  'Classify the sentiment of this review as positive, negative or mixed: "Fast delivery, but the box was damaged."',
  'Suggest a concise commit message for: fix off-by-one in pagination of the orders API.',
  'What is a good SQL index for queries filtering on customer_id and ordering by created_at?',
];

const DOCUMENTS = [
  'Refunds are issued to the original payment method within 5 to 7 business days.',
  'On-call engineers hand over at 09:00 UTC with a written summary of open incidents.',
  'The orders API paginates with an opaque cursor; page size is capped at 100.',
];

const once = process.argv.includes('--once');
const baseURL = process.env.OPENAI_BASE_URL || 'https://api.holysheep.ai/v1';
const apiKey = process.env.HOLYSHEEP_API_KEY;
if (!apiKey) {
  console.error('app: HOLYSHEEP_API_KEY is not set');
  process.exit(1);
}

// No retries, so that every 429/500 shows in this log as well as in the
// telemetry; a production app would keep the SDK's default retries.
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 60_000 });

let stopping = false;
const inFlight = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    // Cancel calls in flight; the telemetry records them as aborted, not as errors.
    inFlight.abort();
  });
}

let turn = 0;
const pick = (list) => list[turn++ % list.length];
/** A pause that ends early on SIGINT/SIGTERM. */
function sleep(ms) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      inFlight.signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    inFlight.signal.addEventListener('abort', done);
  });
}

function logError(what, model, err) {
  // After SIGINT/SIGTERM every failure is our own abort, whatever class the SDK gives it.
  if (stopping) return;
  if (err instanceof OpenAI.APIError && err.status !== undefined) {
    console.error(`app: ${what} ${model} failed: ${err.message}`);
  } else {
    console.error(`app: ${what} ${model} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function chat(model) {
  try {
    const res = await client.chat.completions.create(
      {
        model,
        messages: [
          { role: 'system', content: 'You are a concise assistant.' },
          { role: 'user', content: pick(PROMPTS) },
        ],
        max_tokens: 120,
        temperature: 0.3,
      },
      { signal: inFlight.signal },
    );
    return res.choices[0]?.message?.content ?? '';
  } catch (err) {
    logError('chat', model, err);
    return undefined;
  }
}

async function streamChat(model) {
  try {
    const stream = await client.chat.completions.create(
      {
        model,
        messages: [{ role: 'user', content: pick(PROMPTS) }],
        max_tokens: 200,
        stream: true,
        stream_options: { include_usage: true },
      },
      { signal: inFlight.signal },
    );
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    return text;
  } catch (err) {
    logError('stream', model, err);
    return undefined;
  }
}

async function embed() {
  try {
    const res = await client.embeddings.create(
      { model: EMBEDDING_MODEL, input: DOCUMENTS },
      { signal: inFlight.signal },
    );
    return res.data.length;
  } catch (err) {
    logError('embeddings', EMBEDDING_MODEL, err);
    return undefined;
  }
}

/**
 * One round: every chat model answers once plainly and once streaming, in
 * parallel, plus one embeddings call. Resolves with whether any call succeeded.
 */
async function round() {
  const results = await Promise.all([
    ...CHAT_MODELS.map(async (model) => {
      const plain = await chat(model);
      const streamed = stopping ? undefined : await streamChat(model);
      return plain !== undefined || streamed !== undefined;
    }),
    embed().then((n) => n !== undefined),
  ]);
  return results.some(Boolean);
}

console.log(`app: calling ${baseURL} with ${CHAT_MODELS.join(', ')} and ${EMBEDDING_MODEL}${once ? ' (one round)' : ''}`);
let rounds = 0;
let backoffMs = 0;
do {
  const anyOk = await round();
  rounds++;
  // When nothing gets through (no network, bad key, hard rate limit), back off
  // instead of hammering the API.
  backoffMs = anyOk ? 0 : Math.min(30_000, Math.max(1000, backoffMs * 2));
  if (backoffMs > 0 && !once && !stopping) console.error(`app: every call failed; next round in ${backoffMs / 1000}s`);
  if (!once && !stopping) await sleep(backoffMs + 200 + Math.random() * 600);
} while (!once && !stopping);
console.log(`app: done after ${rounds} round${rounds === 1 ? '' : 's'}`);
// With --once, a round in which nothing got through is a failure.
if (once && backoffMs > 0) process.exitCode = 1;
