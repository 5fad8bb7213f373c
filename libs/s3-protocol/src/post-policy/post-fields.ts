import { S3Error } from '../errors';

/**
 * The fields of a browser POST form that came before its file, in order. Field names are
 * case-insensitive (`X-Amz-Signature` and `x-amz-signature` are one field), as in S3.
 */
export class PostFields {
  private readonly byName = new Map<string, string>();
  private readonly order: string[] = [];

  constructor(fields: Iterable<readonly [string, string]> = []) {
    for (const [name, value] of fields) this.add(name, value);
  }

  /** Adds a field; a name given twice is InvalidArgument (S3 would have to pick one). */
  add(name: string, value: string): void {
    const lower = name.toLowerCase();
    if (this.byName.has(lower)) {
      throw new S3Error('InvalidArgument', `Field ${lower} may only be specified once.`, { ArgumentName: lower, ArgumentValue: value });
    }
    this.byName.set(lower, value);
    this.order.push(lower);
  }

  get(name: string): string | undefined {
    return this.byName.get(name.toLowerCase());
  }

  has(name: string): boolean {
    return this.byName.has(name.toLowerCase());
  }

  /** Lower-case names in form order. */
  names(): readonly string[] {
    return this.order;
  }

  /** A copy with `name` set to `value` (the key after `${filename}` substitution). */
  with(name: string, value: string): PostFields {
    const copy = new PostFields();
    for (const n of this.order) copy.add(n, n === name.toLowerCase() ? value : (this.byName.get(n) ?? ''));
    if (!this.has(name)) copy.add(name, value);
    return copy;
  }
}
