#!/usr/bin/env node
//===- scripts/onnx/ort_run.js - Run an ONNX model on onnxruntime-node ----===//
//
// Part of the Mote project: an MLIR compiler for the Mote NPU.
//
//===----------------------------------------------------------------------===//
//
// Runs MODEL.onnx with onnxruntime-node (an independent reference: Microsoft's
// ONNX Runtime, CPU execution provider) on .npy inputs and writes one .npy per
// output, named like mote-run names its outputs (the ONNX output name with
// every character other than [A-Za-z0-9._-] replaced by '_'), so that the
// two output directories compare file by file (scripts/onnx/compare_ort.py).
//
// Usage:
//   node ort_run.js MODEL.onnx --input [NAME=]FILE.npy ... [--output-dir DIR]
//        [--threads N] [--opt-level disabled|basic|extended|all]
//        [--ort-modules DIR] [--print-io]
//   node ort_run.js --jobs JOBS.json [same options]
//
// Inputs without NAME= bind to the model's inputs in order, skipping those
// bound by name. An input array whose dtype differs from the model's input
// type is converted (e.g. float64 -> float32), with a note on stderr.
// onnxruntime-node is looked up in --ort-modules, $MOTE_ORT_MODULES,
// $MOTE_BUILD_DIR/npm/node_modules, then <repo>/build/npm/node_modules (where
// scripts/setup.sh installs it). Exit code 0 on success, 1 on any error
// (the message names the file), 2 on bad usage.
//
// --jobs runs a JSON list of models, [{"model": M, "inputs": [...],
// "outputDir": D}, ...], in one process (compare_ort.py --dir uses it:
// loading onnxruntime takes longer than running a small model); each model
// leaves D/summary.txt, or D/ERROR with its message.
//
//===----------------------------------------------------------------------===//

'use strict';

const fs = require('fs');
const path = require('path');

/// An error with a message for the user (it names the file); the driver
/// prints it and exits 1, or, with --jobs, records it for that model.
class RunError extends Error {}

function fail(msg) {
  throw new RunError(msg);
}

//===----------------------------------------------------------------------===//
// .npy reading and writing (format versions 1.0, 2.0, 3.0; little-endian).
//===----------------------------------------------------------------------===//

// numpy descr -> [ort type, bytes per element, TypedArray constructor].
const NPY_TYPES = {
  '<f4': ['float32', 4, Float32Array],
  '<f8': ['float64', 8, Float64Array],
  '<i8': ['int64', 8, BigInt64Array],
  '<u8': ['uint64', 8, BigUint64Array],
  '<i4': ['int32', 4, Int32Array],
  '<u4': ['uint32', 4, Uint32Array],
  '<i2': ['int16', 2, Int16Array],
  '<u2': ['uint16', 2, Uint16Array],
  '|u1': ['uint8', 1, Uint8Array],
  '|i1': ['int8', 1, Int8Array],
  '|b1': ['bool', 1, Uint8Array],
};
const ORT_TO_DESCR = {};
for (const [descr, [type]] of Object.entries(NPY_TYPES))
  ORT_TO_DESCR[type] = descr;

