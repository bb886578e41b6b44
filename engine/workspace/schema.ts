/**
 * The description of `alluse-perf.yaml`, the workspace file.
 *
 * Sections are additive: later features add keys or sections here without changing the
 * meaning of existing ones, and `version` is bumped only for a breaking change.
 */
import type { ObjectSchema, PropertySchema, SchemaNode } from './schemaTypes';

const str = (description: string, format?: 'path' | 'url' | 'regex' | 'name' | 'constraint' | 'alert-expr' | 'command', example?: string): SchemaNode => ({
  kind: 'string',
  description,
  format,
  example,
});
const prop = (schema: SchemaNode, extra: Omit<PropertySchema, 'schema'> = {}): PropertySchema => ({ schema, ...extra });

const alertSeverity = (description: string): SchemaNode => ({
  kind: 'enum',
  description,
  values: [
    { value: 'info', description: 'Listed in the views only.' },
    { value: 'warning', description: 'A warning notification and diagnostic.' },
    { value: 'critical', description: 'An error notification and diagnostic.' },
  ],
});

const envMap: SchemaNode = {
  kind: 'object',
  description: 'Environment variables for the process, as NAME: value. Values are passed as they are, never through a shell.',
  properties: {},
  additional: { kind: 'string', description: 'The value of the environment variable.' },
  additionalKeyName: 'variable name',
};

const argsList: SchemaNode = {
  kind: 'array',
  description: 'Arguments, one list item each. They are passed to the program as separate arguments, never through a shell.',
  items: { kind: 'string', description: 'One argument.' },
};

const startCommand: ObjectSchema = {
  kind: 'object',
  description: 'How the extension can start the component itself (only in a trusted workspace).',
  properties: {
    command: prop(str('The program to run, e.g. `node`. Looked up on PATH when it has no slash.', 'command', 'node'), { required: true }),
    args: prop(argsList),
    cwd: prop(str('Working folder, relative to the folder of alluse-perf.yaml.', 'path', '.'), { default: '.' }),
    env: prop(envMap),
  },
};

const processSchema: ObjectSchema = {
  kind: 'object',
  description: 'How to find the running process of the component. Give at least one of `pidFile`, `commandMatch` or `start`; they are tried in that order and again after the process restarts.',
  properties: {
    pidFile: prop(str('A file that holds the process id, relative to the folder of alluse-perf.yaml.', 'path', '.run/protocol-engine.pid')),
    commandMatch: prop(str('A regular expression matched against the full command line of running processes.', 'regex', 'protocol-engine\\.js')),
    start: prop(startCommand),
    inspectPort: prop({
      kind: 'integer',
      description: 'Loopback port of the Node inspector of the component, for CPU and heap profiles.',
      minimum: 1,
      maximum: 65535,
      example: '9229',
    }),
  },
};

const metricsSchema: ObjectSchema = {
  kind: 'object',
  description: "The component's Prometheus metrics endpoint.",
  properties: {
    url: prop(str('URL of the Prometheus text-format endpoint, e.g. http://127.0.0.1:9462/metrics.', 'url', 'http://127.0.0.1:9462/metrics'), { required: true }),
    interval: prop({ kind: 'duration', description: 'How often the endpoint is scraped. Defaults to the monitor interval.', defaultUnit: 'ms', minimumMs: 10 }),
    timeout: prop({ kind: 'duration', description: 'How long one scrape may take before it counts as failed.', defaultUnit: 'ms', minimumMs: 1 }, { default: '2s' }),
    sampleLimit: prop(
      { kind: 'integer', description: 'Most samples one scrape may hold; a scrape with more is dropped as a whole and reported (as Prometheus’s `sample_limit`), so an endpoint with ever-new label values cannot fill the memory and the store.', minimum: 1, example: '50000' },
      { default: '20000' },
    ),
    latency: prop(str('The latency histogram (in seconds) of the component’s main work, e.g. `alluse_engine_tick_latency_seconds`. Dashboards show its quantiles and latency SLOs apply to it.', undefined, 'alluse_engine_tick_latency_seconds')),
    throughput: prop(str('The counter of the component’s main work, e.g. `alluse_engine_ticks_total`. Its rate is the throughput in dashboards and the throughput SLO.', undefined, 'alluse_engine_ticks_total')),
    errors: prop(str('The counter of failed work, e.g. `alluse_errors_total`. The error rate is its rate over the throughput counter’s rate.', undefined, 'alluse_errors_total')),
    queueDepth: prop(str('The gauge of the component’s queue depth, e.g. `alluse_engine_queue_depth`; measured against `limits.queueCapacity`.', undefined, 'alluse_engine_queue_depth')),
  },
};

