/**
 * Temporal's TestService (`temporal.api.testservice.v1`), served by the time-skipping test server
 * (`sundial-test-server`): the SDK's time-skipping environment locks and unlocks skipping around
 * its waits, sleeps in virtual time and reads the virtual clock through it. The semantics are the
 * TimeSkipper's (src/server/time-skipper.ts).
 */
import { msFromDuration, msFromTimestamp, timestampFromMs } from '../../common/time.js'
import type { temporal } from '../../common/proto.js'
import type { TimeSkipper } from '../../server/time-skipper.js'
import type { ServiceHandlers } from '../rpc-types.js'

export type TestServiceHandlers = ServiceHandlers<temporal.api.testservice.v1.TestService>

export function createTestServiceHandlers(skipper: TimeSkipper): TestServiceHandlers {
  return {
    lockTimeSkipping() {
      skipper.lock()
      return Promise.resolve({})
    },
    unlockTimeSkipping() {
      // Through the promise, so that an unbalanced unlock is answered as an error status.
      return Promise.resolve().then(() => {
        skipper.unlock()
        return {}
      })
    },
    async sleep(req) {
      await skipper.sleepUntil(skipper.now() + msFromDuration(req.duration))
      return {}
    },
    async sleepUntil(req) {
      await skipper.sleepUntil(msFromTimestamp(req.timestamp))
      return {}
    },
    async unlockTimeSkippingWithSleep(req) {
      await skipper.unlockWithSleep(msFromDuration(req.duration))
      return {}
    },
    getCurrentTime() {
      return Promise.resolve({ time: timestampFromMs(skipper.now()) })
    },
  }
}
