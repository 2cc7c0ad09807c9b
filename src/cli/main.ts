#!/usr/bin/env node
/**
 * The `aimon` command. Each subcommand lives in its own module, loaded only
 * when asked for, so `aimon prices` never pays for the proxy's imports and a
 * module that is missing or broken fails alone, with a message, not a stack.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CommandModule {
  run(argv: string[], out?: NodeJS.WritableStream): Promise<number>;
}

interface Command {
  module: string;
  summary: string;
}

export const COMMANDS: Readonly<Record<string, Command>> = Object.freeze({
  demo: { module: './demo.js', summary: 'run the example app against a simulated HolySheep and print live per-model metrics' },
  prices: { module: './prices.js', summary: 'list the price table, look up a model, estimate a monthly bill' },
  report: { module: './report.js', summary: 'cost, tokens, errors and latency by model and tenant, from Prometheus' },
  generate: { module: './generate.js', summary: 'generate config derived from the price table (e.g. Collector cost statements)' },
  proxy: { module: './proxy.js', summary: 'an OpenAI-compatible gateway with the same telemetry, for apps in any language' },
});

/** Loads a subcommand module by its specifier, relative to this file. */
export type Loader = (specifier: string) => Promise<unknown>;

const defaultLoader: Loader = (specifier) => import(new URL(specifier, import.meta.url).href);

export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

export function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'Usage: aimon <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Options:',
    '  -h, --help     show this help (aimon <command> --help for a command)',
    '  -v, --version  print the version',
    '',
    'Instrument an app with no code change: node --import @aimon/otel/register app.js',
    '',
  ].join('\n');
}

function isModuleNotFound(err: unknown): err is Error & { code: string } {
  return err instanceof Error && (err as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND';
}

/**
 * Runs the CLI and resolves with the exit code. Output goes to `out`, errors
 * to `err`; nothing here throws for a bad command line or a missing module.
 */
export async function main(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
  load: Loader = defaultLoader,
): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    if (first === 'help' && rest[0] !== undefined && rest[0] in COMMANDS) return main([rest[0], '--help'], out, err, load);
    out.write(helpText());
    return first === undefined ? 2 : 0;
  }
  if (first === '-v' || first === '--version') {
    out.write(`${version()}\n`);
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, first) ? COMMANDS[first] : undefined;
  if (command === undefined) {
    err.write(`aimon: unknown command "${first}"\n\n${helpText()}`);
    return 2;
  }

  let mod: Partial<CommandModule>;
  try {
    mod = (await load(command.module)) as Partial<CommandModule>;
  } catch (e) {
    const file = command.module.replace(/^\.\//, '');
    // Node names the module it could not find first, then the importer: only
    // the former tells a missing command from a missing dependency of one.
    const missing = isModuleNotFound(e) ? /Cannot find (?:module|package) '([^']*)'/.exec(e.message)?.[1] : undefined;
    if (missing !== undefined && /[\\/]cli[\\/]/.test(missing) && missing.endsWith(file)) {
      err.write(
        `aimon: the "${first}" command is not available in this build (cli/${file} is missing).\n` +
          `In a checkout, run "npm run build"; otherwise reinstall @aimon/otel.\n`,
      );
    } else if (isModuleNotFound(e)) {
      err.write(`aimon: the "${first}" command could not load a dependency: ${e.message}\nRun "npm ci" (or reinstall @aimon/otel).\n`);
    } else {
      err.write(`aimon: the "${first}" command could not load: ${e instanceof Error ? e.message : String(e)}\n`);
    }
    return 1;
  }
  if (typeof mod.run !== 'function') {
    err.write(`aimon: the "${first}" command module has no run() export; this build is broken\n`);
    return 1;
  }
  try {
    return await mod.run(rest, out);
  } catch (e) {
    const debug = (process.env.AIMON_DEBUG ?? '') !== '';
    const detail = e instanceof Error ? (debug ? e.stack ?? e.message : e.message) : String(e);
    err.write(`aimon ${first}: ${detail}\n${debug ? '' : '(set AIMON_DEBUG=1 for a stack trace)\n'}`);
    return 1;
  }
}

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    // Through the npm bin symlink argv[1] is the link; import.meta.url is the target.
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`aimon: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
