#!/usr/bin/env node
// A stand-in for a realtime voice agent, on your machine: serves examples/ (the page is
// examples/voice-agent/index.html) and answers on the WebSocket /agent like a speech-to-speech API does,
// streaming PCM16 little-endian mono in binary frames of 20–100 ms with random network jitter.
// Run everything with one command: bash scripts/voice-agent   (PORT=9000 for another port)
//
// Protocol (JSON text frames, audio as binary frames):
//   server → page  {"type":"format","sampleRateHz":24000,"encoding":"pcm16le"}   once, on connect
//   page → server  {"type":"say"}                                               answer with the next clip
//   server → page  <binary PCM16 chunks>… then {"type":"done"}
//   page → server  {"type":"interrupt"}                                          stop the answer now
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer } from 'ws';
import { createStaticServer } from '../../scripts/serve.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const examples = path.resolve(here, '..');
const clipsDir = path.join(examples, 'dist', 'voice-agent');
const port = Number(process.env.PORT ?? 8080);
/** Network jitter added to each chunk's send time, ms (uniform in [0, JITTER_MS]). */
const JITTER_MS = Number(process.env.JITTER_MS ?? 40);

/**
 * Reads a PCM16 wav (RIFF chunks walked, so extra chunks are fine) as mono samples.
 * @param {string} file
 * @returns {{ sampleRateHz: number, samples: Int16Array }}
 */
function readPcm16Wav(file) {
  const b = fs.readFileSync(file);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error(`${file}: not a wav`);
  let fmt = null;
  for (let o = 12; o + 8 <= b.length;) {
    const id = b.toString('ascii', o, o + 4);
    const size = b.readUInt32LE(o + 4);
    if (id === 'fmt ')
      fmt = { channels: b.readUInt16LE(o + 10), rate: b.readUInt32LE(o + 12), bits: b.readUInt16LE(o + 22) };
    if (id === 'data') {
      if (!fmt || fmt.bits !== 16) throw new Error(`${file}: expected 16-bit PCM`);
      const n = Math.floor(size / 2 / fmt.channels);
      const samples = new Int16Array(n);
      for (let i = 0; i < n; i++) samples[i] = b.readInt16LE(o + 8 + i * 2 * fmt.channels); // first channel
      return { sampleRateHz: fmt.rate, samples };
    }
    o += 8 + size + (size % 2);
  }
  throw new Error(`${file}: no data chunk`);
}

const clips = fs.existsSync(clipsDir)
  ? fs
      .readdirSync(clipsDir)
      .filter((f) => f.endsWith('.wav'))
      .sort()
      .map((f) => readPcm16Wav(path.join(clipsDir, f)))
  : [];
if (clips.length === 0) {
  console.error(
    `voice-agent: no clips in ${path.relative(process.cwd(), clipsDir)}: run bash scripts/voice-agent.`,
  );
  process.exit(1);
}
const sampleRateHz = clips[0].sampleRateHz;

const server = createStaticServer(examples);
const wss = new WebSocketServer({ server, path: '/agent' });
wss.on('connection', (socket) => {
  let next = 0;
  /** Timers of the answer being streamed (cleared on interrupt). */
  let timers = [];
  const stopAnswer = () => {
    for (const t of timers) clearTimeout(t);
    timers = [];
  };
  socket.send(JSON.stringify({ type: 'format', sampleRateHz, encoding: 'pcm16le' }));
  socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    const msg = JSON.parse(String(data));
    if (msg.type === 'interrupt') stopAnswer();
    if (msg.type !== 'say') return;
    stopAnswer();
    const { samples } = clips[next++ % clips.length];
    // Real time, chunk by chunk: chunk k leaves at its audio time plus jitter (in order, like TCP).
    let at = 0;
    let last = 0;
    for (let i = 0; i < samples.length;) {
      const n = Math.min(samples.length - i, Math.round((0.02 + 0.08 * Math.random()) * sampleRateHz));
      const chunk = Buffer.from(samples.buffer, samples.byteOffset + i * 2, n * 2);
      const sendAt = Math.max(last, at + JITTER_MS * Math.random());
      last = sendAt;
      timers.push(
        setTimeout(() => socket.readyState === socket.OPEN && socket.send(chunk, { binary: true }), sendAt),
      );
      at += (n / sampleRateHz) * 1000;
      i += n;
    }
    timers.push(
      setTimeout(
        () => socket.readyState === socket.OPEN && socket.send(JSON.stringify({ type: 'done' })),
        last + 1,
      ),
    );
  });
  socket.on('close', stopAnswer);
});
const onListenError = (e) => {
  console.error(`voice-agent: cannot listen on port ${port}: ${e.message} (set PORT to another port)`);
  process.exit(1);
};
server.on('error', onListenError);
wss.on('error', onListenError); // ws re-emits the HTTP server's errors
server.listen(port, () => {
  console.log(
    `Voice agent: http://localhost:${port}/voice-agent/  (${clips.length} clips at ${sampleRateHz} Hz, jitter ${JITTER_MS} ms)`,
  );
});
