/**
 * A Notifier for tests that drive the delivery directly: give the methods the test expects to be
 * called; any other call fails the test loudly instead of passing by accident.
 */
import type { Notifier } from '../../src/watch/types.js';

export function notifierWith(methods: Partial<Notifier>): Notifier {
  const unexpected = (name: string) => () => Promise.reject(new Error(`unexpected Notifier.${name} call`));
  return {
    post: unexpected('post'),
    postParent: unexpected('postParent'),
    updateParent: unexpected('updateParent'),
    postInThread: unexpected('postInThread'),
    ...methods,
  };
}