const datasourceSchema: ObjectSchema = {
  kind: 'object',
  description: 'A Prometheus-compatible server (Prometheus, Thanos, Mimir, VictoriaMetrics) to read series from through its HTTP API, instead of collecting them locally.',
  properties: {
    url: prop(str('Base URL of the server, e.g. http://prometheus.internal:9090.', 'url', 'http://127.0.0.1:9090'), { required: true }),
    step: prop({ kind: 'duration', description: 'Resolution of the series read from the server.', defaultUnit: 's', minimumMs: 100, example: '15s' }, { default: '15s' }),
    timeout: prop({ kind: 'duration', description: 'How long one request to the server may take.', defaultUnit: 's', minimumMs: 10 }, { default: '10s' }),
    componentLabel: prop(str('The label whose value is the component’s name on the server (the scrape job, usually).', undefined, 'job'), { default: 'job' }),
  },
};

const limitsSchema: ObjectSchema = {
  kind: 'object',
  description: 'Resource limits of the component: alerts, forecasts and capacity planning measure against them.',
  properties: {
    memory: prop({ kind: 'size', description: 'Largest resident memory (RSS) the component may use.', defaultUnit: 'MiB', example: '512MiB' }),
    cpuCores: prop({ kind: 'number', description: 'CPU the component may use, in cores (1.5 = one and a half cores).', minimum: 0, exclusiveMinimum: true, example: '2' }),
    disk: prop({ kind: 'size', description: 'Disk space the component may use for its data.', defaultUnit: 'GiB', example: '10GiB' }),
    diskPath: prop(str('The folder where the component keeps its data, relative to the folder of alluse-perf.yaml. The file system holding it is watched: the time until it is 95% full is predicted and ranked with the other limits (the file system of the monitor’s store is always watched).', 'path', 'data')),
    queueCapacity: prop({ kind: 'integer', description: 'Capacity of the component’s work queue; queue depth is measured against it.', minimum: 1, example: '1024' }),
  },
};

const latencySloSchema: ObjectSchema = {
  kind: 'object',
  description: 'Latency objectives by percentile.',
  properties: {
    p50: prop({ kind: 'duration', description: 'Median latency objective.', defaultUnit: 'ms' }),
    p90: prop({ kind: 'duration', description: '90th-percentile latency objective.', defaultUnit: 'ms' }),
    p95: prop({ kind: 'duration', description: '95th-percentile latency objective.', defaultUnit: 'ms', example: '50ms' }),
    p99: prop({ kind: 'duration', description: '99th-percentile latency objective.', defaultUnit: 'ms' }),
  },
};

const slosSchema: ObjectSchema = {
  kind: 'object',
  description: 'Service-level objectives of the component. Tuning never recommends a change that breaks one in measurement. Each is watched as an alert when `metrics` names the series it applies to (`latency`, `throughput`, `errors`).',
  properties: {
    latency: prop(latencySloSchema),
    errorRate: prop({ kind: 'number', description: 'Largest share of failed requests, from 0 to 1 (0.01 = 1%).', minimum: 0, maximum: 1, example: '0.01' }),
    throughputMin: prop({ kind: 'number', description: 'Smallest throughput, in requests (or ticks) per second.', minimum: 0, example: '500' }),
    severity: prop(alertSeverity('Severity of the alerts raised when an SLO is broken.'), { default: 'critical' }),
    for: prop({ kind: 'duration', description: 'How long an SLO must be broken before its alert fires.', defaultUnit: 's', example: '10s' }, { default: '10s' }),
  },
};

