import { isAbsolute, join } from 'node:path';
import { Enum, Root, Type, type Field, type MapField } from 'protobufjs';

/** The scalar types the generated coders read and write (sint64 is not among them: no proto of ours uses it). */
export const SCALARS: ReadonlySet<string> = new Set(['double', 'float', 'int32', 'uint32', 'sint32', 'fixed32', 'sfixed32', 'int64', 'uint64', 'fixed64', 'sfixed64', 'bool', 'string', 'bytes']);

/**
 * `files` loaded into a protobufjs Root as proto-loader loads them (imports resolved under `protoDir`,
 * every type resolved), with camelCase field names unless `keepCase`.
 */
export function loadProtoRoot(protoDir: string, files: readonly string[], keepCase = false): Root {
  const root = new Root();
  root.resolvePath = (_origin, target) => (isAbsolute(target) ? target : join(protoDir, target));
  root.loadSync([...files], { keepCase });
  root.resolveAll();
  return root;
}

/**
 * The generated plan of `type`, with one in `cache` for every message type it holds: a type not there
 * yet gets `placeholder`'s plan first, then `generate` fills the new ones in (types that refer to one
 * another find each other's plans). Undefined when a type is not covered (`cache` is left as it was).
 * The encoder and the decoder build their caches with it.
 */
export function planTypes<P>(type: Type, cache: Map<string, P>, placeholder: (t: Type) => P, generate: (t: Type, plan: P) => void): P | undefined {
  const types = coveredTypes(type);
  if (!types) return undefined;
  const fresh: Type[] = [];
  for (const t of types.values()) {
    if (cache.has(t.fullName)) continue;
    cache.set(t.fullName, placeholder(t));
    fresh.push(t);
  }
  for (const t of fresh) generate(t, cache.get(t.fullName)!);
  return cache.get(type.fullName);
}

/**
 * `type` and every message type it holds, by full name; undefined when one of them uses what the
 * generated coders do not cover (groups, sint64, maps keyed by anything but strings or holding enums).
 */
export function coveredTypes(type: Type, out = new Map<string, Type>()): Map<string, Type> | undefined {
  if (out.has(type.fullName)) return out;
  out.set(type.fullName, type);
  for (const f of type.fieldsArray) {
    f.resolve();
    if ((f as Field & { delimited?: boolean }).delimited) return undefined;
    const rt = f.resolvedType;
    if (f.map && ((f as unknown as MapField).keyType !== 'string' || rt instanceof Enum)) return undefined;
    if (rt instanceof Type) {
      if (!coveredTypes(rt, out)) return undefined;
    } else if (!rt && !SCALARS.has(f.type)) return undefined;
  }
  return out;
}
