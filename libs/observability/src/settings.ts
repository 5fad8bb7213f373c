import { isLogLevel } from './logger';

/**
 * Service configuration from flags and environment: flags win over environment variables, which win
 * over defaults. Every service declares its settings as a table and gets the same parsing, the same
 * validation messages and the same `--help`.
 */
export interface Setting<K extends string = string> {
  readonly key: K;
  readonly flag: string;
  readonly env: string;
  readonly kind: 'string' | 'int' | 'port' | 'list' | 'level' | 'enum';
  readonly def?: string;
  readonly help: string;
  readonly min?: number;
  /** For kind 'enum'. */
  readonly values?: readonly string[];
  /** For kind 'list': keep the case of items (default: lower-case, as for domains). */
  readonly keepCase?: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function usageOf(program: string, settings: readonly Setting[]): string {
  const lines = settings.map((s) => `  --${s.flag.padEnd(22)} ${s.env.padEnd(30)} ${s.help}${s.def ? ` (default ${s.def})` : ''}`);
  return `Usage: ${program} [flags]\n  flag                     environment variable\n${lines.join('\n')}\n`;
}

/** Parses `--name value` / `--name=value` flags over `env`; throws ConfigError with a clear message. */
export function parseSettings(settings: readonly Setting[], argv: readonly string[], env: NodeJS.ProcessEnv, program: string): Record<string, unknown> {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new ConfigError(`unexpected argument '${a}'\n${usageOf(program, settings)}`);
    const eq = a.indexOf('=');
    const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
    if (!settings.some((s) => s.flag === name)) throw new ConfigError(`unknown flag --${name}\n${usageOf(program, settings)}`);
    const value = eq < 0 ? argv[++i] : a.slice(eq + 1);
    if (value === undefined) throw new ConfigError(`flag --${name} needs a value`);
    flags.set(name, value);
  }
  const out: Record<string, unknown> = {};
  for (const s of settings) {
    const raw = flags.get(s.flag) ?? env[s.env] ?? s.def;
    if (raw === undefined) continue;
    const where = flags.has(s.flag) ? `--${s.flag}` : env[s.env] !== undefined ? s.env : 'default';
    out[s.key] = parseValue(s, raw, where);
  }
  return out;
}

/** Where a setting's value came from, for messages ("MASSIVE_PD_ENDPOINTS" or "--pd-endpoints"). */
export function settingName(settings: readonly Setting[], key: string): string {
  const s = settings.find((x) => x.key === key);
  return s ? `${s.env} (--${s.flag})` : key;
}

function parseValue(s: Setting, raw: string, where: string): unknown {
  switch (s.kind) {
    case 'string':
      if (raw === '') throw new ConfigError(`${where}: ${s.key} must not be empty`);
      return raw;
    case 'list':
      return raw
        .split(',')
        .map((x) => (s.keepCase ? x.trim() : x.trim().toLowerCase()))
        .filter((x) => x !== '');
    case 'level':
      if (!isLogLevel(raw)) throw new ConfigError(`${where}: log level must be debug, info, warn, error or silent (got '${raw}')`);
      return raw;
    case 'enum':
      if (!(s.values ?? []).includes(raw)) throw new ConfigError(`${where}: ${s.key} must be one of ${(s.values ?? []).join(', ')} (got '${raw}')`);
      return raw;
    case 'int':
    case 'port': {
      const n = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isSafeInteger(n) || n < (s.min ?? 0)) throw new ConfigError(`${where}: ${s.key} must be an integer >= ${s.min ?? 0} (got '${raw}')`);
      if (s.kind === 'port' && n > 65535) throw new ConfigError(`${where}: ${s.key} must be at most 65535 (got '${raw}')`);
      return n;
    }
  }
}
