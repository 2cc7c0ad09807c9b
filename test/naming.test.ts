import { describe, expect, it } from 'vitest';
import { INSTRUMENTS, LATEST_INSTRUMENTS } from '../src/instruments.js';
import { collectorSeriesName, embeddedSeriesName, embeddedViewName, unitWord, type InstrumentKind } from '../src/naming.js';

/**
 * Expected names follow the Collector's translator as read in
 * open-telemetry/opentelemetry-collector-contrib pkg/translator/prometheus/normalize_name.go
 * (commit 239be622b58f940fbbc86668b3e1a47d40004073: unitMap, perUnitMap, normalizeName)
 * and the cases of its normalize_name_test.go (commit 090d77a11020d29289ff4ac610aa1b79ad3642cb),
 * less the `$` unit, which that version of unitMap no longer maps.
 */
describe('collectorSeriesName (Collector translator rules)', () => {
  it.each<[string, string, InstrumentKind, string]>([
    ['system.filesystem.usage', 'By', 'gauge', 'system_filesystem_usage_bytes'],
    ['system.io', 'By', 'counter', 'system_io_bytes_total'],
    ['network_transmitted_bytes_total', 'By', 'counter', 'network_transmitted_bytes_total'],
    ['\t system.filesystem.usage       ', '  By\t', 'gauge', 'system_filesystem_usage_bytes'],
    ['system.network.dropped', '{packets}', 'gauge', 'system_network_dropped'],
    ['system.network.dropped', '{packets}', 'counter', 'system_network_dropped_total'],
    ['system.network.dropped', 'packets', 'gauge', 'system_network_dropped_packets'],
    ['system.network.packets.dropped', 'packets', 'gauge', 'system_network_packets_dropped'],
    ['system.network.packets', 'packets', 'counter', 'system_network_packets_total'],
    ['hw.gpu.memory.utilization', '1', 'gauge', 'hw_gpu_memory_utilization_ratio'],
    ['hw.fan.speed_ratio', '1', 'gauge', 'hw_fan_speed_ratio'],
    ['objects', '1', 'counter', 'objects_total'],
    ['hw.cpu.speed_limit', 'Hz', 'gauge', 'hw_cpu_speed_limit_hertz'],
    ['broken.metric.speed', 'km/h', 'gauge', 'broken_metric_speed_km_per_hour'],
    ['astro.light.speed_limit', 'm/s', 'gauge', 'astro_light_speed_limit_meters_per_second'],
    ['broken.metric.success_ratio', '%', 'gauge', 'broken_metric_success_ratio_percent'],
    ['broken.metric.success_percent', '%', 'gauge', 'broken_metric_success_percent'],
    ['test.metric.no_unit', '', 'gauge', 'test_metric_no_unit'],
    ['test.metric.spaces', '   \t  ', 'gauge', 'test_metric_spaces'],
    ['unsupported.metric.temperature', '°F', 'gauge', 'unsupported_metric_temperature_F'],
    ['unsupported.metric.weird', '+=.:,!* & #', 'gauge', 'unsupported_metric_weird'],
    ['unsupported.metric.redundant', '__test $/°C', 'gauge', 'unsupported_metric_redundant_test_per_C'],
    ['active_directory.ds.replication.object.rate', '{objects}/s', 'gauge', 'active_directory_ds_replication_object_rate_per_second'],
    ['system.disk.operation_time', 's', 'counter', 'system_disk_operation_time_seconds_total'],
    ['system.cpu.load_average.15m', '1', 'gauge', 'system_cpu_load_average_15m_ratio'],
    ['mongodbatlas.process.journaling.data_files', 'MiBy', 'gauge', 'mongodbatlas_process_journaling_data_files_mebibytes'],
    ['mongodbatlas.process.network.io', 'By/s', 'gauge', 'mongodbatlas_process_network_io_bytes_per_second'],
    ['mongodbatlas.process.oplog.rate', 'GiBy/h', 'gauge', 'mongodbatlas_process_oplog_rate_gibibytes_per_hour'],
    ['mongodbatlas.process.db.query_targeting.scanned_per_returned', '{scanned}/{returned}', 'gauge', 'mongodbatlas_process_db_query_targeting_scanned_per_returned'],
    ['nginx.requests', 'requests', 'gauge', 'nginx_requests'],
    ['nsxt.node.memory.usage', 'KBy', 'gauge', 'nsxt_node_memory_usage_kilobytes'],
    ['redis.latest_fork', 'us', 'gauge', 'redis_latest_fork_microseconds'],
    ['disk.size', 'TiBy', 'gauge', 'disk_size_tibibytes'],
    ['3.14 digits', '', 'gauge', '_3_14_digits'],
    ['envoy__rule_engine_zlib_buf_error', '', 'gauge', 'envoy_rule_engine_zlib_buf_error'],
    [':foo::bar', '', 'counter', 'foo_bar_total'],
    ['queue.length', '{item}', 'updowncounter', 'queue_length'],
    ['gen_ai.client.operation.duration', 's', 'histogram', 'gen_ai_client_operation_duration_seconds'],
    ['gen_ai.client.token.usage', '{token}', 'histogram', 'gen_ai_client_token_usage'],
  ])('%j %j %s → %s', (name, unit, kind, expected) => {
    expect(collectorSeriesName(name, unit, kind)).toBe(expected);
  });

  it.each([
    ['s', 'seconds'],
    ['ms', 'milliseconds'],
    ['{token}', ''],
    ['1', ''],
    ['', ''],
    ['By/s', 'bytes'],
    ['s{x}', ''],
    ['USD', 'USD'],
  ])('unitWord %j → %j', (unit, word) => {
    expect(unitWord(unit)).toBe(word);
  });
});

