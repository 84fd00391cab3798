#!/usr/bin/env python3
"""it_interop: zoomws against a server built on Node's `ws` package.

tests/interop/server.js plays Zoom (token endpoint, build_connection,
heartbeat replies, events, a fragmented event sent through ws's fin:false
API with pings between the fragments, a server-initiated close, then a
second connection) and records what `ws` saw of the client. This suite
runs it, runs $ZOOMWS (default ./zoomws) against it with -n N, and checks
the exact NDJSON on stdout, the exit status, that `ws` got the heartbeats
as masked text frames and raised no error, and the close codes.

Installs the pinned `ws` (tests/interop/package-lock.json) with `npm ci`
when tests/interop/node_modules lacks it. Prints `PASS it_interop/name` or
`FAIL it_interop/name: why`; exits non-zero on any failure.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
INTEROP = os.path.join(HERE, 'interop')
sys.path.insert(0, HERE)

from certs import Certs          # noqa: E402

ZOOMWS = os.environ.get('ZOOMWS', os.path.join(ROOT, 'zoomws'))
HEARTBEAT = '{"module":"heartbeat"}'
FAST = ['--heartbeat', '0.2', '--backoff-min', '0.05', '--backoff-max', '0.1']
failed = 0


def report(name, why=None):
    global failed
    if why is None:
        print('PASS it_interop/%s' % name)
    else:
        failed += 1
        first, _, rest = str(why).partition('\n')
        print('FAIL it_interop/%s: %s' % (name, first))
        if rest:
            print('\n'.join('    ' + r for r in rest.splitlines()[-30:]))
    sys.stdout.flush()


def check(name, fn):
    try:
        fn()
    except AssertionError as e:
        report(name, e)
    except Exception as e:  # noqa: BLE001 - every failure is reported
        report(name, '%s: %s' % (type(e).__name__, e))
    else:
        report(name)


def eq(got, want, what='value'):
    if got != want:
        raise AssertionError('%s: got %r, want %r' % (what, got, want))


def install_ws():
    """npm ci of the pinned ws when it is missing; None or why it failed."""
    if os.path.exists(os.path.join(INTEROP, 'node_modules', 'ws', 'package.json')):
        return None
    if not shutil.which('node') or not shutil.which('npm'):
        return 'node or npm missing (make deps-test installs them)'
    p = subprocess.run(['npm', 'ci', '--no-audit', '--no-fund', '--loglevel=error'],
                       cwd=INTEROP, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, timeout=300)
    if p.returncode != 0:
        return 'npm ci failed:\n' + p.stdout.decode('utf-8', 'replace')[-2000:]
    return None


def event(name, n, **obj):
    o = {'id': 85746065723 + n, 'uuid': 'iGHjQ0n9QcmBbyCp3YbUeA==', 'topic': 'Café ☕ standup'}
    o.update(obj)
    return {'event': name, 'event_ts': 1795916484866 + n,
            'payload': {'account_id': 'AcCt_123', 'object': o}}


def compact(ev):
    return json.dumps(ev, separators=(',', ':'), ensure_ascii=False)


def envelope_bytes(content):
    # what server.js sends: JSON.stringify of the envelope
    return json.dumps({'module': 'message', 'content': content, 'header': {}},
                      separators=(',', ':'), ensure_ascii=False).encode('utf-8')


class Scenario:
    """One server.js run and one zoomws run against it."""

    def __init__(self, certs, cert, scenario, args, tmp):
        self.tmp = tmp
        path = os.path.join(tmp, 'scenario.json')
        with open(path, 'w') as f:
            json.dump(scenario, f)
        self.out = os.path.join(tmp, 'record.json')
        cert_path, key_path = certs.pair(cert)
        self.node = subprocess.Popen(
            ['node', os.path.join(INTEROP, 'server.js'), '--cert', cert_path, '--key', key_path,
             '--scenario', path, '--out', self.out, '--timeout', '40'],
            cwd=INTEROP, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE)
        line = self.node.stdout.readline()
        if not line:
            raise AssertionError('server.js did not start: %s'
                                 % self.node.stderr.read().decode('utf-8', 'replace')[-2000:])
        port = json.loads(line)['port']
        env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin'),
               'ZOOM_CLIENT_ID': scenario['client_id'],
               'ZOOM_CLIENT_SECRET': scenario['client_secret'],
               'ZOOM_WS_URL': 'wss://127.0.0.1:%d/ws?subscriptionId=%s'
                              % (port, scenario['subscription_id']),
               'ZOOM_OAUTH_URL': 'https://127.0.0.1:%d/oauth/token' % port,
               'SSL_CERT_FILE': certs.ca}
        if scenario['account_id'] is not None:
            env['ZOOM_ACCOUNT_ID'] = scenario['account_id']
        for k in ('ASAN_OPTIONS', 'UBSAN_OPTIONS'):
            if k in os.environ:
                env[k] = os.environ[k]
        t0 = time.monotonic()
        p = subprocess.Popen([ZOOMWS] + list(args), env=env, cwd=tmp, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = p.communicate(timeout=30)
            self.rc = p.returncode
        except subprocess.TimeoutExpired:
            p.kill()
            out, err = p.communicate()
            self.rc = 'timeout'
        self.took = time.monotonic() - t0
        self.stdout = out.decode('utf-8', 'replace')
        self.stderr = err.decode('utf-8', 'replace')
        try:
            self.node.wait(10)
        except subprocess.TimeoutExpired:
            self.node.terminate()
            self.node.wait(5)
        self.node_stderr = self.node.stderr.read().decode('utf-8', 'replace')
        try:
            with open(self.out) as f:
                self.record = json.load(f)
        except (OSError, ValueError) as e:
            raise AssertionError('no record from server.js (%s): %s' % (e, self.node_stderr[-2000:]))

    def ctx(self):
        return '\nzoomws stderr:\n%s\nserver.js stderr:\n%s' % (self.stderr[-2500:],
                                                                 self.node_stderr[-1000:])


def check_common(prefix, s, want_lines, n_conns):
    rec = s.record

    def exit_status():
        eq(s.rc, 0, 'exit status' + s.ctx())

    def stdout_exact():
        want = ''.join(ln + '\n' for ln in want_lines)
        if s.stdout == want:
            return
        got = s.stdout.split('\n')
        for i, w in enumerate(want.split('\n')):
            g = got[i] if i < len(got) else '<nothing>'
            if g != w:
                k = next((j for j in range(min(len(g), len(w))) if g[j] != w[j]),
                         min(len(g), len(w)))
                raise AssertionError('stdout line %d differs at byte %d: got %r, want %r '
                                     '(%d lines, want %d)%s'
                                     % (i + 1, k, g[max(0, k - 40):k + 60],
                                        w[max(0, k - 40):k + 60], len(got) - 1,
                                        len(want_lines), s.ctx()))
        raise AssertionError('stdout: %d extra lines%s' % (len(got) - len(want_lines) - 1,
                                                           s.ctx()))

    def connections():
        eq(len(rec['connections']), n_conns, 'connections' + s.ctx())
        eq([c['build']['success'] for c in rec['connections']], [True] * n_conns, 'builds')
        eq(rec['finished'], True, 'every scripted connection ended')

    def no_ws_errors():
        errs = [(i, e) for i, c in enumerate(rec['connections']) for e in c['errors']]
        eq(errs, [], 'errors raised by ws')
        eq(rec['upgrade_errors'], [], 'upgrade requests ws refused')
        eq(rec['problems'], [], 'server problems')
        eq([c['binary'] for c in rec['connections']], [0] * n_conns, 'binary messages')

    def frames_masked_text():
        for i, c in enumerate(rec['connections']):
            for f in c['frames']:
                if not f['masked'] or f['rsv'] or f['opcode'] not in (1, 8, 10) or not f['fin']:
                    raise AssertionError('conn %d: client frame %r' % (i, f))
            texts = [f for f in c['frames'] if f['opcode'] == 1]
            eq(len(texts), len(c['messages']), 'conn %d: one text frame per message' % i)
            eq(set(c['messages']) <= {HEARTBEAT}, True,
               'conn %d: only heartbeats sent, got %r' % (i, c['messages'][:3]))
            eq(c['heartbeats'], len(c['messages']), 'conn %d: heartbeats counted' % i)
            eq([f['length'] for f in texts], [len(HEARTBEAT)] * len(texts), 'frame lengths')

    def token_request():
        reqs = rec['token_requests']
        eq(len(reqs) >= 1, True, 'a token request')
        for r in reqs:
            eq((r['method'], r['path'], r['query']), ('POST', '/oauth/token', ''), 'request')
            eq(r['headers'].get('content-type'), 'application/x-www-form-urlencoded',
               'content type')

    def script_waits():
        eq([c['waits_timed_out'] for c in rec['connections']], [[]] * n_conns,
           'script waits that timed out (what the client never sent)')

    for name, fn in (('exit', exit_status), ('script_waits', script_waits), ('stdout', stdout_exact),
                     ('connections', connections), ('no_ws_errors', no_ws_errors),
                     ('masked_text_frames', frames_masked_text),
                     ('token_request', token_request)):
        check('%s_%s' % (prefix, name), fn)


def scenario_main(certs, tmp):
    """EC certificate, account credentials, two connections."""
    evs = [event('meeting.started', 0),
           event('meeting.participant_joined', 1,
                 participant={'user_name': 'Zoë Nakamura', 'id': 'Hk2Xk1dGTAeXq8mD7Qw0Yw'}),
           event('recording.completed', 2, recording_files=[
               {'id': 'file-%04d' % k, 'file_type': 'MP4', 'file_size': 1048576 + k,
                'download_url': 'https://zoom.us/rec/download/%040x' % k}
               for k in range(1500)]),       # about 160 KB: a 64-bit length frame
           event('meeting.ended', 3, end_time='2026-11-29T09:15:00Z'),
           event('user.created', 4, first_name='Jürgen', last_name='Ødegaard')]
    contents = [json.dumps(e, ensure_ascii=False) for e in evs]
    contents[3] = json.dumps(evs[3], ensure_ascii=False, indent=2)   # pretty-printed
    frag = envelope_bytes(contents[1])
    cup = frag.index('☕'.encode('utf-8'))
    cuts = [7, cup + 1, cup + 2, len(frag) - 3]      # two cuts inside the 3-byte character
    sc = {'client_id': 'interop-client', 'client_secret': 'interop-secret',
          'account_id': 'AcCt_123', 'subscription_id': 'SUB-interop', 'expires_in': 3599,
          'connections': [
              [{'event': contents[0]},
               {'fragmented': contents[1], 'at': cuts, 'ping': 'p', 'await_pong': True,
                'limit': 2000},
               {'ping': 'hello'},
               {'wait_pong': 'hello', 'limit': 2000},
               {'wait_heartbeats': 2},
               {'event': contents[2]},
               {'event': contents[3]},
               {'wait_heartbeats': 3},
               {'close': 1000, 'reason': 'end of scenario'}],
              [{'event': contents[4]}]]}
    s = Scenario(certs, 'server', sc, ['-n', str(len(evs))] + FAST, tmp)
    check_common('main', s, [compact(e) for e in evs], 2)
    rec = s.record

    def pongs():
        # RFC 6455 5.4, 5.5.2: a ping between the fragments of a message
        # is answered at once, with its payload. Each ping here waits for
        # its pong, so every one is answered, in order.
        eq(rec['connections'][0]['pongs'], ['p%d' % i for i in range(len(cuts))] + ['hello'],
           'pongs' + s.ctx())

    def heartbeats():
        c = rec['connections'][0]
        eq(c['heartbeats'] >= 3, True, 'heartbeats on conn 0: %d' % c['heartbeats'])

    def close_codes():
        got = [c['close']['code'] for c in rec['connections']]
        eq(got, [1000, 1000], 'close codes from the client' + s.ctx())

    def events_sent():
        eq([c['events_sent'] for c in rec['connections']], [4, 1], 'events sent')

    for name, fn in (('pongs', pongs), ('heartbeats', heartbeats),
                     ('close_codes', close_codes), ('events_sent', events_sent)):
        check('main_' + name, fn)


def scenario_rsa(certs, tmp):
    """RSA certificate, client_credentials grant, one connection closed by zoomws."""
    evs = [event('meeting.created', 10), event('meeting.deleted', 11)]
    sc = {'client_id': 'general-app', 'client_secret': 's3cr3t/with+chars=', 'account_id': None,
          'subscription_id': 'SUB-rsa', 'expires_in': 3600,
          'connections': [[{'event': json.dumps(evs[0], ensure_ascii=False)},
                           {'wait_heartbeats': 1},
                           {'event': json.dumps(evs[1], ensure_ascii=False)}]]}
    s = Scenario(certs, 'server_rsa', sc, ['-n', '2'] + FAST, tmp)
    check_common('rsa', s, [compact(e) for e in evs], 1)

    def grant():
        eq([r['body'] for r in s.record['token_requests']], ['grant_type=client_credentials'],
           'token request body')

    def close_code():
        eq(s.record['connections'][0]['close']['code'], 1000, 'close code' + s.ctx())
    check('rsa_grant', grant)
    check('rsa_close_code', close_code)


def main():
    if not os.access(ZOOMWS, os.X_OK):
        report('setup', '%s is not an executable' % ZOOMWS)
        return 1
    why = install_ws()
    report('npm_ws', why)
    if why:
        return 1
    d = os.path.join(ROOT, 'build', 'it-certs')
    os.makedirs(d, exist_ok=True)
    certs = Certs(d)
    for fn in (scenario_main, scenario_rsa):
        tmp = tempfile.mkdtemp(prefix='it-interop-')
        try:
            fn(certs, tmp)
        except Exception as e:  # noqa: BLE001 - a scenario that could not run
            report(fn.__name__, '%s: %s' % (type(e).__name__, e))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
