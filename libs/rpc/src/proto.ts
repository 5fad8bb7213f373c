import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadSync, type MethodDefinition, type Options, type PackageDefinition } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { Service, type Type } from 'protobufjs';
import { compileDecoder, type DecoderCache } from './proto-decode';
import { compileEncoder, type EncoderCache } from './proto-encode';
import { loadProtoRoot } from './proto-types';
import type { BlobDefinition } from './generated/massive/blob/v1/Blob';
import type { MetadataDefinition } from './generated/massive/metadata/v1/Metadata';

/**
 * How every .proto of ours is loaded. The generated types (`npm run proto:gen`) are made with the same
 * choices: camelCase fields, 64-bit integers as numbers (exact to 2^53; codec.ts num() refuses more), enums as names, defaults for
 * absent scalars, and a virtual field naming the set member of each oneof (proto3 `optional` too).
 */
export const PROTO_LOADER_OPTIONS: Options = { keepCase: false, longs: Number, enums: String, defaults: true, oneofs: true };

export const PROTO_FILES = ['massive/metadata/v1/metadata.proto', 'massive/blob/v1/blob.proto'] as const;

export const METADATA_SERVICE = 'massive.metadata.v1.Metadata';
export const BLOB_SERVICE = 'massive.blob.v1.Blob';

export interface LoadedProtos {
  /** Our services plus grpc.health.v1 (what reflection describes). */
  readonly packageDefinition: PackageDefinition;
  readonly metadata: MetadataDefinition;
  readonly blob: BlobDefinition;
}

/**
 * Finds `proto/` (holding massive/...): `MASSIVE_PROTO_DIR`, else the nearest ancestor of this module
 * that has one. That is the repository root for sources and specs, and `dist/` for the bundles
 * (tools/build.mjs copies the protos next to them), so an image needs only `dist/` and node_modules.
 */
export function findProtoDir(from: string = __dirname, env: NodeJS.ProcessEnv = process.env): string {
  const probe = (dir: string) => existsSync(join(dir, PROTO_FILES[0]));
  const configured = env['MASSIVE_PROTO_DIR'];
  if (configured) {
    if (!probe(configured)) throw new Error(`MASSIVE_PROTO_DIR=${configured} holds no ${PROTO_FILES[0]}`);
    return resolve(configured);
  }
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (probe(join(dir, 'proto'))) return join(dir, 'proto');
    if (dirname(dir) === dir) throw new Error(`cannot find proto/${PROTO_FILES[0]} above ${from}; set MASSIVE_PROTO_DIR`);
  }
}

/** Loads our protos (synchronously, once per server or client set; cheap next to a process start). */
export function loadProtos(protoDir: string = findProtoDir()): LoadedProtos {
  // grpc-health-check ships grpc/health/v1 as <pkg>/proto/health/v1/health.proto.
  const healthDir = dirname(dirname(dirname(healthProtoPath)));
  const packageDefinition = loadSync([...PROTO_FILES, 'health/v1/health.proto'], { ...PROTO_LOADER_OPTIONS, includeDirs: [protoDir, healthDir] });
  installCodecs(packageDefinition, protoDir);
  return {
    packageDefinition,
    metadata: packageDefinition[METADATA_SERVICE] as unknown as MetadataDefinition,
    blob: packageDefinition[BLOB_SERVICE] as unknown as BlobDefinition,
  };
}

/**
 * Gives every method of our services the coders compiled by proto-encode.ts and proto-decode.ts in
 * place of proto-loader's (protobufjs `fromObject` + `encode`, `decode` + `toObject`): the same bytes
 * and the same objects, in one pass each and with fewer allocations. The types come from a protobufjs
 * Root loaded as proto-loader loads its own (same files, camelCase names); a type the compilers do
 * not cover keeps proto-loader's coder. Each installed coder is named `massive-encode:<type>` or
 * `massive-decode:<type>`.
 */
function installCodecs(def: PackageDefinition, protoDir: string): void {
  const root = loadProtoRoot(protoDir, PROTO_FILES, PROTO_LOADER_OPTIONS.keepCase ?? false);
  const encoderPlans: EncoderCache = new Map();
  const decoderPlans: DecoderCache = new Map();
  const encoders = new Map<Type, ((v: unknown) => Buffer) | undefined>();
  const decoders = new Map<Type, ((b: Buffer) => unknown) | undefined>();
  const encoderOf = (t: Type) => {
    if (!encoders.has(t)) encoders.set(t, named(compileEncoder(t, encoderPlans), `massive-encode:${t.fullName}`));
    return encoders.get(t);
  };
  const decoderOf = (t: Type) => {
    if (!decoders.has(t)) decoders.set(t, named(compileDecoder(t, decoderPlans), `massive-decode:${t.fullName}`));
    return decoders.get(t);
  };
  for (const name of [METADATA_SERVICE, BLOB_SERVICE]) {
    const service = root.lookup(name);
    if (!(service instanceof Service)) throw new Error(`${name} not found among ${PROTO_FILES.join(', ')}`);
    const methods = def[name] as unknown as Record<string, MethodDefinition<unknown, unknown>>;
    for (const [method, m] of Object.entries(methods)) {
      const rpc = service.methods[method];
      if (!rpc?.resolvedRequestType || !rpc.resolvedResponseType) throw new Error(`${name}/${method}: no resolved types`);
      m.requestSerialize = encoderOf(rpc.resolvedRequestType) ?? m.requestSerialize;
      m.responseSerialize = encoderOf(rpc.resolvedResponseType) ?? m.responseSerialize;
      m.requestDeserialize = decoderOf(rpc.resolvedRequestType) ?? m.requestDeserialize;
      m.responseDeserialize = decoderOf(rpc.resolvedResponseType) ?? m.responseDeserialize;
    }
  }
}

function named<F extends (...args: never[]) => unknown>(f: F | undefined, name: string): F | undefined {
  if (f) Object.defineProperty(f, 'name', { value: name });
  return f;
}
