#!/usr/bin/env python3
"""zoomsim: a scriptable stand-in for Zoom's token endpoint and WebSocket
event endpoint, written from RFC 6455, RFC 7230 and ZOOM-PROTOCOL.md,
independently of zoomws's own C code. Python 3 standard library only.

One TLS server on 127.0.0.1 serves both endpoints, one thread per TCP
connection; stop() ends every thread and closes every socket, and no
exception in a connection ever reaches the server.

    sim = Sim(certs, cert='server')   # 'server' | 'server_rsa' | 'wrongname'
                                      # | 'expired' | 'untrusted'  (tests/certs.py)
    sim.start(); ...; sim.stop()      # or:  with Sim(certs) as sim: ...
                                      # (__enter__ starts unless started)
    sim.port, sim.oauth_url           # https://127.0.0.1:PORT/oauth/token
    sim.ws_url                        # wss://127.0.0.1:PORT/ws?subscriptionId=SUB123
    sim.subscription_id, sim.client_id, sim.client_secret, sim.account_id
                                      # expected values; settable at any time
    sim.env()                         # ZOOM_* keys + SSL_CERT_FILE for a client

Token endpoint, POST /oauth/token (RFC 6749 4.4 as Zoom runs it):
  Authorization: Basic base64(client_id:client_secret) or 401
  {"reason":"Invalid client_id or client_secret","error":"invalid_client"};
  form body grant_type=account_credentials&account_id=ID (or, when
  sim.account_id is None, grant_type=client_credentials); grant parameters
  in the query string instead: 400. Success: 200 {"access_token":
  sim.token_value or "tok-N-<random>", "token_type":"bearer", "expires_in":
  sim.expires_in (3599), "scope":..., "api_url":"https://api.zoom.us"},
  chunked when sim.token_chunked. A token is valid for expires_in seconds of
  monotonic time after it was issued.
  sim.token_faults: list consumed one per token request, each a dict:
    {'status': 429, 'headers': {...}, 'body': '...'}  any status (body
        defaults to a small JSON error)
    {'body': 'not json'}      200 with that body
    {'hang': True}            read the request, never answer
    {'drip': 1.0}             the normal answer, one byte per 1.0 s
    {'endless': True}         a chunked 200 body that never ends
    {'close': True}           close after reading the request
    {'delay': s}              wait s seconds, then answer normally
    'chunked': True may be added to any answer with a body.
  sim.token_requests: list of dicts: method, path, query (raw string, '' if
  none), headers (lower-case keys), body (str), form (dict), time (monotonic),
  answered (monotonic, when the answer began; absent for a fault that
  replaced it).

WebSocket endpoint, GET /ws?subscriptionId=...&access_token=...:
  The upgrade request is checked as RFC 6455 4.2.1 requires (GET, HTTP/1.1,
  Host naming this server, Upgrade: websocket, Connection: Upgrade,
  Sec-WebSocket-Key of 16 base64 bytes, Sec-WebSocket-Version: 13); each
  fault is a sim.violations entry and a 400 (426 for the version). Then 101
  with the RFC 6455 4.2.2 Sec-WebSocket-Accept and a build_connection
  message: success:true when access_token is a live issued token and the
  subscription id matches, else success:false with "token is empty" /
  "Invalid Token" / "Invalid subscriptionId", then a close frame
  (sim.refuse_close_code, 1000). The query is decoded as a form ('+' is a
  space), so a token must be percent-encoded.
  One live connection per subscription: a connection that gets
  success:true closes the previous one with sim.replace_close_code (1000;
  None: drop it without a close frame).
  Heartbeats {"module":"heartbeat"} are answered with
  {"module":"heartbeat","success":true,"content":"live","header":{}}
  (unless sim.answer_heartbeats is False or the script muted them).
  Every client frame is checked (RFC 6455 5.1-5.6, 7.4): masked, RSV 0,
  known opcode, control frames final and <= 125 bytes, minimal length
  encoding, fragments in order, text is UTF-8, close codes valid. A fault
  is a violation entry and a close with 1002 (1007 for bad UTF-8). Pings
  get pongs; a close is answered with a close, then the server closes TCP.

  sim.conn_faults: list consumed one per TCP connection (either endpoint),
  acted on before TLS: 'tls_hang' (read the ClientHello, never answer),
  'tcp_silent' (never read), 'tls_alert' (answer a handshake_failure alert),
  'tls_alert_late' (the same alert a quarter of a second later).
  sim.ws_scripts: list consumed one per WebSocket request; empty: the
  default (build_connection, then answer heartbeats until the client goes).
  A script is a list of actions run in order after build_connection:
    ('event', obj_or_str)  {"module":"message","content":C,"header":{}} with
                           C = json.dumps(obj) (non-ASCII kept), or the str
                           as given, sent as one text frame
    ('text', s)            s as one text frame
    ('frames', [(fin, opcode, payload[, rsv]), ...])  raw unmasked frames
    ('raw', b'...')        bytes on the TLS stream
    ('ping', b'x')         a ping frame
    ('close', code, reason)  a close frame (code None: empty body), then
                           wait up to 5 s for the client's close, close TCP
    ('close_now', code, reason)  a close frame, then TCP closed at once,
                           without waiting for the client's close
    ('drop',)              once written (+0.1 s), SO_LINGER 0 close: RST
    ('sleep', s)
    ('wait_heartbeats', n) until n heartbeats have arrived on this connection
    ('mute',)              stop answering heartbeats, keep reading
    ('silent',)            stop answering and stop reading (half-open peer)
    ('hold',)              stay open until the client goes (implicit at end)
  As the FIRST action only:
    ('upgrade', {'status': 401, 'body': '...', 'headers': {...}})  refuse
    ('upgrade', {'bad_accept': True}) / {'no_upgrade_header': True}
    ('upgrade', {'extra': {'Name': 'value'}})  a 101 with these headers too
    ('upgrade', {'hang': True})   read the request, never answer
    ('build', ok, content)        this build_connection instead of the
                                  token check (ok False: then close)
  A script may also be an object that has [0], pop(0) and iteration but
  no end: an endless stream of actions (tests/it_failover.py).
  Actions after a close/drop are not run. Later actions wait for earlier
  writes only where it matters (close, drop).

Records:
  sim.connections: one Conn per WebSocket request, with .path (raw request
  target), .query (decoded dict), .headers (lower-case keys), .status (HTTP
  status answered), .build ((ok, content) or None), .frames (list of
  (time, fin, opcode, masked, mask_key, payload) for every client frame,
  payload unmasked), .messages (assembled client text messages), .heartbeats
  (monotonic times), .pongs, .close_code (from the client; 1005 for an empty
  close; None if none), .close_reason, .events_sent (event actions fully
  written), .opened, .ended (monotonic), .violations, .error.
  sim.violations: every protocol fault seen ('conn N: ...' / 'token: ...').
  sim.tls: one dict per TCP connection (time accepted, done when the
  handshake completed, version, cipher, error).
  sim.errors: exceptions inside the simulator itself (scripts, bugs).
  sim.wait(pred, timeout) -> bool polls pred (exceptions count as False);
  sim.wait_connections(n, timeout) -> bool.

Standalone: python3 tests/zoomsim.py [--port 0] [--events N] [--certs DIR]
prints the environment for a client and serves N realistic events (one a
second) on each connection; without --certs the CA lives in a temporary
directory removed on exit (SIGINT/SIGTERM).
"""
import base64
import collections
import hashlib
import json
import os
import random
import select
import socket
import ssl
import struct
import sys
import threading
import time
import traceback
import urllib.parse

WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'  # RFC 6455 1.3
HEAD_MAX = 16384            # request line + headers
BODY_MAX = 65536            # token request body
FRAME_MAX = 16 << 20        # largest client frame accepted
WRITE_CHUNK = 16384
TICK = 0.05                 # longest sleep of a connection loop
CLOSE_WAIT = 5.0            # wait for the client's close after ours
FAIL_WAIT = 1.0             # the same after a protocol failure
DROP_GRACE = 0.1            # let written bytes reach the client before RST

REASONS = {101: 'Switching Protocols', 200: 'OK', 400: 'Bad Request',
           401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
           405: 'Method Not Allowed', 426: 'Upgrade Required',
           429: 'Too Many Requests', 431: 'Request Header Fields Too Large',
           500: 'Internal Server Error', 502: 'Bad Gateway',
           503: 'Service Unavailable', 504: 'Gateway Timeout'}
SCOPE = ('meeting:read:admin recording:read:admin user:read:admin '
         'marketplace:read:list_event_subscriptions')


class _Stop(Exception):
    """The simulator is stopping or the peer went away."""


def ws_accept(key):
    """Sec-WebSocket-Accept for a Sec-WebSocket-Key (RFC 6455 4.2.2 5.4)."""
    return base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()


def ws_frame(fin, opcode, payload, rsv=0, mask=None):
    """One frame, unmasked unless a 4-byte mask is given (RFC 6455 5.2)."""
    if isinstance(payload, str):
        payload = payload.encode('utf-8')
    n = len(payload)
    b0 = (0x80 if fin else 0) | ((rsv & 7) << 4) | (opcode & 15)
    mb = 0x80 if mask is not None else 0
    if n < 126:
        head = bytes([b0, mb | n])
    elif n < 65536:
        head = bytes([b0, mb | 126]) + struct.pack('!H', n)
    else:
        head = bytes([b0, mb | 127]) + struct.pack('!Q', n)
    if mask is not None:
        payload = bytes(b ^ mask[i & 3] for i, b in enumerate(payload))
        head += bytes(mask)
    return head + payload


def _close_payload(code, reason=''):
    if code is None:
        return b''
    return struct.pack('!H', code) + reason.encode('utf-8')[:123]


def _valid_close_code(code):
    # RFC 6455 7.4.1/7.4.2: codes a peer may send in a close frame.
    return code in (1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011,
                    1012, 1013, 1014) or 3000 <= code <= 4999


def _unmask(data, key):
    n = len(data)
    if n == 0:
        return b''
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(data, 'big') ^ int.from_bytes(k, 'big')).to_bytes(n, 'big')


def _envelope(content):
    return ('{"module":"message","content":%s,"header":{}}'
            % json.dumps(content, ensure_ascii=False))


class Conn:
    """What the simulator saw of one WebSocket request (see the module doc)."""

    def __init__(self, index):
        self.index = index
        self.method = self.path = self.version = None
        self.query = {}
        self.headers = {}
        self.status = None
        self.build = None
        self.subscription = None
        self.frames = []
        self.messages = []
        self.heartbeats = []
        self.pongs = []
        self.close_code = None
        self.close_reason = None
        self.events_sent = 0
        self.opened = time.monotonic()
        self.ended = None
        self.violations = []
        self.error = None
        self.script = []
        # loop state
        self.answering = True
        self.reading = True
        self.close_sent = False
        self.failed_at = None
        self.close_sent_at = None
        self.eof = False
        self.done = False
        self.replace = False
        self._frag_op = None
        self._frag = bytearray()

    def __repr__(self):
        return ('<Conn %d %s status=%s build=%r frames=%d close=%r>'
                % (self.index, self.path, self.status, self.build,
                   len(self.frames), self.close_code))


class _Out:
    """Non-blocking writer of a TLS socket: a queue of segments, each with
    a callback run once the segment is fully handed to TLS."""

    def __init__(self, sock):
        self.sock = sock
        self.q = collections.deque()   # [bytes, offset, callback]
        self.pending = None            # the chunk a retried SSL_write needs

    def put(self, data, done=None):
        if data:
            self.q.append([bytes(data), 0, done])
        elif done:
            done()

    def empty(self):
        return not self.q and self.pending is None

    def flush(self):
        """Writes what the socket takes now; raises OSError on a dead peer."""
        while self.q:
            seg = self.q[0]
            if self.pending is None:
                self.pending = seg[0][seg[1]:seg[1] + WRITE_CHUNK]
            try:
                n = self.sock.send(self.pending)
            except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
                return
            self.pending = None
            seg[1] += n
            if seg[1] >= len(seg[0]):
                self.q.popleft()
                if seg[2]:
                    seg[2]()


