/**
 * The Collector configs, checked statically (no Collector binary runs here):
 * YAML parses, wiring is complete both ways, receivers bind 0.0.0.0, names
 * are valid for the pinned version, and the generated OTTL matches the price
 * table (a drift fails here: run `aimon generate collector --out <file>`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderCollectorConfig } from '../../src/cli/generate.js';
import { validateTable, type PriceTable } from '../../src/cost/prices.js';
import { lintCollectorConfig } from '../../src/pipeline/collector-lint.js';
import { BEGIN_MARKER, END_MARKER, generateCostProcessors, ottlFloat } from '../../src/pipeline/ottl.js';
import { defaultRules } from '../../src/cost/billing.js';
import { REPO } from '../helpers/prometheus.js';

const FILES = ['otel-collector.yaml', 'collector/agent.yaml', 'collector/gateway.yaml'];
const PRICED = ['otel-collector.yaml', 'collector/gateway.yaml'];
const read = (f: string) => readFileSync(join(REPO, f), 'utf8');

function table(): PriceTable {
  const { table: t, errors } = validateTable(JSON.parse(read('prices/prices.json')));
  expect(errors).toEqual([]);
  return t!;
}

type Cfg = { processors: Record<string, { metric_statements?: Array<{ context: string; statements: string[] }>; trace_statements?: Array<{ context: string; statements: string[] }> }>; service: { pipelines: Record<string, { processors: string[] }> } };

describe.each(FILES)('%s', (file) => {
  const cfg = parse(read(file)) as unknown;

  it('parses and is wired completely, with container-friendly endpoints and known component names', () => {
    expect(lintCollectorConfig(cfg)).toEqual([]);
  });
});

describe.each(PRICED)('%s cost processors', (file) => {
  it('are exactly what `aimon generate collector` makes from prices/prices.json', () => {
    const text = read(file);
    expect(renderCollectorConfig(text, table()), `${file} drifted from the price table: run "node dist/cli/main.js generate collector --out ${file}"`).toBe(text);
  });

  it('skip telemetry from @aimon/otel in every statement that creates or changes cost', () => {
    const cfg = parse(read(file)) as Cfg;
    const metric = cfg.processors['transform/aimon_cost']!.metric_statements!.flatMap((g) => g.statements);
    for (const s of metric.filter((x) => !x.startsWith('delete_'))) expect(s).toContain('instrumentation_scope.name != "@aimon/otel"');
    const spans = cfg.processors['transform/aimon_span_cost']!.trace_statements![0]!.statements;
    // Spans are priced only when they lack aimon.cost.usd (ours carry it).
    expect(spans[0]).toContain('attributes["aimon.cost.usd"] == nil');
  });

  it('run the cost processors in the right pipelines, after memory_limiter', () => {
    const cfg = parse(read(file)) as Cfg;
    expect(cfg.service.pipelines.metrics!.processors).toEqual(['memory_limiter', 'transform/aimon_cost', 'filter/aimon_unpriced', 'batch']);
    expect(cfg.service.pipelines.traces!.processors).toEqual(['memory_limiter', 'transform/aimon_span_cost', 'batch']);
  });
});

describe('generated OTTL', () => {
  const t = table();
  const text = generateCostProcessors(t, { billing: defaultRules(7.1), source: 'prices/prices.json' });
  const doc = parse(`processors:\n${text}`) as Cfg;
  const statements = doc.processors['transform/aimon_cost']!.metric_statements!.flatMap((g) => g.statements);

  it('is framed by the markers and valid YAML', () => {
    expect(text.trimStart().startsWith(BEGIN_MARKER)).toBe(true);
    expect(text.trimEnd().endsWith(END_MARKER)).toBe(true);
    expect(Object.keys(doc.processors)).toEqual(['transform/aimon_cost', 'transform/aimon_span_cost']);
  });

  it('prices every model of the table, input and output, per 1M tokens, as floats', () => {
    for (const e of t.entries) {
      const m = e.model.toLowerCase();
      expect(statements).toContain(
        `set(value_double, value_double * ${ottlFloat(e.input)} / 1000000.0) where metric.name == "aimon.client.cost.usd" and instrumentation_scope.name != "@aimon/otel" and attributes["aimon.price.model"] == "${m}" and attributes["gen_ai.token.type"] == "input"`,
      );
      expect(statements.some((s) => s.includes(`* ${ottlFloat(e.output)} / 1000000.0)`) && s.includes(`== "${m}" and attributes["gen_ai.token.type"] == "output"`))).toBe(true);
    }
  });

  it('maps aliases to their model and converts HolySheep to CNY', () => {
    expect(statements.some((s) => s.startsWith('set(attributes["aimon.price.model"], "deepseek-v3.2")') && s.includes('deepseek-chat'))).toBe(true);
    expect(statements).toContain(
      'set(attributes["aimon.cost.billed_currency"], "CNY") where metric.name == "aimon.client.cost.billed" and instrumentation_scope.name != "@aimon/otel" and attributes["aimon.cost.billed_currency"] == nil and attributes["server.address"] == "api.holysheep.ai"',
    );
    expect(statements.some((s) => s.includes(`value_double * ${ottlFloat(1 / 7.1)})`))).toBe(true);
  });

  it('writes numbers OTTL accepts', () => {
    expect(ottlFloat(2)).toBe('2.0');
    expect(ottlFloat(0.0028)).toBe('0.0028');
    expect(ottlFloat(1e-7)).toBe('0.0000001');
    expect(ottlFloat(0)).toBe('0.0');
  });
});

describe('the collector lint', () => {
  it('reports broken wiring, unused components, localhost binds and names the pinned version lacks', () => {
    const bad = {
      receivers: { otlp: { protocols: { grpc: { endpoint: 'localhost:4317' } } } },
      processors: { batch: {}, memory_limiter: {}, 'transform/x': {} },
      exporters: { otlp_grpc: {}, debug: {} },
      extensions: { health_check: {} },
      service: { pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['otlp_grpc', 'nope'] } } },
    };
    expect(lintCollectorConfig(bad)).toEqual([
      'exporters.otlp_grpc: "otlp_grpc" is a newer name the pinned Collector does not know',
      'pipeline traces: exporter "nope" is not defined',
      'pipeline traces: memory_limiter must be the first processor',
      'processors.memory_limiter is defined but no pipeline uses it',
      'processors.transform/x is defined but no pipeline uses it',
      'exporters.debug is defined but no pipeline uses it',
      'extensions.health_check is defined but not in service.extensions',
      'receivers.otlp.protocols.grpc.endpoint: "localhost:4317" must bind 0.0.0.0:<port> in a container',
    ]);
  });
});
