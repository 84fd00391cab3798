'use strict';
/*
 * A Zoom-like token endpoint and WebSocket event endpoint built on Node's
 * https module and the `ws` package, so that zoomws is tested against a
 * WebSocket implementation nobody on the project wrote.
 *
 *   node server.js --cert C --key K --scenario S.json --out RECORD.json
 *
 * Prints one line `{"port":N}` on stdout once listening on 127.0.0.1.
 * Writes RECORD.json and exits 0 when every scripted connection has ended
 * (2 if --timeout seconds pass first, or on SIGTERM/SIGINT).
 *
 * Scenario (JSON): client_id, client_secret, account_id (null: expect
 * grant_type=client_credentials), subscription_id, expires_in, and
 * connections: one script per WebSocket connection, run after a
 * successful build_connection, each a list of actions:
 *   {"event": CONTENT}          {"module":"message","content":CONTENT,...}
 *                               in one text frame (CONTENT a string)
 *   {"fragmented": CONTENT, "at": [byte offsets], "ping": "p",
 *    "await_pong": true}        the same message cut at those offsets of
 *                               its UTF-8 bytes (even inside a character),
 *                               sent with ws's fin:false API; with "ping",
 *                               a ping "pI" after fragment I, and with
 *                               await_pong its pong awaited before the
 *                               next fragment
 *   {"ping": "p"}               a ping
 *   {"wait_heartbeats": N}      until N heartbeats came on this connection
 *   {"wait_pong": "p"}          until a pong with that payload came
 *                               (waits give up after "limit" ms, 5000 by
 *                               default, noting it in waits_timed_out)
 *   {"sleep": MS}
 *   {"close": CODE, "reason": R}  close handshake started by the server
 * After the script the connection stays open, answering heartbeats, until
 * the client goes.
 *
 * The record: token_requests, upgrade_errors (ws's wsClientError),
 * connections [{url, headers, build, messages, binary, heartbeats,
 * pongs, errors (every 'error' ws raised: code, message, status), frames
 * (every client frame header seen on the socket: fin, rsv, opcode,
 * masked, length), close {code, reason}, events_sent, waits_timed_out}],
 * problems, finished.
 */
const fs = require('fs');
const https = require('https');
const crypto = require('crypto');
const { WebSocketServer } = require('ws');

function args(argv) {
  const a = { timeout: 60 };
  for (let i = 2; i < argv.length; i += 2) a[argv[i].replace(/^--/, '')] = argv[i + 1];
  for (const k of ['cert', 'key', 'scenario', 'out']) {
    if (!a[k]) {
      process.stderr.write('usage: node server.js --cert C --key K --scenario S --out O\n');
      process.exit(64);
    }
  }
  return a;
}

const opt = args(process.argv);
const sc = JSON.parse(fs.readFileSync(opt.scenario, 'utf8'));
const record = { token_requests: [], upgrade_errors: [], connections: [], problems: [],
                 finished: false };
const tokens = new Map();            // access token -> expiry (ms)
let issued = 0;
let live = null;                     // the connection holding the subscription

function finish(code) {
  fs.writeFileSync(opt.out, JSON.stringify(record, null, 1));
  process.exit(code);
}

function json(res, status, obj) {
  const body = Buffer.from(JSON.stringify(obj));
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8',
                          'Content-Length': body.length, Connection: 'close' });
  res.end(body);
}

