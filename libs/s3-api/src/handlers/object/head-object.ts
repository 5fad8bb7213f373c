import type { Handler } from '../../types';
import { readObject } from './read-object';

export const headObject: Handler<'HeadObject'> = (ep, req, deps) => readObject(ep.bucket, ep.key, req, deps, false);
