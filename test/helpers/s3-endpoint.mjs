// A small S3-compatible endpoint for the shared-journal tests and benches: plain HTTP on
// 127.0.0.1, path-style requests, signed by the real @aws-sdk/client-s3. It implements only what a
// team incident uses, following the AWS documentation for each:
// - PutObject, with `If-None-Match: *`: 412 PreconditionFailed when the key exists; 409
//   ConditionalRequestConflict when another conditional write to the same key is in progress
//   (and on demand, `conflicts`); any other If-None-Match value is 501 NotImplemented.
// - GetObject: the body, ETag and Last-Modified; 404 NoSuchKey.
// - ListObjectsV2: keys in UTF-8 binary order, Prefix, StartAfter, ContinuationToken (which wins
//   over StartAfter), MaxKeys (default and maximum 1000), IsTruncated, NextContinuationToken, KeyCount.
// - STS GetCallerIdentity, so each access key id is its own IAM user (the two-person rule tests).
// Unknown buckets are 404 NoSuchBucket. `ignoreConditions` makes it behave like a store (or proxy)
// that drops If-None-Match, for the probe test. Also runs on its own: `node s3-endpoint.mjs [port]`.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { URL, URLSearchParams } from 'node:url';

const ACCOUNT = '111122223333';
const xmlEscape = (s) => String(s).replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]);

