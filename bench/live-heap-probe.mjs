// Loaded into a measured server by bench/idle-rss.ts (`node --expose-gc
// --import=<this file> dist/main.js`): on SIGUSR2 it collects all garbage and
// writes the heap that is still in use to BENCH_LIVE_HEAP_FILE. Idle RSS
// moves by a megabyte or two from one start to the next; the live heap after
// a full collection moves by a few kilobytes, so it shows what a change kept
// or dropped even when the RSS noise hides it. Never part of a normal start.
import { writeFileSync } from 'node:fs';

process.on('SIGUSR2', () => {
  globalThis.gc();
  globalThis.gc();
  writeFileSync(process.env.BENCH_LIVE_HEAP_FILE, JSON.stringify({ heapUsedBytes: process.memoryUsage().heapUsed }));
});
