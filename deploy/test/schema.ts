// Validates rendered Kubernetes objects against the OpenAPI-derived JSON schemas vendored in ./schemas
// (Kubernetes 1.30 built-in kinds; the Prometheus Operator's CRDs), with Ajv. Schemas are strict: an
// unknown field (a typo, or a field newer than 1.30) is an error, as `kubectl apply --validate=strict`
// would make it on a 1.30 API server. No network: the schemas are files in this repository.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import type { Doc } from './checks';

interface SchemaFile {
  readonly $comment: string;
  readonly kinds: Record<string, object>;
  readonly definitions: Record<string, object>;
}

const SCHEMA_FILES = ['kubernetes.json', 'prometheus-operator.json'];

export interface SchemaValidator {
  /** `apiVersion/kind` pairs the schemas know, e.g. `apps/v1/Deployment`. */
  readonly kinds: ReadonlySet<string>;
  /** Human-readable errors for the documents; [] when every one is valid. */
  validate(docs: readonly Doc[]): string[];
}

export function loadSchemaValidator(dir = path.join(__dirname, 'schemas')): SchemaValidator {
  const ajv = new Ajv({ allErrors: true, jsonPointers: true });
  const validators = new Map<string, Ajv.ValidateFunction>();
  for (const file of SCHEMA_FILES) {
    const schema = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as SchemaFile;
    ajv.addSchema({ definitions: schema.definitions }, file);
    for (const [kind, s] of Object.entries(schema.kinds)) {
      // Each kind's root is a $ref into the file's definitions: resolve it against that file.
      const ref = (s as { $ref?: string }).$ref;
      validators.set(kind, ajv.compile(ref ? { $ref: `${file}${ref}` } : s));
    }
  }
  return {
    kinds: new Set(validators.keys()),
    validate(docs) {
      const errors: string[] = [];
      for (const d of docs) {
        const o = d.obj as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: unknown } } | null;
        const id = `${String(o?.apiVersion)}/${String(o?.kind)}`;
        const label = `${d.file}: ${String(o?.kind)}/${String(o?.metadata?.name)}`;
        const validate = validators.get(id);
        if (!validate) {
          errors.push(`${label}: no schema for ${id} (not a Kubernetes 1.30 built-in kind nor a known CRD)`);
          continue;
        }
        if (validate(o)) continue;
        for (const e of validate.errors ?? []) errors.push(`${label}: ${describe(e)}`);
      }
      return errors;
    },
  };
}

function describe(e: Ajv.ErrorObject): string {
  const at = e.dataPath || '/';
  const params = e.params as { additionalProperty?: string; missingProperty?: string; allowedValues?: unknown[] };
  if (e.keyword === 'additionalProperties') return `${at}: unknown field '${params.additionalProperty}'`;
  if (e.keyword === 'required') return `${at}: missing required field '${params.missingProperty}'`;
  if (e.keyword === 'enum') return `${at}: must be one of ${JSON.stringify(params.allowedValues)}`;
  return `${at}: ${e.message}`;
}