/** Decodes an aws-chunked body (`<hex>;chunk-signature=…\r\n<data>\r\n … 0;…\r\n<trailers>\r\n`). */
function unchunk(buf) {
  const parts = [];
  let at = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(buf.subarray(at, eol).toString('latin1').split(';')[0], 16);
    if (!size) break;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

export async function startS3Endpoint(opts = {}) {
  const buckets = new Map((opts.buckets ?? ['oncall-team']).map((b) => [b, new Map()]));
  const state = { ignoreConditions: false, conflicts: 0, requests: [], counts: {}, delayMs: opts.delayMs ?? 0 };
  const inflight = new Set();
  const sockets = new Set();

  function error(res, status, code, message, extra = '') {
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>${extra}<RequestId>local</RequestId></Error>`;
    res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-amz-request-id': 'local' });
    res.end(body);
  }
  function xml(res, body) {
    const text = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
    res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(text), 'x-amz-request-id': 'local' });
    res.end(text);
  }

  async function handle(req, res, body) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const auth = String(req.headers.authorization ?? '');
    const cred = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(auth);
    const count = (action) => {
      state.counts[action] = (state.counts[action] ?? 0) + 1;
      state.requests.push({ action, at: Date.now(), key: cred?.[1] });
    };
    if (cred?.[3] === 'sts' || (req.method === 'POST' && url.pathname === '/')) {
      const params = new URLSearchParams(body.toString('utf8'));
      count(params.get('Action') ?? 'sts');
      const user = cred?.[1] ?? 'anonymous';
      return xml(
        res,
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${ACCOUNT}:user/${xmlEscape(user)}</Arn><UserId>AIDA${xmlEscape(user)}</UserId><Account>${ACCOUNT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
      );
    }
    const [, bucketName = '', ...rest] = url.pathname.split('/');
    const key = rest.map(decodeURIComponent).join('/');
    const bucket = buckets.get(decodeURIComponent(bucketName));
    if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
    if (req.method === 'PUT' && key) {
      count('PutObject');
      if (!bucket) return error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
      const inm = req.headers['if-none-match'];
      const data = String(req.headers['content-encoding'] ?? '').includes('aws-chunked') ? unchunk(body) : body;
      if (inm !== undefined && !state.ignoreConditions) {
        if (inm !== '*') return error(res, 501, 'NotImplemented', 'A header you provided implies functionality that is not implemented', '<Header>If-None-Match</Header>');
        if (state.conflicts > 0 || inflight.has(key)) {
          if (state.conflicts > 0) state.conflicts--;
          return error(res, 409, 'ConditionalRequestConflict', 'A conflicting conditional operation is currently in progress against this resource. Please try again.');
        }
        if (bucket.has(key)) return error(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', '<Condition>If-None-Match</Condition>');
      }
      const etag = `"${createHash('md5').update(data).digest('hex')}"`;
      bucket.set(key, { data, etag, modified: new Date() });
      res.writeHead(200, { etag, 'content-length': 0, 'x-amz-request-id': 'local' });
      return res.end();
    }
    if (req.method === 'GET' && key) {
      count('GetObject');
      if (!bucket) return error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
      const o = bucket.get(key);
      if (!o) return error(res, 404, 'NoSuchKey', 'The specified key does not exist.', `<Key>${xmlEscape(key)}</Key>`);
      res.writeHead(200, { etag: o.etag, 'last-modified': o.modified.toUTCString(), 'content-type': 'application/json', 'content-length': o.data.length, 'x-amz-request-id': 'local' });
      return res.end(o.data);
    }
    if (req.method === 'GET' && !key && url.searchParams.get('list-type') === '2') {
      count('ListObjectsV2');
      if (!bucket) return error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist');
      const q = (k) => url.searchParams.get(k);
      const prefix = q('prefix') ?? '';
      const token = q('continuation-token');
      const startAfter = q('start-after');
      const max = Math.min(1000, Math.max(0, Number(q('max-keys') ?? 1000)));
      let after;
      if (token !== null) {
        after = Buffer.from(token, 'base64url').toString('utf8');
        if (!after) return error(res, 400, 'InvalidArgument', 'The continuation token provided is incorrect');
      } else if (startAfter !== null) after = startAfter;
      const afterBuf = after === undefined ? undefined : Buffer.from(after, 'utf8');
      const all = [...bucket.keys()]
        .filter((k) => k.startsWith(prefix))
        .map((k) => Buffer.from(k, 'utf8'))
        .filter((k) => !afterBuf || Buffer.compare(k, afterBuf) > 0)
        .sort(Buffer.compare);
      const page = all.slice(0, max).map((b) => b.toString('utf8'));
      const truncated = all.length > page.length;
      const contents = page
        .map((k) => {
          const o = bucket.get(k);
          return `<Contents><Key>${xmlEscape(k)}</Key><LastModified>${o.modified.toISOString()}</LastModified><ETag>${xmlEscape(o.etag)}</ETag><Size>${o.data.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
        })
        .join('');
      return xml(
        res,
        `<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucketName)}</Name><Prefix>${xmlEscape(prefix)}</Prefix>${startAfter !== null ? `<StartAfter>${xmlEscape(startAfter)}</StartAfter>` : ''}${token !== null ? `<ContinuationToken>${xmlEscape(token)}</ContinuationToken>` : ''}<KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${truncated ? `<NextContinuationToken>${Buffer.from(page.at(-1) ?? '', 'utf8').toString('base64url')}</NextContinuationToken>` : ''}${contents}</ListBucketResult>`,
      );
    }
    count(`${req.method} ${url.pathname}`);
    return error(res, 501, 'NotImplemented', `${req.method} ${url.pathname}${url.search} is not implemented by this test endpoint`);
  }

  const server = createServer((req, res) => {
    const chunks = [];
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const key = url.pathname.split('/').slice(2).map(decodeURIComponent).join('/');
    // A conditional write is "in progress" from its first byte to its answer.
    const conditional = req.method === 'PUT' && key && req.headers['if-none-match'] !== undefined;
    const mine = conditional && !inflight.has(key);
    if (mine) inflight.add(key);
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (mine) inflight.delete(key);
      handle(req, res, Buffer.concat(chunks)).catch((err) => error(res, 500, 'InternalError', String(err)));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((r) => server.listen(opts.port ?? 0, '127.0.0.1', r));
  const port = server.address().port;
  const url = `http://127.0.0.1:${port}`;
  const down = async () => {
    if (!server.listening) return;
    const closed = new Promise((r) => server.close(() => r()));
    for (const s of sockets) s.destroy();
    await closed;
  };
  return {
    url,
    port,
    state,
    buckets,
    /** Keys of a bucket, in order. */
    keys: (bucket = 'oncall-team') => [...(buckets.get(bucket)?.keys() ?? [])].sort(),
    object: (key, bucket = 'oncall-team') => buckets.get(bucket)?.get(key)?.data.toString('utf8'),
    down,
    up: () => new Promise((r) => (server.listening ? r() : server.listen(port, '127.0.0.1', r))),
    close: down,
    /** The environment a responder process needs to reach it as user `user`. */
    env: (user = 'alice') => ({
      AWS_ACCESS_KEY_ID: user,
      AWS_SECRET_ACCESS_KEY: 'local-endpoint-secret-not-real',
      AWS_REGION: 'us-east-1',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_ENDPOINT_URL_S3: url,
      AWS_ENDPOINT_URL_STS: url,
    }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const ep = await startS3Endpoint({ port: Number(process.argv[2] ?? 0) });
  console.log(ep.url);
}
