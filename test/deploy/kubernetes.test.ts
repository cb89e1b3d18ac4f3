// deploy/kubernetes: every object the kustomize base renders (with and without the ServiceMonitor
// component) validates against Kubernetes' own schemas (kubernetes-models and its
// prometheus-operator package: generated from the Kubernetes OpenAPI and the operator's CRDs), with
// unknown fields refused too (the OpenAPI schemas allow them; TypeScript's excess-property check on
// the same generated types does not). Rendering needs kubectl (`kubectl kustomize`); without it the
// resource files are validated one by one and the render is skipped with the reason.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import ts from 'typescript';
import { parse, parseAllDocuments } from 'yaml';
import { CACHE_DIR_ENV, LISTEN_ENV } from '../../src/daemon/run-options.ts';
import { REPO_ROOT, runCli } from '../helpers/cli.ts';

const run = promisify(execFile);
const BASE = path.join(REPO_ROOT, 'deploy/kubernetes');
const COMPONENT = path.join(BASE, 'servicemonitor');

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [k: string]: unknown };

/** The module of kubernetes-models (or its Prometheus Operator package) that models apiVersion/kind. */
function modelModule(o: K8sObject): string {
  const pkg = o.apiVersion.startsWith('monitoring.coreos.com/') ? '@kubernetes-models/prometheus-operator' : 'kubernetes-models';
  return `${pkg}/${o.apiVersion}/${o.kind}`;
}

/** Schema errors of each object (the model's validate(), i.e. the OpenAPI schema), by name. */
async function schemaErrors(objects: K8sObject[]): Promise<string[]> {
  const errors: string[] = [];
  for (const o of objects) {
    const model = (await import(modelModule(o))) as Record<string, new (data: unknown) => { validate(): void }>;
    const Model = model[o.kind];
    assert.ok(Model, `no model for ${o.apiVersion} ${o.kind}`);
    try {
      new Model(o).validate();
    } catch (err) {
      errors.push(`${o.kind}/${o.metadata.name}: ${(err as Error).message}`);
    }
  }
  return errors;
}

/**
 * Unknown or misspelled fields, found by type-checking each object as a literal of the model's
 * generated interface (I<Kind>): an excess property anywhere is a compile error naming it.
 */
/** The parsed .d.ts files (TypeScript's libs, the models), shared by every check's program in this file. */
const parsedDeclarations = new Map<string, ts.SourceFile | undefined>();

function unknownFieldErrors(objects: K8sObject[]): string[] {
  const file = path.join(BASE, '__rendered_objects__.ts');
  const source = objects
    .map((o, i) => `import type { I${o.kind} as T${i} } from '${modelModule(o)}';\nexport const o${i}: T${i} = ${JSON.stringify(o, null, 1)};`)
    .join('\n');
  const options: ts.CompilerOptions = { strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, types: [] };
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile: read, getSourceFile } = host;
  host.fileExists = (f) => f === file || fileExists.call(host, f);
  host.readFile = (f) => (f === file ? source : read.call(host, f));
  host.getSourceFile = (f, lang, ...rest) => {
    if (f === file) return ts.createSourceFile(f, source, lang);
    if (!parsedDeclarations.has(f)) parsedDeclarations.set(f, getSourceFile.call(host, f, lang, ...rest));
    return parsedDeclarations.get(f);
  };
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n').slice(-1)[0]!);
}

async function kubectl(): Promise<string | undefined> {
  try {
    return (await run('kubectl', ['version', '--client', '-o', 'json'], { timeout: 15_000 })).stdout;
  } catch {
    return undefined;
  }
}

async function kustomize(dir: string): Promise<K8sObject[]> {
  const { stdout } = await run('kubectl', ['kustomize', dir], { maxBuffer: 10 * 1024 * 1024 });
  return parseAllDocuments(stdout).map((d) => d.toJS() as K8sObject);
}

/** An overlay in a temp folder: the base plus the ServiceMonitor component, as a user writes one. */
async function overlayWithServiceMonitor(t: TestContext): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'flowsync-kustomize-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'kustomization.yaml'), `resources:\n  - ${path.relative(dir, BASE)}\ncomponents:\n  - ${path.relative(dir, COMPONENT)}\nnamespace: flowsync\n`);
  return dir;
}