export const componentSchema: ObjectSchema = {
  kind: 'object',
  description: 'One running component of the ALL-USE system.',
  properties: {
    name: prop(str('Unique name of the component, lower case with dashes, e.g. `protocol-engine`.', 'name', 'protocol-engine'), { required: true }),
    description: prop(str('What the component does, shown in the views.')),
    kind: prop(
      {
        kind: 'enum',
        description: 'What runs: `node` components also report heap and event-loop metrics and can be profiled.',
        values: [
          { value: 'node', description: 'A Node.js process: heap, event loop and CPU profiles are available.' },
          { value: 'process', description: 'Any other process: operating-system metrics only.' },
        ],
      },
      { default: 'process' },
    ),
    process: prop(processSchema, { required: true }),
    metrics: prop(metricsSchema),
    datasource: prop(datasourceSchema),
    configFiles: prop({
      kind: 'array',
      description: "The component's own configuration files (YAML or JSON), relative to the folder of alluse-perf.yaml. Tuning studies edit these.",
      items: str('Path of a configuration file.', 'path', 'config/protocol-engine.yaml'),
    }),
    limits: prop(limitsSchema),
    slos: prop(slosSchema),
  },
};

const alertSchema: ObjectSchema = {
  kind: 'object',
  description: 'An alert rule.',
  properties: {
    name: prop(str('Unique name of the alert.', 'name', 'engine-p95'), { required: true }),
    expr: prop(str('The condition: `COMPONENT.METRIC OP NUMBER`, e.g. `protocol-engine.latency_p95_ms > 50` (OP is one of < <= > >= == !=). Without a component it applies to system metrics.', 'alert-expr', 'protocol-engine.latency_p95_ms > 50'), { required: true }),
    for: prop({ kind: 'duration', description: 'How long the condition must hold before the alert fires.', defaultUnit: 's', example: '30s' }, { default: '0s' }),
    clearFor: prop({ kind: 'duration', description: 'How long the condition must be clear before the alert resolves.', defaultUnit: 's', example: '10s' }, { default: '5s' }),
    hysteresis: prop({ kind: 'number', description: 'Share of the threshold the value must cross back before the alert can resolve (0.05: an alert on `> 50` clears below 47.5). Stops flapping.', minimum: 0, maximum: 1, example: '0.05' }, { default: '0.05' }),
    severity: prop(alertSeverity('How loudly the alert is raised.'), { default: 'warning' }),
    description: prop(str('What the alert means and what to do about it.')),
  },
};

const monitorSchema: ObjectSchema = {
  kind: 'object',
  description: 'How metrics are collected and kept.',
  properties: {
    interval: prop({ kind: 'duration', description: 'Sampling interval of the cheap sources (system, process, metrics endpoints). Expensive sources are sampled less often.', defaultUnit: 'ms', minimumMs: 10, example: '100ms' }, { default: '100ms' }),
    retention: prop({ kind: 'duration', description: 'How long raw samples (at the collection interval) and the 1-second rollups are kept in the embedded store. The status shows the disk this takes; shorten it on a busy machine.', defaultUnit: 'h', minimumMs: 60_000, example: '30d' }, { default: '30d' }),
    rollupRetention: prop({ kind: 'duration', description: 'How long the 1-minute and 1-hour rollups are kept.', defaultUnit: 'd', minimumMs: 60_000, example: '365d' }, { default: '365d' }),
    sources: prop({
      kind: 'object',
      description: 'Sampling interval per source. Cheap sources run at the monitor interval; expensive ones less often.',
      properties: {
        system: prop({ kind: 'duration', description: 'CPU, load, memory, disk I/O and network of the machine (read from /proc on Linux). Defaults to the monitor interval.', defaultUnit: 'ms', minimumMs: 10 }),
        process: prop({ kind: 'duration', description: 'CPU, memory, threads, files and I/O of each component process. Defaults to the monitor interval.', defaultUnit: 'ms', minimumMs: 10 }),
        scrape: prop({ kind: 'duration', description: 'Scrapes of the components’ metrics endpoints (a component’s `metrics.interval` overrides it). A scrape costs much more than a /proc read (an HTTP request and a text parse), so the default is 1 s; 100ms gives sub-second application metrics at several times the monitor’s CPU cost (docs/performance.md).', defaultUnit: 'ms', minimumMs: 10 }, { default: '1s' }),
        filesystem: prop({ kind: 'duration', description: 'File-system usage (expensive: runs df).', defaultUnit: 's', minimumMs: 1000 }, { default: '10s' }),
        gpu: prop({ kind: 'duration', description: 'GPU utilization, where a GPU is present (expensive).', defaultUnit: 's', minimumMs: 1000 }, { default: '10s' }),
      },
    }),
    datasource: prop(datasourceSchema),
    anomaly: prop({
      kind: 'object',
      description: 'Streaming anomaly detection on every monitored series, against dynamic baselines.',
      properties: {
        enabled: prop({ kind: 'boolean', description: 'Score every series for anomalies.' }, { default: 'true' }),
        threshold: prop({ kind: 'number', description: 'Anomaly score (0 to 1) at which a finding opens. Findings are warnings from 1.5 times this score and critical from 2.5 times. The default detector’s scores are sparse: 0.2 is its threshold for few false positives on the NAB benchmark.', minimum: 0, maximum: 1, example: '0.2' }, { default: '0.2' }),
        quiet: prop({ kind: 'duration', description: 'How long a series must score below the threshold before a new finding can open on it.', defaultUnit: 's', example: '1m' }, { default: '1m' }),
      },
    }),
    storePath: prop(str('Folder of the embedded time-series store, relative to the folder of alluse-perf.yaml.', 'path', '.alluse-perf/store'), { default: '.alluse-perf/store' }),
    alerts: prop({ kind: 'array', description: 'Alert rules.', items: alertSchema }),
  },
};

