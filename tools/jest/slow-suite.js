// Slow suites (real servers, real disks): one generous per-test timeout for the whole project.
jest.setTimeout(Number(process.env.MASSIVE_TEST_TIMEOUT_MS ?? 120000));
