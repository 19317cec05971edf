/**
 * deploy/monitoring: the Prometheus rules pass promtool's checks and unit tests, the Operator
 * PrometheusRule holds the same rules as the plain file, every dashboard expression parses, and
 * every expression (dashboards and rules) queries only metrics the server exposes.
 *
 * promtool comes from Debian's `prometheus` package and kubectl is preinstalled: outside CI a
 * machine without them skips those cases; in CI a missing tool fails them.
 */
import assert from 'node:assert/strict'
import { execFile, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { parse, parseAllDocuments, stringify } from 'yaml'
import { pino } from 'pino'
import { ensureError } from '../../src/common/errors.js'
import { createServer } from '../../src/server/server.js'
import { EXPOSED_METRICS } from './exposed-metrics.js'
import { metricNames } from './promql-metric-names.js'

const MONITORING = fileURLToPath(new URL('../../../deploy/monitoring/', import.meta.url))
const PROMETHEUS = join(MONITORING, 'prometheus')
const GRAFANA = join(MONITORING, 'grafana')
const PLAIN_RULES = join(PROMETHEUS, 'sundial-rules.yaml')
const OPERATOR_RULES = join(PROMETHEUS, 'sundial-prometheusrule.yaml')
const RULE_TESTS = join(PROMETHEUS, 'sundial-rules.test.yaml')

/** Series Prometheus makes up itself, so no server's /metrics lists them. */
const PROMETHEUS_METRICS = ['up']

interface Rule {
  alert?: string
  record?: string
  expr: string
  for?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
}
interface RulesFile {
  groups: { name: string; rules: Rule[] }[]
}
interface PrometheusRule {
  apiVersion: string
  kind: string
  metadata: { name: string; labels?: Record<string, string> }
  spec: RulesFile
}
interface RuleTests {
  rule_files: string[]
  tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[]
}
interface DataSourceRef {
  type: string
  uid: string
}
interface Panel {
  id: number
  type: string
  title: string
  datasource?: DataSourceRef
  targets?: { refId: string; expr: string; datasource?: DataSourceRef }[]
  panels?: Panel[]
}
interface Variable {
  name: string
  type: string
  datasource?: DataSourceRef
  query?: string | { query: string }
}
interface Dashboard {
  uid: string
  title: string
  schemaVersion: number
  panels: Panel[]
  templating: { list: Variable[] }
}
/** One PromQL expression and where it came from, for failure messages. */
interface Expression {
  where: string
  expr: string
}

const readYaml = <T>(path: string): T => parse(readFileSync(path, 'utf8')) as T
const plainRules = readYaml<RulesFile>(PLAIN_RULES)
const operatorRules = readYaml<PrometheusRule>(OPERATOR_RULES)
const dashboardFiles = readdirSync(GRAFANA).filter((f) => f.endsWith('.json'))
const dashboards = dashboardFiles.map((file) => ({
  file,
  dashboard: JSON.parse(readFileSync(join(GRAFANA, file), 'utf8')) as Dashboard,
}))
const alerts = plainRules.groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined)

function flatPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...flatPanels(p.panels ?? [])])
}

/** Every PromQL expression of the dashboards: panel targets and query variables. */
function dashboardExpressions(): Expression[] {
  const out: Expression[] = []
  for (const { file, dashboard } of dashboards) {
    for (const panel of flatPanels(dashboard.panels)) {
      for (const t of panel.targets ?? []) {
        out.push({ where: `${file} panel ${panel.id} "${panel.title}" ${t.refId}`, expr: t.expr })
      }
    }
    for (const v of dashboard.templating.list) {
      if (v.type !== 'query' || v.query === undefined) continue
      const query = typeof v.query === 'string' ? v.query : v.query.query
      // label_values(<selector>, label) and query_result(<expr>) wrap PromQL; metrics() and
      // label_names() take none worth checking.
      const inner = /^\s*(?:label_values\((.*),\s*\w+\s*\)|query_result\((.*)\))\s*$/s.exec(query)
      const expr = inner?.[1] ?? inner?.[2]
      if (expr !== undefined) out.push({ where: `${file} variable $${v.name}`, expr })
    }
  }
  return out
}

function ruleExpressions(): Expression[] {
  return plainRules.groups.flatMap((g) =>
    g.rules.map((r) => ({ where: `rule ${r.alert ?? r.record}`, expr: r.expr })),
  )
}

/**
 * Grafana's template variables replaced by values PromQL accepts: interval variables by a
 * duration, the others (used in regex matchers) by a match-all regex. A variable used anywhere
 * else then fails to parse, as it would in Grafana once substituted.
 */
function withoutGrafanaVariables(expr: string): string {
  return expr
    .replace(/\$__(rate_interval|interval|range)\b/g, '5m')
    .replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, '.*')
}

const execFileAsync = promisify(execFile)

/** Where each external tool comes from, for skip reasons and failures. */
const INSTALL_HINTS = {
  promtool: "Debian's prometheus package installs it; .ci/run must apt-get install prometheus",
  kubectl: 'kubectl (with kustomize) comes preinstalled on the CI machines',
} as const
type Tool = keyof typeof INSTALL_HINTS

