// `etcd.cluster`: the state of an etcd cluster through etcdctl with the cluster's TLS files:
// endpoint health, endpoint status and the member list (ids in hex, the cluster id, the leader,
// the revision). It reads no keys and prints no values.
import { z } from 'zod';
import { defineKind } from '../../core/kind.js';
import { StepFailure } from '../../core/failure.js';
import { lastErrorLine, runProcess, type ProcResult } from '../files.js';
import { clientFlags, endpointList, idHex, program, timeouts, tlsShape, tryJson } from './common.js';

const params = z
  .object({
    endpoints: endpointList,
    ...tlsShape,
    etcdctl: program('etcdctl'),
    cluster: z.boolean().default(true).describe('Ask every member the member list names (--cluster), not only the given endpoints'),
    allow_unreachable: z.boolean().default(false).describe('Report an etcd that does not answer as a result (reachable: false) instead of failing'),
    ...timeouts,
  })
  .strict();

export type ClusterParams = z.infer<typeof params>;

export interface EndpointState {
  endpoint: string;
  healthy: boolean;
  took?: string;
  error?: string;
  member_id?: string;
  version?: string;
  revision?: number;
  db_size?: number;
  is_leader?: boolean;
  raft_term?: number;
  raft_index?: number;
}

export interface MemberState {
  id: string;
  name: string;
  peer_urls: string[];
  client_urls: string[];
  learner: boolean;
  /** A member added but never started has no name yet. */
  started: boolean;
}