const parameterSchema: ObjectSchema = {
  kind: 'object',
  description: 'One key of the configuration file to tune.',
  properties: {
    type: prop(
      {
        kind: 'enum',
        description: 'The kind of values the parameter takes.',
        values: [
          { value: 'int', description: 'Whole numbers from `min` to `max`.' },
          { value: 'float', description: 'Real numbers from `min` to `max`.' },
          { value: 'categorical', description: 'One of `choices`.' },
        ],
      },
      { required: true },
    ),
    key: prop(str('Dotted path of the key in the configuration file when it differs from the parameter name, e.g. `pool.workers`.', undefined, 'pool.workers')),
    min: prop({ kind: 'number', description: 'Smallest value (int and float).', example: '1' }),
    max: prop({ kind: 'number', description: 'Largest value (int and float).', example: '8' }),
    log: prop({ kind: 'boolean', description: 'Search on a logarithmic scale (needs `min` > 0).' }, { default: 'false' }),
    step: prop({ kind: 'number', description: 'Step between values (int and float).', minimum: 0, exclusiveMinimum: true }),
    choices: prop({ kind: 'array', description: 'The values of a categorical parameter.', items: { kind: 'scalar', description: 'One choice.' }, minItems: 1 }),
    condition: prop(str('Only tune this parameter when the condition holds, e.g. `eviction == "lru"`.', 'constraint', 'eviction == "lru"')),
  },
};

const objectiveSchema: ObjectSchema = {
  kind: 'object',
  description: 'A measured metric to optimize.',
  properties: {
    metric: prop(str('A metric printed by the trial command, e.g. `throughput_tps`.', undefined, 'throughput_tps'), { required: true }),
    direction: prop(
      {
        kind: 'enum',
        description: 'Whether the metric should go up or down.',
        values: [
          { value: 'minimize', description: 'Smaller is better (latency, CPU, memory).' },
          { value: 'maximize', description: 'Larger is better (throughput).' },
        ],
      },
      { required: true },
    ),
    weight: prop({ kind: 'number', description: 'Weight when objectives are combined into one score.', minimum: 0, example: '1' }, { default: '1' }),
  },
};

const trialSchema: ObjectSchema = {
  kind: 'object',
  description: 'The command that measures one trial. It prints one JSON line with the metrics. `${trialConfigDir}` in args is replaced by the folder of the trial’s configuration files.',
  properties: {
    command: prop(str('The program to run.', 'command', 'node'), { required: true }),
    args: prop(argsList),
    cwd: prop(str('Working folder, relative to the folder of alluse-perf.yaml.', 'path', '.'), { default: '.' }),
    env: prop(envMap),
    timeout: prop({ kind: 'duration', description: 'A trial that runs longer is stopped and counts as failed.', defaultUnit: 's', example: '5m' }, { default: '10m' }),
  },
};

