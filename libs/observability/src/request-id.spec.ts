import { requestIdGenerator } from './request-id';

it('mints distinct 16-hex-char ids', () => {
  const next = requestIdGenerator();
  const ids = new Set(Array.from({ length: 1000 }, next));
  expect(ids.size).toBe(1000);
  for (const id of ids) expect(id).toMatch(/^[0-9A-F]{16}$/);
});
