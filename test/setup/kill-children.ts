/** Setup file of the `process` project: no child process outlives the test that started it. */
import { afterAll, afterEach } from 'vitest';
import { killTrackedChildren, killTrackedChildrenNow } from '../helpers/children.js';

afterEach(async () => {
  await killTrackedChildren();
});
afterAll(async () => {
  await killTrackedChildren();
});
// The worker itself may be torn down (timeout of a hook, crash): take the children with it.
process.once('exit', killTrackedChildrenNow);
