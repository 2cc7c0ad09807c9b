/**
 * `aimon report`: cost by model and by tenant (today, month to date,
 * projected month-end) with tokens, error rate and p95, read from a
 * Prometheus that scrapes the apps (or the Collector).
 */
import { buildReport, formatCsv, formatTable, NoDataError, type Sample } from '../pipeline/report.js';

const DEFAULT_URL = 'http://localhost:9090';

const HELP = `Usage: aimon report [--prometheus <url>] [--service <job>] [--json | --csv]

Prints LLM cost by model and by tenant for today, month to date and the
projected month-end (UTC), with tokens, calls, error rate and p95 latency,
from Prometheus. Cost is exact when Prometheus loads prometheus/rules from
this package, else estimated with increase().

Options:
  --prometheus <url>  Prometheus base URL (default PROMETHEUS_URL or ${DEFAULT_URL})
  --service <job>     only this service (the job label; a regex)
  --json              JSON instead of a table
  --csv               CSV instead of a table (column scope = model | tenant)
  -h, --help          this help
`;

interface Args {
  url: string;
  service: string | undefined;
  format: 'table' | 'json' | 'csv';
  help: boolean;
}

function parseArgs(argv: string[], env: NodeJS.ProcessEnv): Args | string {
  const args: Args = { url: env.PROMETHEUS_URL?.trim() || DEFAULT_URL, service: undefined, format: 'table', help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') args.help = true;
    else if (a === '--json' || a === '--csv') {
      const f = a === '--json' ? 'json' : 'csv';
      if (args.format !== 'table' && args.format !== f) return '--json and --csv exclude each other';
      args.format = f;
    } else {
      const eq = a.indexOf('=');
      const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
      if (flag !== '--prometheus' && flag !== '--service') return `unknown option "${a}"`;
      const value = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : argv[++i];
      if (value === undefined || value === '') return `${flag} needs a value`;
      if (flag === '--prometheus') args.url = value;
      else args.service = value;
    }
  }
  try {
    const u = new URL(args.url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return `--prometheus "${args.url}" is not an http(s) URL`;
  } catch {
    return `--prometheus "${args.url}" is not a URL`;
  }
  return args;
}

class UnreachableError extends Error {}

function prometheusQuery(base: string) {
  const endpoint = new URL('api/v1/query', base.endsWith('/') ? base : `${base}/`).href;
  return async (expr: string): Promise<Sample[]> => {
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: expr }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new UnreachableError(cause?.code ?? cause?.message ?? (e instanceof Error ? e.message : String(e)));
    }
    const text = await res.text();
    let body: { status?: string; error?: string; data?: { resultType?: string; result?: unknown } };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new UnreachableError(`HTTP ${res.status}, not the Prometheus API (${text.slice(0, 80).trim()})`);
    }
    if (body.status !== 'success') throw new Error(`Prometheus rejected a query (${body.error ?? `HTTP ${res.status}`}): ${expr}`);
    if (body.data?.resultType !== 'vector') return [];
    return (body.data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
  };
}

export async function run(argv: string[], out: NodeJS.WritableStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const args = parseArgs(argv, env);
  if (typeof args === 'string') {
    out.write(`aimon report: ${args}\n\n${HELP}`);
    return 2;
  }
  if (args.help) {
    out.write(HELP);
    return 0;
  }
  const selector = args.service === undefined ? '' : `job=~"${args.service.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  try {
    const report = await buildReport(prometheusQuery(args.url), new Date(), selector);
    if (args.format === 'json') out.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (args.format === 'csv') out.write(formatCsv(report));
    else out.write(formatTable(report));
    return 0;
  } catch (e) {
    if (e instanceof UnreachableError) {
      out.write(`aimon report: cannot reach Prometheus at ${args.url} (${e.message}). Pass --prometheus <url> or set PROMETHEUS_URL.\n`);
      return 1;
    }
    if (e instanceof NoDataError) {
      out.write(
        `aimon report: Prometheus at ${args.url} has no @aimon/otel data${args.service !== undefined ? ` for service "${args.service}"` : ''} (${e.message}). ` +
          'Is it scraping your app (node --import @aimon/otel/register, /metrics on :9464) or the Collector?\n',
      );
      return 1;
    }
    throw e;
  }
}
