/** A small parser for the Prometheus text exposition format, for exact assertions on scraped series. */

export interface Family {
  type: string | undefined;
  help: string | undefined;
  unit: string | undefined;
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  families: Map<string, Family>;
  samples: Sample[];
}

function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    out[m[1]!] = m[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  }
  return out;
}

export function parseExposition(text: string): Exposition {
  const families = new Map<string, Family>();
  const samples: Sample[] = [];
  const family = (name: string) => {
    let f = families.get(name);
    if (f === undefined) families.set(name, (f = { type: undefined, help: undefined, unit: undefined }));
    return f;
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const meta = /^# (HELP|TYPE|UNIT) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const f = family(meta[2]!);
      if (meta[1] === 'HELP') f.help = meta[3];
      else if (meta[1] === 'TYPE') f.type = meta[3];
      else f.unit = meta[3];
      continue;
    }
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)/.exec(line);
    if (!m) throw new Error(`unparseable exposition line: ${line}`);
    samples.push({ name: m[1]!, labels: m[2] ? parseLabels(m[2]) : {}, value: Number(m[3]) });
  }
  return { families, samples };
}

/** `name{a="x",b="y"}` with labels sorted, leaving out the given label names. */
export function seriesKey(s: Sample, omit: readonly string[] = []): string {
  const labels = Object.entries(s.labels)
    .filter(([k]) => !omit.includes(k))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return `${s.name}{${labels}}`;
}

/** Cumulative bucket samples for one histogram observation set, keyed as seriesKey() does. */
export function bucketSeries(name: string, labels: Record<string, string>, bounds: number[], values: number[]): Record<string, number> {
  const out: Record<string, number> = {};
  const key = (le: string) => seriesKey({ name: `${name}_bucket`, labels: { ...labels, le }, value: 0 });
  for (const b of bounds) out[key(String(b))] = values.filter((v) => v <= b).length;
  out[key('+Inf')] = values.length;
  return out;
}
