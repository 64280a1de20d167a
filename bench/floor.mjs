// The floor `npm run bench` compares against: a plain single-threaded script that reads the files
// (1 MiB chunks; a .gz file through gunzip, 256 KiB at a time), splits lines with Buffer indexOf and
// JSON-parses the lines that start with `{`.
// Usage: node bench/floor.mjs <file...>  → one JSON line {bytes, lines, parsed, ms} on stdout (bytes: of content).
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';

let bytes = 0, lines = 0, parsed = 0;
const t0 = performance.now();
for (const path of process.argv.slice(2)) {
  let carry = null;
  const stored = createReadStream(path, { highWaterMark: 1 << 20 });
  const content = path.endsWith('.gz') ? stored.pipe(createGunzip({ chunkSize: 256 * 1024 })) : stored;
  for await (const chunk of content) {
    bytes += chunk.length;
    let buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
      lines++;
      if (buf[start] === 123) {
        JSON.parse(buf.toString('utf8', start, nl));
        parsed++;
      }
      start = nl + 1;
    }
    carry = start < buf.length ? buf.subarray(start) : null;
  }
  if (carry) {
    lines++;
    if (carry[0] === 123) {
      JSON.parse(carry.toString('utf8'));
      parsed++;
    }
  }
}
process.stdout.write(JSON.stringify({ bytes, lines, parsed, ms: performance.now() - t0 }) + '\n');
