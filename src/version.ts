/** Package name and version, used as the instrumentation scope. Kept in step with package.json by a test. */
export const PACKAGE_NAME = '@aimon/otel';
export const PACKAGE_VERSION = '0.1.0';
