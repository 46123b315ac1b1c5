// The browser client's parse cost per comment, wire v1 against v2, measured
// alternately in one run (docs/BENCHMARKS.md): JSON.parse of a comments
// frame plus what client.js does to get its items (frameItems).
//
//   node app/web/testdata/js/wire-bench.mjs
import { encodeRows, frameItems } from '../../../../assets/js/wire.js';

const at = Date.parse('2026-11-26T04:28:42.939Z');
function items(n) {
  return Array.from({ length: n }, (_, i) => ({
    id: 1000 + i, room: 'demo', seq: 100 + i, time: (12340 + i) / 1000, text: '前方高能 this is a comment',
    mode: 'scroll', color: '#ffffff', size: 'medium', user: { id: 'g-4f2a9c01d3e5b6a7', name: 'guest-4f2a' },
    created_at: new Date(at + i * 7).toISOString(), likes: 0, weight: 5,
  }));
}

function run(frame, n, rounds) {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) sink += frameItems(JSON.parse(frame)).length;
  const ns = Number(process.hrtime.bigint() - t0);
  if (sink !== n * rounds) throw new Error('decoded the wrong number of items');
  return ns / (n * rounds);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const n of [1, 10, 100]) {
  const list = items(n);
  const frames = {
    v1: JSON.stringify({ type: 'comments', room: 'demo', items: list }),
    v2: JSON.stringify({ type: 'comments', room: 'demo', rows: encodeRows(list) }),
  };
  const rounds = Math.ceil(200000 / n);
  const got = { v1: [], v2: [] };
  for (const v of ['v1', 'v2']) run(frames[v], n, rounds); // warm up both
  for (let i = 0; i < 9; i++) for (const v of ['v1', 'v2']) got[v].push(run(frames[v], n, rounds));
  const b1 = Buffer.byteLength(frames.v1) / n;
  const b2 = Buffer.byteLength(frames.v2) / n;
  const p1 = median(got.v1);
  const p2 = median(got.v2);
  console.log(`items=${n}\tv1 ${b1.toFixed(1)} B/item ${p1.toFixed(0)} ns/item\tv2 ${b2.toFixed(1)} B/item ${p2.toFixed(0)} ns/item\tv2/v1 parse ${(p2 / p1).toFixed(2)}`);
}
