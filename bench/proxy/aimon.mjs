// `aimon proxy` (built) in its own process: node aimon.mjs --upstream ... --listen ...
import { run } from '../../dist/cli/proxy.js';

process.exitCode = await run(process.argv.slice(2));
