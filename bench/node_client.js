#!/usr/bin/env node
// The Node.js client zoomws is measured against: what a user writes today
// with Node and the `ws` package. Same environment and flags as zoomws:
//   ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET, ZOOM_ACCOUNT_ID, ZOOM_OAUTH_URL,
//   ZOOM_WS_URL; --ca-file PATH; -n N (exit 0 after N events written);
//   --no-resume (reconnect without offering the previous TLS session).
// It fetches the token with the native https module (POST, Basic auth,
// form body), opens the subscription with the token in the query, sends
// {"module":"heartbeat"} every 25 s, parses each message envelope, parses
// `content`, and writes JSON.stringify(event) + "\n" to stdout, pausing the
// socket while stdout is full. When the
// server closes, it reconnects at once with the same token, offering the
// previous TLS session (Node does not do that by itself for ws).
'use strict';
const fs = require('fs');
const https = require('https');
const WebSocket = require('ws');

let maxEvents = 0;
let ca;
let resume = true;
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '-n') maxEvents = parseInt(process.argv[++i], 10);
  else if (a === '--ca-file') ca = fs.readFileSync(process.argv[++i]);
  else if (a === '--no-resume') resume = false;
  else {
    process.stderr.write(`node_client: unknown argument ${a}\n`);
    process.exit(64);
  }
}
const env = process.env;
const wsUrl = env.ZOOM_WS_URL;
const oauthUrl = env.ZOOM_OAUTH_URL || 'https://zoom.us/oauth/token';
let written = 0;
let session;
let paused = false;

function fetchToken() {
  return new Promise((resolve, reject) => {
    const body = env.ZOOM_ACCOUNT_ID
      ? `grant_type=account_credentials&account_id=${encodeURIComponent(env.ZOOM_ACCOUNT_ID)}`
      : 'grant_type=client_credentials';
    const auth = Buffer.from(`${env.ZOOM_CLIENT_ID}:${env.ZOOM_CLIENT_SECRET}`).toString('base64');
    const req = https.request(oauthUrl, {
      method: 'POST',
      ca,
      headers: {
        Authorization: `Basic ${auth}`,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Content-Length': Buffer.byteLength(body),
      },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`token: HTTP ${res.statusCode}`));
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')).access_token);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

function connect(token) {
  const url = `${wsUrl}&access_token=${encodeURIComponent(token)}`;
  const ws = new WebSocket(url, { ca, session: resume ? session : undefined });
  let heartbeat;
  ws.on('upgrade', (res) => { session = res.socket.getSession(); });
  ws.on('open', () => {
    heartbeat = setInterval(() => ws.send('{"module":"heartbeat"}'), 25000);
  });
  ws.on('message', (data) => {
    const msg = JSON.parse(data);
    if (msg.module !== 'message') {
      if (msg.module === 'build_connection' && !msg.success) {
        process.stderr.write(`node_client: subscription refused: ${msg.content}\n`);
      }
      return;
    }
    const event = typeof msg.content === 'string' ? JSON.parse(msg.content) : msg.content;
    // Back-pressure: a slow reader of stdout pauses the socket instead of
    // letting Node buffer without bound.
    if (!process.stdout.write(JSON.stringify(event) + '\n') && !paused) {
      paused = true;
      ws.pause();
      process.stdout.once('drain', () => { paused = false; ws.resume(); });
    }
    if (maxEvents > 0 && ++written >= maxEvents) {
      ws.pause();
      // Exit once everything written so far has reached stdout.
      process.stdout.write('', () => process.exit(0));
    }
  });
  ws.on('close', () => {
    clearInterval(heartbeat);
    setImmediate(() => connect(token));
  });
  ws.on('error', (err) => process.stderr.write(`node_client: ${err.message}\n`));
}

fetchToken().then(connect, (err) => {
  process.stderr.write(`node_client: ${err.message}\n`);
  process.exit(77);
});
