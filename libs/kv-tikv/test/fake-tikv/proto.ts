/**
 * Loads proto/tikv (the same files the client uses) with the loader options both sides agree on:
 * u64 as decimal strings (never JS numbers), bytes as Buffers, enums as numbers, absent = undefined.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: Number,
  bytes: Buffer,
  defaults: false,
  oneofs: true,
};

/** Finds proto/tikv walking up from `from` (works from the sources and from the esbuild bundle). */
export function findProtoDir(from: string = __dirname): string {
  const env = process.env.MASSIVE_TIKV_PROTO_DIR;
  if (env) return env;
  for (const start of [from, process.cwd()]) {
    let dir = path.resolve(start);
    for (;;) {
      const candidate = path.join(dir, 'proto', 'tikv');
      if (existsSync(path.join(candidate, 'pdpb.proto'))) return candidate;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  throw new Error('fake-tikv: cannot find proto/tikv (set MASSIVE_TIKV_PROTO_DIR)');
}

export interface TikvProtos {
  readonly pd: grpc.ServiceClientConstructor;
  readonly tikv: grpc.ServiceClientConstructor;
  readonly definition: protoLoader.PackageDefinition;
}

export function loadTikvProtos(protoDir: string = findProtoDir()): TikvProtos {
  const definition = protoLoader.loadSync(['pdpb.proto', 'tikvpb.proto'], { ...LOADER_OPTIONS, includeDirs: [protoDir] });
  const root = grpc.loadPackageDefinition(definition) as unknown as {
    pdpb: { PD: grpc.ServiceClientConstructor };
    tikvpb: { Tikv: grpc.ServiceClientConstructor };
  };
  return { pd: root.pdpb.PD, tikv: root.tikvpb.Tikv, definition };
}
