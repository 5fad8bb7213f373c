import { buildPolicyStatus } from './policy-status';

describe('buildPolicyStatus', () => {
  it('renders IsPublic', () => {
    expect(buildPolicyStatus(true)).toContain('<PolicyStatus xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsPublic>true</IsPublic></PolicyStatus>');
    expect(buildPolicyStatus(false)).toContain('<IsPublic>false</IsPublic>');
  });
});
