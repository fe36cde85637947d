// What the two pickers show beside their lists: a runbook's steps (read from its YAML without
// validating it, so a half-written runbook still previews) and a drill scenario, validated. Both
// load their modules on first use: the picker's first frame never waits for them.
import { display } from '../core/io.js';
import type { WorldSpec } from '../drill/scenario.js';
import type { Preview, ScenarioPreview } from './store.js';

/** The runbook's step list as written. */
export async function readRunbookPreview(file: string): Promise<Omit<Preview, 'loading'>> {
  // Within the YAML bounds, like every runbook read (a preview of a YAML bomb must not hang the picker).
  const [{ readYamlFile }, { readYamlValue }] = await Promise.all([import('../runbook/limits.js'), import('../runbook/yaml.js')]);
  const read = await readYamlFile(file);
  if ('issue' in read) throw new Error(read.issue.message);
  const doc = readYamlValue(read.source) as { steps?: unknown } | null | undefined;
  if (doc === undefined) throw new Error('not valid YAML, or beyond what oncall reads (oncall validate says where)');
  const steps = Array.isArray(doc?.steps) ? (doc.steps as ({ id?: unknown; title?: unknown; kind?: unknown } | null)[]) : [];
  return { steps: steps.map((st) => ({ id: String(st?.id ?? '?'), title: String(st?.title ?? ''), kind: String(st?.kind ?? '') })) };
}

/** The scenario's page, runbook, inputs and world; one that does not validate previews its issues. */
export async function readScenarioPreview(file: string, cwd: string): Promise<Omit<ScenarioPreview, 'loading'>> {
  const { loadScenario } = await import('../drill/scenario.js');
  try {
    const { scenario: sc } = await loadScenario(file);
    return {
      page: sc.page,
      runbook: sc.runbook,
      targetMinutes: sc.expect.target_minutes,
      inputs: Object.fromEntries(Object.entries(sc.inputs).map(([k, v]) => [k, String(v)])),
      world: worldSummary(sc.world),
    };
  } catch (err) {
    return { error: await issuesText(err, cwd) };
  }
}

/** A runbook or scenario error as file:line:col lines relative to cwd; any other error as its message. */
export async function issuesText(err: unknown, cwd: string): Promise<string> {
  const { RunbookError, formatIssue } = await import('../runbook/issues.js');
  if (err instanceof RunbookError) return err.issues.map((i) => formatIssue({ ...i, file: display(i.file, cwd) })).join('\n');
  return err instanceof Error ? err.message : String(err);
}

/** What a scenario's world simulates, in a few words each. */
export function worldSummary(world: WorldSpec): string[] {
  const out: string[] = [];
  const n = (count: number, one: string) => `${count} ${one}${count === 1 ? '' : 's'}`;
  const aws = world.aws;
  if (aws) {
    const parts = [
      [aws.ec2?.instances?.length, 'EC2 instance'],
      [(aws.elbv2?.load_balancers?.length ?? 0) + (aws.elb?.load_balancers?.length ?? 0), 'load balancer'],
      [aws.cloudwatch?.metrics?.length, 'metric'],
      [aws.s3?.objects?.length, 'S3 object'],
      [aws.secretsmanager?.secrets?.length, 'secret'],
    ]
      .filter((x): x is [number, string] => Boolean(x[0]))
      .map(([count, one]) => n(count, one));
    out.push(`AWS account ${aws.region ?? ''}${parts.length ? `: ${parts.join(', ')}` : ''}`);
  }
  if (world.kube) out.push(`Kubernetes API: ${n(world.kube.nodes.length, 'node')}, ${n(world.kube.pods.length, 'pod')}`);
  if (world.http.length) out.push(n(world.http.length, 'HTTP endpoint'));
  if (world.commands.length) out.push(n(world.commands.length, 'scripted command'));
  return out;
}
