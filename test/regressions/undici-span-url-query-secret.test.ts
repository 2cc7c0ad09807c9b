/**
 * Bug: the HTTP child spans (instrumentation-undici, on for LLM hosts when
 * tracing) recorded url.full and url.query verbatim, so an API key passed in
 * the query string (?key=..., Gemini style) was exported with every span.
 * Fix (sdk.ts): a requestHook rewrites both with every value but api-version
 * replaced by REDACTED. The end-to-end proof is test/security/secrets.test.ts.
 */
import { expect, it } from 'vitest';
import { redactedQuery } from '../../src/sdk.js';

it('query values are redacted, names and api-version kept', () => {
  expect(redactedQuery('/v1/chat/completions')).toBeUndefined();
  expect(redactedQuery('/v1/chat/completions?key=AIzaSECRET&api-key=x')).toBe('?key=REDACTED&api-key=REDACTED');
  expect(redactedQuery('/openai/deployments/d/chat/completions?api-version=2024-10-21&sig=abc')).toBe('?api-version=2024-10-21&sig=REDACTED');
  expect(redactedQuery('/x?sk-bare-token&&a=')).toBe('?REDACTED&&a=REDACTED');
});