class Sim:
    def __init__(self, certs, cert='server', host='127.0.0.1', port=0):
        self.certs = certs
        self.cert = cert
        self.host = host
        self.port = port
        self.client_id = 'zoomws-test-client-id'
        self.client_secret = 'zoomws-test-client-secret'
        self.account_id = 'AcCt_123'
        self.subscription_id = 'SUB123'
        self.expires_in = 3599
        self.token_value = None
        self.token_chunked = False
        self.answer_heartbeats = True
        self.build_content = 'connection established'
        self.refuse_close_code = 1000
        self.replace_close_code = 1000
        self.token_faults = []
        self.ws_scripts = []
        self.conn_faults = []
        self.token_requests = []
        self.connections = []
        self.violations = []
        self.tls = []
        self.errors = []
        self.tokens = {}            # access token -> expiry (monotonic)
        self._issued = 0
        self._lock = threading.Lock()
        self._live = {}             # subscription id -> Conn
        self._threads = set()
        self._socks = set()
        self._stopping = threading.Event()
        self._listener = None
        self._acceptor = None
        self._ctx = None

    # -- public ----------------------------------------------------------
    @property
    def oauth_url(self):
        return 'https://%s:%d/oauth/token' % (self.host, self.port)

    @property
    def ws_url(self):
        return 'wss://%s:%d/ws?subscriptionId=%s' % (
            self.host, self.port, urllib.parse.quote(self.subscription_id, safe=''))

    def env(self):
        e = {'ZOOM_CLIENT_ID': self.client_id,
             'ZOOM_CLIENT_SECRET': self.client_secret,
             'ZOOM_SUBSCRIPTION_ID': self.subscription_id,
             'ZOOM_WS_URL': self.ws_url,
             'ZOOM_OAUTH_URL': self.oauth_url,
             'SSL_CERT_FILE': self.certs.ca}
        if self.account_id is not None:
            e['ZOOM_ACCOUNT_ID'] = self.account_id
        return e

    def start(self):
        if self._acceptor is not None:
            return self
        cert, key = self.certs.pair(self.cert)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(cert, key)
        self._ctx = ctx
        ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((self.host, self.port))
        ls.listen(64)
        ls.settimeout(TICK)
        self.port = ls.getsockname()[1]
        self._listener = ls
        self._stopping.clear()
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True,
                                          name='zoomsim-accept')
        self._acceptor.start()
        return self

    def stop(self):
        if self._acceptor is None:
            return
        self._stopping.set()
        self._acceptor.join(5)
        end = time.monotonic() + 5
        for t in list(self._threads):
            t.join(max(0.0, end - time.monotonic()))
        with self._lock:
            socks = list(self._socks)
            self._socks.clear()
        for s in socks:        # only left if a thread is stuck
            try:
                s.close()
            except OSError:
                pass
        try:
            self._listener.close()
        except OSError:
            pass
        self._acceptor = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def wait(self, pred, timeout=5.0):
        end = time.monotonic() + timeout
        while True:
            try:
                if pred():
                    return True
            except Exception:  # noqa: BLE001 - a predicate on records not there yet
                pass
            if time.monotonic() >= end:
                return False
            time.sleep(0.01)

    def wait_connections(self, n, timeout=5.0):
        return self.wait(lambda: len(self.connections) >= n, timeout)

    # -- plumbing --------------------------------------------------------
    def _violation(self, where, what):
        msg = '%s: %s' % (where, what)
        self.violations.append(msg)
        return msg

    def _error(self, where):
        msg = '%s: %s' % (where, traceback.format_exc())
        self.errors.append(msg)
        sys.stderr.write('zoomsim: ' + msg)

    def _pop(self, lst):
        with self._lock:
            return lst.pop(0) if lst else None

    def _accept_loop(self):
        while not self._stopping.is_set():
            try:
                s, addr = self._listener.accept()
            except socket.timeout:
                continue
            except OSError:
                if self._stopping.is_set():
                    break
                time.sleep(TICK)
                continue
            try:
                # Faults go to connections in the order they were accepted,
                # not in the order their threads happen to start.
                fault = self._pop(self.conn_faults)
                t = threading.Thread(target=self._serve, args=(s, fault),
                                     daemon=True, name='zoomsim-conn')
                with self._lock:
                    self._threads.add(t)
                    self._socks.add(s)
                t.start()
            except Exception:  # noqa: BLE001
                self._error('accept')
                s.close()

    def _serve(self, raw, fault):
        sock = raw
        try:
            sock = self._serve_tcp(raw, fault)
        except _Stop:
            pass
        except Exception:  # noqa: BLE001 - no exception reaches the server
            self._error('connection')
        finally:
            for s in (sock, raw):
                try:
                    s.close()
                except OSError:
                    pass
            with self._lock:
                self._socks.discard(raw)
                self._socks.discard(sock)
                self._threads.discard(threading.current_thread())

    def _check(self):
        if self._stopping.is_set():
            raise _Stop()

    def _wait_io(self, sock, write=False, deadline=None):
        """Waits until sock is ready; raises _Stop on stop or deadline."""
        while True:
            self._check()
            t = TICK
            if deadline is not None:
                t = min(t, deadline - time.monotonic())
                if t <= 0:
                    raise _Stop()
            if write:
                r, w, _ = select.select([], [sock], [], t)
            else:
                r, w, _ = select.select([sock], [], [], t)
            if r or w:
                return

    def _recv(self, sock, deadline=None):
        """Bytes from sock (b'' at EOF), waiting for them."""
        while True:
            if not (isinstance(sock, ssl.SSLSocket) and sock.pending()):
                self._wait_io(sock, deadline=deadline)
            try:
                return sock.recv(65536)
            except (ssl.SSLWantReadError, BlockingIOError):
                continue
            except ssl.SSLWantWriteError:
                self._wait_io(sock, write=True, deadline=deadline)
            except (ConnectionError, ssl.SSLError, OSError):
                return b''

    def _send(self, sock, data):
        out = _Out(sock)
        out.put(data)
        while not out.empty():
            try:
                out.flush()
            except (ConnectionError, ssl.SSLError, OSError):
                raise _Stop()
            if not out.empty():
                self._wait_io(sock, write=True)

    def _sleep(self, secs):
        if self._stopping.wait(secs):
            raise _Stop()

    def _idle_until_gone(self, sock):
        """Reads and discards until the peer closes or the sim stops."""
        while self._recv(sock):
            pass

    def _linger_close(self, sock):
        """close_notify, half-close, drain: no RST eats the last bytes we
        wrote (a close with unread input sends RST, RFC 1122 4.2.2.13)."""
        if isinstance(sock, ssl.SSLSocket):
            try:
                sock.unwrap()
            except (ssl.SSLError, OSError, ValueError):
                pass
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            return
        end = time.monotonic() + 0.5
        try:
            while time.monotonic() < end:
                r, _, _ = select.select([sock], [], [], TICK)
                if self._stopping.is_set():
                    return
                if r:
                    try:
                        if not sock.recv(65536):
                            return
                    except (BlockingIOError, InterruptedError):
                        pass
        except (OSError, ValueError):
            pass

    # -- one TCP connection ----------------------------------------------
    def _serve_tcp(self, raw, fault):
        raw.setblocking(False)
        if fault == 'tcp_silent':
            while True:
                self._sleep(TICK)
        if fault == 'tls_hang':
            self._idle_until_gone(raw)
            return raw
        if fault in ('tls_alert', 'tls_alert_late'):
            self._recv(raw, deadline=time.monotonic() + 5)
            if fault == 'tls_alert_late':
                self._sleep(0.25)
            # TLS 1.2 alert record: fatal(2) handshake_failure(40), RFC 5246 7.2
            self._send(raw, b'\x15\x03\x03\x00\x02\x02\x28')
            return raw
        info = {'time': time.monotonic(), 'version': None, 'cipher': None, 'error': None}
        self.tls.append(info)
        sock = self._ctx.wrap_socket(raw, server_side=True, do_handshake_on_connect=False)
        with self._lock:
            self._socks.add(sock)
        deadline = time.monotonic() + 10
        while True:
            try:
                sock.do_handshake()
                break
            except ssl.SSLWantReadError:
                self._wait_io(sock, deadline=deadline)
            except ssl.SSLWantWriteError:
                self._wait_io(sock, write=True, deadline=deadline)
            except (ssl.SSLError, OSError) as e:
                info['error'] = str(e)
                return sock
        info['done'] = time.monotonic()
        info['version'] = sock.version()
        info['cipher'] = sock.cipher()[0] if sock.cipher() else None
        head, rest = self._read_head(sock)
        if head is None:
            return sock
        req = self._parse_head(head)
        if req is None:
            self._respond(sock, 400, '{"error":"bad request"}')
            self._violation('http', 'malformed request head %r' % head[:200])
            return sock
        target = req['target']
        path = target.split('?', 1)[0]
        if path == '/ws':
            self._serve_ws(sock, req, rest)
        elif path == '/oauth/token':
            self._serve_token(sock, req, rest)
        else:
            self._respond(sock, 404, '{"error":"not found"}')
        return sock

    def _read_head(self, sock):
        buf = bytearray()
        deadline = time.monotonic() + 30
        while b'\r\n\r\n' not in buf:
            if len(buf) > HEAD_MAX:
                self._respond(sock, 431, '{"error":"request header too large"}')
                return None, None
            data = self._recv(sock, deadline=deadline)
            if not data:
                return None, None
            buf += data
        i = buf.index(b'\r\n\r\n')
        return bytes(buf[:i]), bytes(buf[i + 4:])

    def _parse_head(self, head):
        try:
            text = head.decode('latin-1')
            lines = text.split('\r\n')
            parts = lines[0].split(' ')
            if len(parts) != 3:
                return None
            headers, order = {}, []
            for ln in lines[1:]:
                if not ln or ln[0] in ' \t' or ':' not in ln:
                    return None        # RFC 7230 3.2.4: no obs-fold, no junk
                k, v = ln.split(':', 1)
                if k != k.strip() or not k:
                    return None
                k, v = k.lower(), v.strip(' \t')
                order.append((k, v))
                headers[k] = headers[k] + ', ' + v if k in headers else v
            return {'method': parts[0], 'target': parts[1], 'version': parts[2],
                    'headers': headers, 'header_list': order}
        except Exception:  # noqa: BLE001
            return None

    def _respond(self, sock, status, body=b'', headers=None, chunked=False):
        if isinstance(body, str):
            body = body.encode('utf-8')
        hs = [('Date', time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime())),
              ('Content-Type', 'application/json;charset=UTF-8')]
        if chunked:
            hs.append(('Transfer-Encoding', 'chunked'))
        else:
            hs.append(('Content-Length', str(len(body))))
        hs.append(('Connection', 'close'))
        for k, v in (headers or {}).items():
            hs.append((k, str(v)))
        data = 'HTTP/1.1 %d %s\r\n' % (status, REASONS.get(status, 'Status'))
        data += ''.join('%s: %s\r\n' % kv for kv in hs) + '\r\n'
        data = data.encode('latin-1')
        data += self._chunked(body) if chunked else body
        return data if sock is None else self._send_close(sock, data)

    @staticmethod
    def _chunked(body):
        out, i, k, sizes = bytearray(), 0, 0, (5, 7, 1, 40)
        while i < len(body):
            piece = body[i:i + sizes[k % 4]]
            k += 1
            out += b'%x\r\n' % len(piece) + piece + b'\r\n'
            i += len(piece)
        return bytes(out) + b'0\r\n\r\n'

    def _send_close(self, sock, data):
        self._send(sock, data)
        self._linger_close(sock)

    # -- token endpoint --------------------------------------------------
    def _read_body(self, sock, req, rest):
        h = req['headers']
        buf = bytearray(rest)
        deadline = time.monotonic() + 30
        if 'chunked' in h.get('transfer-encoding', '').lower():
            body = bytearray()
            while True:
                while b'\r\n' not in buf:
                    d = self._recv(sock, deadline)
                    if not d:
                        return None
                    buf += d
                line, _, _ = bytes(buf).partition(b'\r\n')
                del buf[:len(line) + 2]
                n = int(line.split(b';')[0].strip(), 16)
                if n == 0:
                    while b'\r\n' not in buf:   # no trailers expected
                        d = self._recv(sock, deadline)
                        if not d:
                            break
                        buf += d
                    return bytes(body)
                if len(body) + n > BODY_MAX:
                    return None
                while len(buf) < n + 2:
                    d = self._recv(sock, deadline)
                    if not d:
                        return None
                    buf += d
                body += buf[:n]
                del buf[:n + 2]
        n = int(h.get('content-length', '0') or '0')
        if n < 0 or n > BODY_MAX:
            return None
        while len(buf) < n:
            d = self._recv(sock, deadline)
            if not d:
                return None
            buf += d
        return bytes(buf[:n])

    def _check_host(self, where, req):
        host = req['headers'].get('host')
        ok = ('%s:%d' % (self.host, self.port), 'localhost:%d' % self.port,
              '[::1]:%d' % self.port)
        if host is None:
            self._violation(where, 'no Host header (RFC 7230 5.4)')
        elif host.lower() not in ok:
            self._violation(where, 'Host %r does not name this server' % host)

    def _serve_token(self, sock, req, rest):
        target = req['target']
        path, _, query = target.partition('?')
        try:
            body = self._read_body(sock, req, rest)
        except ValueError:
            body = None
        rec = {'method': req['method'], 'path': path, 'query': query,
               'headers': dict(req['headers']), 'body': None, 'form': {},
               'time': time.monotonic()}
        self.token_requests.append(rec)
        if body is None:
            self._violation('token', 'unreadable request body')
            self._respond(sock, 400, '{"error":"invalid_request"}')
            return
        rec['body'] = body.decode('utf-8', 'replace')
        rec['form'] = dict(urllib.parse.parse_qsl(rec['body'], keep_blank_values=True))
        self._check_host('token', req)
        fault = self._pop(self.token_faults)
        if fault is not None:
            if self._token_fault(sock, fault):
                return
        status, body = self._token_answer(req, rec, query)
        rec['answered'] = time.monotonic()
        chunked = self.token_chunked or bool(fault and fault.get('chunked'))
        if fault and fault.get('drip'):
            data = self._respond(None, status, body, chunked=chunked)
            for i in range(len(data)):
                self._send(sock, data[i:i + 1])
                self._sleep(float(fault['drip']))
            self._linger_close(sock)
            return
        self._respond(sock, status, body, chunked=chunked)

    def _token_fault(self, sock, f):
        """Acts on a scripted token fault; True when it replaced the answer."""
        if f.get('delay'):
            self._sleep(float(f['delay']))
        if f.get('hang'):
            self._idle_until_gone(sock)
            return True
        if f.get('close'):
            return True
        if f.get('endless'):
            head = self._respond(None, 200, b'', chunked=True)[:-5]  # no last chunk
            self._send(sock, head + b'11\r\n{"access_token":"\r\n')
            piece = b'400\r\n' + b'A' * 1024 + b'\r\n'
            while True:
                self._send(sock, piece)
                self._sleep(0.01)
        if 'status' in f or 'body' in f:
            status = int(f.get('status', 200))
            body = f.get('body')
            if body is None:
                body = json.dumps({'code': status, 'message': REASONS.get(status, 'error')})
            self._respond(sock, status, body, headers=f.get('headers'),
                          chunked=bool(f.get('chunked')))
            return True
        return False

    def _token_answer(self, req, rec, query):
        """(status, JSON body) of a token request as Zoom answers it."""
        bad = lambda s, err, why: (s, json.dumps({'reason': why, 'error': err}))  # noqa: E731
        if req['method'] != 'POST':
            return bad(405, 'invalid_request', 'Method not allowed')
        qs = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        if 'grant_type' in qs or 'account_id' in qs:
            self._violation('token', 'grant parameters in the query string')
            return bad(400, 'invalid_request', 'Bad Request')
        want = 'Basic ' + base64.b64encode(
            ('%s:%s' % (self.client_id, self.client_secret)).encode()).decode()
        if rec['headers'].get('authorization') != want:
            return bad(401, 'invalid_client', 'Invalid client_id or client_secret')
        ctype = rec['headers'].get('content-type', '').split(';')[0].strip().lower()
        if ctype != 'application/x-www-form-urlencoded':
            self._violation('token', 'Content-Type %r' % ctype)
            return bad(400, 'invalid_request', 'Unsupported content type')
        form = rec['form']
        grant = form.get('grant_type')
        if self.account_id is None:
            if grant != 'client_credentials':
                return bad(400, 'unsupported_grant_type', 'unsupported grant type')
        else:
            if grant != 'account_credentials':
                return bad(400, 'unsupported_grant_type', 'unsupported grant type')
            if form.get('account_id') != self.account_id:
                return bad(400, 'invalid_request', 'Invalid account_id')
        with self._lock:
            self._issued += 1
            tok = self.token_value
            if tok is None:
                tok = 'tok-%d-%s' % (self._issued, os.urandom(12).hex())
            self.tokens[tok] = time.monotonic() + float(self.expires_in)
        return 200, json.dumps({'access_token': tok, 'token_type': 'bearer',
                                'expires_in': self.expires_in, 'scope': SCOPE,
                                'api_url': 'https://api.zoom.us'})

    # -- WebSocket endpoint ----------------------------------------------
    def _serve_ws(self, sock, req, rest):
        with self._lock:
            c = Conn(len(self.connections))
            self.connections.append(c)
            script = self.ws_scripts.pop(0) if self.ws_scripts else []
        # a list is copied; another script object (an endless stream of
        # actions) is used as it is
        if isinstance(script, (list, tuple)):
            script = list(script)
        c.script = script
        c.method, c.path, c.version = req['method'], req['target'], req['version']
        c.headers = dict(req['headers'])
        query = c.path.partition('?')[2]
        c.query = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
        where = 'conn %d' % c.index
        try:
            self._ws_session(sock, c, req, rest, script, where)
        finally:
            c.ended = time.monotonic()
            with self._lock:
                if self._live.get(c.subscription) is c:
                    del self._live[c.subscription]

    def _ws_handshake_faults(self, c, req):
        """RFC 6455 4.2.1 checks; returns (status, why) to refuse or None."""
        h = req['headers']
        where = 'conn %d' % c.index
        refuse = None

        def v(status, why):
            nonlocal refuse
            c.violations.append(self._violation(where, why))
            if refuse is None and status:
                refuse = (status, why)
        if req['method'] != 'GET':
            v(400, 'method %s, not GET' % req['method'])
        if req['version'] != 'HTTP/1.1':
            v(400, 'version %s, not HTTP/1.1' % req['version'])
        self._check_host(where, req)
        if 'websocket' not in [t.strip().lower() for t in h.get('upgrade', '').split(',')]:
            v(400, 'Upgrade header %r lacks websocket' % h.get('upgrade'))
        if 'upgrade' not in [t.strip().lower() for t in h.get('connection', '').split(',')]:
            v(400, 'Connection header %r lacks Upgrade' % h.get('connection'))
        key = h.get('sec-websocket-key')
        try:
            ok = (key is not None and len(key) == 24
                  and len(base64.b64decode(key, validate=True)) == 16)
        except ValueError:
            ok = False
        if not ok:
            v(400, 'Sec-WebSocket-Key %r is not 16 bytes of base64' % key)
        if h.get('sec-websocket-version') != '13':
            v(426, 'Sec-WebSocket-Version %r, not 13' % h.get('sec-websocket-version'))
        if h.get('content-length', '0') not in ('0', '') or 'transfer-encoding' in h:
            v(0, 'upgrade request with a body')
        return refuse

    def _ws_session(self, sock, c, req, rest, script, where):
        first = script[0] if script else None
        up = first[1] if first and first[0] == 'upgrade' else {}
        if up:
            script.pop(0)
        refuse = self._ws_handshake_faults(c, req)
        if up.get('hang'):
            self._idle_until_gone(sock)
            return
        if 'status' in up:
            c.status = int(up['status'])
            self._respond(sock, c.status, up.get('body', ''), headers=up.get('headers'))
            return
        if refuse:
            c.status = refuse[0]
            extra = {'Sec-WebSocket-Version': '13'} if refuse[0] == 426 else None
            self._respond(sock, refuse[0], json.dumps({'error': refuse[1]}), headers=extra)
            return
        key = req['headers']['sec-websocket-key']
        acc = ws_accept(key if not up.get('bad_accept') else key[::-1])
        resp = 'HTTP/1.1 101 Switching Protocols\r\n'
        if not up.get('no_upgrade_header'):
            resp += 'Upgrade: websocket\r\n'
        resp += 'Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n' % acc
        for k, val in (up.get('extra') or {}).items():
            resp += '%s: %s\r\n' % (k, val)
        resp += '\r\n'
        c.status = 101
        if rest:
            c.violations.append(self._violation(
                where, 'data sent before the 101 response (RFC 6455 4.1)'))
        self._send(sock, resp.encode('latin-1'))

        first = script[0] if script else None
        if first and first[0] == 'build':
            script.pop(0)
            ok, content = bool(first[1]), first[2]
        else:
            tok = c.query.get('access_token', '')
            exp = self.tokens.get(tok)
            if not tok:
                ok, content = False, 'token is empty'
            elif exp is None or exp <= time.monotonic():
                ok, content = False, 'Invalid Token'
            elif c.query.get('subscriptionId') != self.subscription_id:
                ok, content = False, 'Invalid subscriptionId'
            else:
                ok, content = True, self.build_content
        c.build = (ok, content)
        msg = json.dumps({'module': 'build_connection', 'success': ok,
                          'content': content, 'header': {}}, separators=(',', ':'))
        c.subscription = c.query.get('subscriptionId')
        if ok:
            with self._lock:
                old = self._live.get(c.subscription)
                self._live[c.subscription] = c
            if old is not None and old.ended is None:
                old.replace = True
        else:
            script = [('close', self.refuse_close_code, '')]
        self._ws_loop(sock, c, rest, msg, script, where)

    def _ws_loop(self, sock, c, rest, build_msg, script, where):
        out = _Out(sock)
        inbuf = bytearray(rest)
        out.put(ws_frame(True, 1, build_msg))
        gen = self._script(c, out, sock, script)
        wait = (None, None)          # (predicate, deadline) the script waits on
        while not c.done:
            self._check()
            now = time.monotonic()
            # the script
            while not c.done:
                pred, dl = wait
                if not ((pred is None and dl is None) or (pred is not None and pred())
                        or (dl is not None and now >= dl)):
                    break
                try:
                    wait = next(gen)
                except StopIteration:
                    wait = (lambda: False, None)
                except Exception:  # noqa: BLE001 - a bad script
                    self._error('%s script' % where)
                    wait = (lambda: False, None)
            if c.done:
                break
            # a newer connection on this subscription
            if c.replace and not c.close_sent:
                c.replace = False
                code = self.replace_close_code
                if code is None:
                    self._drop(sock, c)
                    break
                self._queue_close(c, out, code, 'replaced by a new connection')
            # close handshake deadlines
            if c.close_sent and c.close_sent_at is not None:
                limit = FAIL_WAIT if c.failed_at else CLOSE_WAIT
                if (c.close_code is not None or c.eof) and out.empty():
                    break
                if now - c.close_sent_at > limit:
                    break
            if c.eof and out.empty():
                break
            try:
                out.flush()
            except (ConnectionError, ssl.SSLError, OSError) as e:
                c.error = c.error or 'write: %s' % e
                c.eof = True
                break
            if c.close_sent and c.close_code is not None and out.empty():
                break
            rl = [sock] if (c.reading and not c.eof) else []
            wl = [sock] if not out.empty() else []
            t = TICK
            if wait[1] is not None:
                t = max(0.0, min(t, wait[1] - time.monotonic()))
            if c.reading and sock.pending():
                t = 0
            if rl or wl or t:
                try:
                    select.select(rl, wl, [], t)
                except (OSError, ValueError):
                    break
            if c.reading and not c.eof:
                self._ws_read(sock, c, out, inbuf, where)
        if c.done == 'drop':
            return
        try:
            out.flush()
        except (ConnectionError, ssl.SSLError, OSError):
            return
        self._linger_close(sock)

    def _drop(self, sock, c):
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        except OSError:
            pass
        try:
            sock.close()
        except OSError:
            pass
        c.done = 'drop'

    def _queue_close(self, c, out, code, reason, failed=False):
        if c.close_sent:
            return
        c.close_sent = True
        c.answering = False

        def sent():
            c.close_sent_at = time.monotonic()
        out.put(ws_frame(True, 8, _close_payload(code, reason)), sent)
        if failed:
            c.failed_at = time.monotonic()

    def _script(self, c, out, sock, script):
        """The script as a generator of (predicate, deadline) waits."""
        flushed = (lambda: out.empty(), None)
        for act in script:
            kind = act[0]
            if kind == 'event':
                obj = act[1]
                content = obj if isinstance(obj, str) else json.dumps(obj, ensure_ascii=False)

                def done():
                    c.events_sent += 1
                out.put(ws_frame(True, 1, _envelope(content)), done)
            elif kind == 'text':
                out.put(ws_frame(True, 1, act[1]))
            elif kind == 'frames':
                for fr in act[1]:
                    out.put(ws_frame(fr[0], fr[1], fr[2], fr[3] if len(fr) > 3 else 0))
            elif kind == 'raw':
                out.put(act[1])
            elif kind == 'ping':
                out.put(ws_frame(True, 9, act[1] if len(act) > 1 else b''))
            elif kind == 'close':
                yield flushed
                code = act[1] if len(act) > 1 else 1000
                reason = act[2] if len(act) > 2 else ''
                self._queue_close(c, out, code, reason)
                while True:      # the loop ends the connection on the reply
                    yield (lambda: False, None)
            elif kind == 'close_now':
                yield flushed
                code = act[1] if len(act) > 1 else 1000
                reason = act[2] if len(act) > 2 else ''
                self._queue_close(c, out, code, reason)
                yield flushed
                c.done = 'close_now'
                return
            elif kind == 'drop':
                yield flushed
                yield (None, time.monotonic() + DROP_GRACE)
                self._drop(sock, c)
                return
            elif kind == 'sleep':
                yield (None, time.monotonic() + float(act[1]))
            elif kind == 'wait_heartbeats':
                n = int(act[1])
                yield (lambda: len(c.heartbeats) >= n, None)
            elif kind == 'mute':
                c.answering = False
            elif kind == 'silent':
                c.answering = False
                c.reading = False
            elif kind == 'hold':
                while True:
                    yield (lambda: False, None)
            else:
                raise ValueError('unknown script action %r' % (act,))

    # -- reading client frames -------------------------------------------
    def _ws_read(self, sock, c, out, inbuf, where):
        while c.reading and not c.eof:
            try:
                data = sock.recv(65536)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                break
            except (ConnectionError, ssl.SSLError, OSError) as e:
                c.error = c.error or 'read: %s' % e
                c.eof = True
                break
            if not data:
                c.eof = True
                break
            inbuf += data
            self._ws_parse(c, out, inbuf, where)

    def _ws_parse(self, c, out, buf, where):
        while c.reading and len(buf) >= 2:
            b0, b1 = buf[0], buf[1]
            fin, rsv, op = bool(b0 & 0x80), (b0 >> 4) & 7, b0 & 15
            masked, n = bool(b1 & 0x80), b1 & 127
            pos = 2
            minimal = True
            if n == 126:
                if len(buf) < 4:
                    return
                n = struct.unpack('!H', buf[2:4])[0]
                pos, minimal = 4, n >= 126
            elif n == 127:
                if len(buf) < 10:
                    return
                n = struct.unpack('!Q', buf[2:10])[0]
                pos, minimal = 10, n >= 65536
                if n >> 63:
                    self._fail(c, out, 1002, 'frame length with the top bit set (RFC 6455 5.2)')
                    buf.clear()
                    return
            if n > FRAME_MAX:
                self._fail(c, out, 1009, 'frame of %d bytes' % n)
                buf.clear()
                return
            key = None
            if masked:
                if len(buf) < pos + 4:
                    return
                key = bytes(buf[pos:pos + 4])
                pos += 4
            if len(buf) < pos + n:
                return
            payload = bytes(buf[pos:pos + n])
            del buf[:pos + n]
            if key is not None:
                payload = _unmask(payload, key)
            c.frames.append((time.monotonic(), fin, op, masked, key, payload))
            if not minimal:
                self._fail(c, out, 1002, 'length not in the minimal form (RFC 6455 5.2)')
                continue
            self._ws_frame(c, out, fin, rsv, op, masked, payload)

    def _fail(self, c, out, code, why):
        """RFC 6455 7.1.7: fail the connection: violation, close frame."""
        c.violations.append(self._violation('conn %d' % c.index, why))
        self._queue_close(c, out, code, why[:60], failed=True)

    def _ws_frame(self, c, out, fin, rsv, op, masked, payload):
        if c.close_code is not None:
            c.violations.append(self._violation(
                'conn %d' % c.index, 'frame after the close frame (RFC 6455 5.5.1)'))
            return
        if c.failed_at and op != 8:
            return
        if not masked:
            return self._fail(c, out, 1002, 'unmasked client frame (RFC 6455 5.1)')
        if rsv:
            return self._fail(c, out, 1002, 'RSV bits %d without an extension (RFC 6455 5.2)'
                              % rsv)
        if op not in (0, 1, 2, 8, 9, 10):
            return self._fail(c, out, 1002, 'reserved opcode %d (RFC 6455 5.2)' % op)
        if op >= 8:
            if not fin or len(payload) > 125:
                return self._fail(c, out, 1002, 'fragmented or long control frame '
                                  '(RFC 6455 5.5)')
            if op == 8:
                return self._ws_close(c, out, payload)
            if op == 9:
                if not c.close_sent:
                    out.put(ws_frame(True, 10, payload))
                return None
            c.pongs.append(payload)
            return None
        if op == 0:
            if c._frag_op is None:
                return self._fail(c, out, 1002, 'continuation without a first fragment '
                                  '(RFC 6455 5.4)')
        else:
            if c._frag_op is not None:
                return self._fail(c, out, 1002, 'new message inside a fragmented one '
                                  '(RFC 6455 5.4)')
            c._frag_op = op
        c._frag += payload
        if len(c._frag) > FRAME_MAX:
            return self._fail(c, out, 1009, 'message too big')
        if not fin:
            return None
        mop, data = c._frag_op, bytes(c._frag)
        c._frag_op, c._frag = None, bytearray()
        if mop == 2:
            c.messages.append(data)
            c.violations.append(self._violation('conn %d' % c.index,
                                                'binary message from the client'))
            return None
        try:
            text = data.decode('utf-8')
        except UnicodeDecodeError:
            return self._fail(c, out, 1007, 'text message not UTF-8 (RFC 6455 8.1)')
        c.messages.append(text)
        try:
            m = json.loads(text)
        except ValueError:
            m = None
        if isinstance(m, dict) and m.get('module') == 'heartbeat':
            c.heartbeats.append(time.monotonic())
            if c.answering and self.answer_heartbeats and not c.close_sent:
                out.put(ws_frame(True, 1, '{"module":"heartbeat","success":true,'
                                          '"content":"live","header":{}}'))
        else:
            c.violations.append(self._violation(
                'conn %d' % c.index, 'unexpected client message %r' % text[:80]))
        return None

    def _ws_close(self, c, out, payload):
        code, reason = 1005, ''
        if len(payload) == 1:
            self._fail(c, out, 1002, 'close frame with a 1-byte body (RFC 6455 5.5.1)')
            code = None
        elif len(payload) >= 2:
            code = struct.unpack('!H', payload[:2])[0]
            try:
                reason = payload[2:].decode('utf-8')
            except UnicodeDecodeError:
                reason = payload[2:]
                self._fail(c, out, 1007, 'close reason not UTF-8 (RFC 6455 5.5.1)')
            if not _valid_close_code(code):
                self._fail(c, out, 1002, 'close code %d not allowed (RFC 6455 7.4)' % code)
        c.close_code = code if code is not None else 1005
        c.close_reason = reason
        if not c.close_sent:
            echo = code if code not in (None, 1005) else None
            self._queue_close(c, out, echo, '')


