// Reference timing for bench/basic_pitch_bench.cpp: runs ../shared/fixtures/basic_pitch/nmp.onnx
// (the same basic-pitch network, converted by Spotify) with onnxruntime-node on one thread, window
// by window as the Python package does, and prints "ort_seconds <wall s>", "ort_cpu_seconds <s>"
// and the number of windows and frames.
// Usage: node basic_pitch_ort.js <node_modules dir> <model.onnx> <mono 22050 Hz float32 file>
'use strict';
const fs = require('fs');
const path = require('path');

const [modulesDir, modelPath, audioPath] = process.argv.slice(2);
const ort = require(path.join(modulesDir, 'onnxruntime-node'));

const WINDOW = 43844, HOP = 36164, LEADING_ZEROS = 3840;

(async () => {
  const bytes = fs.readFileSync(audioPath);
  const audio = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const network = await ort.InferenceSession.create(modelPath, {
    intraOpNumThreads: 1, interOpNumThreads: 1, executionProviders: ['cpu'],
  });
  const input = network.inputNames[0];
  const padded = audio.length + LEADING_ZEROS;
  const windows = Math.ceil(padded / HOP);
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  let frames = 0;
  for (let w = 0; w < windows; ++w) {
    const x = new Float32Array(WINDOW);
    for (let i = 0; i < WINDOW; ++i) {
      const src = w * HOP + i - LEADING_ZEROS;
      if (src >= 0 && src < audio.length) x[i] = audio[src];
    }
    const out = await network.run({ [input]: new ort.Tensor('float32', x, [1, WINDOW, 1]) });
    frames += out[network.outputNames[0]].dims[1] - 30;
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  console.log(`ort_seconds ${seconds.toFixed(3)}`);
  console.log(`ort_cpu_seconds ${((cpu.user + cpu.system) / 1e6).toFixed(3)}`);
  console.log(`ort_windows ${windows} ort_frames ${frames}`);
})().catch((e) => {
  console.error(`onnxruntime: ${e.message}`);
  process.exit(1);
});