describe('embeddedSeriesName (exporter-prometheus 0.223)', () => {
  it.each<[string, InstrumentKind, string]>([
    ['gen_ai.client.operation.duration', 'histogram', 'gen_ai_client_operation_duration'],
    ['aimon.client.token.detail', 'counter', 'aimon_client_token_detail_total'],
    ['requests_total', 'counter', 'requests_total'],
    ['a-b/c..d', 'gauge', 'a_b_c_d'],
    ['x:y', 'gauge', 'x_y'],
    ['queue.size', 'updowncounter', 'queue_size'],
  ])('%j %s → %s', (name, kind, expected) => {
    expect(embeddedSeriesName(name, kind)).toBe(expected);
  });
});

describe('embeddedViewName', () => {
  it('names the views that make both paths equal', () => {
    expect(Object.fromEntries(Object.entries(INSTRUMENTS).map(([k, d]) => [k, embeddedViewName(d.name, d.unit, d.kind)]))).toEqual({
      duration: 'gen_ai_client_operation_duration_seconds',
      tokens: undefined,
      ttfc: 'gen_ai_client_operation_time_to_first_chunk_seconds',
      tpoc: 'gen_ai_client_operation_time_per_output_chunk_seconds',
      tokenDetail: undefined,
      usageMissing: undefined,
    });
  });

  it.each(Object.entries({ ...INSTRUMENTS, ...Object.fromEntries(Object.entries(LATEST_INSTRUMENTS).map(([k, v]) => [`latest.${k}`, v])) }))(
    '%s: the embedded name after the view equals the Collector name',
    (_key, d) => {
      const view = embeddedViewName(d.name, d.unit, d.kind);
      expect(embeddedSeriesName(view ?? d.name, d.kind)).toBe(collectorSeriesName(d.name, d.unit, d.kind));
    },
  );

  it('counters with a unit word: the exporter adds _total after the view name', () => {
    expect(embeddedViewName('data.sent', 'By', 'counter')).toBe('data_sent_bytes');
    expect(embeddedSeriesName('data_sent_bytes', 'counter')).toBe('data_sent_bytes_total');
    expect(collectorSeriesName('data.sent', 'By', 'counter')).toBe('data_sent_bytes_total');
    expect(embeddedViewName('bytes.sent', 'By', 'counter')).toBeUndefined();
  });
});