export const etcdCluster = defineKind({
  name: 'etcd.cluster',
  effect: 'read',
  params,
  describe: (p) => ({
    summary: `etcd endpoint health, endpoint status${p.cluster ? ' --cluster' : ''} and member list at ${p.endpoints.join(', ')}`,
    argv: [p.etcdctl, 'endpoint', 'health', ...(p.cluster ? ['--cluster'] : []), '-w', 'json', ...clientFlags(p.endpoints, p)],
    resources: p.endpoints,
  }),
  async run(p, ctx) {
    const flags = clientFlags(p.endpoints, p);
    const ctl = (args: string[]) => runProcess(ctx, [p.etcdctl, ...args, '-w', 'json', ...flags], { missingHint: 'install etcd-client, or set the etcdctl input to its path' });

    // --cluster needs the member list first; when that fails, ask the given endpoints alone.
    let cluster = p.cluster;
    let health = await ctl(['endpoint', 'health', ...(cluster ? ['--cluster'] : [])]);
    if (cluster && !Array.isArray(tryJson(health.stdout))) {
      ctx.log('the member list did not answer; checking the given endpoints only', 'log');
      cluster = false;
      health = await ctl(['endpoint', 'health']);
    }
    const status = await ctl(['endpoint', 'status', ...(cluster ? ['--cluster'] : [])]);
    // Nobody healthy and nobody answering status: etcd is down here; the member list would only time out too.
    const anyHealthy = asArray(tryJson(health.stdout)).some((h) => h.health === true || h.health === 'true');
    const members = anyHealthy || asArray(tryJson(status.stdout)).length > 0 ? await ctl(['member', 'list']) : undefined;

    const byEndpoint = new Map<string, EndpointState>();
    const at = (ep: string) => {
      let e = byEndpoint.get(ep);
      if (!e) byEndpoint.set(ep, (e = { endpoint: ep, healthy: false }));
      return e;
    };
    for (const h of asArray(tryJson(health.stdout))) {
      const e = at(String(h.endpoint ?? ''));
      e.healthy = h.health === true || h.health === 'true';
      if (h.took) e.took = String(h.took);
      if (h.error) e.error = String(h.error);
    }
    let clusterId = '';
    let leader = '';
    for (const s of asArray(tryJson(status.stdout))) {
      const st = fields(s.Status);
      const header = fields(st.header);
      const e = at(String(s.Endpoint ?? ''));
      e.member_id = idHex(header.member_id);
      e.version = st.version ? String(st.version) : undefined;
      e.revision = num(header.revision);
      e.db_size = num(st.dbSize);
      e.raft_term = num(st.raftTerm);
      e.raft_index = num(st.raftIndex);
      e.is_leader = st.leader !== undefined && idHex(st.leader) === e.member_id;
      clusterId ||= idHex(header.cluster_id);
      if (st.leader && idHex(st.leader) !== '0') leader ||= idHex(st.leader);
    }
    if (!cluster) for (const ep of p.endpoints) at(ep);
    const memberJson = fields(members ? tryJson(members.stdout) : undefined);
    const memberList: MemberState[] = asArray(memberJson.members).map((m) => ({
      id: idHex(m.ID),
      name: String(m.name ?? ''),
      peer_urls: asStrings(m.peerURLs),
      client_urls: asStrings(m.clientURLs),
      learner: m.isLearner === true,
      started: Boolean(m.name),
    }));
    clusterId ||= idHex(fields(memberJson.header).cluster_id);

    const endpoints = [...byEndpoint.values()].filter((e) => e.endpoint);
    const healthy = endpoints.filter((e) => e.healthy);
    const answered = endpoints.filter((e) => e.member_id);
    const revision = Math.max(0, ...answered.map((e) => e.revision ?? 0));
    const voting = memberList.filter((m) => !m.learner);
    const reachable = answered.length > 0 || healthy.length > 0 || memberList.length > 0;
    // The endpoint to take a snapshot from: a healthy one the operator named (this node), else any
    // healthy one, else one that still answers status (a member without quorum still serves a snapshot).
    const snapshotFrom =
      healthy.find((e) => p.endpoints.includes(e.endpoint)) ?? healthy[0] ?? answered.find((e) => p.endpoints.includes(e.endpoint)) ?? answered[0];
    const result = {
      reachable,
      healthy: healthy.length > 0 && healthy.length === endpoints.length,
      endpoint_count: endpoints.length,
      healthy_count: healthy.length,
      healthy_endpoints: healthy.map((e) => e.endpoint),
      snapshot_endpoint: snapshotFrom?.endpoint ?? '',
      endpoints,
      members: memberList,
      member_count: memberList.length,
      member_names: memberList.map((m) => m.name),
      member_ids: memberList.map((m) => m.id),
      started_count: memberList.filter((m) => m.started).length,
      // Quorum, as far as this node can see: more than half of the voting members healthy.
      quorum: voting.length > 0 && healthy.length > voting.length / 2,
      cluster_id: clusterId,
      leader,
      revision,
      version: answered.find((e) => e.version)?.version ?? '',
      checked: cluster ? 'cluster' : 'endpoints',
    };
    for (const e of endpoints) {
      const bits = [e.healthy ? 'healthy' : `UNHEALTHY${e.error ? ` (${e.error})` : ''}`];
      if (e.took) bits.push(`took ${e.took}`);
      if (e.member_id) bits.push(`member ${e.member_id}`, `v${e.version}`, `rev ${e.revision}`, `db ${e.db_size} B`, e.is_leader ? 'LEADER' : 'follower');
      ctx.log(`${e.endpoint}  ${bits.join('  ')}`, 'log');
    }
    for (const m of memberList) ctx.log(`member ${m.id}  ${m.name || '(not started)'}  peers ${m.peer_urls.join(',')}${m.learner ? '  learner' : ''}`, 'log');

    const why = () => explain(health, status) || endpoints.find((e) => e.error)?.error || 'no answer';
    // A problem on this side (a missing or unreadable TLS file, a certificate etcd rejects) says
    // nothing about etcd's health: never report it as "etcd does not answer".
    const local = [health, status].map((r) => lastErrorLine(r.stderr)).find((l) => LOCAL_PROBLEM.test(l));
    if (!reachable && local) throw new StepFailure(`cannot ask etcd at ${p.endpoints.join(', ')}: ${explain(health, status)}`, result);
    if (!reachable && !p.allow_unreachable) {
      throw new StepFailure(`no etcd endpoint answered at ${p.endpoints.join(', ')}: ${why()}`, result);
    }
    const summary = reachable
      ? `${healthy.length}/${endpoints.length} endpoints healthy, ${memberList.length} members, cluster ${clusterId || '?'}, leader ${leader || 'none'}, revision ${revision}`
      : `etcd does not answer at ${p.endpoints.join(', ')} (${why()})`;
    return { result, summary };
  },
});

const LOCAL_PROBLEM = /no such file or directory|permission denied|x509|certificate|tls: |failed to find any PEM data/i;

function explain(...runs: ProcResult[]): string {
  for (const r of runs) {
    const line = lastErrorLine(r.stderr);
    if (/no such file|open .*\.(crt|key|pem)/i.test(line)) return `${line} — check the cacert, cert and key inputs (empty them for a plain-HTTP etcd)`;
    if (/permission denied/i.test(line)) return `${line} — run as a user that can read the etcd certificates (root on a kubeadm node)`;
    if (/certificate|x509|tls: |PEM/i.test(line)) return `${line} — the TLS files do not fit this etcd (wrong CA or client certificate, or an expired one)`;
  }
  return runs.map((r) => lastErrorLine(r.stderr)).find(Boolean) ?? '';
}

// etcdctl's JSON is read field by field, each value checked or converted where it is used.

/** The objects of a JSON array. */
function asArray(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter((x): x is Record<string, unknown> => x !== null && typeof x === 'object') : [];
}

/** The fields of a JSON object (none when it is not one). */
function fields(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

function num(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
