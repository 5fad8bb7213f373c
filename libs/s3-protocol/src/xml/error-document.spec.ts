import { S3Error } from '../errors';
import { buildError, buildS3ErrorXml } from './error-document';
import { childNames, parseBack } from './testing/xml-assert';

describe('buildError', () => {
  it('writes Code, Message, extra elements, Resource, RequestId, HostId, without a namespace', () => {
    const xml = buildError({
      Code: 'NoSuchKey',
      Message: 'The specified key does not exist.',
      Extra: { Key: 'a/b & c.txt' },
      Resource: '/bucket/a/b%20%26%20c.txt',
      RequestId: '4442587FB7D0A2F9',
      HostId: 'host-1',
    });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>' +
        '<Key>a/b &amp; c.txt</Key><Resource>/bucket/a/b%20%26%20c.txt</Resource><RequestId>4442587FB7D0A2F9</RequestId>' +
        '<HostId>host-1</HostId></Error>',
    );
    expect(parseBack(xml).Error.Key).toBe('a/b & c.txt');
  });

  it('omits the optional elements', () => {
    const xml = buildError({ Code: 'InternalError', Message: 'We encountered an internal error, please try again.' });
    expect(childNames(xml)).toEqual(['Code', 'Message']);
    expect(xml).toMatchSnapshot();
  });

  it('keeps extra elements in insertion order and drops unsafe or reserved names', () => {
    const xml = buildError({
      Code: 'InvalidArgument',
      Message: 'x',
      Extra: { ArgumentName: 'max-keys', ArgumentValue: '<-1>', 'bad name': 'x', 'x:y': 'x', '<evil>': 'x', Code: 'dup', RequestId: 'dup' },
      RequestId: 'r',
    });
    expect(childNames(xml)).toEqual(['Code', 'Message', 'ArgumentName', 'ArgumentValue', 'RequestId']);
    expect(xml).toContain('<ArgumentValue>&lt;-1&gt;</ArgumentValue>');
    parseBack(xml);
  });
});

describe('buildS3ErrorXml', () => {
  it('renders an S3Error with its extra elements and the request context', () => {
    const err = new S3Error('NoSuchBucket', undefined, { BucketName: 'photos' });
    const xml = buildS3ErrorXml(err, { Resource: '/photos', RequestId: 'req-1', HostId: 'h' });
    expect(xml).toMatchSnapshot();
    expect(parseBack(xml).Error).toEqual({
      Code: 'NoSuchBucket',
      Message: 'The specified bucket does not exist',
      BucketName: 'photos',
      Resource: '/photos',
      RequestId: 'req-1',
      HostId: 'h',
    });
  });
});
