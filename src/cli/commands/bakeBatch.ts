/**
 * `perceptual-lipsync bake --in-dir <clips> --out-dir <tracks>`: bakes every audio file of a folder tree in
 * parallel on worker threads (one generator per thread, `--jobs`, default the machine's cores), with a
 * progress bar, skipping tracks that exist already (resumable: a track is written to `.partial` and renamed
 * when complete), and a summary of the files that failed with their typed errors. Exit code 1 when any
 * file failed.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { LatencyHead } from '../../models/modelManifest.ts';
import type { BakeWorkerReply, IBakeWorkerData, IBakeWorkerTask } from '../bakeWorkerMessages.ts';
import type { ICliIo } from '../cliCommand.ts';
import { CliError } from '../cliError.ts';

/** File extensions baked (case-insensitive). */
export const BATCH_AUDIO_EXTENSIONS = ['.wav', '.wave', '.flac', '.ogg', '.oga', '.opus', '.mp3'];

/** One file of a batch. */
export interface IBatchFile {
  /** Audio file. */
  readonly audio: string;
  /** Track file (`<out-dir>/<relative path>.json`). */
  readonly out: string;
  /** Path relative to the input folder, for messages. */
  readonly name: string;
  readonly bytes: number;
}

/**
 * Lists the audio files under `inDir` (recursively, sorted) and their track paths under `outDir`.
 * @param inDir defines the clips folder
 * @param outDir defines the tracks folder
 * @returns the files
 * @throws CliError when `inDir` is not a folder
 */
export function listBatchFiles(inDir: string, outDir: string): IBatchFile[] {
  if (!existsSync(inDir) || !statSync(inDir).isDirectory())
    throw new CliError(`bake: --in-dir ${inDir} is not a folder.`);
  const files: IBatchFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && BATCH_AUDIO_EXTENSIONS.includes(extname(entry.name).toLowerCase())) {
        const name = relative(inDir, path);
        const out = join(outDir, name.slice(0, name.length - extname(name).length) + '.json');
        files.push({ audio: path, out, name, bytes: statSync(path).size });
      }
    }
  };
  walk(inDir);
  const byOut = new Map<string, string[]>();
  for (const f of files) byOut.set(f.out, [...(byOut.get(f.out) ?? []), f.name]);
  const clashes = [...byOut.values()].filter((names) => names.length > 1);
  if (clashes.length > 0) {
    throw new CliError(
      `bake: these files would write the same track: ${clashes.map((n) => n.join(' and ')).join('; ')}. ` +
        'Rename one of each, or bake them into separate --out-dir folders.',
    );
  }
  return files;
}

/** The worker entry: dist/bake-worker.js beside the built CLI, or src/cli/bakeWorker.ts from source. */
function workerUrl(): URL {
  for (const candidate of [
    new URL('./bake-worker.js', import.meta.url),
    new URL('../bakeWorker.ts', import.meta.url),
  ]) {
    if (existsSync(fileURLToPath(candidate))) return candidate;
  }
  throw new CliError('bake: the bake worker (dist/bake-worker.js) is missing; rebuild the package.');
}

/**
 * Starts a bake worker thread. From source (tests under tsx) the entry is TypeScript: the thread registers
 * tsx's loader first (a worker does not inherit the main thread's module hooks).
 */
