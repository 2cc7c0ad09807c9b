import { describe, expect, it } from 'vitest';
import {
  formatSummary,
  histogramQuantile,
  parseExposition,
  parseSampleLine,
  summarize,
  type ModelSummary,
} from '../../src/cli/summary.js';

/**
 * Captured verbatim from /metrics of an app under `--import dist/register.js`
 * (openai 7.59 client, simulated upstream registered as holysheep, latency
 * 150-900 ms): deepseek-v3.2 chat + stream with usage, gpt-4.1 chat + one 429,
 * one text-embedding-3-small call; prices from the bundled table.
 */
const CAPTURED = String.raw`
# HELP target_info Target metadata
# TYPE target_info gauge
target_info{service_name="aimon-demo",process_pid="9446",process_runtime_name="nodejs",process_runtime_version="20.20.2",telemetry_sdk_language="nodejs",telemetry_sdk_name="opentelemetry",telemetry_sdk_version="2.12.0"} 1
# HELP gen_ai_client_operation_duration_seconds GenAI operation duration.
# UNIT gen_ai_client_operation_duration_seconds s
# TYPE gen_ai_client_operation_duration_seconds histogram
gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 2
gen_ai_client_operation_duration_seconds_sum{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 1.849329112
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.01"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.02"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.04"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.08"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.16"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.32"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.64"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1.28"} 2
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="2.56"} 2
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="5.12"} 2
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="10.24"} 2
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="20.48"} 2
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="40.96"} 2
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="81.92"} 2
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="+Inf"} 2
gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 1
gen_ai_client_operation_duration_seconds_sum{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 0.60053521
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.01"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.02"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.04"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.08"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.16"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.32"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.64"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1.28"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="2.56"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="5.12"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="10.24"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="20.48"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="40.96"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="81.92"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="+Inf"} 1
gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",aimon_outcome="error",error_type="429",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 1
gen_ai_client_operation_duration_seconds_sum{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",aimon_outcome="error",error_type="429",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 0.5735076900000003
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",aimon_outcome="error",error_type="429",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.01"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",aimon_outcome="error",error_type="429",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.02"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",aimon_outcome="error",error_type="429",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.04"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",aimon_outcome="error",error_type="429",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.08"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",aimon_outcome="error",error_type="429",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.16"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",aimon_outcome="error",error_type="429",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.32"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",aimon_outcome="error",error_type="429",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.64"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",aimon_outcome="error",error_type="429",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1.28"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",aimon_outcome="error",error_type="429",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="2.56"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",aimon_outcome="error",error_type="429",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="5.12"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",aimon_outcome="error",error_type="429",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="10.24"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",aimon_outcome="error",error_type="429",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="20.48"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",aimon_outcome="error",error_type="429",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="40.96"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",aimon_outcome="error",error_type="429",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="81.92"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",aimon_outcome="error",error_type="429",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="+Inf"} 1
gen_ai_client_operation_duration_seconds_count{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 1
gen_ai_client_operation_duration_seconds_sum{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 0.8516459880000002
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.01"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.02"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.04"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.08"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.16"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.32"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.64"} 0
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1.28"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="2.56"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="5.12"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="10.24"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="20.48"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="40.96"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="81.92"} 1
gen_ai_client_operation_duration_seconds_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_outcome="completed",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="+Inf"} 1
# HELP gen_ai_client_operation_time_to_first_chunk_seconds Time to receive the first chunk of a streaming response, from the request start.
# UNIT gen_ai_client_operation_time_to_first_chunk_seconds s
# TYPE gen_ai_client_operation_time_to_first_chunk_seconds histogram
gen_ai_client_operation_time_to_first_chunk_seconds_count{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 1
gen_ai_client_operation_time_to_first_chunk_seconds_sum{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 0.541561894
gen_ai_client_operation_time_to_first_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.01"} 0
gen_ai_client_operation_time_to_first_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.02"} 0
gen_ai_client_operation_time_to_first_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.04"} 0
gen_ai_client_operation_time_to_first_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.08"} 0
gen_ai_client_operation_time_to_first_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.16"} 0
gen_ai_client_operation_time_to_first_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.32"} 0
gen_ai_client_operation_time_to_first_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.64"} 1
gen_ai_client_operation_time_to_first_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1.28"} 1
gen_ai_client_operation_time_to_first_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="2.56"} 1
gen_ai_client_operation_time_to_first_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="5.12"} 1
gen_ai_client_operation_time_to_first_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="10.24"} 1
gen_ai_client_operation_time_to_first_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="20.48"} 1
gen_ai_client_operation_time_to_first_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="40.96"} 1
gen_ai_client_operation_time_to_first_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="81.92"} 1
gen_ai_client_operation_time_to_first_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="+Inf"} 1
# HELP gen_ai_client_operation_time_per_output_chunk_seconds Time between consecutive chunks of a streaming response, for each chunk after the first.
# UNIT gen_ai_client_operation_time_per_output_chunk_seconds s
# TYPE gen_ai_client_operation_time_per_output_chunk_seconds histogram
gen_ai_client_operation_time_per_output_chunk_seconds_count{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 10
gen_ai_client_operation_time_per_output_chunk_seconds_sum{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 0.3721889839999999
gen_ai_client_operation_time_per_output_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.01"} 0
gen_ai_client_operation_time_per_output_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.02"} 0
gen_ai_client_operation_time_per_output_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.04"} 7
gen_ai_client_operation_time_per_output_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.08"} 10
gen_ai_client_operation_time_per_output_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.16"} 10
gen_ai_client_operation_time_per_output_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.32"} 10
gen_ai_client_operation_time_per_output_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="0.64"} 10
gen_ai_client_operation_time_per_output_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1.28"} 10
gen_ai_client_operation_time_per_output_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="2.56"} 10
gen_ai_client_operation_time_per_output_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="5.12"} 10
gen_ai_client_operation_time_per_output_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="10.24"} 10
gen_ai_client_operation_time_per_output_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="20.48"} 10
gen_ai_client_operation_time_per_output_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="40.96"} 10
gen_ai_client_operation_time_per_output_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="81.92"} 10
gen_ai_client_operation_time_per_output_chunk_seconds_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="+Inf"} 10
# HELP gen_ai_client_token_usage Number of input and output tokens used.
# UNIT gen_ai_client_token_usage {token}
# TYPE gen_ai_client_token_usage histogram
gen_ai_client_token_usage_count{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 2
gen_ai_client_token_usage_sum{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 50
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1"} 0
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="4"} 0
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="16"} 0
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="64"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="256"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1024"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="4096"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="16384"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="65536"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="262144"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1048576"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="4194304"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="16777216"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="67108864"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="+Inf"} 2
gen_ai_client_token_usage_count{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 2
gen_ai_client_token_usage_sum{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 20
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1"} 0
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="4"} 0
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="16"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="64"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="256"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1024"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="4096"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="16384"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="65536"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="262144"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1048576"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="4194304"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="16777216"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="67108864"} 2
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="+Inf"} 2
gen_ai_client_token_usage_count{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 1
gen_ai_client_token_usage_sum{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 25
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1"} 0
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="4"} 0
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="16"} 0
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="64"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="256"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1024"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="4096"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="16384"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="65536"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="262144"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1048576"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="4194304"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="16777216"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="67108864"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="+Inf"} 1
gen_ai_client_token_usage_count{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 1
gen_ai_client_token_usage_sum{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 10
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1"} 0
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="4"} 0
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="16"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="64"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="256"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1024"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="4096"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="16384"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="65536"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="262144"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1048576"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="4194304"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="16777216"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="67108864"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",gen_ai_token_type="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="+Inf"} 1
gen_ai_client_token_usage_count{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 1
gen_ai_client_token_usage_sum{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 12
gen_ai_client_token_usage_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1"} 0
gen_ai_client_token_usage_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="4"} 0
gen_ai_client_token_usage_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="16"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="64"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="256"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1024"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="4096"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="16384"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="65536"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="262144"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="1048576"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="4194304"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="16777216"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="67108864"} 1
gen_ai_client_token_usage_bucket{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",gen_ai_token_type="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0",le="+Inf"} 1
# HELP aimon_client_token_detail_total Subsets of gen_ai.client.token.usage: cached input (cache_read, cache_creation) and reasoning output tokens.
# UNIT aimon_client_token_detail_total {token}
# TYPE aimon_client_token_detail_total counter
aimon_client_token_detail_total{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_token_detail="cache_read",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 0
aimon_client_token_detail_total{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_token_detail="reasoning",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 0
aimon_client_token_detail_total{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_token_detail="cache_read",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 0
aimon_client_token_detail_total{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_token_detail="reasoning",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 0
# HELP aimon_client_cost_usd_total Cost at list price in USD, by cost kind (input, cached_input, cache_write, output, reasoning).
# UNIT aimon_client_cost_usd_total {USD}
# TYPE aimon_client_cost_usd_total counter
aimon_client_cost_usd_total{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_price_version="2026-11-29",aimon_cost_kind="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 0.000014
aimon_client_cost_usd_total{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_price_version="2026-11-29",aimon_cost_kind="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 0.0000084
aimon_client_cost_usd_total{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_price_version="2026-11-29",aimon_cost_kind="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 0.00005
aimon_client_cost_usd_total{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_price_version="2026-11-29",aimon_cost_kind="output",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 0.00008
aimon_client_cost_usd_total{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_price_version="2026-11-29",aimon_cost_kind="input",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 2.4e-7
# HELP aimon_client_cost_billed_total Amount billed by the host in its billing currency (label aimon.cost.billed_currency).
# UNIT aimon_client_cost_billed_total {currency_unit}
# TYPE aimon_client_cost_billed_total counter
aimon_client_cost_billed_total{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_price_version="2026-11-29",aimon_cost_billed_currency="USD",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 0.0000224
aimon_client_cost_billed_total{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_price_version="2026-11-29",aimon_cost_billed_currency="USD",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 0.00013
aimon_client_cost_billed_total{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_price_version="2026-11-29",aimon_cost_billed_currency="USD",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 2.4e-7
# HELP aimon_client_cost_effective_usd_total Billed amount converted to USD at the configured rate: what the calls really cost.
# UNIT aimon_client_cost_effective_usd_total {USD}
# TYPE aimon_client_cost_effective_usd_total counter
aimon_client_cost_effective_usd_total{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="deepseek-v3.2",gen_ai_response_model="deepseek-v3.2",aimon_price_version="2026-11-29",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 0.0000224
aimon_client_cost_effective_usd_total{gen_ai_operation_name="chat",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="gpt-4.1",gen_ai_response_model="gpt-4.1",aimon_price_version="2026-11-29",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 0.00013
aimon_client_cost_effective_usd_total{gen_ai_operation_name="embeddings",gen_ai_provider_name="holysheep",server_address="127.0.0.1",server_port="44593",gen_ai_request_model="text-embedding-3-small",gen_ai_response_model="text-embedding-3-small",aimon_price_version="2026-11-29",otel_scope_name="@aimon/otel",otel_scope_version="0.1.0"} 2.4e-7
`;

