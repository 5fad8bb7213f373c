import type { LocalDiskStore } from '../local-disk-store';

/**
 * For specs: registers an afterEach that closes every store handed to the returned `keep` during the
 * test, so their kept directory handles are not left to the garbage collector (Node closes a FileHandle
 * it collects with a DEP0137 warning, and says that will become an error). Call it at a spec's top level.
 */
export function closingStores(): (store: LocalDiskStore) => LocalDiskStore {
  const opened: LocalDiskStore[] = [];
  afterEach(() => {
    for (const s of opened.splice(0)) s.close();
  });
  return (store) => {
    opened.push(store);
    return store;
  };
}
