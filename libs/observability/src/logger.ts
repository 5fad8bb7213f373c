/**
 * Structured JSON logs: one object per line with time, level, service and the caller's fields.
 * Lines are buffered and written once per event-loop turn (stdout to a pipe or file is synchronous on
 * Linux, so a write per line would cost a syscall per request on the hot path).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export function isLogLevel(s: string): s is LogLevel {
  return s in RANK;
}

export type LogFields = Record<string, unknown>;

export interface Logger {
  readonly level: LogLevel;
  enabled(level: LogLevel): boolean;
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
  flush(): void;
}

export interface LogSink {
  write(chunk: string): unknown;
}

export interface LoggerOptions {
  level?: LogLevel;
  service: string;
  sink?: LogSink;
  clock?: () => number;
}

class Buffered {
  private buf = '';
  private scheduled = false;
  constructor(private readonly sink: LogSink) {}
  push(line: string): void {
    this.buf += line;
    if (this.buf.length > 65536) return this.flush();
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }
  flush(): void {
    this.scheduled = false;
    if (this.buf === '') return;
    const out = this.buf;
    this.buf = '';
    this.sink.write(out);
  }
}

export function createLogger(opts: LoggerOptions): Logger {
  const out = new Buffered(opts.sink ?? process.stdout);
  return make(opts.level ?? 'info', { service: opts.service }, out, opts.clock ?? Date.now);
}

function make(level: LogLevel, base: LogFields, out: Buffered, clock: () => number): Logger {
  const min = RANK[level];
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[lvl] < min) return;
    const rec: LogFields = { time: new Date(clock()).toISOString(), level: lvl, msg, ...base, ...fields };
    if (rec['err'] instanceof Error) {
      const e = rec['err'];
      rec['err'] = { name: e.name, message: e.message, stack: e.stack };
    }
    out.push(JSON.stringify(rec) + '\n');
  };
  return {
    level,
    enabled: (lvl) => RANK[lvl] >= min,
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => make(level, { ...base, ...fields }, out, clock),
    flush: () => out.flush(),
  };
}
