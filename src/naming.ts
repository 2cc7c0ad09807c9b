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
 *   characters, the unit (annotations in braces removed, `s` -> `seconds`,
 *   `By` -> `bytes`, ...) is appended unless already a word of the name,
 *   monotonic sums end in `total`, and unit `1` gauges end in `ratio`.
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
  MBy: 'megabytes',
  GBy: 'gigabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '%': 'percent',
};

/** The unit word the Collector appends, or '' for none. */
export function unitWord(unit: string): string {
  const main = unit.split('/')[0]!.replace(/\{[^}]*\}/g, '').trim();
  if (main === '' || main === '1') return '';
  return UNIT_WORDS[main] ?? main;
}

/** Series base name as the Collector's Prometheus exporter exposes it. */
export function collectorSeriesName(name: string, unit: string, kind: InstrumentKind): string {
  let words = name.split(/[^a-zA-Z0-9]+/).filter((w) => w !== '');
  const u = unitWord(unit);
  if (u !== '' && !words.includes(u)) words.push(u);
  const per = unit.split('/')[1];
  if (per !== undefined) {
    const pw = UNIT_WORDS[per.replace(/\{[^}]*\}/g, '').trim()] ?? per;
    if (pw !== '' && !words.includes(pw)) words.push('per', pw);
  }
  if (kind === 'counter') {
    words = words.filter((w) => w !== 'total');
    words.push('total');
  }
  if (unit === '1' && kind === 'gauge') words.push('ratio');
  return words.join('_');
}

/** Series base name as the embedded exporter exposes an instrument called `name`. */
export function embeddedSeriesName(name: string, kind: InstrumentKind): string {
  let n = name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/_{2,}/g, '_');
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
