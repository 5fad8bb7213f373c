import { buildOwnershipControls, parseOwnershipControls } from './ownership-controls';
import { buildPublicAccessBlock, parsePublicAccessBlock } from './public-access-block';

describe('OwnershipControls', () => {
  it.each(['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'] as const)('round-trips %s', (o) => {
    expect(parseOwnershipControls(buildOwnershipControls(o))).toBe(o);
  });
  it('refuses an unknown ownership (InvalidArgument) and a malformed document (MalformedXML)', () => {
    expect(() => parseOwnershipControls('<OwnershipControls><Rule><ObjectOwnership>Mine</ObjectOwnership></Rule></OwnershipControls>')).toThrow(
      expect.objectContaining({ code: 'InvalidArgument' }),
    );
    for (const bad of ['<OwnershipControls/>', '<OwnershipControls><Rule/></OwnershipControls>', '<OwnershipControls><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule><Rule><ObjectOwnership>ObjectWriter</ObjectOwnership></Rule></OwnershipControls>']) {
      expect(() => parseOwnershipControls(bad)).toThrow(expect.objectContaining({ code: 'MalformedXML' }));
    }
  });
});

describe('PublicAccessBlockConfiguration', () => {
  it('fills left-out flags with false and round-trips', () => {
    const c = parsePublicAccessBlock('<PublicAccessBlockConfiguration><IgnorePublicAcls>true</IgnorePublicAcls></PublicAccessBlockConfiguration>');
    expect(c).toEqual({ BlockPublicAcls: false, IgnorePublicAcls: true, BlockPublicPolicy: false, RestrictPublicBuckets: false });
    expect(parsePublicAccessBlock(buildPublicAccessBlock(c))).toEqual(c);
  });
  it('refuses unknown or repeated elements and non-booleans', () => {
    for (const bad of [
      '<PublicAccessBlockConfiguration><Other>true</Other></PublicAccessBlockConfiguration>',
      '<PublicAccessBlockConfiguration><BlockPublicAcls>true</BlockPublicAcls><BlockPublicAcls>true</BlockPublicAcls></PublicAccessBlockConfiguration>',
      '<PublicAccessBlockConfiguration><BlockPublicAcls>yes</BlockPublicAcls></PublicAccessBlockConfiguration>',
    ]) {
      expect(() => parsePublicAccessBlock(bad)).toThrow(expect.objectContaining({ code: 'MalformedXML' }));
    }
  });
});
