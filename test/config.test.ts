import { describe, expect, it } from 'vitest';
import { envBool, envInt, resolveConfig, semconvModeOf, type AimonOptions } from '../src/config.js';
import { DEFAULT_ENDPOINTS } from '../src/hosts.js';

const DEFAULTS = {
  endpoints: DEFAULT_ENDPOINTS,
  streamUsage: 'off',
  spanStart: 'auto',
  maxModelLabels: 200,
  maxEventBytes: 1 << 20,
  maxBodyBytes: 64 << 20,
  attributes: [],
  maxAttributeValues: 100,
  pricesPath: undefined,
  semconv: 'v1.41',
  content: { capture: false, maxBytes: 16384 },
};

describe('resolveConfig', () => {
  it('defaults, with an empty env', () => {
    expect(resolveConfig({}, {})).toEqual({ config: DEFAULTS, warnings: [] });
  });

  it('reads every env variable', () => {
    const { config, warnings } = resolveConfig(
      {},
      {
        AIMON_HOSTS: 'llm.example.com/v1=gw, localhost:8080 ,',
        AIMON_DEFAULT_HOSTS: 'false',
        AIMON_STREAM_USAGE: ' Inject ',
        AIMON_SPAN_START: ' Request ',
        AIMON_MAX_MODEL_LABELS: '50',
        AIMON_MAX_EVENT_BYTES: '4096',
        AIMON_MAX_BODY_BYTES: '1048576',
        AIMON_ATTRIBUTES: 'team, feature ,',
        AIMON_MAX_ATTRIBUTE_VALUES: '20',
        AIMON_PRICES: ' ./prices.yaml ',
        AIMON_CONTENT_MAX_BYTES: '1000',
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'TRUE',
        OTEL_SEMCONV_STABILITY_OPT_IN: 'http,gen_ai_latest_experimental',
      },
    );
    expect(warnings).toEqual([]);
    expect(config).toEqual({
      endpoints: [
        { host: 'llm.example.com', pathPrefix: '/v1', provider: 'gw' },
        { host: 'localhost', port: 8080, pathPrefix: '', provider: 'openai' },
      ],
      streamUsage: 'inject',
      spanStart: 'request',
      maxModelLabels: 50,
      maxEventBytes: 4096,
      maxBodyBytes: 1048576,
      attributes: ['team', 'feature'],
      maxAttributeValues: 20,
      pricesPath: './prices.yaml',
      semconv: 'latest',
      content: { capture: true, maxBytes: 1000 },
    });
  });

  it('options win over env', () => {
    const options: AimonOptions = {
      hosts: ['a.example.com', { host: 'B.Example.com', pathPrefix: '/x//', provider: 'b' }],
      defaultHosts: false,
      streamUsage: 'off',
      spanStart: 'auto',
      maxModelLabels: 7,
      maxEventBytes: 2048,
      maxBodyBytes: 4096,
      attributes: ['tenant'],
      maxAttributeValues: 3,
      prices: '/p.json',
      captureContent: false,
      contentMaxBytes: 128,
    };
    const { config, warnings } = resolveConfig(options, {
      AIMON_DEFAULT_HOSTS: 'true',
      AIMON_STREAM_USAGE: 'inject',
      AIMON_SPAN_START: 'request',
      AIMON_MAX_MODEL_LABELS: '9',
      AIMON_ATTRIBUTES: 'team',
      AIMON_PRICES: '/env.json',
      OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
    });
    expect(warnings).toEqual([]);
    expect(config).toEqual({
      endpoints: [
        { host: 'a.example.com', pathPrefix: '', provider: 'openai' },
        { host: 'b.example.com', pathPrefix: '/x', provider: 'b' },
      ],
      streamUsage: 'off',
      spanStart: 'auto',
      maxModelLabels: 7,
      maxEventBytes: 2048,
      maxBodyBytes: 4096,
      attributes: ['tenant'],
      maxAttributeValues: 3,
      pricesPath: '/p.json',
      semconv: 'v1.41',
      content: { capture: false, maxBytes: 128 },
    });
  });

  it('bad env values warn and fall back to defaults, never throw', () => {
    const { config, warnings } = resolveConfig(
      {},
      {
        AIMON_HOSTS: 'good.example.com,bad host,x=bad provider!',
        AIMON_DEFAULT_HOSTS: 'maybe',
        AIMON_STREAM_USAGE: 'always',
        AIMON_SPAN_START: 'later',
        AIMON_MAX_MODEL_LABELS: '0',
        AIMON_MAX_EVENT_BYTES: '12.5',
        AIMON_MAX_BODY_BYTES: 'lots',
        AIMON_ATTRIBUTES: 'ok,not-ok,1st',
        AIMON_MAX_ATTRIBUTE_VALUES: '-5',
        AIMON_CONTENT_MAX_BYTES: '99999999999',
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'sure',
      },
    );
    expect(config).toEqual({
      ...DEFAULTS,
      endpoints: [...DEFAULT_ENDPOINTS, { host: 'good.example.com', pathPrefix: '', provider: 'openai' }],
      attributes: ['ok'],
    });
    expect(warnings).toEqual([
      'AIMON_DEFAULT_HOSTS="maybe" is not a boolean; using true',
      'AIMON_HOSTS: invalid host entry "bad host"; entry ignored',
      'AIMON_HOSTS: invalid provider in host entry "x=bad provider!"; entry ignored',
      'AIMON_STREAM_USAGE="always" is not "off" or "inject"; using off',
      'AIMON_SPAN_START="later" is not "auto" or "request"; using auto',
      'AIMON_ATTRIBUTES: "not-ok" is not a valid key (letters, digits, _); ignored',
      'AIMON_ATTRIBUTES: "1st" is not a valid key (letters, digits, _); ignored',
      'AIMON_MAX_MODEL_LABELS="0" is not an integer in [1, 100000]; using 200',
      'AIMON_MAX_EVENT_BYTES="12.5" is not an integer in [1024, 1073741824]; using 1048576',
      'AIMON_MAX_BODY_BYTES="lots" is not an integer in [1024, 1073741824]; using 67108864',
      'AIMON_MAX_ATTRIBUTE_VALUES="-5" is not an integer in [1, 100000]; using 100',
      'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT="sure" is not a boolean; using false',
      'AIMON_CONTENT_MAX_BYTES="99999999999" is not an integer in [64, 16777216]; using 16384',
    ]);
  });

  it('bad option values warn and fall back to defaults, never throw', () => {
    const bad = {
      hosts: [{ host: 5 }, 'ok.example.com'],
      spanStart: 'end',
      maxModelLabels: 0,
      maxEventBytes: Number.NaN,
      maxBodyBytes: -1,
      maxAttributeValues: 1.5,
      contentMaxBytes: Infinity,
    } as unknown as AimonOptions;
    let resolved: ReturnType<typeof resolveConfig> | undefined;
    expect(() => {
      resolved = resolveConfig(bad, {});
    }).not.toThrow();
    expect(resolved!.config).toEqual({
      ...DEFAULTS,
      endpoints: [...DEFAULT_ENDPOINTS, { host: 'ok.example.com', pathPrefix: '', provider: 'openai' }],
    });
    expect(resolved!.warnings).toEqual([
      'hosts: {"host":5} is not a valid endpoint; entry ignored',
      'spanStart: "end" is not "auto" or "request"; using auto',
      'maxModelLabels=0 is not an integer in [1, 100000]; using 200',
      'maxEventBytes=NaN is not an integer in [1024, 1073741824]; using 1048576',
      'maxBodyBytes=-1 is not an integer in [1024, 1073741824]; using 67108864',
      'maxAttributeValues=1.5 is not an integer in [1, 100000]; using 100',
      'contentMaxBytes=Infinity is not an integer in [64, 16777216]; using 16384',
    ]);
  });

  it('the result is frozen, endpoints included', () => {
    const { config } = resolveConfig({ hosts: ['x.example.com'] }, {});
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.endpoints)).toBe(true);
    expect(Object.isFrozen(config.attributes)).toBe(true);
    expect(Object.isFrozen(config.content)).toBe(true);
    expect(config.endpoints.every((e) => Object.isFrozen(e))).toBe(true);
    expect(() => {
      (config.endpoints[0] as { provider: string }).provider = 'changed';
    }).toThrow(TypeError);
    expect(DEFAULT_ENDPOINTS[0]!.provider).toBe('holysheep');
  });

  it('reads process.env by default', () => {
    const before = process.env.AIMON_MAX_MODEL_LABELS;
    process.env.AIMON_MAX_MODEL_LABELS = '33';
    try {
      expect(resolveConfig().config.maxModelLabels).toBe(33);
    } finally {
      if (before === undefined) delete process.env.AIMON_MAX_MODEL_LABELS;
      else process.env.AIMON_MAX_MODEL_LABELS = before;
    }
  });
});

