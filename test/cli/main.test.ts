import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, helpText, main, type Loader } from '../../src/cli/main.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const builtMain = join(root, 'dist/cli/main.js');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let buf = '';
  stream.on('data', (c: Buffer) => (buf += c.toString('utf8')));
  return { stream, text: () => buf };
}

function runNode(script: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', timeout: 15_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('main (in process)', () => {
  it('prints help listing every command and exits 0', async () => {
    const out = capture();
    const err = capture();
    expect(await main(['--help'], out.stream, err.stream)).toBe(0);
    expect(out.text()).toBe(helpText());
    for (const name of ['demo', 'prices', 'report', 'generate', 'proxy']) expect(out.text()).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(err.text()).toBe('');
  });

  it('prints help and exits 2 with no command', async () => {
    const out = capture();
    expect(await main([], out.stream, capture().stream)).toBe(2);
    expect(out.text()).toBe(helpText());
  });

  it('rejects an unknown command with exit 2 and the help on stderr', async () => {
    const out = capture();
    const err = capture();
    expect(await main(['frobnicate'], out.stream, err.stream)).toBe(2);
    expect(err.text()).toBe(`aimon: unknown command "frobnicate"\n\n${helpText()}`);
    expect(out.text()).toBe('');
    // Names inherited from Object.prototype are not commands.
    expect(await main(['toString'], out.stream, err.stream)).toBe(2);
  });

  it('loads the module lazily and passes the rest of argv and the output stream', async () => {
    const loaded: string[] = [];
    const out = capture();
    const load: Loader = async (spec) => {
      loaded.push(spec);
      return {
        run: async (argv: string[], o?: NodeJS.WritableStream) => {
          o?.write(`args=${JSON.stringify(argv)}\n`);
          return 7;
        },
      };
    };
    expect(await main(['prices', 'gpt-4.1', '--json'], out.stream, capture().stream, load)).toBe(7);
    expect(loaded).toEqual(['./prices.js']);
    expect(out.text()).toBe('args=["gpt-4.1","--json"]\n');
  });

  it('maps every command to its module', () => {
    expect(Object.fromEntries(Object.entries(COMMANDS).map(([k, v]) => [k, v.module]))).toEqual({
      demo: './demo.js',
      prices: './prices.js',
      report: './report.js',
      generate: './generate.js',
      proxy: './proxy.js',
    });
  });
});

describe('aimon bin (built, spawned)', () => {
  beforeAll(() => {
    if (!existsSync(builtMain)) throw new Error('dist/cli/main.js is missing: run "npm run build" (npm test does)');
  });

  it('is the package bin and starts with a shebang', () => {
    expect(pkg.bin.aimon).toBe('./dist/cli/main.js');
    expect(readFileSync(builtMain, 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('--help exits 0, --version prints the package version', () => {
    const help = runNode(builtMain, ['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(helpText());
    const v = runNode(builtMain, ['--version']);
    expect(v).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it('unknown command exits 2', () => {
    const r = runNode(builtMain, ['nope']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('aimon: unknown command "nope"');
  });

  describe('in a build with missing and broken command modules', () => {
    // A copy of the built bin beside hand-made command modules: the real
    // import() and the real Node errors, independent of which commands exist today.
    let dir: string;
    let bin: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'aimon-cli-'));
      mkdirSync(join(dir, 'dist/cli'), { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: '@aimon/otel', version: '9.8.7', type: 'module' }));
      bin = join(dir, 'dist/cli/main.js');
      copyFileSync(builtMain, bin);
      writeFileSync(join(dir, 'dist/cli/report.js'), "import 'aimon-no-such-package-xyz';\nexport async function run() { return 0; }\n");
      writeFileSync(join(dir, 'dist/cli/generate.js'), 'export const notRun = 1;\n');
      writeFileSync(join(dir, 'dist/cli/proxy.js'), "export async function run() { throw new Error('upstream flag missing'); }\n");
      writeFileSync(
        join(dir, 'dist/cli/demo.js'),
        "export async function run(argv, out = process.stdout) { out.write(JSON.stringify(argv) + '\\n'); return 3; }\n",
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('a missing module gives a clear message and exit 1, not a stack', () => {
      const r = runNode(bin, ['prices', 'gpt-4.1']);
      expect(r).toEqual({
        code: 1,
        stdout: '',
        stderr:
          'aimon: the "prices" command is not available in this build (cli/prices.js is missing).\n' +
          'In a checkout, run "npm run build"; otherwise reinstall @aimon/otel.\n',
      });
    });

    it('a missing dependency of a module names the dependency', () => {
      const r = runNode(bin, ['report']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^aimon: the "report" command could not load a dependency: .*aimon-no-such-package-xyz/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });

    it('a module without run() and a run() that throws fail with one line each', () => {
      expect(runNode(bin, ['generate'])).toEqual({
        code: 1,
        stdout: '',
        stderr: 'aimon: the "generate" command module has no run() export; this build is broken\n',
      });
      expect(runNode(bin, ['proxy'])).toEqual({
        code: 1,
        stdout: '',
        stderr: 'aimon proxy: upstream flag missing\n(set AIMON_DEBUG=1 for a stack trace)\n',
      });
    });

    it("returns the command's exit code and reads the version beside the bin", () => {
      expect(runNode(bin, ['demo', '--duration', '1s'])).toEqual({ code: 3, stdout: '["--duration","1s"]\n', stderr: '' });
      expect(runNode(bin, ['-v']).stdout).toBe('9.8.7\n');
    });
  });
});
