// Calls carrying distinctive secrets in every place a key travels: the
// Authorization, api-key, x-api-key and cookie headers, and the query string.
// Prints every error message the app saw, then "ready", then waits for a line
// on stdin (the test scrapes /metrics meanwhile) and exits.
import OpenAI from 'openai';

const S = JSON.parse(process.env.SECRETS);
const base = process.env.UPSTREAM_BASE_URL;
const headers = {
  'content-type': 'application/json',
  authorization: `Bearer ${S.auth}`,
  'api-key': S.apiKey,
  'x-api-key': S.xApiKey,
  cookie: `session=${S.cookie}; theme=dark`,
};
const errors = [];
const note = (e) => errors.push({ name: e?.name, message: e?.message, cause: e?.cause?.message, string: String(e) });
const scenarios = ['ok', 'rate-limit', 'server-error', 'html-502', 'truncated-json', 'reset-before-headers', 'reset-mid-stream', 'error-event'];
for (const scenario of scenarios) {
  for (const stream of [false, true]) {
    try {
      const res = await fetch(`${base}/chat/completions?key=${S.query}&api-key=${S.query2}`, {
        method: 'POST',
        headers: { ...headers, 'x-fake-scenario': scenario },
        body: JSON.stringify({ model: 'gpt-4.1', stream, stream_options: stream ? { include_usage: true } : undefined, messages: [{ role: 'user', content: 'hi' }] }),
      });
      await res.text();
    } catch (e) {
      note(e);
    }
  }
}
const client = new OpenAI({ baseURL: base, apiKey: S.sdkKey, maxRetries: 0, defaultQuery: { key: S.query } });
for (const scenario of ['ok', 'rate-limit', 'reset-before-headers']) {
  try {
    await client.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }, { headers: { 'x-fake-scenario': scenario } });
  } catch (e) {
    note(e);
  }
}
process.stdout.write(`errors ${JSON.stringify(errors)}\nready\n`);
process.stdin.setEncoding('utf8');
// End by itself (not process.exit), so that register flushes on beforeExit.
process.stdin.once('data', () => process.stdin.destroy());
