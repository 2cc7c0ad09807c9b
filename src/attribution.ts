/**
 * Attribution: allow-listed W3C baggage keys (AIMON_ATTRIBUTES=tenant,feature)
 * become span attributes (full value) and metric labels (capped distinct
 * values, overflow "_other"), so cost and tokens can be split by tenant or
 * feature with no code change beyond context propagation.
 */
import { context, propagation, type Attributes, type Context } from '@opentelemetry/api';
import { LabelCap } from './cardinality.js';

export const ATTRIBUTE_PREFIX = 'aimon.attr.';

/** Runs `fn` with the given attribution keys set in baggage (merged over any already set). */
export function withAttribution<T>(attrs: Record<string, string>, fn: () => T): T {
  const active = context.active();
  let bag = propagation.getBaggage(active) ?? propagation.createBaggage();
  for (const [k, v] of Object.entries(attrs)) bag = bag.setEntry(k, { value: String(v) });
  return context.with(propagation.setBaggage(active, bag), fn);
}

export class Attribution {
  private readonly caps = new Map<string, LabelCap>();

  constructor(
    readonly keys: readonly string[],
    maxValues: number,
    onOverflow: (key: string, value: string) => void,
  ) {
    for (const k of keys) this.caps.set(k, new LabelCap(maxValues, (v) => onOverflow(k, v)));
  }

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** Span attributes (full values) and metric attributes (capped) from the baggage of `ctx`. */
  read(ctx: Context): { span: Attributes; metric: Attributes } | undefined {
    if (this.keys.length === 0) return undefined;
    const bag = propagation.getBaggage(ctx);
    if (bag === undefined) return undefined;
    const span: Attributes = {};
    const metric: Attributes = {};
    let any = false;
    for (const k of this.keys) {
      const v = bag.getEntry(k)?.value;
      // An empty label value is no label to Prometheus: it would be the
      // unattributed series a second time in one scrape.
      if (v === undefined || v === '') continue;
      any = true;
      span[ATTRIBUTE_PREFIX + k] = v;
      metric[ATTRIBUTE_PREFIX + k] = this.caps.get(k)!.cap(v);
    }
    return any ? { span, metric } : undefined;
  }
}
