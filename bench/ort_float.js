#!/usr/bin/env node
//===- bench/ort_float.js - onnxruntime-node float inference rate ---------===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Times MODEL.onnx on onnxruntime-node (CPU, float, graph optimisations on)
// in a batch-1 loop of N random inputs after 3 warm-up runs and prints
// `NAME ort-float SECONDS N`. onnxruntime-node is looked up in
// $MOTE_ORT_MODULES, then <repo>/build/npm/node_modules; exit code 3 when
// it is not installed (sim_throughput.sh then skips it with a note).
//
// Usage: node ort_float.js MODEL.onnx NAME N [THREADS]
//
//===----------------------------------------------------------------------===//
'use strict';
const path = require('path');

function loadOrt() {
  const dirs = [];
  if (process.env.MOTE_ORT_MODULES) dirs.push(process.env.MOTE_ORT_MODULES);
  dirs.push(path.join(__dirname, '..', 'build', 'npm', 'node_modules'));
  for (const d of dirs) {
    try {
      return require(path.join(d, 'onnxruntime-node'));
    } catch (e) { /* next */ }
  }
  return null;
}

async function main() {
  const [model, name, nStr, threadsStr] = process.argv.slice(2);
  if (!model || !name || !nStr) {
    console.error('usage: node ort_float.js MODEL.onnx NAME N [THREADS]');
    process.exit(2);
  }
  const ort = loadOrt();
  if (!ort) {
    console.error('onnxruntime-node is not installed');
    process.exit(3);
  }
  const threads = Number(threadsStr || 2);
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads, interOpNumThreads: 1,
    graphOptimizationLevel: 'all'});
  const input = session.inputNames[0];
  const meta = session.inputMetadata ? session.inputMetadata[0] : null;
  let dims = meta && meta.shape ? meta.shape.map(d => typeof d === 'number' ? d : 1) : null;
  if (!dims) throw new Error('cannot read the input shape');
  const size = dims.reduce((a, b) => a * b, 1);
  const feeds = [];
  for (let i = 0; i < 16; ++i) {
    const data = new Float32Array(size);
    for (let j = 0; j < size; ++j) data[j] = Math.random() * 2 - 1;
    feeds.push({[input]: new ort.Tensor('float32', data, dims)});
  }
  const n = Number(nStr);
  for (let i = 0; i < 3; ++i) await session.run(feeds[i % feeds.length]);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; ++i) await session.run(feeds[i % feeds.length]);
  const t1 = process.hrtime.bigint();
  console.log(`${name} ort-float ${(Number(t1 - t0) / 1e9).toFixed(6)} ${n}`);
}

main().catch(e => { console.error(e.message || e); process.exit(1); });