// -- token endpoint (RFC 6749 4.4 as Zoom runs it) ---------------------------
function onRequest(req, res) {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const url = new URL(req.url, 'https://127.0.0.1');
    const body = Buffer.concat(chunks).toString('utf8');
    record.token_requests.push({ method: req.method, path: url.pathname,
                                 query: url.search, headers: req.headers, body });
    if (url.pathname !== '/oauth/token') return json(res, 404, { error: 'not found' });
    if (req.method !== 'POST' || url.search !== '') {
      record.problems.push('token request ' + req.method + ' ' + req.url);
      return json(res, 400, { reason: 'Bad Request', error: 'invalid_request' });
    }
    const want = 'Basic ' + Buffer.from(sc.client_id + ':' + sc.client_secret).toString('base64');
    if (req.headers.authorization !== want) {
      return json(res, 401, { reason: 'Invalid client_id or client_secret',
                              error: 'invalid_client' });
    }
    const form = new URLSearchParams(body);
    const ok = sc.account_id === null
      ? form.get('grant_type') === 'client_credentials'
      : form.get('grant_type') === 'account_credentials' &&
        form.get('account_id') === sc.account_id;
    if (!ok || !/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] || '')) {
      record.problems.push('token request body ' + JSON.stringify(body));
      return json(res, 400, { reason: 'unsupported grant type', error: 'unsupported_grant_type' });
    }
    const tok = 'tok-' + (++issued) + '-' + crypto.randomBytes(12).toString('hex');
    const expiresIn = sc.expires_in || 3599;
    tokens.set(tok, Date.now() + expiresIn * 1000);
    return json(res, 200, { access_token: tok, token_type: 'bearer', expires_in: expiresIn,
                            scope: 'meeting:read:admin recording:read:admin',
                            api_url: 'https://api.zoom.us' });
  });
}

// -- a passive look at the client's frame headers (RFC 6455 5.2) -------------
function frameTap(rec) {
  let buf = Buffer.alloc(0);
  let skip = 0;                      // payload bytes of the current frame still to pass
  return (data) => {
    buf = Buffer.concat([buf, data]);
    for (;;) {
      if (skip > 0) {
        const n = Math.min(skip, buf.length);
        buf = buf.subarray(n);
        skip -= n;
        if (skip > 0) return;
      }
      if (buf.length < 2) return;
      let len = buf[1] & 127;
      let pos = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        pos = 4;
      } else if (len === 127) {
        if (buf.length < 10) return;
        len = Number(buf.readBigUInt64BE(2));
        pos = 10;
      }
      const masked = (buf[1] & 0x80) !== 0;
      if (masked) pos += 4;
      if (buf.length < pos) return;
      rec.frames.push({ fin: (buf[0] & 0x80) !== 0, rsv: (buf[0] >> 4) & 7,
                        opcode: buf[0] & 15, masked, length: len });
      buf = buf.subarray(pos);
      skip = len;
    }
  };
}

// -- WebSocket endpoint --------------------------------------------------------
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false,
                                  maxPayload: 16 * 1024 * 1024 });
