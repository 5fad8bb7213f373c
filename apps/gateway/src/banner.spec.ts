import { newCredentialsNotice, startBanner } from './banner';

describe('startBanner', () => {
  const local = { mode: 'local', s3: 'http://127.0.0.1:8080', region: 'us-east-1', dataDir: '/srv/data' } as const;

  it('starts with the ready line scripts wait for, then lists every endpoint, the data dir and the key file', () => {
    const text = startBanner({ ...local, credentials: { kind: 'file', accessKey: 'MSABC', file: '/srv/data/dev-credentials.json', created: false } });
    expect(text.split('\n')).toEqual([
      'Massive Storage (local mode) listening on http://127.0.0.1:8080',
      '  S3        http://127.0.0.1:8080  (region us-east-1; path-style, or virtual-hosted <bucket>.<host>)',
      '  metrics   http://127.0.0.1:8080/-/metrics',
      '  health    http://127.0.0.1:8080/-/health/live  http://127.0.0.1:8080/-/health/ready',
      '  data      /srv/data',
      '  keys      access key MSABC; both keys in /srv/data/dev-credentials.json',
      '',
    ]);
  });

  it('puts metrics and health on the admin listener when there is one, and names the services in distributed mode', () => {
    const text = startBanner({
      ...local,
      mode: 'distributed',
      admin: 'http://127.0.0.1:9100',
      metadata: ['dns:///meta:7070'],
      blob: ['blob-0.blob:7071', 'blob-1.blob:7071'],
      credentials: { kind: 'settings', accessKey: 'AKID' },
    });
    expect(text).toMatch(/^Massive Storage \(distributed mode\) listening on http:\/\/127\.0\.0\.1:8080 \(admin http:\/\/127\.0\.0\.1:9100\)\n/);
    expect(text).toContain('  admin     http://127.0.0.1:9100\n');
    expect(text).toContain('  metrics   http://127.0.0.1:9100/metrics\n');
    expect(text).toContain('  health    http://127.0.0.1:9100/health/live  http://127.0.0.1:9100/health/ready\n');
    expect(text).toContain('  metadata  dns:///meta:7070\n  blob      blob-0.blob:7071, blob-1.blob:7071\n');
    expect(text).toContain('  keys      access key AKID from MASSIVE_ACCESS_KEY (secret from MASSIVE_SECRET_KEY)\n');
  });

  it('resolves a relative data dir and never prints a secret', () => {
    const text = startBanner({ ...local, dataDir: './data', credentials: { kind: 'file', accessKey: 'MSABC', file: 'data/dev-credentials.json', created: true } });
    expect(text).toContain(`  data      ${process.cwd()}/data\n`);
    expect(text).toContain(`both keys in ${process.cwd()}/data/dev-credentials.json (created now)`);
    expect(text).not.toMatch(/secret key/i);
  });

  it('shows a new secret once, with where it is kept', () => {
    const notice = newCredentialsNotice('MSABC', 's3cr3t-value', '/srv/data/dev-credentials.json');
    expect(notice).toContain('secret key: s3cr3t-value');
    expect(notice).toContain('/srv/data/dev-credentials.json');
    expect(notice).toMatch(/not printed again/);
  });
});
