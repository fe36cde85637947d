// Secrets Manager in a drill, with the rules a migration trips over: versions are immutable (the
// same ClientRequestToken is a no-op with the same value and an error with another), a deleted
// secret is unreadable and its name taken until the recovery window ends.
import type { SecretListEntry, Tag } from '@aws-sdk/client-secrets-manager';
import { randomUUID } from 'node:crypto';
import { secretSuffix, uuidFrom } from './ids.js';
import { page } from './paging.js';
import type { AwsSpec } from './spec.js';
import { WorldError } from './wire.js';
import type { AwsWorld, CommandHandlers } from './world.js';

const DAY = 86_400_000;
const NAME_RE = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

export interface SimVersion {
  id: string;
  string?: string;
  binary?: Uint8Array;
  created: number;
  stages: Set<string>;
}

export interface SimSecret {
  name: string;
  arn: string;
  description?: string;
  kmsKeyId?: string;
  tags: Map<string, string>;
  versions: Map<string, SimVersion>;
  created: number;
  lastChanged: number;
  lastAccessed?: number;
  deletedAt?: number;
  deletionDate?: number;
}

export class SecretsModel {
  readonly secrets: SimSecret[] = [];
  private readonly generations = new Map<string, number>();

  constructor(
    readonly world: AwsWorld,
    spec: AwsSpec['secretsmanager'],
  ) {
    for (const s of spec.secrets) {
      const created = world.when(s.created);
      const secret = this.add(s.name, created, s.description, s.kms_key_id, Object.entries(s.tags));
      const value = typeof s.value === 'string' ? s.value : JSON.stringify(s.value);
      this.addVersion(secret, uuidFrom('secret-version', s.name), { string: value }, ['AWSCURRENT'], created);
      if (s.deleted) {
        secret.deletedAt = world.when(s.deleted.at);
        this.scheduleDeletion(secret, secret.deletedAt + s.deleted.recovery_days * DAY);
      }
    }
  }

  /** A new secret without versions (CreateSecret, or a scenario reaction). */
  add(name: string, at: number, description: string | undefined, kmsKeyId: string | undefined, tags: [string, string][]): SimSecret {
    const generation = (this.generations.get(name) ?? 0) + 1;
    this.generations.set(name, generation);
    const secret: SimSecret = {
      name,
      arn: `arn:aws:secretsmanager:${this.world.region}:${this.world.account}:secret:${name}-${secretSuffix(name, String(generation))}`,
      ...(description !== undefined ? { description } : {}),
      ...(kmsKeyId !== undefined ? { kmsKeyId } : {}),
      tags: new Map(tags),
      versions: new Map(),
      created: at,
      lastChanged: at,
    };
    this.secrets.push(secret);
    return secret;
  }

  scheduleDeletion(secret: SimSecret, at: number): void {
    secret.deletionDate = at;
    this.world.schedule(at, () => {
      // Restored in the meantime: nothing to do.
      if (secret.deletionDate !== at) return;
      this.remove(secret);
    });
  }

  remove(secret: SimSecret): void {
    const i = this.secrets.indexOf(secret);
    if (i >= 0) this.secrets.splice(i, 1);
  }

  /** By name, full ARN, or ARN without the random suffix, as the service accepts. */
  resolve(secretId: string | undefined): SimSecret {
    const id = secretId ?? '';
    const found = this.secrets.find((s) => s.name === id || s.arn === id || s.arn.slice(0, -7) === id);
    if (!found) throw new WorldError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
    return found;
  }

  /** Like resolve, but a secret scheduled for deletion is refused, as reads and writes are. */
  active(secretId: string | undefined): SimSecret {
    const s = this.resolve(secretId);
    if (s.deletedAt !== undefined) throw new WorldError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion.");
    return s;
  }

  /** A new immutable version; the stages it takes move off the others (AWSCURRENT's old holder becomes AWSPREVIOUS). */
  addVersion(secret: SimSecret, id: string, value: { string?: string; binary?: Uint8Array }, stages: string[], at: number): SimVersion {
    for (const stage of stages) {
      for (const v of secret.versions.values()) {
        if (!v.stages.has(stage)) continue;
        v.stages.delete(stage);
        // The version that loses AWSCURRENT becomes AWSPREVIOUS.
        if (stage === 'AWSCURRENT') {
          for (const other of secret.versions.values()) other.stages.delete('AWSPREVIOUS');
          v.stages.add('AWSPREVIOUS');
        }
      }
    }
    const version: SimVersion = { id, ...value, created: at, stages: new Set(stages) };
    secret.versions.set(id, version);
    secret.lastChanged = at;
    return version;
  }
}

