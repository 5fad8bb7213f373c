import { XmlWriter } from './xml-writer';

/** GetBucketPolicyStatus: `<PolicyStatus><IsPublic>…</IsPublic></PolicyStatus>`. */
export function buildPolicyStatus(isPublic: boolean): string {
  const w = new XmlWriter('PolicyStatus');
  w.bool('IsPublic', isPublic);
  return w.end();
}
