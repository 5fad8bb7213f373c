import { createLogger } from './logger';

describe('logger', () => {
  it('writes one JSON object per line, filtered by level, with child fields', () => {
    const lines: string[] = [];
    const log = createLogger({ service: 'gateway', level: 'info', sink: { write: (s: string) => lines.push(s) }, clock: () => 0 });
    log.debug('hidden');
    log.child({ requestId: 'R1' }).info('request', { operation: 'GetObject', status: 200 });
    log.error('boom', { err: new Error('bad') });
    log.flush();
    const recs = lines.join('').trim().split('\n').map((l) => JSON.parse(l));
    expect(recs).toHaveLength(2);
    expect(recs[0]).toEqual({ time: '1970-01-01T00:00:00.000Z', level: 'info', msg: 'request', service: 'gateway', requestId: 'R1', operation: 'GetObject', status: 200 });
    expect(recs[1].err.message).toBe('bad');
  });
});