/** Runs a preinstalled tool; a missing one fails with the fix rather than a bare ENOENT. */
async function run(tool: Tool, args: string[], cwd = MONITORING): Promise<string> {
  try {
    const { stdout, stderr } = await execFileAsync(tool, args, { cwd })
    return stdout + stderr
  } catch (e: unknown) {
    const err = ensureError(e) as NodeJS.ErrnoException & { stdout?: string; stderr?: string }
    if (err.code === 'ENOENT') {
      throw new Error(`${tool} is not installed: ${INSTALL_HINTS[tool]}`, { cause: e })
    }
    const output = `${err.stdout ?? ''}${err.stderr ?? ''}`
    throw new Error(`${tool} ${args.join(' ')} failed:\n${output}`, { cause: e })
  }
}

/** Why cases needing `tool` cannot run here, if they cannot (never in CI: there they fail). */
function skipWithout(tool: Tool, versionArgs: string[]): string | false {
  if (spawnSync(tool, versionArgs, { stdio: 'ignore' }).error === undefined) return false
  return process.env.CI ? false : `${tool} is not installed: ${INSTALL_HINTS[tool]}`
}
const noPromtool = skipWithout('promtool', ['--version'])
const noKubectl = skipWithout('kubectl', ['version', '--client'])

const scratch = mkdtempSync(join(tmpdir(), 'sundial-monitoring-'))
after(() => rmSync(scratch, { recursive: true, force: true }))

describe('deploy/monitoring rules', () => {
  test('the PrometheusRule holds the same groups as the plain rules file', () => {
    assert.equal(operatorRules.apiVersion, 'monitoring.coreos.com/v1')
    assert.equal(operatorRules.kind, 'PrometheusRule')
    assert.deepEqual(
      operatorRules.spec.groups,
      plainRules.groups,
      'sundial-prometheusrule.yaml spec.groups must equal sundial-rules.yaml groups: edit both',
    )
  })

  test("the seeds' alerts keep their names, expressions and durations", () => {
    const byName = new Map(alerts.map((a) => [a.alert, a]))
    assert.equal(byName.size, alerts.length, 'alert names are unique')
    const seeds = [
      { alert: 'TemporalServerDown', expr: 'up{job=~".*sundial.*"} == 0', for: '1m' },
      { alert: 'HighWorkflowFailureRate', expr: 'rate(temporal_workflow_failed_total[5m]) > 0.1' },
      { alert: 'DatabaseConnectionIssue', expr: 'temporal_persistence_errors_total > 10' },
    ]
    for (const seed of seeds) {
      const rule = byName.get(seed.alert)
      assert.ok(rule, `${seed.alert} exists`)
      assert.equal(rule.expr.trim(), seed.expr)
      if (seed.for !== undefined) assert.equal(rule.for, seed.for)
    }
    for (const rule of alerts) {
      assert.match(rule.labels?.severity ?? '', /^(critical|warning)$/, `${rule.alert} severity`)
      assert.ok(rule.annotations?.summary, `${rule.alert} has a summary`)
    }
  })

  test('every alert has a promtool case where it fires and one where it does not', () => {
    const cases = readYaml<RuleTests>(RULE_TESTS)
    assert.deepEqual(cases.rule_files, ['sundial-rules.yaml'])
    const checks = cases.tests.flatMap((t) => t.alert_rule_test ?? [])
    for (const { alert } of alerts) {
      const mine = checks.filter((c) => c.alertname === alert)
      assert.ok(
        mine.some((c) => c.exp_alerts.length > 0),
        `${alert}: no case where it fires`,
      )
      assert.ok(
        mine.some((c) => c.exp_alerts.length === 0),
        `${alert}: no case where it stays quiet`,
      )
    }
  })

  test('promtool check rules accepts both rules files', { skip: noPromtool }, async () => {
    // promtool reads plain rules files only: check the PrometheusRule's groups as one.
    const operatorAsPlain = join(scratch, 'prometheusrule-groups.yaml')
    writeFileSync(operatorAsPlain, stringify({ groups: operatorRules.spec.groups }))
    const out = await run('promtool', ['check', 'rules', PLAIN_RULES, operatorAsPlain])
    assert.match(out, new RegExp(`SUCCESS: ${alerts.length} rules found`))
  })

  test('promtool test rules passes', { skip: noPromtool }, async () => {
    const out = await run('promtool', ['test', 'rules', RULE_TESTS], PROMETHEUS)
    assert.match(out, /SUCCESS/)
  })
})

