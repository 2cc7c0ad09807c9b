'use strict';
// The AsyncLocalStorage-only control: the context manager every OTel SDK
// installs, and nothing else (the client wraps each call in context.with).
const { context } = require('@opentelemetry/api');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
