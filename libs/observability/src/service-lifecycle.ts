import { ConfigError } from './settings';

/**
 * Runs a service's composition root: `--help`/`-h` prints `usage()`; a ConfigError exits 2 with its
 * message; any other startup failure exits 1 with its stack. One place for every app's process contract.
 */
export function runService(name: string, usage: () => string, main: () => Promise<void>, argv: readonly string[] = process.argv): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage());
    return;
  }
  main().catch((err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${name}: ${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`${name}: failed to start: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}

/**
 * Calls `shutdown(reason)` on SIGTERM and SIGINT and, under a supervisor that sets
 * MASSIVE_EXIT_ON_STDIN_CLOSE=1 (tools/start-distributed.mjs), when stdin ends: the service stops when
 * its supervisor goes away, even if the supervisor was killed. `shutdown` must tolerate repeats.
 */
export function onShutdownSignals(shutdown: (reason: string) => void, env: NodeJS.ProcessEnv = process.env): void {
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  if (env['MASSIVE_EXIT_ON_STDIN_CLOSE'] === '1') {
    process.stdin.once('end', () => shutdown('supervisor exited'));
    process.stdin.resume();
  }
}
