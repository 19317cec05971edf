import assert from 'node:assert/strict'
import { test } from 'node:test'
import { pino } from 'pino'
import { startTracing, tracingConfig } from './tracing.js'

const quiet = pino({ level: 'silent' })

test('tracing is off without an OTLP endpoint, with OTEL_TRACES_EXPORTER=none or the SDK disabled', async () => {
  assert.equal(tracingConfig({}), undefined)
  assert.equal(await startTracing({}, quiet), undefined)
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }
  assert.equal(tracingConfig({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }), undefined)
  assert.equal(tracingConfig({ ...endpoint, OTEL_SDK_DISABLED: 'true' }), undefined)
  assert.equal(tracingConfig({ ...endpoint, OTEL_TRACES_EXPORTER: 'zipkin' }, quiet), undefined)
  assert.equal(
    tracingConfig({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, quiet),
    undefined,
  )
})

test('the traces URL follows OTLP/HTTP: the signal endpoint as is, else the base + /v1/traces', () => {
  assert.deepEqual(tracingConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }), {
    url: 'http://collector:4318/v1/traces',
    protocol: 'http/protobuf',
    serviceName: undefined,
  })
  assert.deepEqual(
    tracingConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://ignored:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://collector/custom/traces',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'sundial-eu',
    }),
    { url: 'https://collector/custom/traces', protocol: 'http/json', serviceName: 'sundial-eu' },
  )
})
