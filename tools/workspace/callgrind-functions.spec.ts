import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** `callgrind.mjs --functions`: a dump's own cost per function, JIT addresses named through V8's perf map. */
describe('tools/bench/lib/callgrind-functions.mjs', () => {
  const lib = resolve(__dirname, '../bench/lib/callgrind-functions.mjs');
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'cg-functions-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function run(dump: string, map: string): { name: string; instructions: number }[] {
    writeFileSync(join(dir, 'dump'), dump);
    writeFileSync(join(dir, 'map'), map);
    const script = `import(${JSON.stringify(lib)}).then(({ exclusiveByFunction, readPerfMap }) => {
      const fs = require('node:fs');
      process.stdout.write(JSON.stringify(exclusiveByFunction(fs.readFileSync(${JSON.stringify(join(dir, 'dump'))}, 'utf8'), readPerfMap(${JSON.stringify(join(dir, 'map'))}))));
    })`;
    const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as { name: string; instructions: number }[];
  }

  it("charges each function its own lines, not its calls', and names JIT addresses from the map", () => {
    const dump = [
      'events: Ir',
      'fn=(1) main',
      '10 100',
      'cfn=(2) 0x0000000000001010',
      'calls=3 0',
      '11 5000',
      '+1 20',
      'fn=(2)',
      '5 3000',
      'cfn=(3) memcpy',
      'calls=1 0',
      '6 2000',
      'fn=(3)',
      '1 2000',
      'fn=(4) 0x0000000000009999',
      '1 7',
      'totals: 7127',
    ].join('\n');
    const map = ['1000 40 JS:*serve main.js:1:1', '2000 10 JS:*other main.js:2:1'].join('\n');
    expect(run(dump, map)).toEqual([
      { name: 'JS:*serve main.js:1:1', instructions: 3000 },
      { name: 'memcpy', instructions: 2000 },
      { name: 'main', instructions: 120 },
      { name: '0x0000000000009999', instructions: 7 },
    ]);
  });
});