/** The same exposition as an app exposes it without cost (older build, or no price for any model). */
const WITHOUT_COST = CAPTURED.split('\n')
  .filter((l) => !/^(# (HELP|TYPE|UNIT) )?aimon_client_cost_usd_total\b/.test(l))
  .join('\n');

const row = (model: string, r: Partial<ModelSummary>): ModelSummary => ({
  model,
  requests: 0,
  errors: 0,
  inputTokens: 0,
  outputTokens: 0,
  p95Seconds: undefined,
  costUsd: undefined,
  ...r,
});

describe('summarize', () => {
  it('gives requests, errors, tokens, p95 and cost per model from a captured exposition', () => {
    const s = summarize(CAPTURED);
    expect(s.hasCost).toBe(true);
    // p95 by linear interpolation inside the bucket, as histogram_quantile():
    // deepseek (0.64]=0 (1.28]=2 -> rank 1.9 -> 0.64 + 0.64 * 1.9 / 2.
    // gpt-4.1, its 200 and its 429 merged: (0.32]=0 (0.64]=2 -> 0.32 + 0.32 * 1.9 / 2.
    // Cost: the input and output series of each model added up.
    expect(s.models).toEqual([
      row('deepseek-v3.2', {
        requests: 2,
        errors: 0,
        inputTokens: 50,
        outputTokens: 20,
        p95Seconds: expect.closeTo(1.248, 12),
        costUsd: expect.closeTo(0.000014 + 0.0000084, 15),
      }),
      row('gpt-4.1', {
        requests: 2,
        errors: 1,
        inputTokens: 25,
        outputTokens: 10,
        p95Seconds: expect.closeTo(0.624, 12),
        costUsd: expect.closeTo(0.00005 + 0.00008, 15),
      }),
      row('text-embedding-3-small', {
        requests: 1,
        errors: 0,
        inputTokens: 12,
        outputTokens: 0,
        p95Seconds: expect.closeTo(1.248, 12),
        costUsd: expect.closeTo(2.4e-7, 15),
      }),
    ]);
    // All five calls: (0.64]=2 (1.28]=5 -> rank 4.75 -> 0.64 + 0.64 * 2.75 / 3.
    expect(s.total).toEqual(
      row('total', {
        requests: 5,
        errors: 1,
        inputTokens: 87,
        outputTokens: 30,
        p95Seconds: expect.closeTo(0.64 + (0.64 * 2.75) / 3, 12),
        costUsd: expect.closeTo(0.00015264, 15),
      }),
    );
  });

  it('leaves cost undefined, not zero, when no cost series is exposed', () => {
    const s = summarize(WITHOUT_COST);
    expect(s.hasCost).toBe(false);
    expect(s.models.map((m) => [m.model, m.requests, m.costUsd])).toEqual([
      ['deepseek-v3.2', 2, undefined],
      ['gpt-4.1', 2, undefined],
      ['text-embedding-3-small', 1, undefined],
    ]);
    expect(s.total.costUsd).toBeUndefined();
  });

  it('reads nothing from an exposition without GenAI series', () => {
    const s = summarize('# HELP up x\n# TYPE up gauge\nup 1\n');
    expect(s).toEqual({ models: [], total: row('total', {}), hasCost: false });
  });

  it('counts series without any model label under (unknown)', () => {
    const s = summarize('gen_ai_client_operation_duration_seconds_count{error_type="timeout"} 3\n');
    expect(s.models).toEqual([row('(unknown)', { requests: 3, errors: 3 })]);
  });
});

describe('formatSummary', () => {
  it('prints a fixed-width table with a total row and a cost column', () => {
    expect(formatSummary(summarize(CAPTURED))).toBe(
      [
        'model                   requests  errors  input tok  output tok     p95      cost USD',
        'deepseek-v3.2                  2       0         50          20  1.25 s    $0.0000224',
        'gpt-4.1                        2       1         25          10  624 ms     $0.000130',
        'text-embedding-3-small         1       0         12           0  1.25 s  $0.000000240',
        'total                          5       1         87          30  1.23 s     $0.000153',
        '',
      ].join('\n'),
    );
  });

  it('leaves the cost column out when no cost series exist', () => {
    expect(formatSummary(summarize(WITHOUT_COST))).toBe(
      [
        'model                   requests  errors  input tok  output tok     p95',
        'deepseek-v3.2                  2       0         50          20  1.25 s',
        'gpt-4.1                        2       1         25          10  624 ms',
        'text-embedding-3-small         1       0         12           0  1.25 s',
        'total                          5       1         87          30  1.23 s',
        '',
      ].join('\n'),
    );
  });
});

describe('parseSampleLine', () => {
  it('parses labels with escapes, special values and a timestamp', () => {
    expect(parseSampleLine('m{a="x\\"y",b="l1\\nl2",c="back\\\\slash"} +Inf 1700000000000')).toEqual({
      name: 'm',
      labels: { a: 'x"y', b: 'l1\nl2', c: 'back\\slash' },
      value: Infinity,
    });
    expect(parseSampleLine('m_total 42')).toEqual({ name: 'm_total', labels: {}, value: 42 });
    expect(parseSampleLine('m{le="0.5",} 1e-3')).toEqual({ name: 'm', labels: { le: '0.5' }, value: 0.001 });
  });

  it('skips malformed lines instead of throwing', () => {
    expect(parseSampleLine('m{a="unterminated} 1')).toBeUndefined();
    expect(parseSampleLine('m{a=x} 1')).toBeUndefined();
    expect(parseSampleLine('m not-a-number')).toBeUndefined();
    expect(parseSampleLine('{a="x"} 1')).toBeUndefined();
    expect(parseExposition('# comment\n\nm 1\nbroken{\n')).toEqual([{ name: 'm', labels: {}, value: 1 }]);
  });

  it('parses every sample line of the capture', () => {
    const lines = CAPTURED.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(parseExposition(CAPTURED)).toHaveLength(lines.length);
  });
});

describe('histogramQuantile', () => {
  it('interpolates within a bucket and answers the last finite bound for +Inf', () => {
    expect(histogramQuantile(0.5, [[1, 2], [2, 4], [Infinity, 4]])).toBe(1);
    expect(histogramQuantile(0.75, [[1, 2], [2, 4], [Infinity, 4]])).toBe(1.5);
    expect(histogramQuantile(0.95, [[1, 0], [2, 1], [Infinity, 10]])).toBe(2);
    expect(histogramQuantile(0.95, [[1, 0], [Infinity, 0]])).toBeUndefined();
    expect(histogramQuantile(0.95, [])).toBeUndefined();
  });
});
