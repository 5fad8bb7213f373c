import { resolve } from 'node:path';

/** Where the gateway's keys came from: settings, or the development-credentials file of the data dir. */
export type CredentialSource =
  | { readonly kind: 'settings'; readonly accessKey: string }
  | { readonly kind: 'file'; readonly accessKey: string; readonly file: string; readonly created: boolean };

export interface BannerInfo {
  readonly mode: 'local' | 'distributed';
  /** Base URL of the S3 port, e.g. http://127.0.0.1:8080. */
  readonly s3: string;
  /** Base URL of the admin listener, when there is one (otherwise /-/… on the S3 port). */
  readonly admin?: string;
  /** Base URL of the static website endpoint, when there is one. */
  readonly website?: string;
  readonly region: string;
  readonly dataDir: string;
  readonly credentials: CredentialSource;
  /**
   * Who may read /-/metrics on the S3 port (the admin port, when there is one, serves it to its network):
   * anyone, holders of MASSIVE_METRICS_TOKEN, or nobody. Default: anyone.
   */
  readonly metricsOnS3Port?: 'public' | 'token' | 'closed';
  /** Distributed mode: the services this gateway calls. */
  readonly metadata?: readonly string[];
  readonly blob?: readonly string[];
}

/**
 * What the gateway prints when it listens: the ready line scripts wait for (unchanged:
 * `Massive Storage (<mode> mode) listening on <url>[ (admin <url>)]`), then every endpoint, the data
 * directory and where the credentials are. Never a secret: the file path says where it is.
 */
export function startBanner(b: BannerInfo): string {
  const ops = b.admin ?? `${b.s3}/-`;
  const lines = [
    `Massive Storage (${b.mode} mode) listening on ${b.s3}${b.admin ? ` (admin ${b.admin})` : ''}${b.website ? ` (website ${b.website})` : ''}`,
    row('S3', `${b.s3}  (region ${b.region}; path-style, or virtual-hosted <bucket>.<host>)`),
    ...(b.admin ? [row('admin', b.admin)] : []),
    ...(b.website ? [row('website', `${b.website}  (static websites: <bucket>.<MASSIVE_WEBSITE_DOMAINS>, or a host named like its bucket)`)] : []),
    row('metrics', metricsLine(b, ops)),
    row('health', `${ops}/health/live  ${ops}/health/ready`),
    ...(b.metadata ? [row('metadata', b.metadata.join(', '))] : []),
    ...(b.blob ? [row('blob', b.blob.join(', '))] : []),
    row('data', resolve(b.dataDir)),
    row('keys', credentialsLine(b.credentials)),
  ];
  return `${lines.join('\n')}\n`;
}

function metricsLine(b: BannerInfo, ops: string): string {
  if (b.admin || (b.metricsOnS3Port ?? 'public') === 'public') return `${ops}/metrics`;
  if (b.metricsOnS3Port === 'token') return `${ops}/metrics  (Authorization: Bearer <MASSIVE_METRICS_TOKEN>)`;
  return `closed on the S3 port: set MASSIVE_METRICS_TOKEN (then Authorization: Bearer <token>) or MASSIVE_METRICS_PUBLIC=true, or give an admin port`;
}

function credentialsLine(c: CredentialSource): string {
  if (c.kind === 'settings') return `access key ${c.accessKey} from MASSIVE_ACCESS_KEY (secret from MASSIVE_SECRET_KEY)`;
  return `access key ${c.accessKey}; both keys in ${resolve(c.file)}${c.created ? ' (created now)' : ''}`;
}

const row = (name: string, value: string): string => `  ${name.padEnd(9)} ${value}`;

/** Printed once, when development credentials are created: the only time the secret is shown. */
export function newCredentialsNotice(accessKey: string, secretKey: string, file: string): string {
  return (
    `\nNo credentials configured: created development credentials in ${resolve(file)}\n` +
    `  access key: ${accessKey}\n  secret key: ${secretKey}\n` +
    `The secret is not printed again; read it from that file. Set MASSIVE_ACCESS_KEY and MASSIVE_SECRET_KEY to choose your own.\n\n`
  );
}
