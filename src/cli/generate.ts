/**
 * `aimon generate collector`: the Collector's cost processors (OTTL), from the
 * price table, so that the Collector prices exactly like the SDK.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DEFAULT_USD_CNY, defaultRules } from '../cost/billing.js';
import { validateTable, type PriceTable } from '../cost/prices.js';
import { generateCostProcessors, replaceGeneratedRegion } from '../pipeline/ottl.js';

const DEFAULT_PRICES = new URL('../../prices/prices.json', import.meta.url);

const HELP = `Usage: aimon generate collector [--prices <file>] [--out <file>]... [--check] [--usd-cny <rate>]

Generates the Collector's cost processors (transform/aimon_cost for metrics,
transform/aimon_span_cost for spans) from the price table.

Without --out the processors are printed. With --out, the region between the
"BEGIN GENERATED" and "END GENERATED" comments of that Collector config is
rewritten in place; with --check as well, nothing is written and the exit
code is 1 when the file is out of date (for CI).

Options:
  --prices <file>     price table (default: the bundled prices/prices.json)
  --out <file>        Collector config to update (e.g. otel-collector.yaml); repeatable
  --check             with --out: report drift instead of writing
  --usd-cny <rate>    CNY per USD for HolySheep's effective USD (default ${DEFAULT_USD_CNY})
  -h, --help          this help
`;

interface Args {
  target: string | undefined;
  prices: string | undefined;
  out: string[];
  check: boolean;
  usdCny: number;
  help: boolean;
}

function parseArgs(argv: string[]): Args | string {
  const args: Args = { target: undefined, prices: undefined, out: [], check: false, usdCny: DEFAULT_USD_CNY, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') {
      args.help = true;
      continue;
    }
    if (a === '--check') {
      args.check = true;
      continue;
    }
    if (!a.startsWith('-')) {
      if (args.target !== undefined) return `unexpected argument "${a}"`;
      args.target = a;
      continue;
    }
    const eq = a.indexOf('=');
    const flag = eq > 0 ? a.slice(0, eq) : a;
    if (flag !== '--prices' && flag !== '--out' && flag !== '--usd-cny') return `unknown option "${a}"`;
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') return `${flag} needs a value`;
    if (flag === '--prices') args.prices = value;
    else if (flag === '--out') args.out.push(value);
    else {
      const n = Number(value);
      if (!Number.isFinite(n) || n <= 0) return `--usd-cny "${value}" is not a positive number`;
      args.usdCny = n;
    }
  }
  return args;
}

function loadTable(path: string | URL): PriceTable {
  const text = readFileSync(path, 'utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${String(path)} is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const { table, errors } = validateTable(raw);
  if (table === undefined) throw new Error(`${String(path)} is not a valid price table:\n  ${errors.join('\n  ')}`);
  return table;
}

/** The config text with its generated region up to date. Pure; exported for tests. */
export function renderCollectorConfig(config: string, table: PriceTable, usdCny: number = DEFAULT_USD_CNY, source = 'prices/prices.json'): string {
  return replaceGeneratedRegion(config, (indent) => generateCostProcessors(table, { billing: defaultRules(usdCny), source }, indent));
}

export async function run(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    out.write(`aimon generate: ${args}\n\n${HELP}`);
    return 2;
  }
  if (args.help) {
    out.write(HELP);
    return 0;
  }
  if (args.target !== 'collector') {
    out.write(`aimon generate: ${args.target === undefined ? 'say what to generate' : `cannot generate "${args.target}"`}; the only target is "collector"\n\n${HELP}`);
    return 2;
  }
  if (args.check && args.out.length === 0) {
    out.write('aimon generate: --check needs --out <file>\n');
    return 2;
  }
  const table = loadTable(args.prices ?? DEFAULT_PRICES);
  const source = args.prices ?? 'prices/prices.json';
  if (args.out.length === 0) {
    out.write(generateCostProcessors(table, { billing: defaultRules(args.usdCny), source }));
    return 0;
  }
  let stale = 0;
  for (const file of args.out) {
    const before = readFileSync(file, 'utf8');
    const after = renderCollectorConfig(before, table, args.usdCny, source);
    if (args.check) {
      if (after === before) out.write(`${file} is up to date with the price table (version ${table.version}).\n`);
      else {
        stale++;
        out.write(`${file} is out of date with the price table (version ${table.version}): run "aimon generate collector --out ${file}".\n`);
      }
      continue;
    }
    if (after !== before) writeFileSync(file, after);
    out.write(`${file}: ${after === before ? 'already up to date' : 'cost processors regenerated'} (price table version ${table.version}, ${table.entries.length} models).\n`);
  }
  return stale > 0 ? 1 : 0;
}