const studySchema: ObjectSchema = {
  kind: 'object',
  description: 'A tuning study: which configuration keys to change, what to measure and how to search.',
  properties: {
    name: prop(str('Unique name of the study.', 'name', 'engine-throughput'), { required: true }),
    component: prop(str('Name of the component the study tunes (one of `components`).', 'name', 'protocol-engine'), { required: true }),
    configFile: prop(str('The configuration file whose keys are tuned, relative to the folder of alluse-perf.yaml.', 'path', 'config/protocol-engine.yaml'), { required: true }),
    parameters: prop(
      { kind: 'object', description: 'The keys to tune, by name.', properties: {}, additional: parameterSchema, additionalKeyName: 'parameter name' },
      { required: true },
    ),
    objectives: prop({ kind: 'array', description: 'What to optimize; several objectives give a Pareto front.', items: objectiveSchema, minItems: 1 }, { required: true }),
    constraints: prop({
      kind: 'array',
      description: 'Conditions on measured metrics that a recommendation must meet.',
      items: str('`METRIC OP NUMBER`, e.g. `p95_latency_ms <= 50`.', 'constraint', 'p95_latency_ms <= 50'),
    }),
    trial: prop(trialSchema, { required: true }),
    budget: prop({
      kind: 'object',
      description: 'When the study stops.',
      properties: {
        trials: prop({ kind: 'integer', description: 'Largest number of trials.', minimum: 1, example: '40' }, { default: '30' }),
        time: prop({ kind: 'duration', description: 'Largest wall-clock time for the whole study.', defaultUnit: 'm', example: '2h' }),
      },
    }),
    repeats: prop({ kind: 'integer', description: 'How often each trial is measured; the median is used.', minimum: 1, maximum: 100, example: '3' }, { default: '1' }),
    concurrency: prop({ kind: 'integer', description: 'How many trials run at the same time.', minimum: 1, maximum: 64 }, { default: '1' }),
    algorithm: prop(
      {
        kind: 'enum',
        description: 'The search method.',
        values: [
          { value: 'auto', description: 'Chosen from the space and the budget, and explained in the output.' },
          { value: 'bayesian', description: 'Gaussian-process Bayesian optimization.' },
          { value: 'genetic', description: 'A genetic algorithm.' },
          { value: 'pso', description: 'Particle swarm optimization.' },
          { value: 'annealing', description: 'Simulated annealing.' },
          { value: 'cmaes', description: 'CMA-ES.' },
          { value: 'nelder-mead', description: 'Nelder-Mead, a local method for noisy objectives.' },
          { value: 'spsa', description: 'Simultaneous perturbation stochastic approximation, a local method for noisy objectives.' },
          { value: 'nsga2', description: 'NSGA-II for several objectives.' },
          { value: 'random', description: 'Random search (a baseline).' },
          { value: 'sobol', description: 'Sobol quasi-random search (a baseline).' },
        ],
      },
      { default: 'auto' },
    ),
    seed: prop({ kind: 'integer', description: 'Seed of the random numbers, for reproducible studies.', minimum: 0, example: '42' }),
    objectiveSource: prop(
      {
        kind: 'enum',
        description: 'Where the objective and constraint metrics of a trial come from.',
        values: [
          { value: 'command', description: 'The last JSON line the trial command prints on stdout.' },
          { value: 'monitor', description: "The monitor's series of the study's component (metric = series name, e.g. `alluse_engine_tick_latency_seconds_p95`), averaged over the trial's run after `warmup`. Needs a running monitor (`alluse-perf monitor` or the editor)." },
        ],
      },
      { default: 'command' },
    ),
    warmup: prop({ kind: 'duration', description: 'With `objectiveSource: monitor`: the start of each trial run that is not measured (the component settling on its new configuration).', defaultUnit: 's', example: '5s' }, { default: '0s' }),
  },
};

