import { requestIdGenerator } from './request-id';

it('mints distinct 16-hex-char ids', () => {
  const next = requestIdGenerator();
  const ids = new Set(Array.from({ length: 1000 }, next));
  expect(ids.size).toBe(1000);
  for (const id of ids) expect(id).toMatch(/^[0-9A-F]{16}$/);
});

it('counts on as 8 hex digits after the prefix, through the 32-bit wrap', () => {
  const next = requestIdGenerator(0xfffffffd);
  const ids = [next(), next(), next(), next()];
  expect(new Set(ids.map((id) => id.slice(0, 8))).size).toBe(1);
  expect(ids.map((id) => id.slice(8))).toEqual(['FFFFFFFE', 'FFFFFFFF', '00000000', '00000001']);
  const mid = requestIdGenerator(0x7ffffffe);
  expect([mid(), mid()].map((id) => id.slice(8))).toEqual(['7FFFFFFF', '80000000']);
  expect(requestIdGenerator(0x00a1b2c2)().slice(8)).toBe('00A1B2C3');
});
