import { isStreamingMode, parsePayloadMode } from './payload-mode';

describe('parsePayloadMode', () => {
  it.each([
    ['UNSIGNED-PAYLOAD', 'unsigned'],
    ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'streaming-signed'],
    ['STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'streaming-unsigned-trailer'],
    ['STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', 'streaming-signed-trailer'],
  ])('%s → %s', (value, mode) => {
    expect(parsePayloadMode(value)).toEqual({ mode });
  });

  it("reads the empty body's SHA-256 (answered from a constant) like any other", () => {
    const empty = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    expect(parsePayloadMode(empty)).toEqual({ mode: 'sha256', sha256: empty });
    expect(parsePayloadMode(empty.toUpperCase())).toEqual({ mode: 'sha256', sha256: empty });
  });

  it('reads a hex SHA-256', () => {
    const hex = '44CE7DD67C959E0D3524FFAC1771DFBBA87D2B6B4B4E99E42034A8B803F8B072';
    expect(parsePayloadMode(hex)).toEqual({ mode: 'sha256', sha256: hex.toLowerCase() });
  });

  it.each(['', 'unsigned-payload', 'abc', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85', 'tjnVEQ5UTP/DL91eAGOmew=='])(
    'answers InvalidArgument for %j',
    (value) => {
      expect(() => parsePayloadMode(value)).toThrow(
        expect.objectContaining({ code: 'InvalidArgument', extra: { ArgumentName: 'x-amz-content-sha256', ArgumentValue: value } }),
      );
    },
  );

  it('does not implement SigV4a streaming', () => {
    expect(() => parsePayloadMode('STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD')).toThrow(expect.objectContaining({ code: 'NotImplemented' }));
  });

  it('tells streaming modes apart', () => {
    expect(isStreamingMode('streaming-signed')).toBe(true);
    expect(isStreamingMode('sha256')).toBe(false);
  });
});
