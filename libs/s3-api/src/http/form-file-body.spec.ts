import { S3Error } from '@massive/s3-protocol';
import { formFileBody } from './form-file-body';

async function* pieces(n: number, size: number, pulled?: { count: number }): AsyncGenerator<Buffer> {
  for (let i = 0; i < n; i++) {
    if (pulled) pulled.count++;
    yield Buffer.alloc(size, i);
  }
}

async function readAll(it: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const b of it) parts.push(b);
  return Buffer.concat(parts);
}

describe('formFileBody', () => {
  it('knows the length of a file that ends within the read-ahead, and collects it whole', async () => {
    const b = await formFileBody(pieces(3, 10), 100);
    expect(b.length).toBe(30);
    expect(b.framed).toBe(true);
    expect((await b.collect(100)).length).toBe(30);
  });

  it('streams a longer file without reading it all first; its length stays unknown', async () => {
    const pulled = { count: 0 };
    const b = await formFileBody(pieces(100, 1000, pulled), 4000);
    expect(b.length).toBeUndefined();
    expect(pulled.count).toBe(5);
    const all = await readAll(b.stream());
    expect(all.length).toBe(100_000);
    expect(all[99_999]).toBe(99);
  });

  it('fails with EntityTooLarge (MaxSizeAllowed) as soon as the file passes the range maximum', async () => {
    const pulled = { count: 0 };
    const b = await formFileBody(pieces(100, 1000, pulled), 10, { min: 0, max: 5500 });
    await expect(readAll(b.stream())).rejects.toMatchObject({ code: 'EntityTooLarge', extra: { MaxSizeAllowed: '5500' } });
    expect(pulled.count).toBe(6);
    await expect(formFileBody(pieces(10, 1000), 100_000, { min: 0, max: 999 })).rejects.toBeInstanceOf(S3Error);
  });

  it('is consumed once', async () => {
    const b = await formFileBody(pieces(1, 1), 10);
    await readAll(b.stream());
    expect(() => b.stream()).toThrow('consumed twice');
  });
});
