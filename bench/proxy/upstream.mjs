// The fake OpenAI upstream (src/sim/upstream.ts, built) in its own process.
// Prints its base URL on stdout when listening.
import { startFakeUpstream } from '../../dist/sim/upstream.js';

const up = await startFakeUpstream({ chunks: Number(process.env.CHUNKS ?? 10) });
process.stdout.write(`${up.baseURL}\n`);
process.on('SIGTERM', () => void up.close().then(() => process.exit(0)));
