/**
 * Attribution: allow-listed W3C baggage keys become `aimon.attr.<key>` on
 * spans (full value) and on token and cost metrics (capped distinct values,
 * overflow "_other"); withAttribution sets them around a block of code.
 * Real AimonInstrumentation, AsyncLocalStorage context, openai client, fake
 * upstream (100 prompt tokens, 10 completion tokens per call here).
 */
import { context, diag, DiagLogLevel, propagation, type Attributes } from '@opentelemetry/api';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { withAttribution } from '../src/index.js';
import { histogramPoints, sumPoints, useHarness, type Harness } from './helpers/harness.js';

const warnings: string[] = [];
diag.setLogger(
  { error: () => {}, warn: (...a: unknown[]) => warnings.push(a.map(String).join(' ')), info: () => {}, debug: () => {}, verbose: () => {} },
  { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
);

const h: Harness = useHarness({ instrumentation: () => ({ attributes: ['tenant', 'feature'], maxAttributeValues: 2 }) });

function client(): OpenAI {
  return new OpenAI({ baseURL: h.upstream.baseURL, apiKey: 'sk-test', maxRetries: 0 });
}
const call = (c: OpenAI) => c.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'abcd'.repeat(100) }] });

const ATTR = /^aimon\.attr\./;
const attrsOf = (a: Attributes) => Object.fromEntries(Object.entries(a).filter(([k]) => ATTR.test(k)));

/** The attribution labels of each input-token point, with the number of calls. */
async function inputTokenLabels(): Promise<Array<[Attributes, number]>> {
  const tokens = histogramPoints(await h.metric('gen_ai.client.token.usage'));
  return tokens.filter((p) => p.attributes['gen_ai.token.type'] === 'input').map((p) => [attrsOf(p.attributes), p.count]);
}

describe('attribution', () => {
  it('caps each label at N distinct values with overflow "_other"; the span keeps the full value', async () => {
    const c = client();
    warnings.length = 0;
    for (const tenant of ['acme', 'globex', 'initech', 'umbrella', 'acme']) await withAttribution({ tenant }, () => call(c));

    expect(h.genAiSpans().map((s) => s.attributes['aimon.attr.tenant'])).toEqual(['acme', 'globex', 'initech', 'umbrella', 'acme']);
    expect(await inputTokenLabels()).toEqual([
      [{ 'aimon.attr.tenant': '_other' }, 2],
      [{ 'aimon.attr.tenant': 'acme' }, 2],
      [{ 'aimon.attr.tenant': 'globex' }, 1],
    ]);
    // Cost follows the same labels: 100 in × $2 / 1e6 = 0.0002 per call.
    const input = sumPoints(await h.metric('aimon.client.cost.usd')).filter((p) => p.attributes['aimon.cost.kind'] === 'input');
    expect(input.map((p) => [p.attributes['aimon.attr.tenant'], p.value])).toEqual([
      ['_other', 0.0004],
      ['acme', 0.0004],
      ['globex', 0.0002],
    ]);
    // One warning for the first value over the cap, naming the label, not one per call.
    const overflow = warnings.filter((w) => w.includes('aimon.attr.tenant'));
    expect(overflow).toHaveLength(1);
    expect(overflow[0]).toContain('(latest "initech"); further values are reported as "_other"');
  });

  it('keeps latency series free of attribution labels', async () => {
    await withAttribution({ tenant: 'acme' }, () => call(client()));
    const duration = histogramPoints(await h.metric('gen_ai.client.operation.duration'));
    expect(duration).toHaveLength(1);
    expect(attrsOf(duration[0]!.attributes)).toEqual({});
  });

  it('ignores baggage keys not in the allow-list', async () => {
    const bag = propagation.createBaggage({
      tenant: { value: 'acme' },
      user: { value: 'alice@example.com' },
      Tenant: { value: 'wrong-case' },
    });
    await context.with(propagation.setBaggage(context.active(), bag), () => call(client()));
    expect(attrsOf(h.genAiSpans()[0]!.attributes)).toEqual({ 'aimon.attr.tenant': 'acme' });
    expect(await inputTokenLabels()).toEqual([[{ 'aimon.attr.tenant': 'acme' }, 1]]);
  });

  it('adds no label without baggage', async () => {
    await call(client());
    expect(attrsOf(h.genAiSpans()[0]!.attributes)).toEqual({});
    expect(await inputTokenLabels()).toEqual([[{}, 1]]);
  });

  it('withAttribution nests and merges: inner keys add to or replace outer ones, and end with their block', async () => {
    const c = client();
    const inner = await withAttribution({ tenant: 'acme' }, async () => {
      await call(c);
      const r = await withAttribution({ feature: 'search' }, async () => {
        await call(c);
        await withAttribution({ tenant: 'globex' }, () => call(c));
        return 'inner result';
      });
      await call(c); // back to the outer block's keys only
      return r;
    });
    expect(inner).toBe('inner result');
    await call(c);
    expect(h.genAiSpans().map((s) => attrsOf(s.attributes))).toEqual([
      { 'aimon.attr.tenant': 'acme' },
      { 'aimon.attr.tenant': 'acme', 'aimon.attr.feature': 'search' },
      { 'aimon.attr.tenant': 'globex', 'aimon.attr.feature': 'search' },
      { 'aimon.attr.tenant': 'acme' },
      {},
    ]);
  });

  it('withAttribution keeps baggage entries set by the app and returns what the block returns', async () => {
    const bag = propagation.createBaggage({ request_id: { value: 'r-1' }, feature: { value: 'chat' } });
    const seen = await context.with(propagation.setBaggage(context.active(), bag), () =>
      withAttribution({ tenant: 'acme' }, () => {
        const b = propagation.getBaggage(context.active())!;
        return Object.fromEntries(b.getAllEntries().map(([k, v]) => [k, v.value]));
      }),
    );
    expect(seen).toEqual({ request_id: 'r-1', feature: 'chat', tenant: 'acme' });
  });

  it('an empty value is no label: it would be the unlabelled series under another name', async () => {
    const c = client();
    // Prometheus treats aimon_attr_tenant="" as no label at all: two samples, one series.
    await withAttribution({ tenant: '' }, () => call(c));
    await call(c);
    expect(h.genAiSpans().map((s) => attrsOf(s.attributes))).toEqual([{}, {}]);
    expect(await inputTokenLabels()).toEqual([[{}, 2]]);
  });
});