function startWorker(url: URL, workerData: IBakeWorkerData): Worker {
  if (!url.pathname.endsWith('.ts')) return new Worker(url, { workerData });
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/** Options of `runBakeBatchAsync`. */
export interface IBakeBatchOptions {
  readonly inDir: string;
  readonly outDir: string;
  readonly manifestPath: string;
  /** The generator head (`--mode`). @default 'playback' */
  readonly latencyHead?: LatencyHead;
  /** Worker threads. @default the machine's available parallelism */
  readonly jobs?: number;
  /** Bake again files whose track exists. @default false */
  readonly force?: boolean;
  /** Redraw one progress line on stderr (a terminal); otherwise one line per finished file. */
  readonly progressBar?: boolean;
}

const clock = (s: number): string => {
  const t = Math.round(s);
  const h = Math.floor(t / 3600);
  const mm = String(Math.floor((t % 3600) / 60)).padStart(h ? 2 : 1, '0');
  return `${h ? `${h}:` : ''}${mm}:${String(t % 60).padStart(2, '0')}`;
};

/**
 * Bakes a folder of clips.
 * @param o defines the folders, models, threads and behaviour
 * @param io defines where to print
 * @returns the exit code: 0 when every file was baked (or had been), 1 when any failed
 */
export async function runBakeBatchAsync(o: IBakeBatchOptions, io: ICliIo): Promise<number> {
  const all = listBatchFiles(o.inDir, o.outDir);
  if (all.length === 0) {
    throw new CliError(`bake: no audio files (${BATCH_AUDIO_EXTENSIONS.join(' ')}) under ${o.inDir}.`);
  }
  const todo = o.force ? all : all.filter((f) => !existsSync(f.out));
  const skipped = all.length - todo.length;
  const jobs = Math.max(1, Math.min(o.jobs ?? availableParallelism(), todo.length));
  const failures: { file: IBatchFile; name: string; message: string }[] = [];
  let done = 0;
  let audioSeconds = 0;
  let doneBytes = 0;
  const totalBytes = todo.reduce((s, f) => s + f.bytes, 0);
  const started = performance.now();
  const draw = (): void => {
    if (!o.progressBar) return;
    const frac = totalBytes > 0 ? doneBytes / totalBytes : 1;
    const width = 24;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    const elapsed = (performance.now() - started) / 1000;
    const eta = frac > 0 && frac < 1 ? ` · ETA ${clock((elapsed / frac) * (1 - frac))}` : '';
    process.stderr.write(
      `\rbake [${bar}] ${done}/${todo.length} files · ${failures.length} failed · ${clock(audioSeconds)} of audio${eta}  `,
    );
  };
  io.stdout(
    `bake: ${todo.length} files to bake with ${jobs} worker thread${jobs > 1 ? 's' : ''}` +
      (skipped ? `, ${skipped} skipped (tracks exist; --force to redo)` : ''),
  );
  if (todo.length > 0) {
    const queue = [...todo.entries()];
    const url = workerUrl();
    await Promise.all(
      Array.from(
        { length: jobs },
        () =>
          new Promise<void>((resolve, reject) => {
            const data: IBakeWorkerData = {
              role: 'perceptual-lipsync-bake',
              manifestPath: o.manifestPath,
              latencyHead: o.latencyHead ?? 'playback',
            };
            const worker = startWorker(url, data);
            let current: IBatchFile | null = null;
            const next = (): void => {
              const item = queue.shift();
              if (!item) {
                current = null;
                worker.postMessage('close');
                return;
              }
              const [id, file] = item;
              current = file;
              mkdirSync(dirname(file.out), { recursive: true });
              const task: IBakeWorkerTask = { id, audio: file.audio, out: file.out };
              worker.postMessage(task);
            };
            const finish = (file: IBatchFile): void => {
              done++;
              doneBytes += file.bytes;
              draw();
            };
            worker.on('message', (m: BakeWorkerReply) => {
              if (m.type === 'ready') next();
              else if (m.type === 'fatal') {
                void worker.terminate();
                reject(new CliError(`bake: the worker could not load the models: ${m.name}: ${m.message}`));
              } else if (m.type === 'progress') {
                audioSeconds += m.seconds;
                draw();
              } else if (m.type === 'done' || m.type === 'failed') {
                const file = current!;
                if (m.type === 'failed') failures.push({ file, name: m.name, message: m.message });
                if (!o.progressBar) {
                  io.stdout(
                    m.type === 'done'
                      ? `  ok     ${file.name}: ${m.frames} frames (${m.durationSec.toFixed(1)} s)`
                      : `  FAILED ${file.name}: ${m.name}`,
                  );
                }
                finish(file);
                next();
              }
            });
            worker.on('error', (e) => reject(e));
            worker.on('exit', (code) => {
              if (current) {
                failures.push({
                  file: current,
                  name: 'WorkerCrash',
                  message: `the worker thread exited with ${code}`,
                });
                finish(current);
                current = null;
              }
              resolve();
            });
          }),
      ),
    );
  }
  if (o.progressBar) process.stderr.write('\n');
  const wall = (performance.now() - started) / 1000;
  io.stdout(
    `bake: ${todo.length - failures.length} baked, ${skipped} skipped, ${failures.length} failed; ` +
      `${clock(audioSeconds)} of audio in ${clock(wall)} (${jobs} thread${jobs > 1 ? 's' : ''})`,
  );
  if (failures.length > 0) {
    io.stderr(`bake: ${failures.length} file${failures.length > 1 ? 's' : ''} failed:`);
    for (const f of failures) io.stderr(`  ${f.file.name}: ${f.name}: ${f.message.split('\n')[0]}`);
    return 1;
  }
  return 0;
}
