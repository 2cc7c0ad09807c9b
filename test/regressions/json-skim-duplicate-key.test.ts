// skimObject kept the first value of a duplicated key while JSON.parse (and
// the API server) use the last one, so gen_ai.request.model and
// gen_ai.request.stream could name what the server did not use.
import { expect, it } from 'vitest';
import { skimObject, parseSpan } from '../../src/parse/json-skim.js';
import { parseRequestBody } from '../../src/parse/openai.js';

it('the last of duplicated keys wins', () => {
  const body = '{"model":"first","stream":false,"model":"second","stream":true}';
  const sk = skimObject(body, ['model']);
  expect(parseSpan(body, sk?.found.get('model'))).toBe(JSON.parse(body).model);
  expect(parseRequestBody(body)).toEqual({ model: 'second', stream: true, includeUsage: false, hasStreamOptions: false });
});

it('with stopWhenFound the scan still stops at the first', () => {
  const body = '{"k":1,"k":2}';
  expect(skimObject(body, ['k'], 0, true)).toEqual({ found: new Map([['k', { start: 5, end: 6 }]]), end: -1 });
});
