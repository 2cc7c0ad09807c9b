/** Expected attribute objects, spelled out so that the tests assert whole objects. */
import type { Attributes } from '@opentelemetry/api';

/** The request-side span attributes every instrumented call against the fake upstream carries. */
export function base(port: number, operation: 'chat' | 'embeddings' | 'text_completion', model: string): Attributes {
  return {
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': 'openai',
    'server.address': '127.0.0.1',
    'server.port': port,
    'gen_ai.request.model': model,
  };
}

/** Usage as the fake upstream reports it for a prompt of `prompt` tokens and the default 10 output tokens. */
export function usage(prompt: number, completion = 10, cached = 0, reasoning = 0): Attributes {
  return {
    'gen_ai.usage.input_tokens': prompt,
    'gen_ai.usage.output_tokens': completion,
    'gen_ai.usage.cache_read.input_tokens': cached,
    'gen_ai.usage.reasoning.output_tokens': reasoning,
  };
}

/** Metric attributes (the allow-list) for a call against the fake upstream. */
/** `responseModel` null: no response model (errors before a body was parsed). */
export function metricBase(port: number, operation: string, model: string, responseModel: string | null = model): Attributes {
  const a: Attributes = {
    'gen_ai.operation.name': operation,
    'gen_ai.provider.name': 'openai',
    'server.address': '127.0.0.1',
    'server.port': port,
    'gen_ai.request.model': model,
  };
  if (responseModel !== null) a['gen_ai.response.model'] = responseModel;
  return a;
}

export const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
export const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
