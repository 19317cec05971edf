/** A binary min-heap of timer tasks ordered by (fireTime, taskId). */
import type { TimerTask } from '../../persistence/store.js'

export class TimerHeap {
  private readonly items: TimerTask[] = []

  get size(): number {
    return this.items.length
  }

  peek(): TimerTask | undefined {
    return this.items[0]
  }

  push(task: TimerTask): void {
    const a = this.items
    a.push(task)
    let i = a.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(a[i]!, a[parent]!)) break
      ;[a[i], a[parent]] = [a[parent]!, a[i]!]
      i = parent
    }
  }

  pop(): TimerTask | undefined {
    const a = this.items
    const top = a[0]
    const last = a.pop()
    if (a.length > 0 && last) {
      a[0] = last
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < a.length && before(a[l]!, a[m]!)) m = l
        if (r < a.length && before(a[r]!, a[m]!)) m = r
        if (m === i) break
        ;[a[i], a[m]] = [a[m]!, a[i]!]
        i = m
      }
    }
    return top
  }
}

function before(x: TimerTask, y: TimerTask): boolean {
  return x.fireTime < y.fireTime || (x.fireTime === y.fireTime && x.taskId < y.taskId)
}
