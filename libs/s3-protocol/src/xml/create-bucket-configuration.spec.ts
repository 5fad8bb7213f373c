import { isS3Error } from '../errors';
import { parseCreateBucketConfiguration } from './create-bucket-configuration';

describe('parseCreateBucketConfiguration', () => {
  it('reads the location constraint', () => {
    const body = '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">\n  <LocationConstraint>eu-west-1</LocationConstraint>\n</CreateBucketConfiguration>';
    expect(parseCreateBucketConfiguration(body)).toEqual({ LocationConstraint: 'eu-west-1' });
    expect(parseCreateBucketConfiguration(Buffer.from(body))).toEqual({ LocationConstraint: 'eu-west-1' });
  });

  it.each([[''], ['  \n'], ['<CreateBucketConfiguration/>'], ['<CreateBucketConfiguration></CreateBucketConfiguration>']])(
    'allows no constraint: %j',
    (body) => expect(parseCreateBucketConfiguration(body)).toEqual({}),
  );

  it('returns an empty constraint as empty (the handler decides what it means)', () => {
    expect(parseCreateBucketConfiguration('<CreateBucketConfiguration><LocationConstraint/></CreateBucketConfiguration>')).toEqual({ LocationConstraint: '' });
  });

  it.each([
    ['wrong root', '<CreateBucket><LocationConstraint>eu-west-1</LocationConstraint></CreateBucket>'],
    ['unknown element', '<CreateBucketConfiguration><Location><Name>x</Name></Location></CreateBucketConfiguration>'],
    ['duplicate', '<CreateBucketConfiguration><LocationConstraint>a</LocationConstraint><LocationConstraint>b</LocationConstraint></CreateBucketConfiguration>'],
    ['text in container', '<CreateBucketConfiguration>eu-west-1</CreateBucketConfiguration>'],
    ['not xml', 'eu-west-1'],
    ['truncated', '<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint>'],
  ])('rejects %s as MalformedXML', (_name, body) => {
    expect(() => parseCreateBucketConfiguration(body)).toThrow(expect.objectContaining({ code: 'MalformedXML', status: 400 }));
    try {
      parseCreateBucketConfiguration(body);
    } catch (e) {
      expect(isS3Error(e, 'MalformedXML')).toBe(true);
    }
  });
});