# -- standalone --------------------------------------------------------------
def realistic_events(n, account='AcCt_Demo1'):
    """n Zoom-shaped events for demos, cycling through a few kinds."""
    evs = []
    base = int(time.time() * 1000)
    for i in range(n):
        ts = base + i * 1000
        mid = 85123456780 + i
        kind = i % 4
        if kind == 0:
            ev = {'event': 'meeting.started', 'event_ts': ts, 'payload': {
                'account_id': account, 'object': {
                    'id': mid, 'uuid': 'Wq3bQ%dxSgqx1N0P+ZE2Kg==' % i,
                    'host_id': 'z8yBXksHQ3q2mJ1y5aTbXw', 'topic': 'Café ☕ standup',
                    'type': 2, 'start_time': '2026-11-29T09:00:%02dZ' % (i % 60),
                    'timezone': 'Europe/Paris', 'duration': 30}}}
        elif kind == 1:
            ev = {'event': 'meeting.participant_joined', 'event_ts': ts, 'payload': {
                'account_id': account, 'object': {
                    'id': mid, 'uuid': 'Wq3bQ%dxSgqx1N0P+ZE2Kg==' % i,
                    'host_id': 'z8yBXksHQ3q2mJ1y5aTbXw', 'topic': 'Café ☕ standup',
                    'participant': {'user_id': '16778240', 'user_name': 'Zoë Ng',
                                    'id': 'u-%d' % i, 'join_time': '2026-11-29T09:01:10Z',
                                    'email': 'zoe@example.com'}}}}
        elif kind == 2:
            files = [{'id': 'f%d-%d' % (i, k), 'file_type': ft, 'file_extension': ext,
                      'file_size': 1048576 * (k + 1), 'recording_type': rt,
                      'download_url': 'https://example.zoom.us/rec/download/f%d-%d' % (i, k),
                      'status': 'completed'}
                     for k, (ft, ext, rt) in enumerate(
                         [('MP4', 'MP4', 'shared_screen_with_speaker_view'),
                          ('M4A', 'M4A', 'audio_only'),
                          ('TRANSCRIPT', 'VTT', 'audio_transcript')])]
            ev = {'event': 'recording.completed', 'event_ts': ts, 'payload': {
                'account_id': account, 'object': {
                    'id': mid, 'uuid': 'Wq3bQ%dxSgqx1N0P+ZE2Kg==' % i,
                    'topic': 'Café ☕ standup', 'total_size': 6291456,
                    'recording_count': len(files), 'recording_files': files},
                'download_token': 'eyJhbGciOiJIUzI1NiJ9.demo.signature'}}
        else:
            ev = {'event': 'user.created', 'event_ts': ts, 'payload': {
                'account_id': account, 'creation_type': 'create', 'object': {
                    'id': 'KdYKjnimT4KPd8FFgQt9FQ', 'first_name': 'Jürgen',
                    'last_name': 'Ødegaard', 'email': 'jurgen@example.com', 'type': 1}}}
        evs.append(ev)
    return evs


