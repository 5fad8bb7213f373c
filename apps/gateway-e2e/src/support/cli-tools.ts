import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CREDENTIALS, REGION } from './server';

/** What a real client run printed, and how it ended (-1: killed, or it could not start). */
export interface ToolResult {
  readonly code: number;
  readonly stdout: string;
  /** stdout as bytes (`rclone cat` of binary data). */
  readonly stdoutBytes: Buffer;
  readonly stderr: string;
}

export interface FoundTool {
  /** The first candidate that ran and was accepted. */
  readonly path?: string;
  /** Candidates that ran but were refused by `accept`, with their version line. */
  readonly refused: readonly string[];
}

/**
 * The first of `candidates` (undefined ones skipped) whose `versionArgs` run succeeds and whose output
 * `accept` takes. Real clients are Debian's packages in CI (`.ci/run` installs them); an override
 * variable names another binary.
 */
export function findTool(candidates: readonly (string | undefined)[], versionArgs: readonly string[], accept: (version: string) => boolean = () => true): FoundTool {
  const refused: string[] = [];
  for (const candidate of candidates) {
    if (!candidate) continue;
    let version: string;
    try {
      version = execFileSync(candidate, [...versionArgs], { stdio: 'pipe', timeout: 30_000, encoding: 'utf8' }).trim();
    } catch {
      continue; // not there: try the next one
    }
    if (accept(version)) return { path: candidate, refused };
    refused.push(`${candidate} (${version.split(/\s+/).slice(0, 2).join(' ')})`);
  }
  return { refused };
}

/**
 * `describe` when the tool is there, `describe.skip` with a warning when it is not, and a thrown error
 * when it is not and CI is set: CI must run every real client, never skip one.
 */
export function describeWithTool(spec: string, found: FoundTool, missing: string, install: string): jest.Describe {
  if (found.path) return describe;
  const why = `${missing}${found.refused.length > 0 ? `; found only ${found.refused.join(', ')}` : ''}`;
  if (process.env['CI']) throw new Error(`${why}, and CI is set: install it (${install}; the e2e suite must run it in CI)`);
  console.warn(`gateway-e2e: ${why}; skipping ${spec} (set CI=1 to make this a failure)`);
  return describe.skip;
}

/** Runs a client to its end; never rejects: the caller checks `code`. */
export function runTool(path: string, args: readonly string[], opts: { readonly env: Readonly<Record<string, string>>; readonly timeoutMs?: number; readonly cwd?: string }): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(path, [...args], { timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024, env: { ...opts.env }, cwd: opts.cwd, encoding: 'buffer' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout: stdout.toString('utf8'), stdoutBytes: stdout, stderr: stderr.toString('utf8') });
    });
  });
}

/** A run that must succeed: its stdout, or an error carrying both outputs. */
export function succeeded(tool: string, args: readonly string[], r: ToolResult): string {
  if (r.code !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

/**
 * The aws cli against `endpoint` with the e2e credentials and nothing else of the machine's (no config or
 * credentials files, no instance metadata), one attempt, no pager, JSON output. `caBundle`: the CA file an
 * HTTPS endpoint's certificate chains to.
 */
export function runAwsCli(path: string, endpoint: string, home: string, args: readonly string[], caBundle?: string, env: Readonly<Record<string, string>> = {}): Promise<ToolResult> {
  return runTool(path, ['--endpoint-url', endpoint, ...(caBundle !== undefined ? ['--ca-bundle', caBundle] : []), '--region', REGION, '--output', 'json', ...args], {
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: home,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_DEFAULT_REGION: REGION,
      AWS_CONFIG_FILE: join(home, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_PAGER: '',
      AWS_MAX_ATTEMPTS: '1',
      // Other credentials (a session's key, secret and AWS_SESSION_TOKEN), when given.
      ...env,
    },
  });
}

/** rclone's remote `ms:` for `endpoint`, defined by environment variables alone (path style, the e2e credentials). */
export function rcloneEnv(home: string, endpoint: string): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: home,
    RCLONE_CONFIG_MS_TYPE: 's3',
    RCLONE_CONFIG_MS_PROVIDER: 'Other',
    RCLONE_CONFIG_MS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    RCLONE_CONFIG_MS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    RCLONE_CONFIG_MS_ENDPOINT: endpoint,
    RCLONE_CONFIG_MS_REGION: REGION,
    RCLONE_CONFIG_MS_FORCE_PATH_STYLE: 'true',
  };
}

/** The aws cli bound to a gateway, with a scratch HOME of its own (`work`) for the tests of one describe block. */
export interface AwsCliSession {
  /** The scratch directory: made before the block's tests (and before beforeAll hooks registered later), removed after. */
  readonly work: string;
  aws(...args: string[]): Promise<ToolResult>;
  /** `aws` that must succeed; its stdout. */
  ok(...args: string[]): Promise<string>;
}

/** Call inside a describe block (it registers that block's beforeAll / afterAll). */
export function useAwsCli(tool: FoundTool, gw: { readonly endpoint: string }, name: string): AwsCliSession {
  let work = '';
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), `massive-e2e-${name}-`));
  });
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });
  const aws = (...args: string[]): Promise<ToolResult> => runAwsCli(tool.path!, gw.endpoint, work, args);
  return {
    get work() {
      return work;
    },
    aws,
    ok: async (...args: string[]) => succeeded('aws', args, await aws(...args)),
  };
}