const tuningSchema: ObjectSchema = {
  kind: 'object',
  description: 'Tuning studies over the components’ configuration files.',
  properties: {
    studies: prop({ kind: 'array', description: 'The studies.', items: studySchema }),
  },
};

const governorSchema: ObjectSchema = {
  kind: 'object',
  description: 'The governor: after a change to a component’s configuration file is applied, it watches the component’s metrics (p95 latency, error ratio, throughput, queue depth; CPU and memory when none is declared) and its alerts, and calls the change a regression when it made one of them worse beyond doubt. Every applied change is kept in `.alluse-perf/audit.jsonl`.',
  properties: {
    autoRollback: prop({ kind: 'boolean', description: 'Roll a regressed change back without asking (the previous values are written back, and the rollback is recorded in the history). Off: a notification offers a one-click rollback.' }, { default: 'false' }),
    watchMinutes: prop({ kind: 'number', description: 'How long after a change its effect is watched, in minutes.', minimum: 1, maximum: 1440, example: '10' }, { default: '10' }),
    regressionThreshold: prop({ kind: 'number', description: 'How much worse a metric must get to count as a regression, relative to what was expected without the change (0.2 = 20% worse), with the whole 95% interval of the effect on the bad side, in two evaluations in a row.', minimum: 0, maximum: 10, example: '0.2' }, { default: '0.2' }),
  },
};

const recommendationSource = (description: string): SchemaNode => ({
  kind: 'enum',
  description,
  values: [
    { value: 'study', description: 'Tuning studies (`tuning.studies`).' },
    { value: 'capacity', description: 'Capacity planning.' },
    { value: 'bottleneck', description: 'Bottleneck predictions of the monitor.' },
    { value: 'rule', description: 'Rules (checks of the workspace).' },
    { value: 'allocation', description: 'Resource allocation (`coordination.allocation`).' },
  ],
});

const resourceUseSchema: ObjectSchema = {
  kind: 'object',
  description: 'How much of a shared resource this key of the component’s configuration file takes: `value × per`.',
  properties: {
    resource: prop(str('The resource: `cpu-cores` and `memory` (MiB) have the host’s totals; any other name needs a total under `coordination.totals`. Give it, or `controls`, or both.', 'name', 'cpu-cores')),
    controls: prop({
      kind: 'enum',
      description: 'The component limit this key sets in its program (`per` units of it per unit of the key): capacity plans and bottleneck predictions that cross that limit recommend a value of this key.',
      values: [
        { value: 'limits.memory', description: 'The key sets the memory the component may use (`per` MiB per unit), e.g. a heap size.' },
        { value: 'limits.queueCapacity', description: 'The key sets the capacity of the queue whose depth is `metrics.queueDepth` (`per` entries per unit).' },
      ],
    }),
    per: prop({ kind: 'number', description: 'Units of the resource per unit of the key’s value (1 core per worker thread; MiB per cache entry for `memory`).', minimum: 0, exclusiveMinimum: true, example: '1' }, { default: '1' }),
    file: prop(str('The configuration file holding the key, relative to the folder of alluse-perf.yaml. Defaults to the component’s first `configFiles` entry.', 'path', 'config/protocol-engine.yaml')),
    min: prop({ kind: 'number', description: 'Smallest value resource allocation may give the key.', example: '1' }, { default: '1' }),
    max: prop({ kind: 'number', description: 'Largest value resource allocation may give the key. Defaults to what the resource’s total allows.', example: '8' }),
  },
};

