/**
 * Prometheus series names on both export paths, so that rules and dashboards
 * rely on one set of names. Pure.
 *
 * - Embedded path (@opentelemetry/exporter-prometheus 0.223): '.' and other
 *   invalid characters become '_', monotonic sums get '_total', and no unit
 *   suffix is added.
 * - Collector path (prometheus exporter, default translation with suffixes,
 *   per the Collector's "prometheus translator" rules in
 *   pkg/translator/prometheus): the name is split into words on invalid
 *   characters, the unit (`s` -> `seconds`, `By` -> `bytes`, ...; left out
 *   when it holds a `{...}` annotation) is appended unless already a word of
 *   the name, a per-unit as `per_second`, ..., monotonic sums end in `total`,
 *   and unit `1` gauges end in `ratio`.
 *
 * We make them equal by renaming, on the embedded path only, each instrument
 * whose Collector name carries a unit suffix (a View), so both expose e.g.
 * `gen_ai_client_operation_duration_seconds_bucket`.
 */

export type InstrumentKind = 'counter' | 'histogram' | 'gauge' | 'updowncounter';

const UNIT_WORDS: Record<string, string> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  KBy: 'kilobytes',
  TiBy: 'tibibytes', // sic: the Collector's spelling
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
  '1': '',
};

const PER_UNIT_WORDS: Record<string, string> = {
  s: 'second',
  m: 'minute',
  h: 'hour',
  d: 'day',
  w: 'week',
  mo: 'month',
  y: 'year',
};

/** Letters and digits runs joined by '_' (the translator's CleanUpString). */
function cleanUp(s: string): string {
  return s.split(/[^\p{L}\p{Nd}]+/u).filter((w) => w !== '').join('_');
}

/** The word for one side of a unit: '' when blank or an annotation (`{token}`) is in it. */
function unitPart(part: string | undefined, words: Record<string, string>): string {
  const p = (part ?? '').trim();
  if (p === '' || p.includes('{') || p.includes('}')) return '';
  return cleanUp(words[p] ?? p);
}

/** The unit word the Collector appends, or '' for none. */
export function unitWord(unit: string): string {
  return unitPart(unit.split('/')[0], UNIT_WORDS);
}

/** Series base name as the Collector's Prometheus exporter exposes it. */
export function collectorSeriesName(name: string, unit: string, kind: InstrumentKind): string {
  let words = name.split(/[^\p{L}\p{Nd}]+/u).filter((w) => w !== '');
  const slash = unit.indexOf('/');
  const u = unitWord(unit);
  if (u !== '' && !words.includes(u)) words.push(u);
  if (slash >= 0) {
    const pw = unitPart(unit.slice(slash + 1), PER_UNIT_WORDS);
    if (pw !== '' && !words.includes(pw)) words.push('per', pw);
  }
  if (kind === 'counter') {
    words = words.filter((w) => w !== 'total');
    words.push('total');
  }
  if (unit === '1' && kind === 'gauge') {
    words = words.filter((w) => w !== 'ratio');
    words.push('ratio');
  }
  const out = words.join('_');
  return /^[0-9]/.test(out) ? `_${out}` : out;
}

/** Series base name as the embedded exporter exposes an instrument called `name`. */
export function embeddedSeriesName(name: string, kind: InstrumentKind): string {
  let n = name.replace(/[^a-zA-Z0-9_]/g, '_').replace(/_{2,}/g, '_');
  if (kind === 'counter' && !n.endsWith('_total')) n += '_total';
  return n;
}

/** The name a View must give an instrument on the embedded path, or undefined when none is needed. */
export function embeddedViewName(name: string, unit: string, kind: InstrumentKind): string | undefined {
  const target = collectorSeriesName(name, unit, kind);
  if (embeddedSeriesName(name, kind) === target) return undefined;
  // Counters get '_total' from the exporter itself.
  return kind === 'counter' ? target.replace(/_total$/, '') : target;
}