test('the resource files validate against the Kubernetes schemas, unknown fields refused (always run)', async () => {
  const objects: K8sObject[] = [];
  for (const dir of [BASE, COMPONENT]) {
    const kustomization = parse(await readFile(path.join(dir, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    for (const r of kustomization.resources) objects.push(...parseAllDocuments(await readFile(path.join(dir, r), 'utf8')).map((d) => d.toJS() as K8sObject));
  }
  assert.deepEqual(objects.map((o) => o.kind).sort(), ['Deployment', 'Service', 'ServiceMonitor']);
  assert.deepEqual(await schemaErrors(objects), []);
  assert.deepEqual(unknownFieldErrors(objects), []);
});

test('the validation can fail: a wrong type and a misspelled field are reported', async () => {
  const deployment = parseAllDocuments(await readFile(path.join(BASE, 'deployment.yaml'), 'utf8'))[0]!.toJS() as K8sObject & { spec: Record<string, any> };
  const wrongType = structuredClone(deployment);
  wrongType.spec.replicas = 'one';
  assert.match((await schemaErrors([wrongType])).join('\n'), /replicas must be integer/);
  const misspelled = structuredClone(deployment);
  misspelled.spec.template.spec.containers[0].securityContext.readOnlyRootFileSystem = true;
  assert.match(unknownFieldErrors([misspelled]).join('\n'), /'"?readOnlyRootFileSystem"?' does not exist/);
});

test('kubectl kustomize renders the base and the ServiceMonitor overlay; every object validates and is wired to flowsync (skipped without kubectl)', async (t) => {
  const version = await kubectl();
  if (!version) {
    t.skip('kubectl is not installed: the resource files were validated one by one above, the rendered base was not');
    return;
  }
  const client = JSON.parse(version) as { clientVersion: { gitVersion: string }; kustomizeVersion?: string };
  t.diagnostic(`kubectl ${client.clientVersion.gitVersion}, kustomize ${client.kustomizeVersion ?? '?'}`);
  const base = await kustomize(BASE);
  const withMonitor = await kustomize(await overlayWithServiceMonitor(t));
  assert.deepEqual(base.map((o) => o.kind).sort(), ['ConfigMap', 'Deployment', 'Service']);
  assert.deepEqual(withMonitor.map((o) => o.kind).sort(), ['ConfigMap', 'Deployment', 'Service', 'ServiceMonitor']);
  assert.deepEqual(await schemaErrors(withMonitor), []);
  assert.deepEqual(unknownFieldErrors(withMonitor), []);

  const byKind = (kind: string) => withMonitor.find((o) => o.kind === kind) as any;
  const deployment = byKind('Deployment');
  const pod = deployment.spec.template.spec;
  const [container] = pod.containers;
  // One writer at a time: one replica; the writer lease lets two overlap during a rolling update.
  assert.equal(deployment.spec.replicas, 1);
  assert.deepEqual(deployment.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  // Hardening.
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
  assert.equal(pod.automountServiceAccountToken, false);
  assert.deepEqual(container.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, privileged: false, capabilities: { drop: ['ALL'] } });
  for (const r of ['cpu', 'memory']) assert.ok(container.resources.requests[r] && container.resources.limits[r], `${r} request and limit`);
  // Probes on the port flowsync listens on, on every interface.
  const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.value]));
  assert.deepEqual([container.livenessProbe.httpGet.path, container.readinessProbe.httpGet.path], ['/healthz', '/readyz']);
  assert.equal(env[LISTEN_ENV], `0.0.0.0:${container.ports[0].containerPort}`);
  // Writable: the cache volume flowsync clones into, and /tmp; nothing else.
  const mounts = Object.fromEntries(container.volumeMounts.map((m: any) => [m.mountPath, m]));
  const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
  assert.ok(volumes[mounts[env[CACHE_DIR_ENV]].name].emptyDir);
  assert.ok(volumes[mounts['/tmp'].name].emptyDir);
  // Secrets: files in CREDENTIALS_DIRECTORY (API client secret, git token, webhook secret), and the
  // destinations' secrets as variables.
  const credentialsDir = container.env.find((e: any) => e.name === 'CREDENTIALS_DIRECTORY').value;
  assert.equal(mounts[credentialsDir].readOnly, true);
  assert.equal(volumes[mounts[credentialsDir].name].secret.secretName, 'flowsync-credentials');
  assert.ok(container.envFrom.some((e: any) => e.secretRef?.name === 'flowsync-destinations'));
  assert.ok(container.args.includes('--git-token-env=FLOWSYNC_GIT_TOKEN') && container.args.includes('--webhook-secret-env=FLOWSYNC_WEBHOOK_SECRET'));
  assert.deepEqual(container.env.filter((e: any) => 'value' in e).map((e: any) => e.name), ['CREDENTIALS_DIRECTORY', LISTEN_ENV, CACHE_DIR_ENV], 'no secret values: they come from Secrets the base only names');
  // Every flag is one `flowsync run` has; every $(VAR) is in the settings ConfigMap.
  assert.equal(container.args[0], 'run');
  const known = new Set((await runCli(['run', '--help'])).stdout.match(/--[a-z][a-z-]*/g));
  for (const arg of container.args.slice(1)) assert.ok(known.has(arg.split('=')[0]), `flowsync run has ${arg}`);
  const settings = byKind('ConfigMap');
  assert.equal(container.envFrom.find((e: any) => e.configMapRef).configMapRef.name, settings.metadata.name);
  for (const [, name] of container.args.join(' ').matchAll(/\$\(([A-Z_]+)\)/g)) assert.ok(name in settings.data, `${name} is in ${settings.metadata.name}`);
  // The Service reaches the pod, and the ServiceMonitor the Service.
  const service = byKind('Service');
  const podLabels = deployment.spec.template.metadata.labels;
  for (const [k, v] of Object.entries(service.spec.selector)) assert.equal(podLabels[k], v);
  assert.equal(service.spec.ports[0].targetPort, container.ports[0].name);
  const monitor = byKind('ServiceMonitor');
  for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels)) assert.equal(service.metadata.labels[k], v);
  assert.equal(monitor.spec.endpoints[0].port, service.spec.ports[0].name);
  assert.equal(monitor.spec.endpoints[0].path, '/metrics');
});