def _main(argv):
    import argparse
    import signal
    import tempfile
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    from certs import Certs
    ap = argparse.ArgumentParser(description='Serve a simulated Zoom token and '
                                 'WebSocket event endpoint on 127.0.0.1.')
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--events', type=int, default=5,
                    help='events per connection, one a second')
    ap.add_argument('--interval', type=float, default=1.0)
    ap.add_argument('--certs', default=None, help='certificate directory')
    ap.add_argument('--cert', default='server')
    a = ap.parse_args(argv)
    tmp = None if a.certs else tempfile.mkdtemp(prefix='zoomsim-certs-')
    certs = Certs(a.certs or tmp)
    sim = Sim(certs, cert=a.cert, port=a.port)

    class Scripts(list):
        """An endless supply of the same script."""
        def pop(self, i=-1):
            script = []
            for ev in realistic_events(a.events, account=sim.account_id or 'AcCt_123'):
                script += [('sleep', a.interval), ('event', ev)]
            return script

        def __bool__(self):
            return True
    sim.ws_scripts = Scripts()
    sim.start()
    for k, v in sorted(sim.env().items()):
        print('%s=%s' % (k, v))
    print('# serving on 127.0.0.1:%d; Ctrl-C stops' % sim.port)
    sys.stdout.flush()
    # A flag, not a threading.Event: Event.set() from a signal handler can
    # deadlock on the lock the interrupted Event.wait() holds.
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    signal.signal(signal.SIGINT, lambda *_: stop.append(1))
    seen = 0
    while not stop:
        time.sleep(0.2)
        while seen < len(sim.connections):
            c = sim.connections[seen]
            sys.stderr.write('zoomsim: connection %d, build %r\n' % (seen, c.build))
            seen += 1
        for v in sim.violations[len(getattr(sim, '_shown', [])):]:
            sys.stderr.write('zoomsim: violation: %s\n' % v)
        sim._shown = list(sim.violations)
    sim.stop()
    if tmp is not None:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(_main(sys.argv[1:]))
