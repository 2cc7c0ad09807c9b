// collectorSeriesName differed from the Collector translator
// (pkg/translator/prometheus/normalize_name.go): a per-unit used the plural
// main-unit word ("per_seconds" for "/s", the Collector says "per_second"),
// an annotated per-unit leaked its braces ("per_{returned}"), a unit-`1` gauge
// already ending in "ratio" got "ratio_ratio", and a name starting with a
// digit was not prefixed with "_". The embedded exporter also turns ':' into
// '_', which embeddedSeriesName kept.
import { expect, it } from 'vitest';
import { collectorSeriesName, embeddedSeriesName } from '../../src/naming.js';

it('per-units, annotations, ratio and leading digits as the Collector names them', () => {
  expect(collectorSeriesName('requests.rate', '{request}/s', 'gauge')).toBe('requests_rate_per_second');
  expect(collectorSeriesName('speed', 'km/h', 'gauge')).toBe('speed_km_per_hour');
  expect(collectorSeriesName('scanned', '{scanned}/{returned}', 'gauge')).toBe('scanned');
  expect(collectorSeriesName('hw.fan.speed_ratio', '1', 'gauge')).toBe('hw_fan_speed_ratio');
  expect(collectorSeriesName('3.14 digits', '', 'gauge')).toBe('_3_14_digits');
});

it('embedded names replace colons', () => {
  expect(embeddedSeriesName('a:b', 'gauge')).toBe('a_b');
});
