/**
 * Prints the machine facts every result depends on (CPU, cores, load, memory, Chromium and Node
 * versions, date, models in use) and writes them to bench/results/machine.json.
 * Run: `node --import tsx bench/machine.ts [models/manifest.json]`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';

const models = process.argv[2] ?? 'models/manifest.json';
const sh = (cmd: string, a: string[]) => {
  try {
    return execFileSync(cmd, a, { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
};
const tracked = sh('git', ['ls-files', '--error-unmatch', models]) !== null;
const card = models.replace(/manifest\.json$/, 'MODEL_CARD.md');
const facts = {
  date: new Date().toISOString(),
  cpuModel: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
  memoryGB: Math.round(totalmem() / 2 ** 30),
  chromium: sh(process.env.CHROME_PATH ?? '/usr/bin/chromium', ['--version']),
  node: process.version,
  gitHead: sh('git', ['rev-parse', '--short', 'HEAD']),
  models: {
    manifest: models,
    committed: tracked,
    status: existsSync(card) ? (/Status:\s*([^*\n]*)/.exec(readFileSync(card, 'utf8'))?.[1] ?? null) : null,
    generatorParameters:
      (JSON.parse(readFileSync(models, 'utf8')) as { generator: { parameters?: number } }).generator
        .parameters ?? null,
  },
};
// `bench/run --soak-only` keeps the main run's machine.json and writes soak-machine.json beside it.
writeFileSync(
  process.env.MACHINE_JSON ?? 'bench/results/machine.json',
  JSON.stringify(facts, null, 1) + '\n',
);
for (const [k, v] of Object.entries(facts))
  console.log(`${k.padEnd(12)} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