function readNpy(file) {
  let buf;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    fail(`${file}: cannot read: ${e.message}`);
  }
  const bad = (what) => fail(`${file}: not a valid .npy file (${what})`);
  if (buf.length < 10 || buf.readUInt8(0) !== 0x93 ||
      buf.toString('latin1', 1, 6) !== 'NUMPY')
    bad('no NUMPY magic');
  const major = buf.readUInt8(6);
  let headerLen, start;
  if (major === 1) {
    headerLen = buf.readUInt16LE(8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) bad('truncated header');
    headerLen = buf.readUInt32LE(8);
    start = 12;
  } else {
    bad(`format version ${major}`);
  }
  if (start + headerLen > buf.length) bad('truncated header');
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', start,
                              start + headerLen);
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
  const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) bad(`header '${header.trim()}'`);
  let d = descr[1];
  if (d === '=f4' || d === '=f8' || d === '=i8' || d === '=i4')
    d = '<' + d.slice(1);  // native order on a little-endian machine
  if (d === '<u1' || d === '<i1' || d === '<b1') d = '|' + d.slice(1);
  if (!(d in NPY_TYPES))
    fail(`${file}: dtype '${descr[1]}' is not supported (float32, float64, ` +
         `int64, int32, int16, int8, uint8, bool)`);
  if (fortran[1] === 'True')
    fail(`${file}: fortran_order arrays are not supported; save a C-order ` +
         `array (np.ascontiguousarray)`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s)
                   .map((s) => Number.parseInt(s, 10));
  if (dims.some((v) => !Number.isSafeInteger(v) || v < 0)) bad('shape');
  const [type, size, Ctor] = NPY_TYPES[d];
  const count = dims.reduce((a, b) => a * b, 1);
  const offset = start + headerLen;
  if (buf.length - offset !== count * size)
    fail(`${file}: holds ${buf.length - offset} data bytes but shape ` +
         `[${dims.join(', ')}] of ${d} needs ${count * size}`);
  // Copy into an aligned buffer of its own (the file buffer may be pooled
  // and misaligned for the element size).
  const data = new Ctor(count);
  Buffer.from(data.buffer).set(buf.subarray(offset));
  return {type, dims, data};
}

