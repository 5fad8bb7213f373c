// The gateway runs with the same node flags wherever it is started: apps/gateway/node-flags.json is the
// list; `npm start` and the Dockerfile spell it out (neither can read a file), the launchers and test
// harnesses read it. A flag this Node does not know would stop the gateway at startup, so each is tried.
// (start:distributed's gateway is checked on a running cluster: apps/gateway/test/start-distributed-ports.spec.ts.)
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const REPO = resolve(__dirname, '../..');
const read = (file: string): string => readFileSync(join(REPO, file), 'utf8');
const FLAGS = JSON.parse(read('apps/gateway/node-flags.json')) as unknown;

describe('the gateway node flags (apps/gateway/node-flags.json)', () => {
  it('are node options this Node accepts', () => {
    expect(Array.isArray(FLAGS) && FLAGS.length > 0 && FLAGS.every((f) => typeof f === 'string' && /^--[a-z]/.test(f))).toBe(true);
    const r = spawnSync(process.execPath, [...(FLAGS as string[]), '-e', '0'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('are on `npm start`, before the bundle', () => {
    const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts['start'];
    expect(start).toContain(`node ${(FLAGS as string[]).join(' ')} dist/apps/gateway/main.js`);
  });

  it("are in the gateway image's CMD, before the bundle", () => {
    const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(read('apps/gateway/Dockerfile'));
    expect(cmd).not.toBeNull();
    const argv = JSON.parse(cmd![1]) as string[];
    const main = argv.indexOf('dist/apps/gateway/main.js');
    expect(argv[0]).toBe('node');
    expect(main).toBeGreaterThan(0);
    expect(argv.slice(1, main)).toEqual(expect.arrayContaining(FLAGS as string[]));
  });

  it.each(['tools/start-distributed.mjs', 'tools/bench/lib/server.mjs', 'apps/gateway-e2e/src/support/server.ts', 'apps/gateway/test/local-server.ts'])(
    '%s starts the gateway with them',
    (file) => {
      expect(read(file)).toMatch(/node-flags\.json/);
    },
  );
});