const coordinationSchema: ObjectSchema = {
  kind: 'object',
  description: 'How studies, profiles and benchmarks share the machine, and how recommendations from several sources are reconciled.',
  properties: {
    priorities: prop({
      kind: 'array',
      description: 'Which recommendation wins a conflict: `{source: study, over: capacity}` (transitive), or `{component: protocol-engine, priority: 10}` (higher wins). Conflicts the rules do not decide are measured or left to you.',
      items: {
        kind: 'object',
        description: 'One priority rule: give `source` and `over`, or `component` and `priority`.',
        properties: {
          source: prop(recommendationSource('The source that wins.')),
          over: prop(recommendationSource('The source it wins over.')),
          component: prop(str('A component whose recommendations get `priority`.', 'name', 'protocol-engine')),
          priority: prop({ kind: 'number', description: 'Priority of the component’s recommendations (default 0; higher wins).', example: '10' }),
        },
      },
    }),
    resources: prop({
      kind: 'object',
      description: 'Per component, the configuration keys that take a share of a shared resource, e.g. `protocol-engine: {workers: {resource: cpu-cores, per: 1}}`. Conflict checks and resource allocation use them.',
      properties: {},
      additional: { kind: 'object', description: 'The component’s keys (dotted paths) that use a resource.', properties: {}, additional: resourceUseSchema, additionalKeyName: 'key' },
      additionalKeyName: 'component name',
    }),
    totals: prop({
      kind: 'object',
      description: 'Totals of the shared resources. `cpu-cores` and `memory` default to the host’s; other resources (a connection pool) must be given here.',
      properties: {
        'cpu-cores': prop({ kind: 'number', description: 'Cores to share. Defaults to the host’s core count.', minimum: 0, exclusiveMinimum: true, example: '4' }),
        memory: prop({ kind: 'size', description: 'Memory to share. Defaults to the host’s total memory.', defaultUnit: 'MiB', example: '8GiB' }),
      },
      additional: { kind: 'number', description: 'The total of this resource.', minimum: 0, exclusiveMinimum: true },
      additionalKeyName: 'resource',
    }),
    trials: prop({
      kind: 'object',
      description: 'The budget of everything the job queue runs (studies, profiles, benchmarks) at once.',
      properties: {
        maxConcurrent: prop({ kind: 'integer', description: 'Largest number of trials running at once over all studies.', minimum: 1, example: '2' }, { default: '2' }),
        cpuCores: prop({ kind: 'number', description: 'Largest CPU (cores) given to trials at once; a job takes `concurrency × cpuPerTrial`. Defaults to the host’s core count.', minimum: 0, exclusiveMinimum: true, example: '2' }),
        cpuPerTrial: prop({ kind: 'number', description: 'Cores one trial is counted as taking.', minimum: 0, exclusiveMinimum: true, example: '1' }, { default: '1' }),
      },
    }),
    allowRunDuringAlert: prop({ kind: 'boolean', description: 'Let queued jobs start while their component has a firing alert (otherwise they wait until it resolves, unless run with force).' }, { default: 'false' }),
    allocation: prop({
      kind: 'object',
      description: 'Resource allocation: the system objective measured for each assignment of the keys in `resources`. The trial command gets every component’s configuration file (with the assignment written in) in `${trialConfigDir}`.',
      properties: {
        objective: prop(objectiveSchema, { required: true }),
        constraints: prop({ kind: 'array', description: 'Conditions on measured metrics (SLOs) an assignment must meet.', items: str('`METRIC OP NUMBER`, e.g. `p95_latency_ms <= 50`.', 'constraint', 'p95_latency_ms <= 50') }),
        trial: prop(trialSchema, { required: true }),
        budget: prop({ kind: 'integer', description: 'Assignments to measure (today’s is measured too, as the baseline).', minimum: 1, example: '20' }, { default: '20' }),
        algorithm: prop(studySchema.properties.algorithm.schema, { default: 'auto' }),
        seed: prop({ kind: 'integer', description: 'Seed of the search.', minimum: 0, example: '1' }, { default: '1' }),
      },
    }),
  },
};

/** The one description of alluse-perf.yaml: validation, hover, completion, the JSON Schema and docs/configuration.md come from it. */
export const workspaceSchema: ObjectSchema = {
  kind: 'object',
  description: 'The ALL-USE Performance workspace file: the running system to watch and tune.',
  properties: {
    version: prop({ kind: 'integer', description: 'Version of the file format. Only `1` exists.', minimum: 1, maximum: 1, example: '1' }, { required: true }),
    components: prop({ kind: 'array', description: 'The running components of the system.', items: componentSchema, minItems: 1 }, { required: true }),
    monitor: prop(monitorSchema),
    tuning: prop(tuningSchema),
    governor: prop(governorSchema),
    coordination: prop(coordinationSchema),
  },
};
