// Regenerates the vendored JSON schemas in this folder from TypeScript declarations published on npm
// (see README.md here for the exact commands). Run by hand when moving to another Kubernetes version;
// the tests only read the JSON files, so nothing is fetched at test time.
//
//   node deploy/test/schemas/generate.mjs <dir with node_modules holding the packages>
//
// Every interface that carries a literal `kind` and `apiVersion` becomes a top-level schema; every
// interface it reaches becomes a definition, strict (additionalProperties: false) unless it has an
// index signature or no members at all (RawExtension, JSON: free-form by design).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const ts = require('typescript');

const root = path.resolve(process.argv[2] ?? '.');
const out = path.dirname(new URL(import.meta.url).pathname);

/** Quantity is `string` in the OpenAPI, but the API server (and YAML) accept a plain number too. */
const NUMBER_OR_STRING_ALIASES = new Set(['Quantity', 'IQuantity', 'IntOrString', 'IIntOrString']);

function generate({ name, pkgDirs, filter, note }) {
  const files = pkgDirs.flatMap((d) => listDts(path.join(root, 'node_modules', d)));
  const program = ts.createProgram(files, { strict: true, noEmit: true, types: [], moduleResolution: ts.ModuleResolutionKind.Node10, baseUrl: root });
  const checker = program.getTypeChecker();
  const definitions = {};
  const ids = new Map();

  // Definition names: <package>.<path in package>.<interface>, e.g. kubernetes-types.core.v1.Container.
  const pkgs = new Map(PACKAGES.map((p) => [fs.realpathSync(path.join(root, 'node_modules', p)), p]));
  const defName = (sym) => {
    const file = fs.realpathSync(sym.declarations[0].getSourceFile().fileName).replace(/\.d\.ts$/, '');
    const [dir, pkg] = [...pkgs].find(([d]) => file.startsWith(`${d}/`)) ?? [];
    if (!pkg) throw new Error(`${file} is outside the known packages`);
    const rel = path.relative(dir, file).split(path.sep);
    if (rel[rel.length - 1] === sym.name || rel[rel.length - 1] === sym.name.replace(/^I/, '')) rel.pop();
    return [pkg.replace(/^@kubernetes-models\//, ''), ...rel, sym.name].join('.');
  };

  /** `Quantity` and `IntOrString` are aliases of primitives, which the checker forgets: look at the written type. */
  const numberOrString = (node) => !!node && ts.isTypeReferenceNode(node) && NUMBER_OR_STRING_ALIASES.has(node.typeName.getText());

  const toSchema = (type, node) => {
    if (numberOrString(node) || (type.aliasSymbol && NUMBER_OR_STRING_ALIASES.has(type.aliasSymbol.name))) return { type: ['string', 'number'] };
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return {};
    if (type.flags & ts.TypeFlags.StringLiteral) return { enum: [type.value] };
    if (type.flags & ts.TypeFlags.NumberLiteral) return { enum: [type.value] };
    if (type.flags & ts.TypeFlags.String) return { type: 'string' };
    if (type.flags & ts.TypeFlags.Number) return { type: 'number' };
    if (type.flags & (ts.TypeFlags.Boolean | ts.TypeFlags.BooleanLiteral)) return { type: 'boolean' };
    if (type.isUnion()) {
      const parts = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
      const bools = parts.filter((t) => t.flags & ts.TypeFlags.BooleanLiteral);
      const rest = parts.filter((t) => !(t.flags & ts.TypeFlags.BooleanLiteral));
      const schemas = rest.map((t) => toSchema(t, node));
      if (bools.length) schemas.push({ type: 'boolean' });
      if (schemas.length === 1) return schemas[0];
      if (schemas.every((s) => s.enum)) return { enum: schemas.flatMap((s) => s.enum) };
      if (schemas.every((s) => typeof s.type === 'string' && Object.keys(s).length === 1)) return { type: [...new Set(schemas.map((s) => s.type))] };
      return { anyOf: schemas };
    }
    if (checker.isArrayType(type)) return { type: 'array', items: toSchema(checker.getTypeArguments(type)[0]) };
    if (type.flags & ts.TypeFlags.Object) {
      const sym = type.getSymbol();
      const named = sym && (sym.flags & ts.SymbolFlags.Interface) && !type.aliasSymbol;
      if (named) {
        const id = defName(sym);
        if (!ids.has(id)) {
          ids.set(id, true);
          definitions[id] = objectSchema(type);
        }
        return { $ref: `#/definitions/${id}` };
      }
      return objectSchema(type);
    }
    throw new Error(`unsupported type ${checker.typeToString(type)}`);
  };

  const objectSchema = (type) => {
    const props = checker.getPropertiesOfType(type);
    const index = checker.getIndexInfoOfType(type, ts.IndexKind.String);
    if (props.length === 0 && !index) return { type: 'object' }; // RawExtension, JSON: any content
    const properties = {};
    const required = [];
    for (const p of props) {
      const decl = p.valueDeclaration ?? p.declarations[0];
      properties[p.name] = toSchema(checker.getTypeOfSymbolAtLocation(p, decl), decl.type);
      if (!(p.flags & ts.SymbolFlags.Optional)) required.push(p.name);
    }
    const s = { type: 'object', properties };
    if (required.length) s.required = required;
    s.additionalProperties = index ? toSchema(index.type, index.declaration?.type) : false;
    return s;
  };

  const kinds = {};
  for (const sf of program.getSourceFiles().filter((f) => files.includes(f.fileName))) {
    const modSym = checker.getSymbolAtLocation(sf);
    if (!modSym) continue;
    for (const exp of checker.getExportsOfModule(modSym)) {
      const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
      if (!(sym.flags & ts.SymbolFlags.Interface) || !filter(sym.name)) continue;
      const type = checker.getDeclaredTypeOfSymbol(sym);
      const lit = (prop) => {
        const p = type.getProperty(prop);
        const t = p && checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(p, p.valueDeclaration));
        return t && t.flags & ts.TypeFlags.StringLiteral ? t.value : undefined;
      };
      const kind = lit('kind');
      const apiVersion = lit('apiVersion');
      if (!kind || !apiVersion || kind.endsWith('List')) continue;
      kinds[`${apiVersion}/${kind}`] = toSchema(type);
    }
  }
  const doc = { $comment: note, kinds: Object.fromEntries(Object.entries(kinds).sort()), definitions: Object.fromEntries(Object.entries(definitions).sort()) };
  fs.writeFileSync(path.join(out, name), `${JSON.stringify(doc)}\n`);
  console.log(`${name}: ${Object.keys(kinds).length} kinds, ${Object.keys(definitions).length} definitions`);
}

function listDts(dir) {
  const outFiles = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules') outFiles.push(...listDts(p));
    else if (e.name.endsWith('.d.ts')) outFiles.push(p);
  }
  return outFiles;
}

const PACKAGES = ['kubernetes-types', 'kubernetes-models', '@kubernetes-models/prometheus-operator', '@kubernetes-models/apimachinery', '@kubernetes-models/base'];
const version = (pkg) => JSON.parse(fs.readFileSync(path.join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;

generate({
  name: 'kubernetes.json',
  pkgDirs: ['kubernetes-types'],
  filter: () => true,
  note: `Kubernetes ${version('kubernetes-types')} built-in kinds, generated by generate.mjs from npm kubernetes-types@${version('kubernetes-types')} (Apache-2.0, generated from the Kubernetes OpenAPI spec)`,
});
generate({
  name: 'prometheus-operator.json',
  pkgDirs: ['@kubernetes-models/prometheus-operator/monitoring.coreos.com'],
  filter: (n) => /^I[A-Z]/.test(n),
  note: `Prometheus Operator CRDs (monitoring.coreos.com), generated by generate.mjs from npm @kubernetes-models/prometheus-operator@${version('@kubernetes-models/prometheus-operator')} (MIT, generated from the operator's CRD schemas)`,
});
