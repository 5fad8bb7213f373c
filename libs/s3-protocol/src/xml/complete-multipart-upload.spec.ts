import { parseCompleteMultipartUpload } from './complete-multipart-upload';

const doc = (parts: string) => `<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts}</CompleteMultipartUpload>`;

describe('parseCompleteMultipartUpload', () => {
  it('reads the AWS example', () => {
    const body = doc(`
      <Part><PartNumber>1</PartNumber><ETag>"a54357aff0632cce46d942af68356b38"</ETag></Part>
      <Part><PartNumber>2</PartNumber><ETag>"0c78aef83f66abc1fa1e8477f296d394"</ETag></Part>
      <Part><PartNumber>3</PartNumber><ETag>"acbd18db4cc2f85cedef654fccc4a4d8"</ETag></Part>
    `);
    expect(parseCompleteMultipartUpload(body)).toEqual({
      Part: [
        { PartNumber: 1, ETag: '"a54357aff0632cce46d942af68356b38"' },
        { PartNumber: 2, ETag: '"0c78aef83f66abc1fa1e8477f296d394"' },
        { PartNumber: 3, ETag: '"acbd18db4cc2f85cedef654fccc4a4d8"' },
      ],
    });
  });

  it('reads checksums, entity-quoted and unquoted ETags, and keeps document order', () => {
    const body = doc(
      '<Part><ETag>&quot;e2&quot;</ETag><PartNumber> 2 </PartNumber><ChecksumCRC32>AAAAAA==</ChecksumCRC32><ChecksumCRC64NVME>x</ChecksumCRC64NVME></Part>' +
        '<Part><PartNumber>1</PartNumber><ETag>e1</ETag><ChecksumCRC32C>c</ChecksumCRC32C><ChecksumSHA1>s1</ChecksumSHA1><ChecksumSHA256>s256</ChecksumSHA256></Part>',
    );
    expect(parseCompleteMultipartUpload(body).Part).toEqual([
      { PartNumber: 2, ETag: '"e2"', ChecksumCRC32: 'AAAAAA==', ChecksumCRC64NVME: 'x' },
      { PartNumber: 1, ETag: 'e1', ChecksumCRC32C: 'c', ChecksumSHA1: 's1', ChecksumSHA256: 's256' },
    ]);
  });

  it('accepts part numbers 1 and 10000 and 10000 parts', () => {
    const body = doc(Array.from({ length: 10000 }, (_, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>e</ETag></Part>`).join(''));
    const parts = parseCompleteMultipartUpload(body).Part;
    expect(parts).toHaveLength(10000);
    expect(parts[9999].PartNumber).toBe(10000);
  });

  it('refuses a 10001st part as MalformedXML', () => {
    const body = doc(Array.from({ length: 10001 }, () => '<Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>').join(''));
    expect(() => parseCompleteMultipartUpload(body)).toThrow(expect.objectContaining({ code: 'MalformedXML' }));
  });

  it.each([['0'], ['10001'], ['99999999']])('rejects part number %s as InvalidArgument', (n) => {
    expect(() => parseCompleteMultipartUpload(doc(`<Part><PartNumber>${n}</PartNumber><ETag>e</ETag></Part>`))).toThrow(
      expect.objectContaining({ code: 'InvalidArgument', extra: { ArgumentName: 'partNumber', ArgumentValue: String(Number(n)) } }),
    );
  });

  it.each([
    ['no parts', doc('')],
    ['no parts, whitespace', doc('\n  ')],
    ['empty body', ''],
    ['wrong root', '<CompleteMultipartUploadResult><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part></CompleteMultipartUploadResult>'],
    ['missing ETag', doc('<Part><PartNumber>1</PartNumber></Part>')],
    ['missing PartNumber', doc('<Part><ETag>e</ETag></Part>')],
    ['non-numeric PartNumber', doc('<Part><PartNumber>one</PartNumber><ETag>e</ETag></Part>')],
    ['fractional PartNumber', doc('<Part><PartNumber>1.5</PartNumber><ETag>e</ETag></Part>')],
    ['negative PartNumber', doc('<Part><PartNumber>-1</PartNumber><ETag>e</ETag></Part>')],
    ['empty PartNumber', doc('<Part><PartNumber/><ETag>e</ETag></Part>')],
    ['duplicate ETag', doc('<Part><PartNumber>1</PartNumber><ETag>e</ETag><ETag>f</ETag></Part>')],
    ['unknown element in Part', doc('<Part><PartNumber>1</PartNumber><ETag>e</ETag><Size>5</Size></Part>')],
    ['unknown element in root', doc('<Part><PartNumber>1</PartNumber><ETag>e</ETag></Part><Parts/>')],
    ['text in root', doc('junk<Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>')],
    ['nested ETag', doc('<Part><PartNumber>1</PartNumber><ETag><X/></ETag></Part>')],
    ['truncated', '<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>e</ETag></Part>'],
  ])('rejects %s as MalformedXML', (_name, body) => {
    expect(() => parseCompleteMultipartUpload(body)).toThrow(expect.objectContaining({ code: 'MalformedXML' }));
  });
});