wss.on('wsClientError', (err, socket, req) => {
  record.upgrade_errors.push({ message: err.message, code: err.code || null, url: req.url,
                               headers: req.headers });
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Waits for pred; after limit ms (default 5000) notes the wait in
// rec.waits_timed_out and goes on with the script.
async function until(pred, rec, what, limit) {
  const end = Date.now() + (limit || 5000);
  while (!pred()) {
    if (rec.close) throw new Error('connection ended while waiting for ' + what);
    if (Date.now() >= end) {
      rec.waits_timed_out.push(what);
      return;
    }
    await sleep(5);
  }
}

function envelope(content) {
  return JSON.stringify({ module: 'message', content, header: {} });
}

async function runScript(ws, rec, script) {
  for (const act of script) {
    if (rec.close) return;
    if ('event' in act) {
      ws.send(envelope(act.event), () => { rec.events_sent++; });
    } else if ('fragmented' in act) {
      const bytes = Buffer.from(envelope(act.fragmented), 'utf8');
      const cuts = [0].concat(act.at, [bytes.length]);
      for (let i = 0; i + 1 < cuts.length; i++) {
        const fin = i + 2 === cuts.length;
        ws.send(bytes.subarray(cuts[i], cuts[i + 1]), { binary: false, fin },
                fin ? () => { rec.events_sent++; } : undefined);
        if (!fin && act.ping !== undefined) {
          ws.ping(Buffer.from(act.ping + i));
          if (act.await_pong) {
            await until(() => rec.pongs.includes(act.ping + i), rec,
                        'pong ' + JSON.stringify(act.ping + i), act.limit);
          }
        }
      }
    } else if ('ping' in act) {
      ws.ping(Buffer.from(act.ping));
    } else if ('wait_heartbeats' in act) {
      await until(() => rec.heartbeats >= act.wait_heartbeats, rec,
                  act.wait_heartbeats + ' heartbeats', act.limit);
    } else if ('wait_pong' in act) {
      await until(() => rec.pongs.includes(act.wait_pong), rec,
                  'pong ' + JSON.stringify(act.wait_pong), act.limit);
    } else if ('sleep' in act) {
      await sleep(act.sleep);
    } else if ('close' in act) {
      ws.close(act.close, act.reason || '');
      return;
    } else {
      throw new Error('unknown action ' + JSON.stringify(act));
    }
  }
}

function onConnection(ws, req, socket) {
  const url = new URL(req.url, 'https://127.0.0.1');
  const rec = { url: req.url.replace(/access_token=[^&]*/, 'access_token=REDACTED'),
                headers: req.headers, build: null, messages: [], binary: 0, heartbeats: 0,
                pongs: [], errors: [], frames: [], close: null, events_sent: 0,
                waits_timed_out: [] };
  const index = record.connections.length;
  record.connections.push(rec);
  socket.on('data', frameTap(rec));
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      rec.binary++;
      return;
    }
    const text = data.toString('utf8');
    rec.messages.push(text);
    let m = null;
    try { m = JSON.parse(text); } catch (e) { /* recorded as is */ }
    if (m && m.module === 'heartbeat') {
      rec.heartbeats++;
      ws.send(JSON.stringify({ module: 'heartbeat', success: true, content: 'live',
                               header: {} }));
    }
  });
  ws.on('pong', (data) => rec.pongs.push(data.toString('utf8')));
  ws.on('error', (err) => {
    rec.errors.push({ code: err.code || null, message: err.message,
                      status: err[Object.getOwnPropertySymbols(err)
                        .find((s) => String(s) === 'Symbol(status-code)')] || null });
  });
  ws.on('close', (code, reason) => {
    rec.close = { code, reason: reason.toString('utf8') };
    if (live === ws) live = null;
    checkDone();
  });

  const tok = url.searchParams.get('access_token') || '';
  const exp = tokens.get(tok);
  let build;
  if (!tok) build = { success: false, content: 'token is empty' };
  else if (!exp || exp <= Date.now()) build = { success: false, content: 'Invalid Token' };
  else if (url.searchParams.get('subscriptionId') !== sc.subscription_id) {
    build = { success: false, content: 'Invalid subscriptionId' };
  } else build = { success: true, content: 'connection established' };
  rec.build = build;
  ws.send(JSON.stringify({ module: 'build_connection', success: build.success,
                           content: build.content, header: {} }));
  if (!build.success) {
    record.problems.push('connection ' + index + ' refused: ' + build.content);
    ws.close(1000, '');
    return;
  }
  if (live) live.close(1000, 'replaced by a new connection');
  live = ws;
  const script = (sc.connections || [])[index] || [];
  runScript(ws, rec, script).catch((e) => {
    if (!rec.close) record.problems.push('connection ' + index + ' script: ' + e.message);
  });
}

function checkDone() {
  const want = (sc.connections || []).length;
  if (record.connections.length >= want && record.connections.every((c) => c.close)) {
    record.finished = true;
    setTimeout(() => finish(0), 50);
  }
}

const server = https.createServer({ cert: fs.readFileSync(opt.cert),
                                    key: fs.readFileSync(opt.key),
                                    minVersion: 'TLSv1.2' }, onRequest);
server.on('upgrade', (req, socket, head) => {
  const path = new URL(req.url, 'https://127.0.0.1').pathname;
  if (path !== '/ws') {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req, socket));
});
server.on('tlsClientError', (err) => record.problems.push('TLS: ' + err.message));
server.listen(Number(opt.port || 0), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
setTimeout(() => { record.problems.push('timed out'); finish(2); },
           Number(opt.timeout) * 1000).unref();
process.on('SIGTERM', () => finish(2));
process.on('SIGINT', () => finish(2));
