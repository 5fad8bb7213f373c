export * from './policy-types';
export * from './parse-bucket-policy';
export * from './evaluate-bucket-policy';
export * from './policy-status';
export * from './s3-actions';
export { normaliseConditionKey } from './condition-keys';
export { parseCidr, ipBytes, cidrContains } from './ip-match';
export * from './iam-actions';
