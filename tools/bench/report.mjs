#!/usr/bin/env node
// `node tools/bench/report.mjs [--history FILE]`: prints the Markdown table README's Benchmarks section
// shows, from the latest complete `npm run bench` run in the history and the latest `--mode compare` run
// on the same machine (tools/bench/lib/report.mjs). Exits 1 when the history has no complete local run.
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readHistory } from './lib/history.mjs';
import { latestRuns, renderReport } from './lib/report.mjs';

const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const { values } = parseArgs({ options: { history: { type: 'string' }, help: { type: 'boolean' } } });
if (values.help) {
  process.stdout.write('node tools/bench/report.mjs [--history FILE]   (default .bench/history.jsonl)\n');
  process.exit(0);
}
const file = resolve(values.history ?? join(REPO, '.bench', 'history.jsonl'));
const runs = latestRuns(readHistory(file));
if (!runs.local) {
  process.stderr.write(`${file}: no complete local-mode run (run \`npm run bench\` with every default row first)\n`);
  process.exit(1);
}
process.stdout.write(renderReport(runs));
