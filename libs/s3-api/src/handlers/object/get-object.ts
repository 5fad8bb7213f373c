import type { Handler } from '../../types';
import { readObject } from './read-object';

export const getObject: Handler<'GetObject'> = (ep, req, deps) => readObject(ep.bucket, ep.key, req, deps, true);
