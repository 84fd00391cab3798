#!/usr/bin/env python3
"""The simulator's own tests: a minimal client written here (Python ssl and
hand-made frames) checks what tests/zoomsim.py answers, byte for byte.
Prints `PASS check_zoomsim/name` or `FAIL check_zoomsim/name: why`."""
import base64
import json
import os
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from certs import Certs         # noqa: E402
from zoomsim import Sim, ws_accept  # noqa: E402

CERTS = Certs(os.path.join(tempfile.gettempdir(), 'zoomsim-check-certs-%d' % os.getuid()))
KEY = 'dGhlIHNhbXBsZSBub25jZQ=='            # RFC 6455 1.3
HB_REPLY = b'{"module":"heartbeat","success":true,"content":"live","header":{}}'
_tests = []


def test(fn):
    _tests.append(fn)
    return fn


def eq(got, want, what='value'):
    if got != want:
        raise AssertionError('%s: got %r, want %r' % (what, got, want))


def ok(cond, what):
    if not cond:
        raise AssertionError(what)


class Client:
    """A TLS connection to the sim with just enough HTTP and WebSocket."""

    def __init__(self, sim, timeout=5):
        ctx = ssl.create_default_context(cafile=CERTS.ca)
        raw = socket.create_connection(('127.0.0.1', sim.port), timeout=timeout)
        self.s = ctx.wrap_socket(raw, server_hostname='127.0.0.1')
        self.buf = b''
        self.sim = sim

    def send(self, data):
        self.s.sendall(data)

    def _more(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError('connection closed')
        self.buf += d

    def read_head(self):
        while b'\r\n\r\n' not in self.buf:
            self._more()
        head, self.buf = self.buf.split(b'\r\n\r\n', 1)
        lines = head.decode('latin-1').split('\r\n')
        status = int(lines[0].split(' ')[1])
        hs = {}
        for ln in lines[1:]:
            k, v = ln.split(':', 1)
            hs[k.strip().lower()] = v.strip()
        return status, hs

    def read_all(self):
        try:
            while True:
                self._more()
        except (EOFError, ssl.SSLError, OSError):
            pass
        data, self.buf = self.buf, b''
        return data

    def response(self):
        """(status, headers, body) of an HTTP response; chunked decoded here."""
        status, hs = self.read_head()
        rest = self.read_all()
        if hs.get('transfer-encoding') == 'chunked':
            body = b''
            while True:
                line, rest = rest.split(b'\r\n', 1)
                n = int(line, 16)
                if n == 0:
                    break
                body += rest[:n]
                eq(rest[n:n + 2], b'\r\n', 'chunk end')
                rest = rest[n + 2:]
            return status, hs, body
        eq(len(rest), int(hs['content-length']), 'body length')
        return status, hs, rest

    def token_request(self, body=None, auth=None, query='', ctype=None, extra=''):
        sim = self.sim
        if body is None:
            body = ('grant_type=account_credentials&account_id=%s' % sim.account_id
                    if sim.account_id is not None else 'grant_type=client_credentials')
        if auth is None:
            auth = base64.b64encode(('%s:%s' % (sim.client_id, sim.client_secret))
                                    .encode()).decode()
        req = ('POST /oauth/token%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n'
               'Authorization: Basic %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n'
               '%sConnection: close\r\n\r\n%s' % (
                   ('?' + query) if query else '', sim.port, auth,
                   ctype or 'application/x-www-form-urlencoded', len(body), extra, body))
        self.send(req.encode())

    def upgrade(self, target=None, key=KEY, drop=(), extra=''):
        sim = self.sim
        if target is None:
            target = '/ws?subscriptionId=%s&access_token=%s' % (sim.subscription_id,
                                                                 token(sim))
        hs = [('Host', '127.0.0.1:%d' % sim.port), ('Upgrade', 'websocket'),
              ('Connection', 'Upgrade'), ('Sec-WebSocket-Key', key),
              ('Sec-WebSocket-Version', '13')]
        req = 'GET %s HTTP/1.1\r\n' % target
        req += ''.join('%s: %s\r\n' % kv for kv in hs if kv[0] not in drop)
        self.send((req + extra + '\r\n').encode())
        return self.read_head()

    def frame(self, fin, op, payload, mask=b'\x01\x02\x03\x04', rsv=0):
        n = len(payload)
        b0 = (0x80 if fin else 0) | (rsv << 4) | op
        mb = 0x80 if mask is not None else 0
        if n < 126:
            head = bytes([b0, mb | n])
        elif n < 65536:
            head = bytes([b0, mb | 126]) + struct.pack('!H', n)
        else:
            head = bytes([b0, mb | 127]) + struct.pack('!Q', n)
        if mask is not None:
            head += mask
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.send(head + payload)

    def read_frame(self):
        """(fin, opcode, payload) of one unmasked server frame."""
        while len(self.buf) < 2:
            self._more()
        b0, b1 = self.buf[0], self.buf[1]
        ok(not b1 & 0x80, 'server frame masked')
        n, pos = b1 & 127, 2
        if n == 126:
            while len(self.buf) < 4:
                self._more()
            n, pos = struct.unpack('!H', self.buf[2:4])[0], 4
        elif n == 127:
            while len(self.buf) < 10:
                self._more()
            n, pos = struct.unpack('!Q', self.buf[2:10])[0], 10
        while len(self.buf) < pos + n:
            self._more()
        payload = self.buf[pos:pos + n]
        self.buf = self.buf[pos + n:]
        return bool(b0 & 0x80), b0 & 15, payload

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def token(sim):
    c = Client(sim)
    c.token_request()
    status, _, body = c.response()
    c.close()
    eq(status, 200, 'token status')
    return json.loads(body)['access_token']


def opened(sim, **kw):
    """A client past the upgrade and build_connection."""
    c = Client(sim)
    status, hs = c.upgrade(**kw)
    eq(status, 101, 'upgrade status')
    fin, op, p = c.read_frame()
    ok(json.loads(p)['success'] is True, 'build_connection %r' % p)
    return c


def new_sim(**kw):
    return Sim(CERTS, **kw).start()


# -- token endpoint -----------------------------------------------------------
@test
def token_success():
    with new_sim() as s:
        c = Client(s)
        c.token_request()
        status, hs, body = c.response()
        eq(status, 200, 'status')
        eq(hs['content-type'], 'application/json;charset=UTF-8', 'content type')
        j = json.loads(body)
        eq(sorted(j), ['access_token', 'api_url', 'expires_in', 'scope', 'token_type'], 'keys')
        ok(j['access_token'].startswith('tok-1-') and len(j['access_token']) == 30,
           'token %r' % j['access_token'])
        eq((j['token_type'], j['expires_in'], j['api_url']),
           ('bearer', 3599, 'https://api.zoom.us'), 'fields')
        eq(len(s.token_requests), 1, 'requests')
        r = s.token_requests[0]
        eq((r['method'], r['path'], r['query']), ('POST', '/oauth/token', ''), 'request line')
        eq(r['form'], {'grant_type': 'account_credentials', 'account_id': 'AcCt_123'}, 'form')
        eq(r['headers']['content-type'], 'application/x-www-form-urlencoded', 'headers')
        eq(s.violations, [], 'violations')
        ok(s.tls[0]['version'] in ('TLSv1.2', 'TLSv1.3'), 'tls record %r' % s.tls)


@test
def token_value_expires_in_and_client_credentials():
    with new_sim() as s:
        s.account_id = None
        s.token_value = 'fixed/token+1'
        s.expires_in = 7
        c = Client(s)
        c.token_request()
        status, _, body = c.response()
        eq(status, 200, 'status')
        j = json.loads(body)
        eq((j['access_token'], j['expires_in']), ('fixed/token+1', 7), 'token')
        eq(s.token_requests[0]['form'], {'grant_type': 'client_credentials'}, 'form')
        c = Client(s)
        c.token_request(body='grant_type=account_credentials&account_id=x')
        eq(c.response()[0], 400, 'account grant when none expected')


@test
def token_bad_credentials_401():
    with new_sim() as s:
        for auth in (base64.b64encode(b'zoomws-test-client-id:nope').decode(),
                     base64.b64encode(b'other:zoomws-test-client-secret').decode(), 'x'):
            c = Client(s)
            c.token_request(auth=auth)
            status, _, body = c.response()
            eq(status, 401, 'status')
            eq(json.loads(body), {'reason': 'Invalid client_id or client_secret',
                                  'error': 'invalid_client'}, 'body')


@test
def token_query_string_refused_400():
    with new_sim() as s:
        c = Client(s)
        c.token_request(body='', query='grant_type=account_credentials&account_id=AcCt_123')
        eq(c.response()[0], 400, 'status')
        eq(len(s.violations), 1, 'violation recorded')


@test
def token_wrong_account_or_type_400():
    with new_sim() as s:
        c = Client(s)
        c.token_request(body='grant_type=account_credentials&account_id=other')
        eq(c.response()[0], 400, 'wrong account')
        c = Client(s)
        c.token_request(ctype='application/json')
        eq(c.response()[0], 400, 'wrong content type')


@test
def token_chunked():
    with new_sim() as s:
        s.token_chunked = True
        c = Client(s)
        c.token_request()
        status, hs, body = c.response()
        eq(status, 200, 'status')
        eq(hs.get('transfer-encoding'), 'chunked', 'transfer-encoding')
        ok('content-length' not in hs, 'content-length with chunked')
        ok(json.loads(body)['access_token'].startswith('tok-'), 'body %r' % body)


@test
def token_faults_in_order():
    with new_sim() as s:
        s.token_faults = [{'status': 429, 'headers': {'Retry-After': '1'}, 'body': 'slow'},
                          {'status': 500}, {'body': 'not json'},
                          {'body': '{"token_type":"bearer"}', 'chunked': True},
                          {'close': True}]
        c = Client(s)
        c.token_request()
        status, hs, body = c.response()
        eq((status, hs.get('retry-after'), body), (429, '1', b'slow'), '429')
        c = Client(s)
        c.token_request()
        status, _, body = c.response()
        eq(status, 500, '500')
        json.loads(body)
        c = Client(s)
        c.token_request()
        eq(c.response()[::2], (200, b'not json'), 'not json')
        c = Client(s)
        c.token_request()
        eq(c.response()[::2], (200, b'{"token_type":"bearer"}'), 'no access_token')
        c = Client(s)
        c.token_request()
        eq(c.read_all(), b'', 'closed without an answer')
        c = Client(s)
        c.token_request()
        eq(c.response()[0], 200, 'faults used up: normal answer')
        eq(len(s.token_requests), 6, 'requests recorded')


@test
def token_hang_endless_drip():
    with new_sim() as s:
        s.token_faults = [{'hang': True}, {'endless': True}, {'drip': 0.002}]
        c = Client(s, timeout=0.5)
        c.token_request()
        try:
            c._more()
            raise AssertionError('hang answered %r' % c.buf)
        except socket.timeout:
            pass
        c.close()
        c = Client(s)
        c.token_request()
        status, hs = c.read_head()
        eq((status, hs.get('transfer-encoding')), (200, 'chunked'), 'endless head')
        while len(c.buf) < 200000:
            c._more()
        ok(c.buf.startswith(b'11\r\n{"access_token":"\r\n400\r\n'), 'endless body %r'
           % c.buf[:40])
        c.close()
        c = Client(s)
        c.token_request()
        t0 = time.monotonic()
        status, _, body = c.response()
        eq(status, 200, 'drip status')
        ok(time.monotonic() - t0 > 0.3, 'drip too fast')
        json.loads(body)


# -- WebSocket upgrade --------------------------------------------------------
@test
def accept_value_rfc6455_example():
    eq(ws_accept(KEY), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', 'RFC 6455 1.3 example')
    with new_sim() as s:
        c = Client(s)
        status, hs = c.upgrade()
        eq(status, 101, 'status')
        eq(hs['sec-websocket-accept'], 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=', 'accept')
        eq((hs['upgrade'].lower(), hs['connection'].lower()), ('websocket', 'upgrade'),
           'headers')
        fin, op, p = c.read_frame()
        eq((fin, op), (True, 1), 'build frame')
        j = json.loads(p)
        eq((j['module'], j['success'], j['header']), ('build_connection', True, {}), 'build')
        eq(s.violations, [], 'violations')
        conn = s.connections[0]
        eq(conn.query['subscriptionId'], 'SUB123', 'query')
        eq(conn.build, (True, s.build_content), 'build record')


@test
def upgrade_checks_refuse_and_record():
    cases = [({'drop': ('Sec-WebSocket-Key',)}, 400),
             ({'key': 'c2hvcnQ='}, 400),
             ({'drop': ('Upgrade',)}, 400),
             ({'drop': ('Connection',)}, 400),
             ({'drop': ('Sec-WebSocket-Version',)}, 426),
             ({'drop': ('Host',)}, 101)]
    for kw, want in cases:
        with new_sim() as s:
            c = Client(s)
            status, hs = c.upgrade(**kw)
            eq(status, want, 'status for %r' % (kw,))
            if want == 426:
                eq(hs.get('sec-websocket-version'), '13', '426 names the version')
            eq(len(s.violations), 1, 'violations for %r: %r' % (kw, s.violations))
            eq(s.connections[0].status, want, 'recorded status')


@test
def build_connection_refusals():
    with new_sim() as s:
        tok = token(s)
        for target, content in (
                ('/ws?subscriptionId=SUB123', 'token is empty'),
                ('/ws?subscriptionId=SUB123&access_token=', 'token is empty'),
                ('/ws?subscriptionId=SUB123&access_token=nope', 'Invalid Token'),
                ('/ws?subscriptionId=OTHER&access_token=' + tok, 'Invalid subscriptionId')):
            c = Client(s)
            eq(c.upgrade(target=target)[0], 101, 'status')
            _, op, p = c.read_frame()
            eq(p, ('{"module":"build_connection","success":false,"content":"%s",'
                   '"header":{}}' % content).encode(), 'build for ' + target)
            _, op, p = c.read_frame()
            eq((op, p), (8, b'\x03\xe8'), 'close after refusal')
            c.frame(True, 8, b'\x03\xe8')
            eq(c.read_all(), b'', 'TCP closed')
    with new_sim() as s:
        s.expires_in = 0.2
        tok = token(s)
        time.sleep(0.3)
        c = Client(s)
        c.upgrade(target='/ws?subscriptionId=SUB123&access_token=' + tok)
        ok(b'Invalid Token' in c.read_frame()[2], 'expired token accepted')


@test
def percent_encoded_token_raw_and_decoded():
    with new_sim() as s:
        s.token_value = 'a+b/c=d&e f'
        token(s)
        c = Client(s)
        status, _ = c.upgrade(target='/ws?subscriptionId=SUB123&access_token='
                              'a%2Bb%2Fc%3Dd%26e%20f')
        eq(status, 101, 'status')
        ok(b'"success":true' in c.read_frame()[2], 'build')
        conn = s.connections[0]
        eq(conn.path, '/ws?subscriptionId=SUB123&access_token=a%2Bb%2Fc%3Dd%26e%20f', 'path')
        eq(conn.query['access_token'], 'a+b/c=d&e f', 'decoded')


# -- WebSocket frames ---------------------------------------------------------
@test
def heartbeat_reply_ping_pong_close_echo():
    with new_sim() as s:
        c = opened(s)
        c.frame(True, 1, b'{"module":"heartbeat"}')
        eq(c.read_frame(), (True, 1, HB_REPLY), 'heartbeat reply')
        c.frame(True, 9, b'abc')
        eq(c.read_frame(), (True, 10, b'abc'), 'pong')
        c.frame(True, 8, struct.pack('!H', 1000) + b'bye')
        eq(c.read_frame(), (True, 8, struct.pack('!H', 1000)), 'close echo')
        eq(c.read_all(), b'', 'TCP closed after the close handshake')
        conn = s.connections[0]
        eq((conn.close_code, conn.close_reason), (1000, 'bye'), 'close recorded')
        eq(len(conn.heartbeats), 1, 'heartbeats')
        eq(conn.messages, ['{"module":"heartbeat"}'], 'messages')
        f = conn.frames[0]
        eq((f[1], f[2], f[3], f[4], f[5]), (True, 1, True, b'\x01\x02\x03\x04',
                                            b'{"module":"heartbeat"}'), 'frame record')
        ok(s.wait(lambda: conn.ended is not None, 2), 'connection ended')
        eq(s.violations, [], 'violations')


@test
def fragmented_client_message_assembled():
    with new_sim() as s:
        c = opened(s)
        c.frame(False, 1, b'{"module":')
        c.frame(True, 9, b'')
        eq(c.read_frame(), (True, 10, b''), 'pong between fragments')
        c.frame(True, 0, b'"heartbeat"}')
        eq(c.read_frame(), (True, 1, HB_REPLY), 'reply to a fragmented heartbeat')
        eq(s.violations, [], 'violations')


@test
def unmasked_frame_is_violation_1002():
    with new_sim() as s:
        c = opened(s)
        c.frame(True, 1, b'{"module":"heartbeat"}', mask=None)
        fin, op, p = c.read_frame()
        eq((op, p[:2]), (8, struct.pack('!H', 1002)), 'close 1002')
        eq(len(s.violations), 1, 'violations %r' % s.violations)
        ok('unmasked' in s.violations[0], s.violations[0])
        eq(s.connections[0].frames[0][3], False, 'recorded as unmasked')


@test
def other_frame_faults():
    cases = [((True, 1, b'\xff'), 1007), ((True, 3, b''), 1002), ((True, 0, b'x'), 1002),
             ((False, 9, b''), 1002), ((True, 9, b'x' * 126), 1002),
             ((True, 8, b'\x03'), 1002), ((True, 8, struct.pack('!H', 1005)), 1002)]
    for (fin, op, p), want in cases:
        with new_sim() as s:
            c = opened(s)
            c.frame(fin, op, p)
            _, rop, rp = c.read_frame()
            eq((rop, rp[:2]), (8, struct.pack('!H', want)), 'close for %r' % ((fin, op, p),))
            eq(len(s.violations), 1, 'violations %r' % s.violations)
    with new_sim() as s:
        c = opened(s)
        c.frame(True, 1, b'{"module":"heartbeat"}', rsv=4)
        eq(c.read_frame()[2][:2], struct.pack('!H', 1002), 'rsv')
    with new_sim() as s:      # 16-bit length for a 5-byte payload: not minimal
        c = opened(s)
        c.send(bytes([0x81, 0xfe, 0, 5]) + b'\0\0\0\0' + b'hello')
        eq(c.read_frame()[2][:2], struct.pack('!H', 1002), 'non-minimal length')


@test
def script_delivered_byte_exact():
    ev = {'event': 'meeting.started', 'event_ts': 1, 'payload': {'object': {'topic': 'Café ☕'}}}
    pretty = '{\n  "event": "x"\n}'
    frames = [(False, 1, b'{"mod'), (True, 9, b'p'), (True, 0, b'ule":"x"}'),
              (True, 2, b'\x00\x01')]
    with new_sim() as s:
        s.ws_scripts = [[('event', ev), ('event', pretty), ('text', 'plain'),
                         ('frames', frames), ('raw', b'\x8a\x00'), ('ping', b'pp'),
                         ('wait_heartbeats', 1), ('text', 'after'),
                         ('close', 1001, 'going away')]]
        c = opened(s)
        want1 = ('{"module":"message","content":"{\\"event\\": \\"meeting.started\\", '
                 '\\"event_ts\\": 1, \\"payload\\": {\\"object\\": {\\"topic\\": '
                 '\\"Café ☕\\"}}}","header":{}}').encode('utf-8')
        eq(c.read_frame(), (True, 1, want1), 'event object')
        eq(c.read_frame(), (True, 1, b'{"module":"message","content":"{\\n  \\"event\\": '
                                     b'\\"x\\"\\n}","header":{}}'), 'event string')
        eq(c.read_frame(), (True, 1, b'plain'), 'text')
        for fin, op, p in frames:
            eq(c.read_frame(), (fin, op, p), 'raw frame')
        eq(c.read_frame(), (True, 10, b''), 'raw bytes')
        eq(c.read_frame(), (True, 9, b'pp'), 'ping')
        time.sleep(0.1)
        ok(c.buf == b'', 'sent before the heartbeat arrived')
        eq(s.connections[0].events_sent, 2, 'events_sent')
        c.frame(True, 1, b'{"module":"heartbeat"}')
        eq(c.read_frame(), (True, 1, HB_REPLY), 'heartbeat reply')
        eq(c.read_frame(), (True, 1, b'after'), 'after wait_heartbeats')
        eq(c.read_frame(), (True, 8, struct.pack('!H', 1001) + b'going away'), 'close')
        c.frame(True, 8, struct.pack('!H', 1001))
        eq(c.read_all(), b'', 'TCP closed')
        ok(s.wait(lambda: s.connections[0].close_code == 1001, 2), 'client close recorded')


@test
def mute_sleep_drop_and_next_script():
    with new_sim() as s:
        s.ws_scripts = [[('mute',), ('sleep', 0.2), ('text', 'x'), ('drop',)],
                        [('build', False, 'Token is invalid')]]
        c = opened(s)
        t0 = time.monotonic()
        c.frame(True, 1, b'{"module":"heartbeat"}')
        eq(c.read_frame(), (True, 1, b'x'), 'no heartbeat reply when muted')
        ok(time.monotonic() - t0 > 0.15, 'sleep')
        try:
            c.read_all()
        except ConnectionResetError:
            pass
        eq(len(s.connections[0].heartbeats), 1, 'heartbeat recorded while muted')
        c = Client(s)
        eq(c.upgrade()[0], 101, 'second connection')
        ok(b'"success":false,"content":"Token is invalid"' in c.read_frame()[2], 'build')
        eq(len(s.connections), 2, 'connections')


@test
def upgrade_script_faults():
    with new_sim() as s:
        s.ws_scripts = [[('upgrade', {'status': 401, 'body': 'no'})],
                        [('upgrade', {'bad_accept': True})],
                        [('upgrade', {'no_upgrade_header': True})]]
        c = Client(s)
        eq(c.upgrade()[0], 401, 'status')
        eq(c.read_all(), b'no', 'body')
        c = Client(s)
        status, hs = c.upgrade()
        ok(status == 101 and hs['sec-websocket-accept'] != ws_accept(KEY), 'bad accept')
        c = Client(s)
        status, hs = c.upgrade()
        ok(status == 101 and 'upgrade' not in hs, 'no Upgrade header')


@test
def one_live_connection_per_subscription():
    with new_sim() as s:
        a = opened(s)
        b = opened(s)
        _, op, p = a.read_frame()
        eq((op, p[:2]), (8, struct.pack('!H', 1000)), 'old connection closed')
        a.frame(True, 8, p[:2])
        b.frame(True, 1, b'{"module":"heartbeat"}')
        eq(b.read_frame(), (True, 1, HB_REPLY), 'new connection lives')


@test
def conn_faults_and_tls():
    with new_sim() as s:
        s.conn_faults = ['tls_alert']
        try:
            Client(s)
            raise AssertionError('handshake succeeded after tls_alert')
        except ssl.SSLError:
            pass
        s.conn_faults = ['tls_hang']
        try:
            Client(s, timeout=0.3)
            raise AssertionError('handshake succeeded after tls_hang')
        except (socket.timeout, ssl.SSLError):
            pass
        eq(token(s)[:4], 'tok-', 'next connection normal')
    with new_sim(cert='untrusted') as s:
        try:
            Client(s)
            raise AssertionError('untrusted certificate verified')
        except ssl.SSLCertVerificationError:
            pass
    for name in ('server_rsa',):
        with new_sim(cert=name) as s:
            eq(token(s)[:4], 'tok-', name)


@test
def stop_ends_every_connection_quickly():
    s = new_sim()
    s.ws_scripts = [[('silent',)], []]
    s.conn_faults = ['tcp_silent']
    idle = socket.create_connection(('127.0.0.1', s.port))
    a = opened(s)
    b = opened(s)
    s.wait(lambda: len(s._threads) >= 3, 2)
    t0 = time.monotonic()
    s.stop()
    ok(time.monotonic() - t0 < 1.0, 'stop took %.2fs' % (time.monotonic() - t0))
    eq(len(s._threads), 0, 'threads left')
    for c in (a, b):
        c.s.settimeout(2)
        c.read_all()
    idle.settimeout(2)
    eq(idle.recv(10), b'', 'raw connection closed')
    eq(s.errors, [], 'internal errors')
    ok(threading.active_count() < 5, 'threads alive: %d' % threading.active_count())


def main():
    failed = 0
    only = sys.argv[1:]
    for fn in _tests:
        if only and fn.__name__ not in only:
            continue
        try:
            fn()
        except Exception as e:  # noqa: BLE001
            failed += 1
            msg = str(e) if isinstance(e, AssertionError) else traceback.format_exc()
            print('FAIL check_zoomsim/%s: %s' % (fn.__name__, msg))
        else:
            print('PASS check_zoomsim/%s' % fn.__name__)
        sys.stdout.flush()
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