function writeNpy(file, type, dims, data) {
  const descr = ORT_TO_DESCR[type];
  if (!descr) fail(`${file}: output type '${type}' cannot be written as .npy`);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, ` +
               `'shape': ${shape}, }`;
  // Pad with spaces so that the data starts at a multiple of 64 bytes, and
  // end with a newline, as numpy does (format version 1.0).
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header + ' '.repeat(total - 10 - header.length - 1) + '\n';
  const pre = Buffer.alloc(10);
  pre.writeUInt8(0x93, 0);
  pre.write('NUMPY', 1, 'latin1');
  pre.writeUInt8(1, 6);
  pre.writeUInt8(0, 7);
  pre.writeUInt16LE(header.length, 8);
  let bytes;
  if (type === 'bool')
    bytes = Buffer.from(Uint8Array.from(data, (v) => (v ? 1 : 0)).buffer);
  else
    bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  try {
    fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'),
                                          bytes]));
  } catch (e) {
    fail(`${file}: cannot write: ${e.message}`);
  }
}

// Converts an array to the ONNX input's element type.
const ORT_CTORS = {
  float32: Float32Array, float64: Float64Array, int64: BigInt64Array,
  uint64: BigUint64Array, int32: Int32Array, uint32: Uint32Array,
  int16: Int16Array, uint16: Uint16Array, int8: Int8Array, uint8: Uint8Array,
  bool: Uint8Array,
};
function convert(arr, type) {
  const Ctor = ORT_CTORS[type];
  if (!Ctor) fail(`model input type '${type}' is not supported`);
  const toBig = Ctor === BigInt64Array || Ctor === BigUint64Array;
  const fromBig = arr.data instanceof BigInt64Array ||
                  arr.data instanceof BigUint64Array;
  const out = new Ctor(arr.data.length);
  for (let i = 0; i < out.length; ++i) {
    const v = arr.data[i];
    out[i] = toBig ? (fromBig ? v : BigInt(Math.trunc(Number(v))))
                   : (fromBig ? Number(v) : v);
  }
  return {type, dims: arr.dims, data: out};
}

/// The file name mote-run gives an output (tools/mote-run: fileNameFor).
function fileNameFor(name) {
  const out = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return out.length ? out : 'output';
}

//===----------------------------------------------------------------------===//
// Driver.
//===----------------------------------------------------------------------===//

function usage(msg) {
  if (msg) process.stderr.write(`ort_run: ${msg}\n`);
  process.stderr.write(
      'usage: node ort_run.js MODEL.onnx --input [NAME=]FILE.npy ... ' +
      '[--output-dir DIR]\n' +
      '       [--threads N] [--opt-level disabled|basic|extended|all] ' +
      '[--ort-modules DIR] [--print-io]\n' +
      '       node ort_run.js --jobs JOBS.json [options]\n');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = {model: null, inputs: [], outputDir: null, threads: 1,
                optLevel: 'all', ortModules: null, printIo: false,
                jobs: null};
  for (let i = 0; i < argv.length; ++i) {
    let a = argv[i];
    let value = null;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    if (eq > 0) {
      value = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const next = () => {
      if (value !== null) return value;
      if (i + 1 >= argv.length) usage(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--input' || a === '-i') opts.inputs.push(next());
    else if (a === '--output-dir' || a === '-o') opts.outputDir = next();
    else if (a === '--threads') opts.threads = Number.parseInt(next(), 10);
    else if (a === '--opt-level') opts.optLevel = next();
    else if (a === '--ort-modules') opts.ortModules = next();
    else if (a === '--print-io') opts.printIo = true;
    else if (a === '--jobs') opts.jobs = next();
    else if (a === '--help' || a === '-h') usage();
    else if (a.startsWith('-')) usage(`unknown option '${argv[i]}'`);
    else if (opts.model === null) opts.model = a;
    else usage(`unexpected argument '${a}'`);
  }
  if (opts.model === null && opts.jobs === null) usage('no model given');
  if (opts.model !== null && opts.jobs !== null)
    usage('give a model or --jobs, not both');
  if (!Number.isInteger(opts.threads) || opts.threads < 0)
    usage('--threads must be a number >= 0');
  if (!['disabled', 'basic', 'extended', 'all'].includes(opts.optLevel))
    usage(`--opt-level '${opts.optLevel}' is not one of disabled, basic, ` +
          'extended, all');
  return opts;
}

function loadOrt(explicit) {
  const repo = path.resolve(__dirname, '..', '..');
  const candidates = [];
  if (explicit) candidates.push(explicit);
  else {
    if (process.env.MOTE_ORT_MODULES)
      candidates.push(process.env.MOTE_ORT_MODULES);
    if (process.env.MOTE_BUILD_DIR)
      candidates.push(path.join(process.env.MOTE_BUILD_DIR, 'npm',
                                'node_modules'));
    candidates.push(path.join(repo, 'build', 'npm', 'node_modules'));
  }
  for (const dir of candidates) {
    const pkg = path.join(dir, 'onnxruntime-node');
    if (fs.existsSync(path.join(pkg, 'package.json'))) {
      try {
        return require(pkg);
      } catch (e) {
        fail(`${pkg}: cannot load onnxruntime-node: ${e.message}`);
      }
    }
  }
  fail('onnxruntime-node not found in ' + candidates.join(', ') +
       ' — run scripts/setup.sh (it installs onnxruntime-node@1.30.0 with ' +
       'npm into the build tree)');
}

function formatShape(dims) {
  return '[' + dims.join(', ') + ']';
}

function summary(name, t) {
  let line = `${name}: shape ${formatShape(t.dims)} ${t.type}`;
  const n = t.data.length;
  if (n > 0 && typeof t.data[0] !== 'bigint') {
    let mn = Infinity, mx = -Infinity, sum = 0;
    for (let i = 0; i < n; ++i) {
      const v = Number(t.data[i]);
      if (v < mn) mn = v;
      if (v > mx) mx = v;
      sum += v;
    }
    line += ` min ${mn.toPrecision(6)} max ${mx.toPrecision(6)} ` +
            `mean ${(sum / n).toPrecision(6)}`;
  }
  return line;
}

/// Runs one model: {model, inputs, outputDir} with the session options of
/// opts. Returns the summary lines; throws RunError.
async function runOne(ort, opts, job) {
  const lines = [];
  if (!fs.existsSync(job.model)) fail(`${job.model}: no such file`);
  let session;
  try {
    session = await ort.InferenceSession.create(job.model, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: opts.optLevel,
      intraOpNumThreads: opts.threads,
      interOpNumThreads: 1,
    });
  } catch (e) {
    fail(`${job.model}: onnxruntime cannot load the model: ${e.message}`);
  }
  const inputNames = session.inputNames;
  const meta = {};
  for (const m of session.inputMetadata || [])
    if (m && m.name) meta[m.name] = m;
  if (opts.printIo) {
    for (const m of session.inputMetadata || [])
      lines.push(`input ${m.name}: ${m.type} ${JSON.stringify(m.shape)}`);
    for (const m of session.outputMetadata || [])
      lines.push(`output ${m.name}: ${m.type} ${JSON.stringify(m.shape)}`);
  }

  // Bind inputs: NAME=FILE first, then positional ones in order.
  const bound = {};
  const positional = [];
  for (const spec of job.inputs) {
    const eq = spec.indexOf('=');
    if (eq > 0 && inputNames.includes(spec.slice(0, eq)))
      bound[spec.slice(0, eq)] = spec.slice(eq + 1);
    else if (eq > 0 && !fs.existsSync(spec))
      fail(`--input ${spec}: the model has no input '${spec.slice(0, eq)}' ` +
           `(inputs: ${inputNames.join(', ')})`);
    else positional.push(spec);
  }
  for (const name of inputNames) {
    if (name in bound) continue;
    if (positional.length === 0) break;
    bound[name] = positional.shift();
  }
  if (positional.length)
    fail(`${positional.length} more input file(s) than model inputs ` +
         `(${inputNames.join(', ')})`);
  const feeds = {};
  for (const name of inputNames) {
    if (!(name in bound))
      fail(`no input given for model input '${name}' (inputs: ` +
           `${inputNames.join(', ')}); pass --input ${name}=FILE.npy`);
    let arr = readNpy(bound[name]);
    const want = meta[name] && meta[name].type;
    if (want && want !== arr.type) {
      process.stderr.write(`ort_run: note: ${bound[name]}: ${arr.type} ` +
                           `converted to ${want} for input '${name}'\n`);
      arr = convert(arr, want);
    }
    try {
      feeds[name] = new ort.Tensor(arr.type, arr.data, arr.dims);
    } catch (e) {
      fail(`${bound[name]}: cannot make a tensor for input '${name}': ` +
           `${e.message}`);
    }
  }

  let results;
  try {
    results = await session.run(feeds);
  } catch (e) {
    fail(`${job.model}: onnxruntime failed to run: ${e.message}`);
  }
  if (job.outputDir) fs.mkdirSync(job.outputDir, {recursive: true});
  for (const name of session.outputNames) {
    const t = results[name];
    lines.push(summary(name, t));
    if (job.outputDir)
      writeNpy(path.join(job.outputDir, fileNameFor(name) + '.npy'), t.type,
               t.dims, t.data);
  }
  if (session.release) await session.release();
  return lines;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const ort = loadOrt(opts.ortModules);
  if (opts.jobs === null) {
    const lines = await runOne(ort, opts, {model: opts.model,
                                           inputs: opts.inputs,
                                           outputDir: opts.outputDir});
    process.stdout.write(lines.map((l) => l + '\n').join(''));
    return;
  }
  // --jobs FILE.json: [{"model", "inputs": [...], "outputDir"}, ...], one
  // process for many models (loading onnxruntime costs more than running a
  // small model). Each model's outcome goes to its output directory:
  // summary.txt, or ERROR holding the message; the exit code is 0.
  let jobs;
  try {
    jobs = JSON.parse(fs.readFileSync(opts.jobs, 'utf8'));
  } catch (e) {
    fail(`${opts.jobs}: cannot read the job list: ${e.message}`);
  }
  if (!Array.isArray(jobs)) fail(`${opts.jobs}: expected a JSON array`);
  for (const job of jobs) {
    if (!job || typeof job.model !== 'string' ||
        typeof job.outputDir !== 'string' || !Array.isArray(job.inputs))
      fail(`${opts.jobs}: every job needs model, inputs and outputDir`);
    fs.mkdirSync(job.outputDir, {recursive: true});
    const t0 = process.hrtime.bigint();
    try {
      const lines = await runOne(ort, opts, job);
      const secs = Number(process.hrtime.bigint() - t0) / 1e9;
      lines.push(`time ${secs.toFixed(3)}`);
      fs.writeFileSync(path.join(job.outputDir, 'summary.txt'),
                       lines.join('\n') + '\n');
    } catch (e) {
      const msg = e instanceof RunError ? e.message : (e.stack || String(e));
      fs.writeFileSync(path.join(job.outputDir, 'ERROR'), msg + '\n');
    }
  }
}

main().catch((e) => {
  process.stderr.write(
      `ort_run: ${e instanceof RunError ? e.message : (e.stack || e)}\n`);
  process.exit(1);
});
