// resolveConfig threw on an endpoint object without a string host (options
// from plain JavaScript), took numeric options such as maxEventBytes: NaN
// unchecked (an SSE parser that never bounds memory), and froze the
// endpoint list but not the endpoints, which are shared with DEFAULT_ENDPOINTS.
import { expect, it } from 'vitest';
import { resolveConfig, type AimonOptions } from '../../src/config.js';

it('a malformed endpoint object is a warning', () => {
  const { config, warnings } = resolveConfig({ hosts: [{ pathPrefix: '' }] } as unknown as AimonOptions, {});
  expect(warnings).toEqual(['hosts: {"pathPrefix":""} is not a valid endpoint; entry ignored']);
  expect(config.endpoints.length).toBe(11);
});

it('a NaN size option falls back to the default with a warning', () => {
  const { config, warnings } = resolveConfig({ maxEventBytes: Number.NaN }, {});
  expect(config.maxEventBytes).toBe(1 << 20);
  expect(warnings).toEqual(['maxEventBytes=NaN is not an integer in [1024, 1073741824]; using 1048576']);
});

it('endpoints are frozen', () => {
  const { config } = resolveConfig({}, {});
  expect(config.endpoints.map((e) => Object.isFrozen(e))).toEqual(Array(11).fill(true));
});
