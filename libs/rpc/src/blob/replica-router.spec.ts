import { ReplicaRouter, type ReplicaInfo } from './replica-router';

function router(answers: (ReplicaInfo | Error)[], up: boolean[] = answers.map(() => true)) {
  const asked: number[] = [];
  const r = new ReplicaRouter({
    size: answers.length,
    describe: async (i) => {
      asked.push(i);
      const a = answers[i];
      if (a instanceof Error) throw a;
      return a;
    },
    isUp: (i) => up[i],
    label: 'blob service (test)',
    minRefreshMs: 0,
  });
  return { r, asked, answers, up };
}
const owned = (replicaId: string, legacyChunks = false): ReplicaInfo => ({ replicaId, legacyChunks });
const down = new Error('unreachable');

describe('ReplicaRouter', () => {
  it('sends an owner to the target that is that replica, learning the map once', async () => {
    const { r, asked } = router([owned('a'), owned('b')]);
    expect(await r.targetFor('b')).toBe(1);
    expect(await r.targetFor('a')).toBe(0);
    expect(asked).toEqual([0, 1]);
  });

  it('is Unavailable for an owner no target answers for, never another replica', async () => {
    const { r } = router([owned('a'), down]);
    await expect(r.targetFor('b')).rejects.toMatchObject({ code: 'Unavailable', message: expect.stringMatching(/blob replica b is not reachable/) });
  });

  it('keeps what a target said while it is down (the call itself then fails Unavailable)', async () => {
    const { r, answers, up } = router([owned('a'), owned('b')]);
    expect(await r.targetFor('b')).toBe(1);
    answers[1] = down;
    up[1] = false;
    expect(await r.targetFor('b')).toBe(1);
  });

  it('follows a replica that moved to another target', async () => {
    const { r, answers } = router([owned('a'), owned('b')]);
    expect(await r.targetFor('b')).toBe(1);
    answers[0] = owned('b');
    answers[1] = owned('a');
    await r.refresh(true);
    expect(await r.targetFor('b')).toBe(0);
  });

  it('sends ids without an owner to the one replica holding old chunks, else anywhere', async () => {
    expect(await router([owned('a'), owned('b', true)]).r.targetFor(undefined)).toBe(1);
    expect(await router([owned('a'), owned('b')]).r.targetFor(undefined)).toBeUndefined();
    expect(await router([owned('a', true), owned('b', true)]).r.targetFor(undefined)).toBeUndefined();
    expect(await router([owned(''), owned('')]).r.targetFor(undefined)).toBeUndefined();
  });

  it('sends an intent cleanup to every target unless all are stateless', async () => {
    expect(await router([owned('a'), owned('b')]).r.intentTargets()).toEqual([0, 1]);
    expect(await router([owned(''), down]).r.intentTargets()).toEqual([0, 1]);
    expect(await router([owned(''), owned('')]).r.intentTargets()).toBeUndefined();
  });

  it('shares one refresh between concurrent callers', async () => {
    const { r, asked } = router([owned('a'), owned('b')]);
    await Promise.all([r.targetFor('a'), r.targetFor('b'), r.intentTargets()]);
    expect(asked).toEqual([0, 1]);
  });
});
