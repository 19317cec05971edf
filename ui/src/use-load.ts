/**
 * Loading data for a screen: runs `load` when `deps` change, keeps the last good value while a
 * reload runs (so a live refresh does not blank the page), and can refresh on an interval while
 * `refreshMs` is set. Results of superseded loads are dropped, so a slow answer for an old
 * filter never overwrites the answer for the new one.
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'

export interface Loaded<T> {
  data?: T
  error?: Error
  loading: boolean
  /** Loads again now; resolves when that load has settled. */
  reload(this: void): Promise<void>
}

export interface LoadOptions {
  /** Reload on this period while set (and the page is visible). */
  refreshMs?: number
  /**
   * Keep showing the old value while loading for new `deps`: for inputs that only grow (a
   * history that gained events), where blanking the screen would only flicker.
   */
  keepOnChange?: boolean
}

interface State<T> {
  data?: T
  error?: Error
  loading: boolean
  /** The deps the data and error were loaded for. */
  deps?: unknown[]
}

const sameDeps = (a: unknown[] | undefined, b: unknown[]) =>
  a !== undefined && a.length === b.length && a.every((v, i) => Object.is(v, b[i]))

export function useLoad<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: unknown[],
  opts: LoadOptions = {},
): Loaded<T> {
  const [state, setState] = useState<State<T>>({ loading: true })
  const generation = useRef(0)
  const controller = useRef<AbortController | undefined>(undefined)
  const inFlight = useRef(false)
  const latest = useRef({ load, deps, keep: opts.keepOnChange })
  latest.current = { load, deps, keep: opts.keepOnChange }

  const reload = useCallback(async () => {
    const gen = ++generation.current
    controller.current?.abort()
    const ac = new AbortController()
    controller.current = ac
    inFlight.current = true
    const { load: run, deps: loadingFor, keep } = latest.current
    setState((s) => ({ ...s, loading: true }))
    try {
      const data = await run(ac.signal)
      if (gen === generation.current) setState({ data, loading: false, deps: loadingFor })
    } catch (e: unknown) {
      if (gen !== generation.current) return
      const error = e instanceof Error ? e : new Error(String(e))
      // A failed refresh keeps what it had; a failed load for new inputs shows nothing old.
      setState((s) => ({
        data: keep || sameDeps(s.deps, loadingFor) ? s.data : undefined,
        error,
        loading: false,
        deps: loadingFor,
      }))
    } finally {
      if (gen === generation.current) inFlight.current = false
    }
  }, [])

  useEffect(() => {
    void reload()
    return () => {
      generation.current++
      inFlight.current = false
      controller.current?.abort()
    }
  }, deps)

  useEffect(() => {
    if (!opts.refreshMs) return undefined
    const timer = setInterval(() => {
      // A hidden tab need not poll, and a slow server should not pile up requests.
      if (document.visibilityState === 'visible' && !inFlight.current) void reload()
    }, opts.refreshMs)
    return () => clearInterval(timer)
  }, [opts.refreshMs, reload])

  // What was loaded for other inputs is not shown for these, from the very first render with
  // them (an effect would clear it one frame late), unless the caller asked to keep it.
  if (!opts.keepOnChange && state.deps !== undefined && !sameDeps(state.deps, deps)) {
    return { loading: true, reload }
  }
  return { data: state.data, error: state.error, loading: state.loading, reload }
}
