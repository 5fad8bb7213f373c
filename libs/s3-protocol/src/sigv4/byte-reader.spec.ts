import { fixedSplit, randomSplit } from '../../test/sources';
import { ByteReader } from './byte-reader';

async function* from(...parts: string[]): AsyncGenerator<Buffer> {
  for (const p of parts) yield Buffer.from(p, 'latin1');
}

describe('ByteReader', () => {
  it('reads CRLF lines across buffer boundaries and data as views', async () => {
    for (let seed = 0; seed < 20; seed++) {
      const r = new ByteReader(randomSplit(Buffer.from('first line\r\n0123456789\r\nsecond\r\n'), seed, 4));
      expect(await r.readLine(100)).toBe('first line');
      let data = '';
      while (data.length < 10) data += (await r.readSome(10 - data.length))?.toString() ?? '';
      expect(data).toBe('0123456789');
      await r.expectCrlf();
      expect(await r.readLine(100)).toBe('second');
      expect(await r.readLine(100)).toBeNull();
      expect(await r.atEnd()).toBe(true);
    }
  });

  it('returns subarrays of the source without copying', async () => {
    const source = Buffer.from('abcdef');
    const r = new ByteReader(fixedSplit(source, 6));
    const piece = await r.readSome(3);
    expect(piece?.buffer).toBe(source.buffer);
  });

  it('skips empty source buffers', async () => {
    const r = new ByteReader(from('', 'a', '', 'b\r\n'));
    expect(await r.readLine(10)).toBe('ab');
  });

  it('limits line length, even when the line is split', async () => {
    await expect(new ByteReader(from('x'.repeat(50) + '\r\n')).readLine(10)).rejects.toMatchObject({ code: 'InvalidRequest' });
    await expect(new ByteReader(from('xxxxxx', 'xxxxxx', 'xx\r\n')).readLine(10)).rejects.toMatchObject({ code: 'InvalidRequest' });
    expect(await new ByteReader(from('xxxxx', 'xxxx\r\n')).readLine(10)).toBe('xxxxxxxxx');
  });

  it('rejects a bare LF and a line cut by the end of input', async () => {
    await expect(new ByteReader(from('abc\n')).readLine(10)).rejects.toMatchObject({ code: 'InvalidRequest' });
    await expect(new ByteReader(from('abc')).readLine(10)).rejects.toMatchObject({ code: 'IncompleteBody' });
    await expect(new ByteReader(from('\r')).expectCrlf()).rejects.toMatchObject({ code: 'IncompleteBody' });
    await expect(new ByteReader(from('\r\r')).expectCrlf()).rejects.toMatchObject({ code: 'InvalidRequest' });
  });

  it('closes the source when stopped early', async () => {
    let finished = false;
    async function* source(): AsyncGenerator<Buffer> {
      try {
        yield Buffer.from('a\r\n');
        yield Buffer.from('b\r\n');
      } finally {
        finished = true;
      }
    }
    const r = new ByteReader(source());
    await r.readLine(10);
    await r.close();
    expect(finished).toBe(true);
  });
});