describe('env helpers', () => {
  it.each<[string | undefined, boolean, string[]]>([
    [undefined, true, []],
    ['', true, []],
    ['  ', true, []],
    ['1', true, []],
    ['yes', true, []],
    ['ON', true, []],
    ['0', false, []],
    ['no', false, []],
    ['Off', false, []],
    ['False', false, []],
    ['2', true, ['X="2" is not a boolean; using true']],
  ])('envBool %j', (raw, value, warnings) => {
    const w: string[] = [];
    expect(envBool({ X: raw }, 'X', true, w)).toBe(value);
    expect(w).toEqual(warnings);
  });

  it.each<[string | undefined, number, string[]]>([
    [undefined, 5, []],
    [' 7 ', 7, []],
    ['10', 10, []],
    ['1', 1, []],
    ['0', 5, ['X="0" is not an integer in [1, 10]; using 5']],
    ['11', 5, ['X="11" is not an integer in [1, 10]; using 5']],
    ['3.5', 5, ['X="3.5" is not an integer in [1, 10]; using 5']],
    ['abc', 5, ['X="abc" is not an integer in [1, 10]; using 5']],
  ])('envInt %j', (raw, value, warnings) => {
    const w: string[] = [];
    expect(envInt({ X: raw }, 'X', 5, 1, 10, w)).toBe(value);
    expect(w).toEqual(warnings);
  });

  it.each([
    [undefined, 'v1.41'],
    ['', 'v1.41'],
    ['http', 'v1.41'],
    ['gen_ai_latest_experimental', 'latest'],
    [' http , gen_ai_latest_experimental ', 'latest'],
    ['gen_ai_latest_experimental/dup', 'dup'],
    ['gen_ai_latest_experimental,gen_ai_latest_experimental/dup', 'dup'],
    ['gen_ai_latest', 'v1.41'],
  ])('semconvModeOf %j', (raw, mode) => {
    expect(semconvModeOf(raw)).toBe(mode);
  });
});
