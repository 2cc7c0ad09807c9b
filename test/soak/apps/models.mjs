// `node --import <register> models.mjs <count> <offset>`-style driver: on each
// stdin line "<count> <offset>", makes that many JSON calls, each with a
// distinct model name, then prints "done <n>".
const base = process.env.UPSTREAM_BASE_URL;
process.stdin.setEncoding('utf8');
let buf = '';
process.stdin.on('data', async (d) => {
  buf += d;
  for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
    const line = buf.slice(0, i).trim();
    buf = buf.slice(i + 1);
    if (line === 'exit') return process.stdin.destroy();
    const [count, offset] = line.split(' ').map(Number);
    let next = offset;
    const end = offset + count;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < end) {
          const n = next++;
          const res = await fetch(`${base}/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            // Misconfigured or attacker-controlled: every call a new model name.
            body: JSON.stringify({ model: `tenant-model-${n}`, messages: [{ role: 'user', content: 'hi' }] }),
          });
          await res.text();
        }
      }),
    );
    process.stdout.write(`done ${end}\n`);
  }
});