describe('deploy/monitoring dashboards', () => {
  test('dashboards use the datasource variable and unique panel ids', () => {
    assert.deepEqual(dashboardFiles.sort(), [
      'sundial-server-overview.json',
      'temporal-business-metrics.json',
    ])
    for (const { file, dashboard } of dashboards) {
      assert.ok(dashboard.schemaVersion >= 39, `${file} schemaVersion`)
      const vars = new Map(dashboard.templating.list.map((v) => [v.name, v]))
      assert.equal(vars.get('datasource')?.type, 'datasource', `${file} $datasource`)
      assert.equal(vars.get('namespace')?.type, 'query', `${file} $namespace`)
      const panels = flatPanels(dashboard.panels)
      const ids = panels.map((p) => p.id)
      assert.equal(new Set(ids).size, ids.length, `${file} panel ids are unique`)
      const refs = [
        ...dashboard.templating.list.flatMap((v) => (v.datasource ? [v.datasource] : [])),
        ...panels.flatMap((p) => [
          ...(p.datasource ? [p.datasource] : []),
          ...(p.targets ?? []).map((t) => t.datasource),
        ]),
      ]
      for (const ref of refs) {
        assert.deepEqual(ref, { type: 'prometheus', uid: '${datasource}' }, `${file} datasource`)
      }
      for (const panel of panels.filter((p) => p.type !== 'row')) {
        assert.ok(panel.targets?.length, `${file} panel "${panel.title}" has queries`)
      }
    }
  })

  test('promtool parses every dashboard expression', { skip: noPromtool }, async () => {
    const exprs = dashboardExpressions()
    // Each expression becomes a recording rule: `promtool check rules` then parses them all.
    const rules = exprs.map((e, i) => ({ record: `dashboard_expr_${i}`, expr: e.expr }))
    const file = join(scratch, 'dashboard-expressions.yaml')
    writeFileSync(
      file,
      stringify({
        groups: [
          {
            name: 'dashboards',
            rules: rules.map((r) => ({ ...r, expr: withoutGrafanaVariables(r.expr) })),
          },
        ],
      }),
    )
    const legend = exprs.map((e, i) => `dashboard_expr_${i}: ${e.where}`).join('\n')
    try {
      const out = await run('promtool', ['check', 'rules', file])
      assert.match(out, new RegExp(`SUCCESS: ${exprs.length} rules found`))
    } catch (e: unknown) {
      throw new Error(`${String(e)}\nwhere the rules come from:\n${legend}`, { cause: e })
    }
  })
})

describe('deploy/monitoring metric names', () => {
  test('the lexer tells metric names from functions, keywords and labels', () => {
    assert.deepEqual(
      metricNames(
        'histogram_quantile(0.99, sum by (le, operation) (rate(service_latency_bucket' +
          '{operation!~"Poll.*", namespace=~"a{b}"}[5m] offset 1h))) / on (operation) ' +
          'group_left max without (instance) (up) > bool 1e3 and {__name__="nodejs_x"}',
      ),
      ['service_latency_bucket', 'up', 'nodejs_x'],
    )
  })

  test('every expression uses only metrics the server exposes', () => {
    const known = new Set([...EXPOSED_METRICS, ...PROMETHEUS_METRICS])
    const unknown = [...dashboardExpressions(), ...ruleExpressions()].flatMap((e) =>
      metricNames(withoutGrafanaVariables(e.expr))
        .filter((name) => !known.has(name))
        .map((name) => `${e.where}: ${name}`),
    )
    assert.deepEqual(unknown, [], 'metrics missing from EXPOSED_METRICS')
    // Each dashboard queries something: an empty extraction would make this test vacuous.
    assert.ok(dashboardExpressions().every((e) => metricNames(e.expr).length > 0))
  })

  test('a live server exposes every one of those names', async () => {
    const server = await createServer({
      port: 0,
      metrics: { port: 0 },
      logger: pino({ level: 'warn' }),
    })
    try {
      const text = await (await fetch(`http://127.0.0.1:${server.metricsPort}/metrics`)).text()
      // `# TYPE` lines name every metric, observed yet or not; histograms store three series.
      const exposed = new Set(
        [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name, type]) =>
          type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name!],
        ),
      )
      assert.deepEqual(
        EXPOSED_METRICS.filter((name) => !exposed.has(name)),
        [],
        'named in EXPOSED_METRICS but not on /metrics',
      )
    } finally {
      await server.stop()
    }
  })
})

describe('deploy/monitoring kustomization', () => {
  test('renders the PrometheusRule and the dashboards ConfigMap', { skip: noKubectl }, async () => {
    const out = await run('kubectl', ['kustomize', MONITORING])
    const docs = parseAllDocuments(out).map(
      (d) =>
        d.toJS() as {
          kind: string
          metadata: { name: string; labels?: Record<string, string> }
          data?: Record<string, string>
          spec?: RulesFile
        },
    )
    const rule = docs.find((d) => d.kind === 'PrometheusRule')
    assert.deepEqual(rule?.spec?.groups, plainRules.groups)
    const dashboardsMap = docs.find((d) => d.kind === 'ConfigMap')
    assert.equal(dashboardsMap?.metadata.name, 'sundial-grafana-dashboards')
    assert.equal(dashboardsMap.metadata.labels?.grafana_dashboard, '1')
    for (const file of dashboardFiles) {
      assert.equal(dashboardsMap.data?.[file], readFileSync(join(GRAFANA, file), 'utf8'), file)
    }
  })
})
