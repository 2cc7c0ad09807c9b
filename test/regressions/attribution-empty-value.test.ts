// A baggage entry with an empty value (withAttribution({ tenant: '' }), or a
// `tenant=` baggage header) became the label aimon.attr.tenant="". Prometheus
// treats an empty label as no label, so the scrape held the unattributed
// token and cost series twice and Prometheus rejected the duplicates.
import { context, propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { expect, it } from 'vitest';
import { Attribution } from '../../src/attribution.js';

it('an empty baggage value gives no attribution label, on the span or the metrics', () => {
  const a = new Attribution(['tenant', 'feature'], 10, () => {});
  const ctx = (entries: Record<string, string>) =>
    propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage(Object.fromEntries(Object.entries(entries).map(([k, value]) => [k, { value }]))));
  expect(a.read(ctx({ tenant: '' }))).toBeUndefined();
  expect(a.read(ctx({ tenant: '', feature: 'search' }))).toEqual({
    span: { 'aimon.attr.feature': 'search' },
    metric: { 'aimon.attr.feature': 'search' },
  });
  expect(a.read(context.active())).toBeUndefined();
});