function valueOf(input: { SecretString?: string; SecretBinary?: Uint8Array }): { string?: string; binary?: Uint8Array } | undefined {
  if (input.SecretString !== undefined && input.SecretBinary !== undefined) {
    throw new WorldError('InvalidParameterException', "You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  if (input.SecretString !== undefined) {
    // The message never repeats the value (AWS's own does not either).
    if (input.SecretString.length < 1 || input.SecretString.length > 65_536) {
      throw new WorldError('ValidationException', "1 validation error detected: Value at 'secretString' failed to satisfy constraint: Member must have length between 1 and 65536");
    }
    return { string: input.SecretString };
  }
  if (input.SecretBinary !== undefined) return { binary: new Uint8Array(input.SecretBinary) };
  return undefined;
}

function sameValue(v: SimVersion, value: { string?: string; binary?: Uint8Array }): boolean {
  if (v.string !== undefined || value.string !== undefined) return v.string === value.string;
  return v.binary !== undefined && value.binary !== undefined && Buffer.from(v.binary).equals(Buffer.from(value.binary));
}

function checkToken(token: string | undefined): string {
  if (token === undefined) return randomUUID();
  if (token.length < 32 || token.length > 64) throw new WorldError('InvalidParameterException', 'ClientRequestToken must be between 32 and 64 characters long.');
  return token;
}

function tagsOf(s: SimSecret): Tag[] {
  return [...s.tags].map(([Key, Value]) => ({ Key, Value }));
}

function stagesOf(s: SimSecret): Record<string, string[]> {
  return Object.fromEntries([...s.versions.values()].filter((v) => v.stages.size).map((v) => [v.id, [...v.stages]]));
}

function day(t: number): Date {
  return new Date(Math.floor(t / DAY) * DAY);
}

/** What DescribeSecret and ListSecrets both say of a secret; only the key of the stages differs. */
function summary(s: SimSecret, region: string) {
  return {
    ARN: s.arn,
    Name: s.name,
    ...(s.description !== undefined ? { Description: s.description } : {}),
    // Omitted when the secret uses the aws/secretsmanager key.
    ...(s.kmsKeyId !== undefined ? { KmsKeyId: s.kmsKeyId } : {}),
    RotationEnabled: false,
    LastChangedDate: new Date(s.lastChanged),
    ...(s.lastAccessed !== undefined ? { LastAccessedDate: day(s.lastAccessed) } : {}),
    ...(s.deletedAt !== undefined ? { DeletedDate: new Date(s.deletedAt) } : {}),
    Tags: tagsOf(s),
    stages: stagesOf(s),
    CreatedDate: new Date(s.created),
    PrimaryRegion: region,
  };
}

export function secretsCommands(model: SecretsModel): CommandHandlers<'secretsmanager'> {
  const world = model.world;
  return {
    CreateSecret: (input, { now }) => {
      const name = input.Name ?? '';
      if (!NAME_RE.test(name)) throw new WorldError('InvalidParameterException', 'Invalid name. Must be 1-512 characters of letters, digits and /_+=.@-');
      const value = valueOf(input);
      const token = checkToken(input.ClientRequestToken);
      const existing = model.secrets.find((s) => s.name === name);
      if (existing) {
        if (existing.deletedAt !== undefined) {
          throw new WorldError('InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion.");
        }
        const v = existing.versions.get(token);
        // A retry of the same create (same token, same value) is answered, not refused.
        if (v && value && sameValue(v, value)) return { ARN: existing.arn, Name: existing.name, VersionId: v.id };
        if (v) throw new WorldError('ResourceExistsException', "You can't modify an existing version, you can only create a new version.");
        throw new WorldError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
      }
      const tags = (input.Tags ?? []).filter((t) => t.Key).map((t): [string, string] => [t.Key!, t.Value ?? '']);
      const secret = model.add(name, now, input.Description, input.KmsKeyId, tags);
      const version = value ? model.addVersion(secret, token, value, ['AWSCURRENT'], now) : undefined;
      return {
        ARN: secret.arn,
        Name: secret.name,
        ...(version ? { VersionId: version.id } : {}),
        ...(input.AddReplicaRegions?.length
          ? { ReplicationStatus: input.AddReplicaRegions.map((r) => ({ Region: r.Region, KmsKeyId: r.KmsKeyId ?? 'alias/aws/secretsmanager', Status: 'InSync' as const })) }
          : {}),
      };
    },

    PutSecretValue: (input, { now }) => {
      const secret = model.active(input.SecretId);
      const value = valueOf(input);
      if (!value) throw new WorldError('InvalidParameterException', 'You must provide either SecretString or SecretBinary.');
      const token = checkToken(input.ClientRequestToken);
      const existing = secret.versions.get(token);
      if (existing) {
        if (!sameValue(existing, value)) throw new WorldError('ResourceExistsException', "You can't modify an existing version, you can only create a new version.");
        return { ARN: secret.arn, Name: secret.name, VersionId: existing.id, VersionStages: [...existing.stages] };
      }
      const version = model.addVersion(secret, token, value, input.VersionStages?.length ? input.VersionStages : ['AWSCURRENT'], now);
      return { ARN: secret.arn, Name: secret.name, VersionId: version.id, VersionStages: [...version.stages] };
    },

    GetSecretValue: (input, { now }) => {
      const secret = model.active(input.SecretId);
      const stage = input.VersionStage ?? (input.VersionId ? undefined : 'AWSCURRENT');
      const version = input.VersionId ? secret.versions.get(input.VersionId) : [...secret.versions.values()].find((v) => v.stages.has(stage!));
      if (!version || (stage && input.VersionId && !version.stages.has(stage))) {
        throw new WorldError(
          'ResourceNotFoundException',
          input.VersionId ? `Secrets Manager can't find the specified secret value for VersionId: ${input.VersionId}` : `Secrets Manager can't find the specified secret value for staging label: ${stage}`,
        );
      }
      secret.lastAccessed = now;
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.id,
        ...(version.string !== undefined ? { SecretString: version.string } : {}),
        ...(version.binary !== undefined ? { SecretBinary: new Uint8Array(version.binary) } : {}),
        VersionStages: [...version.stages],
        CreatedDate: new Date(version.created),
      };
    },

    DescribeSecret: (input) => {
      const s = model.resolve(input.SecretId);
      const { stages, ...rest } = summary(s, world.region);
      return { ...rest, VersionIdsToStages: stages };
    },

    ListSecrets: (input) => {
      if (input.MaxResults !== undefined && (input.MaxResults < 1 || input.MaxResults > 100)) {
        throw new WorldError('InvalidParameterException', 'MaxResults must be between 1 and 100.');
      }
      const filters = input.Filters ?? [];
      const listed = model.secrets
        .filter((s) => input.IncludePlannedDeletion || s.deletedAt === undefined)
        .filter((s) => filters.every((f) => matchFilter(s, f.Key ?? '', f.Values ?? [])))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      if (input.SortOrder === 'desc') listed.reverse();
      const p = page(listed, input.MaxResults ?? 100, input.NextToken, 'InvalidNextTokenException');
      return {
        SecretList: p.items.map(
          (s): SecretListEntry => {
            const { stages, ...rest } = summary(s, world.region);
            return { ...rest, SecretVersionsToStages: stages };
          },
        ),
        ...(p.next ? { NextToken: p.next } : {}),
      };
    },

    DeleteSecret: (input, { now }) => {
      if (input.ForceDeleteWithoutRecovery && input.RecoveryWindowInDays !== undefined) {
        throw new WorldError('InvalidParameterException', "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
      }
      const days = input.RecoveryWindowInDays ?? 30;
      if (!input.ForceDeleteWithoutRecovery && (days < 7 || days > 30)) {
        throw new WorldError('InvalidParameterException', 'The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
      }
      const s = model.resolve(input.SecretId);
      if (s.deletedAt !== undefined) throw new WorldError('InvalidRequestException', "You can't perform this operation on the secret because it was already scheduled for deletion.");
      s.deletedAt = now;
      if (input.ForceDeleteWithoutRecovery) {
        model.remove(s);
        return { ARN: s.arn, Name: s.name, DeletionDate: new Date(now) };
      }
      model.scheduleDeletion(s, now + days * DAY);
      return { ARN: s.arn, Name: s.name, DeletionDate: new Date(s.deletionDate!) };
    },

    RestoreSecret: (input) => {
      const s = model.resolve(input.SecretId);
      delete s.deletedAt;
      delete s.deletionDate;
      return { ARN: s.arn, Name: s.name };
    },

    // Moves a staging label between versions (a rollback moves AWSCURRENT back). As in the API, a
    // label attached elsewhere moves only when RemoveFromVersionId names where it is, and when
    // AWSCURRENT moves, the version it leaves becomes AWSPREVIOUS.
    UpdateSecretVersionStage: (input, { now }) => {
      const secret = model.active(input.SecretId);
      const stage = input.VersionStage ?? '';
      if (stage.length < 1 || stage.length > 256) throw new WorldError('InvalidParameterException', 'VersionStage must be between 1 and 256 characters long.');
      const holder = [...secret.versions.values()].find((v) => v.stages.has(stage));
      if (input.RemoveFromVersionId !== undefined && holder?.id !== input.RemoveFromVersionId) {
        throw new WorldError('InvalidParameterException', `The staging label ${stage} is not attached to version ${input.RemoveFromVersionId}.`);
      }
      if (input.MoveToVersionId === undefined) {
        if (stage === 'AWSCURRENT') throw new WorldError('InvalidParameterException', 'You can only move the staging label AWSCURRENT, not remove it.');
        holder?.stages.delete(stage);
      } else {
        const target = secret.versions.get(input.MoveToVersionId);
        if (!target) throw new WorldError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${input.MoveToVersionId}`);
        if (holder && holder !== target) {
          if (input.RemoveFromVersionId === undefined) {
            throw new WorldError('InvalidParameterException', `The staging label ${stage} is currently attached to version ${holder.id}, so you must explicitly reference that version in RemoveFromVersionId.`);
          }
          holder.stages.delete(stage);
          if (stage === 'AWSCURRENT') {
            for (const v of secret.versions.values()) v.stages.delete('AWSPREVIOUS');
            holder.stages.add('AWSPREVIOUS');
          }
        }
        target.stages.add(stage);
        if (stage === 'AWSCURRENT') target.stages.delete('AWSPREVIOUS');
      }
      secret.lastChanged = now;
      return { ARN: secret.arn, Name: secret.name };
    },

    TagResource: (input, { now }) => {
      const s = model.active(input.SecretId);
      for (const t of input.Tags ?? []) if (t.Key) s.tags.set(t.Key, t.Value ?? '');
      s.lastChanged = now;
      return {};
    },
  };
}

/** ListSecrets filters: prefix matches, `!` negates; `all` matches words anywhere, any case. */
function matchFilter(s: SimSecret, key: string, values: string[]): boolean {
  const candidates = (): string[] => {
    switch (key) {
      case 'name':
        return [s.name];
      case 'description':
        return s.description ? [s.description.toLowerCase()] : [];
      case 'tag-key':
        return [...s.tags.keys()];
      case 'tag-value':
        return [...s.tags.values()];
      case 'primary-region':
        return [s.arn.split(':')[3] ?? ''];
      case 'owning-service':
        return [];
      case 'all':
        return [s.name, s.description ?? '', ...s.tags.keys(), ...s.tags.values()].map((x) => x.toLowerCase());
      default:
        throw new WorldError('InvalidParameterException', `Invalid filter key: ${key}`);
    }
  };
  const have = candidates();
  const fold = key === 'description' || key === 'all';
  return values.some((raw) => {
    const negate = raw.startsWith('!');
    const v = fold ? (negate ? raw.slice(1) : raw).toLowerCase() : negate ? raw.slice(1) : raw;
    const hit = have.some((h) => (key === 'all' ? h.split(/[\s/_+=.@-]+/).some((w) => w.startsWith(v)) || h.startsWith(v) : h.startsWith(v)));
    return negate ? !hit : hit;
  });
}
