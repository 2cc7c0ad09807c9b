/** Errors the proxy itself answers, in the OpenAI error shape SDKs parse. Pure. */

export interface ProxyError {
  status: number;
  type: string;
  code: string;
  message: string;
}

export function errorBody(e: ProxyError): Buffer {
  return Buffer.from(JSON.stringify({ error: { message: e.message, type: e.type, param: null, code: e.code } }));
}

export const ERRORS = {
  badJson: (detail: string): ProxyError => ({
    status: 400,
    type: 'invalid_request_error',
    code: 'invalid_json',
    message: `We could not parse the JSON body of your request: ${detail}. The API expects a JSON object.`,
  }),
  tooLarge: (limit: number): ProxyError => ({
    status: 413,
    type: 'invalid_request_error',
    code: 'request_too_large',
    message: `The request body exceeds the proxy's limit of ${limit} bytes.`,
  }),
  unauthorized: (): ProxyError => ({
    status: 401,
    type: 'invalid_request_error',
    code: 'invalid_api_key',
    message: 'Incorrect proxy token provided. Send a configured proxy token as "Authorization: Bearer <token>".',
  }),
  unreachable: (cls: string): ProxyError => ({
    status: 502,
    type: 'upstream_error',
    code: 'upstream_unreachable',
    message: `The proxy could not get a response from the upstream (${cls}).`,
  }),
  timeout: (ms: number): ProxyError => ({
    status: 504,
    type: 'upstream_error',
    code: 'upstream_timeout',
    message: `The upstream did not answer within the proxy's deadline of ${ms} ms.`,
  }),
  unavailable: (): ProxyError => ({
    status: 503,
    type: 'server_error',
    code: 'proxy_shutting_down',
    message: 'The proxy is shutting down; retry on another instance.',
  }),
};
