import type { PackageDefinition } from '@grpc/proto-loader';
import { FileDescriptorProto, type IDescriptorProto, type IFileDescriptorProto } from 'protobufjs/ext/descriptor';

/**
 * proto-loader re-files descriptors by package (`massive_metadata_v1.proto`) and drops their imports,
 * so a reflection client (grpcurl) could not resolve `massive.blob.v1.BlobManifest` from the metadata
 * file. This restores each file's `dependency` list from the types it references.
 */
export function withFileDependencies(pkg: PackageDefinition): PackageDefinition {
  const sample = Object.values(pkg).map(descriptorsOf).find((x) => x !== undefined);
  if (!sample) return pkg;
  const files = sample.map((b) => FileDescriptorProto.toObject(FileDescriptorProto.decode(b)) as IFileDescriptorProto);
  // Every fully-qualified type name → the file defining it.
  const owner = new Map<string, string>();
  const index = (prefix: string, m: IDescriptorProto | { name?: string }, file: string) => {
    const fqn = `${prefix}.${m.name ?? ''}`;
    owner.set(fqn, file);
    if ('nestedType' in m) for (const n of m.nestedType ?? []) index(fqn, n, file);
    if ('enumType' in m) for (const e of m.enumType ?? []) index(fqn, e, file);
  };
  for (const f of files) for (const t of [...(f.messageType ?? []), ...(f.enumType ?? [])]) index(f.package ?? '', t, f.name ?? '');
  /** Protobuf scoping: a relative name is looked up from the innermost scope outwards. */
  const resolve = (typeName: string, scope: string): string | undefined => {
    if (typeName.startsWith('.')) return owner.get(typeName.slice(1));
    for (let s = scope; ; s = s.slice(0, Math.max(0, s.lastIndexOf('.')))) {
      const hit = owner.get(s === '' ? typeName : `${s}.${typeName}`);
      if (hit !== undefined || s === '') return hit;
    }
  };
  const patched = files.map((f) => {
    const refs: [string, string][] = [];
    const visit = (m: IDescriptorProto, scope: string) => {
      const inner = `${scope}.${m.name ?? ''}`;
      for (const field of m.field ?? []) if (field.typeName) refs.push([field.typeName, inner]);
      for (const nested of m.nestedType ?? []) visit(nested, inner);
    };
    for (const m of f.messageType ?? []) visit(m, f.package ?? '');
    for (const s of f.service ?? []) for (const m of s.method ?? []) for (const t of [m.inputType, m.outputType]) if (t) refs.push([t, f.package ?? '']);
    const deps = new Set<string>((f.dependency as string[] | undefined) ?? []);
    for (const [name, scope] of refs) {
      const file = resolve(name, scope);
      if (file && file !== f.name) deps.add(file);
    }
    return Buffer.from(FileDescriptorProto.encode(FileDescriptorProto.fromObject({ ...f, dependency: [...deps] })).finish());
  });
  return Object.fromEntries(Object.entries(pkg).map(([k, d]) => [k, descriptorsOf(d) ? { ...d, fileDescriptorProtos: patched } : d])) as PackageDefinition;
}

/** Message and enum definitions carry the encoded files; service definitions do not. */
function descriptorsOf(d: unknown): Buffer[] | undefined {
  const v = (d as { fileDescriptorProtos?: unknown }).fileDescriptorProtos;
  return Array.isArray(v) ? (v as Buffer[]) : undefined;
}
