import { decodeBase64Strict } from './base64';

describe('decodeBase64Strict', () => {
  it.each([
    ['AAAAAA==', 4, true],
    ['yZRlqg==', 4, true],
    ['yZRlqg==', 8, false],
    ['yZRlqg', 4, false],
    ['yZRl qg==', 4, false],
    ['yZRlqh==', 4, false],
    ['yZRlqg==\n', 4, false],
    ['yZ-lqg==', 4, false],
    ['', 0, true],
    ['AAAAAAAAAAA=', 8, true],
  ])('%j (size %i) → valid %s', (value, size, ok) => {
    expect(decodeBase64Strict(value, size) !== undefined).toBe(ok);
  });
});
