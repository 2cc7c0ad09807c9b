'use strict';
// @opentelemetry/instrumentation-openai under @opentelemetry/sdk-node (see ../contrib-sdk.cjs).
const { installSinks } = require('../sinks.cjs');
const { startContribSdk } = require('../contrib-sdk.cjs');

const sinks = installSinks();
startContribSdk(sinks);
sinks.logProvider = require('@opentelemetry/api-logs').logs.getLoggerProvider();
