#!/usr/bin/env python3
"""Integration: zoomws end to end against the simulator.

Each test asserts exact stdout, the exit code and what the simulator
recorded of the client.
"""
import base64
import json
import signal
import time
import urllib.parse

from itlib import (FAST, Run, event, expect, expect_eq, line, main, sim,
                   test)


@test
def happy_path():
    evs = [event('meeting.started', 1), event('meeting.participant_joined', 2),
           event('user.created', 3)]
    with sim() as s:
        s.ws_scripts = [[('event', e) for e in evs]]
        r = Run(['-n', '3'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(e) for e in evs], 'stdout')
        expect_eq(len(s.token_requests), 1, 'token requests')
        t = s.token_requests[0]
        expect_eq(t['method'], 'POST', 'token method')
        expect_eq(t['query'], '', 'token query string')
        expect_eq(t['headers'].get('content-type'),
                  'application/x-www-form-urlencoded', 'content type')
        expect_eq(t['form'], {'grant_type': 'account_credentials',
                              'account_id': s.account_id}, 'token form')
        want = 'Basic ' + base64.b64encode(
            ('%s:%s' % (s.client_id, s.client_secret)).encode()).decode()
        expect_eq(t['headers'].get('authorization'), want, 'Authorization')
        c = s.connections[0]
        expect_eq(c.query.get('subscriptionId'), s.subscription_id, 'subscriptionId')
        expect(c.query.get('access_token', '').startswith('tok-'), 'access_token %r',
               c.query.get('access_token'))
        expect_eq(s.violations, [], 'protocol violations seen by the server')
        expect_eq(c.close_code, 1000, 'close code sent at -n')


@test
def client_credentials_grant_without_account_id():
    with sim() as s:
        s.account_id = None
        s.ws_scripts = [[('event', event('meeting.ended'))]]
        r = Run(['-n', '1'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(s.token_requests[0]['form'], {'grant_type': 'client_credentials'},
                  'token form')


@test
def token_percent_encoded_in_query():
    with sim() as s:
        s.token_value = 'a+b/c=d&e f'
        s.ws_scripts = [[('event', event('meeting.started'))]]
        r = Run(['-n', '1'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        raw = s.connections[0].path
        expect('access_token=a%2Bb%2Fc%3Dd%26e%20f' in raw, 'raw target %r', raw)
        expect_eq(s.connections[0].query['access_token'], 'a+b/c=d&e f', 'decoded')


@test
def content_pretty_unicode_surrogates_quotes():
    pretty = ('{\n  "event" : "meeting.started",\n  "event_ts": 1706123456789,\n'
              '  "payload": {\n    "object": {\n      "topic": "Caf\\u00e9 \\"quoted\\" '
              '\\ud83d\\ude00 \\\\ back",\n      "tags": [ 1, 2.5e3, true, null ],\n'
              '      "note": "keep  inner   spaces\\n"\n    }\n  }\n}\n')
    want = ('{"event":"meeting.started","event_ts":1706123456789,"payload":{"object":'
            '{"topic":"Caf\\u00e9 \\"quoted\\" \\ud83d\\ude00 \\\\ back","tags":[1,2.5e3,'
            'true,null],"note":"keep  inner   spaces\\n"}}}')
    with sim() as s:
        s.ws_scripts = [[('event', pretty)]]
        r = Run(['-n', '1'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [want], 'stdout')
        json.loads(r.lines()[0])


@test
def content_with_raw_utf8():
    ev = event('meeting.started', topic='Café ☕ standup 😀')
    with sim() as s:
        s.ws_scripts = [[('event', ev)]]
        r = Run(['-n', '1'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(ev)], 'stdout')


@test
def content_as_object():
    env = ('{"module":"message","content": {"event": "user.created",\n'
           ' "payload": {"object": {"id": "u1"}}},"header":{}}')
    with sim() as s:
        s.ws_scripts = [[('text', env)]]
        r = Run(['-n', '1'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), ['{"event":"user.created","payload":{"object":{"id":"u1"}}}'],
                  'stdout')


@test
def malformed_content_logged_and_skipped():
    good = event('meeting.started')
    with sim() as s:
        s.ws_scripts = [[('event', '{"event": "broken", '), ('text', 'not json at all'),
                         ('text', '{"module":"message","content":42,"header":{}}'),
                         ('event', good)]]
        r = Run(['-n', '1'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(good)], 'stdout')
        expect(r.stderr.count('not valid JSON') + r.stderr.count('not JSON') +
               r.stderr.count('not a JSON object') >= 3,
               'three malformed messages logged:\n%s', r.stderr)


@test
def bad_content_strings_logged_and_skipped():
    # The content string is checked once, as the event is decoded; in
    # messages that are not events, with the whole message.
    good = [event('meeting.started', 1), event('meeting.ended', 2)]
    with sim() as s:
        s.ws_scripts = [[('text', '{"module":"message","content":"{\\"a\\":\\q}",'
                                  '"header":{}}'),
                         ('text', '{"module":"heartbeat","success":true,'
                                  '"content":"bad \\x escape"}'),
                         ('text', '{"module":"surprise","content":"tab\there"}'),
                         ('event', good[0]), ('event', good[1]), ('hold',)]]
        r = Run(FAST, s=s)
        rc, ln = r.counters(2)
        expect_eq(rc, 0, 'exit code')
        expect_eq(r.lines(), [line(e) for e in good], 'stdout')
        expect_eq(r.stderr.count('event content is not valid JSON (bad escape'), 1,
                  'bad event logged once:\n' + r.stderr)
        expect_eq(r.stderr.count('message that is not JSON'), 2,
                  'heartbeat and unknown module logged:\n' + r.stderr)
        for word in ('events in 3', 'out 2', 'malformed 3'):
            expect(word in ln, '%r missing from %r', word, ln)
        expect_eq(s.connections[0].close_code, 1000, 'close code')


@test
def raw_mode_bad_content_string_not_printed():
    ev = event('meeting.started')
    with sim() as s:
        s.ws_scripts = [[('text', '{"module":"message","content":"{\\"a\\":1\\u12}"}'),
                         ('event', ev)]]
        r = Run(['-n', '1', '--raw'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        got = r.lines()
        expect_eq(len(got), 2, 'lines (build_connection, the good event)')
        expect_eq(json.loads(got[1])['content'], json.dumps(ev), 'the good event')
        expect('message that is not JSON (bad escape' in r.stderr,
               'bad message logged:\n%s', r.stderr)


@test
def fragmented_with_pings_between():
    ev = event('recording.completed', 7, files=['f%d' % i for i in range(50)])
    msg = json.dumps({'module': 'message', 'content': json.dumps(ev), 'header': {}}).encode()
    a, b, c = msg[:10], msg[10:300], msg[300:]
    with sim() as s:
        s.ws_scripts = [[('frames', [(False, 1, a), (True, 9, b'p1'), (False, 0, b),
                                     (True, 9, b'p2'), (True, 0, c)])]]
        r = Run(['-n', '1'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(ev)], 'stdout')
        pongs = [f[5] for f in s.connections[0].frames if f[2] == 10]
        expect_eq(pongs, [b'p1', b'p2'], 'pong payloads')


@test
def ping_burst_answered_with_the_latest():
    import struct
    def ping(p):
        return b'\x89' + struct.pack('B', len(p)) + p
    ev = event('meeting.started')
    with sim() as s:
        s.ws_scripts = [[('raw', ping(b'a') + ping(b'b') + ping(b'c')), ('sleep', 0.3),
                         ('event', ev)]]
        r = Run(['-n', '1'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        pongs = [f[5] for f in s.connections[0].frames if f[2] == 10]
        expect(pongs and pongs[-1] == b'c', 'pongs %r: the last ping unanswered', pongs)


@test
def heartbeat_interval_and_masking():
    with sim() as s:
        s.ws_scripts = [[('wait_heartbeats', 6), ('event', event('meeting.ended'))]]
        r = Run(['-n', '1', '--heartbeat', '0.15'], s=s)
        expect_eq(r.wait(), 0, 'exit code')
        c = s.connections[0]
        hb = [f for f in c.frames if f[2] == 1]
        expect(len(hb) >= 6, 'heartbeats: %d', len(hb))
        for f in hb:
            expect_eq(f[5], b'{"module":"heartbeat"}', 'heartbeat text')
            expect(f[3], 'heartbeat frame not masked')
        expect(all(f[3] for f in c.frames), 'every client frame masked')
        expect(len(set(f[4] for f in hb)) > 1, 'mask keys never change')
        gaps = [b - a for a, b in zip(c.heartbeats, c.heartbeats[1:])]
        # Loose bounds: a functional check of the timer, not a benchmark.
        expect(min(gaps) > 0.1, 'heartbeats too close: %r', gaps)
        expect(sorted(gaps)[len(gaps) // 2] < 0.6, 'heartbeats too far apart: %r', gaps)
        expect_eq(s.violations, [], 'violations')


def _reconnect(action):
    e1, e2 = event('meeting.started', 1), event('meeting.ended', 2)
    with sim() as s:
        s.ws_scripts = [[('event', e1), action], [('event', e2)]]
        r = Run(['-n', '2'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(e1), line(e2)], 'stdout')
        expect_eq(len(s.connections), 2, 'connections')
        expect_eq(len(s.token_requests), 1, 'token fetched once')
        expect_eq(s.connections[0].query['access_token'],
                  s.connections[1].query['access_token'], 'token reused')
        return r, s


@test
def reconnect_after_close():
    r, s = _reconnect(('close', 1001, 'going away'))
    expect_eq(s.connections[0].close_code, 1001, 'close echoed')
    expect('1001' in r.stderr, 'close code logged')


@test
def reconnect_after_abrupt_drop():
    _reconnect(('drop',))


@test
def token_refetched_near_expiry():
    e1, e2 = event('meeting.started', 1), event('meeting.ended', 2)
    with sim() as s:
        s.expires_in = 2
        s.ws_scripts = [[('event', e1), ('sleep', 2.2), ('close', 1000, '')],
                        [('event', e2)]]
        r = Run(['-n', '2'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(e1), line(e2)], 'stdout')
        expect_eq(len(s.token_requests), 2, 'token requests')
        expect(s.connections[0].query['access_token'] !=
               s.connections[1].query['access_token'], 'new token used')


@test
def build_connection_refused_then_success():
    ev = event('meeting.started')
    with sim() as s:
        s.ws_scripts = [[('build', False, 'Invalid Token')], [('event', ev)]]
        r = Run(['-n', '1'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(ev)], 'stdout')
        expect_eq(len(s.token_requests), 2, 'token refetched after refusal')


@test
def refused_three_times_with_fresh_token_exits_77():
    with sim() as s:
        s.ws_scripts = [[('build', False, 'Invalid Token')]] * 5
        r = Run(FAST, s=s)
        expect_eq(r.wait(), 77, 'exit code')
        expect_eq(len(s.connections), 3, 'connections')
        expect_eq(r.lines(), [], 'stdout')


@test
def half_open_server_detected_by_idle_timeout():
    ev = event('meeting.started')
    with sim() as s:
        s.ws_scripts = [[('silent',)], [('event', ev)]]
        r = Run(['-n', '1', '--heartbeat', '0.1', '--idle-timeout', '0.5',
                 '--backoff-min', '0.01', '--backoff-max', '0.05'], s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(ev)], 'stdout')
        expect_eq(len(s.connections), 2, 'connections')
        expect('nothing received' in r.stderr, 'idle timeout logged:\n%s', r.stderr)


@test
def events_without_heartbeat_replies_keep_link():
    evs = [event('meeting.started', i) for i in range(8)]
    script = [('mute',)]
    for e in evs:
        script += [('event', e), ('sleep', 0.1)]
    with sim() as s:
        s.ws_scripts = [script]
        r = Run(['-n', '8', '--heartbeat', '0.1', '--idle-timeout', '0.35'], s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(e) for e in evs], 'stdout')
        expect_eq(len(s.connections), 1, 'no reconnect while events flow')


@test
def token_429_retry_after_honoured():
    ev = event('meeting.started')
    with sim() as s:
        s.token_faults = [{'status': 429, 'headers': {'Retry-After': '1'},
                           'body': '{"code":429,"message":"slow down"}'}]
        s.ws_scripts = [[('event', ev)]]
        r = Run(['-n', '1'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(ev)], 'stdout')
        expect_eq(len(s.token_requests), 2, 'token requests')
        dt = s.token_requests[1]['time'] - s.token_requests[0]['time']
        expect(dt >= 0.95, 'Retry-After: 1 not honoured: retried after %.3fs', dt)


@test
def token_500_retried():
    ev = event('meeting.started')
    with sim() as s:
        s.token_faults = [{'status': 500}, {'status': 503}]
        s.ws_scripts = [[('event', ev)]]
        r = Run(['-n', '1'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(ev)], 'stdout')
        expect_eq(len(s.token_requests), 3, 'token requests')


@test
def token_chunked_response():
    ev = event('meeting.started')
    with sim() as s:
        s.token_chunked = True
        s.ws_scripts = [[('event', ev)]]
        r = Run(['-n', '1'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(ev)], 'stdout')


@test
def rejected_credentials_exit_77():
    with sim() as s:
        r = Run(FAST, s=s, extra_env={'ZOOM_CLIENT_SECRET': 'wrong-secret'})
        expect_eq(r.wait(), 77, 'exit code')
        expect_eq(len(s.connections), 0, 'no WebSocket connection')
        expect('credentials' in r.stderr, 'stderr names credentials:\n%s', r.stderr)


@test
def missing_keys_exit_78_naming_them():
    with sim() as s:
        for key in ('ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET', 'ZOOM_SUBSCRIPTION_ID'):
            env = s.env()
            del env[key]
            if key == 'ZOOM_SUBSCRIPTION_ID':
                env['ZOOM_WS_URL'] = env['ZOOM_WS_URL'].split('?')[0]
            r = Run(FAST, env=env)
            expect_eq(r.wait(), 78, 'exit code without ' + key)
            expect(key in r.stderr, '%s not named:\n%s', key, r.stderr)
        expect_eq(len(s.token_requests), 0, 'nothing sent')


@test
def insecure_urls_refused_78():
    with sim() as s:
        for k, v in (('ZOOM_WS_URL', 'ws://127.0.0.1:1/ws?subscriptionId=x'),
                     ('ZOOM_OAUTH_URL', 'http://127.0.0.1:1/oauth/token')):
            r = Run(FAST, s=s, extra_env={k: v})
            expect_eq(r.wait(), 78, 'exit code for ' + v)
            expect(k in r.stderr, 'key not named:\n%s', r.stderr)


def _untrusted(cert, words):
    with sim(cert=cert) as s:
        r = Run(FAST + ['--max-retries', '2'], s=s)
        expect_eq(r.wait(), 69, 'exit code')
        expect_eq(s.token_requests, [], 'credentials sent to an unverified server')
        expect(any(w in r.stderr for w in words), 'cause not named:\n%s', r.stderr)


@test
def untrusted_ca_sends_no_credentials():
    _untrusted('untrusted', ('not trusted', 'unknown CA'))


@test
def wrong_host_name_sends_no_credentials():
    _untrusted('wrongname', ('does not match', 'name'))


@test
def expired_certificate_sends_no_credentials():
    _untrusted('expired', ('expired',))


@test
def sigterm_sends_close_1000_and_exits_0():
    evs = [event('meeting.started', i) for i in range(3)]
    with sim() as s:
        s.ws_scripts = [[('event', e) for e in evs] + [('hold',)]]
        r = Run(FAST, s=s)
        r.wait_lines(3)
        t0 = time.monotonic()
        r.signal(signal.SIGTERM)
        expect_eq(r.wait(), 0, 'exit code')
        expect(time.monotonic() - t0 < 2.0, 'took %.2fs to stop', time.monotonic() - t0)
        expect_eq(r.lines(), [line(e) for e in evs], 'stdout')
        s.wait(lambda: s.connections[0].close_code is not None, 2)
        expect_eq(s.connections[0].close_code, 1000, 'close code')


@test
def sigint_during_backoff_exits_0():
    with sim() as s:
        s.token_faults = [{'status': 500}] * 100
        r = Run(['--backoff-min', '5', '--backoff-max', '10'], s=s)
        s.wait(lambda: len(s.token_requests) >= 1, 5)
        time.sleep(0.2)
        r.signal(signal.SIGINT)
        expect_eq(r.wait(3), 0, 'exit code')


def _one_event(s, args=(), timeout=10, tcp=None, retries=False):
    """zoomws -n 1 against s, whose next WebSocket sends one event: the
    line written, exit 0, one WebSocket request; tcp: the TCP connections
    the simulator must have seen; retries: whether an attempt may fail."""
    ev = event('meeting.started', 1)
    s.ws_scripts = [[('event', ev)]]
    r = Run(['-n', '1'] + list(args) + FAST, s=s)
    expect_eq(r.wait(timeout), 0, 'exit code:\n' + r.stderr)
    expect_eq(r.lines(), [line(ev)], 'stdout')
    expect_eq(len(s.connections), 1, 'WebSocket requests')
    if tcp is not None:
        expect_eq(len(s.tls), tcp, 'TCP connections: %r' % s.tls)
    if not retries:
        expect('reconnecting' not in r.stderr, 'a retry:\n' + r.stderr)
    return r


@test
def websocket_handshake_overlaps_token_fetch():
    # The WebSocket endpoint's TLS handshake runs while the token request
    # is in flight: it completes before the token is even answered.
    with sim() as s:
        s.token_faults = [{'delay': 0.3}]
        _one_event(s, tcp=2)
        expect_eq(len(s.token_requests), 1, 'token requests')
        answered = s.token_requests[0].get('answered')
        expect(answered is not None, 'token not answered')
        early = [t for t in s.tls if t.get('done') and t['done'] < answered]
        expect_eq(len(early), 2, 'handshakes done before the token answer: %r' % s.tls)


@test
def early_websocket_failure_opens_a_fresh_one():
    # The early connection fails (an alert in its handshake): the session
    # opens another at once, without counting a failed attempt.
    with sim() as s:
        s.conn_faults = [None, 'tls_alert']
        _one_event(s)
        expect_eq(len(s.token_requests), 1, 'token requests')


@test
def early_websocket_failing_after_the_token_opens_a_fresh_one():
    # The same when the alert comes after the token: the early connection
    # looked sound when the session took it, and its handshake then
    # fails. Still a fresh connection at once, no retry.
    with sim() as s:
        s.conn_faults = [None, 'tls_alert_late']
        _one_event(s, tcp=2)
        expect_eq(len(s.token_requests), 1, 'token requests')


@test
def stale_early_websocket_is_replaced():
    # A token that takes longer than the early connection is kept for
    # (5 s): the session opens a fresh one rather than trust a connection
    # the server may have given up on (token, early, fresh).
    with sim() as s:
        s.token_faults = [{'delay': 5.3}]
        _one_event(s, ['--idle-timeout', '10'], timeout=15, tcp=3)


@test
def failing_token_endpoint_gets_no_early_websocket_each_time():
    # Once attempts fail, the token and the WebSocket are fetched one
    # after the other: a broken token endpoint does not bring a stray
    # WebSocket connection per attempt. TCP: the first attempt's early
    # WebSocket, four token connections, the fourth attempt's WebSocket.
    with sim() as s:
        s.token_faults = [{'status': 500}] * 3
        _one_event(s, ['--backoff-min', '0.01', '--backoff-max', '0.02'],
                   tcp=6, retries=True)
        expect_eq(len(s.token_requests), 4, 'token requests')


def _cpu_seconds(pid):
    """User and system CPU time of process pid so far."""
    import os
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


@test
def server_close_reconnects_without_lingering():
    # The server sends a close (1001) right after events and closes TCP
    # without waiting: zoomws sees the TCP close while it still has
    # lines to write, and reconnects at once; its own 1 s wait for the
    # server to close TCP is not spent when the server already has.
    evs = [event('meeting.started', i) for i in range(3)]
    with sim() as s:
        s.ws_scripts = [[('event', e) for e in evs] + [('close_now', 1001, 'going away')],
                        [('hold',)]]
        r = Run(FAST, s=s)
        expect(s.wait_connections(2, 5), 'no second connection')
        r.signal(signal.SIGTERM)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(e) for e in evs], 'stdout')
        gap = s.connections[1].opened - s.connections[0].ended
        expect(gap < 0.6, 'reconnected %.2f s after the server closed', gap)


@test
def slow_reader_loses_nothing_and_heartbeat_keeps_time():
    big = 'x' * 4000
    evs = [event('meeting.participant_joined', i, pad=big) for i in range(4000)]
    with sim() as s:
        s.ws_scripts = [[('event', e) for e in evs] + [('hold',)]]
        # A small --max-message makes the output buffer small (16 KiB +
        # slack): 16 MB of events fit neither in it, the pipe nor the
        # kernel's socket buffers, so zoomws must stop reading the socket
        # while stdout is stalled, and the server must stop sending.
        r = Run(['--heartbeat', '0.1', '--idle-timeout', '5',
                 '--max-message', '16384'], s=s, slow=True)
        time.sleep(0.5)
        cpu0 = _cpu_seconds(r.p.pid)
        time.sleep(1.0)
        # stalled, zoomws waits: it does not spin on the data it holds
        stalled_cpu = _cpu_seconds(r.p.pid) - cpu0
        c = s.connections[0]
        stalled_hb = len(c.heartbeats)
        stalled_sent = c.events_sent
        r.read_all()
        r.wait_lines(4000, timeout=60)
        r.signal(signal.SIGTERM)
        expect_eq(r.wait(), 0, 'exit code')
        expect(stalled_hb >= 8, 'only %d heartbeats while stdout was stalled', stalled_hb)
        expect(stalled_cpu < 0.5, '%.2f s of CPU in 1 s while stdout was stalled',
               stalled_cpu)
        expect(stalled_sent < 4000, 'no back-pressure: the server sent all %d events '
               'while stdout was stalled', stalled_sent)
        expect_eq(r.lines(), [line(e) for e in evs], 'stdout')


@test
def max_events_waits_for_a_slow_reader():
    evs = [event('meeting.started', i, pad='y' * 2000) for i in range(200)]
    with sim() as s:
        s.ws_scripts = [[('event', e) for e in evs] + [('hold',)]]
        r = Run(['-n', '200'] + FAST, s=s, slow=True)
        time.sleep(2.5)
        r.read_all()
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(e) for e in evs], 'stdout')


@test
def stdout_closed_exits_74():
    import os
    with sim() as s:
        s.ws_scripts = [[('event', event('meeting.started', i)) for i in range(5)] +
                        [('hold',)]]
        rfd, wfd = os.pipe()
        os.close(rfd)
        r = Run(FAST, s=s, stdout=wfd)
        os.close(wfd)
        expect_eq(r.wait(), 74, 'exit code')


@test
def event_filter_globs():
    evs = [event('meeting.started', 1), event('user.created', 2),
           event('meeting.participant_joined', 3), event('recording.completed', 4),
           event('meeting.ended', 5)]
    with sim() as s:
        s.ws_scripts = [[('event', e) for e in evs]]
        r = Run(['-n', '3', '-E', 'meeting.started', '-E', 'meeting.end*',
                 '--event', 'recording.complete?'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(evs[0]), line(evs[3]), line(evs[4])], 'stdout')


@test
def raw_mode_prints_every_message_compacted():
    ev = event('meeting.started')
    with sim() as s:
        s.ws_scripts = [[('event', ev)]]
        r = Run(['-n', '1', '--raw'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        got = r.lines()
        expect_eq(len(got), 2, 'lines')
        expect(got[0].startswith('{"module":"build_connection","success":true'),
               'first line %r', got[0])
        expect_eq(json.loads(got[1]), {'module': 'message', 'content': json.dumps(ev),
                                       'header': {}}, 'raw event envelope')


@test
def duration_exits_0():
    with sim() as s:
        r = Run(['-t', '0.5'] + FAST, s=s)
        expect_eq(r.wait(5), 0, 'exit code')
        expect_eq(s.connections[0].close_code, 1000, 'close code')


@test
def max_retries_exits_69():
    with sim() as s:
        s.token_faults = [{'status': 500}] * 10
        r = Run(['--max-retries', '3'] + FAST, s=s)
        expect_eq(r.wait(), 69, 'exit code')
        expect_eq(len(s.token_requests), 3, 'attempts')


@test
def oversized_message_closed_1009_and_reconnects():
    ev = event('meeting.started')
    with sim() as s:
        s.ws_scripts = [[('event', event('recording.completed', pad='y' * 5000))],
                        [('event', ev)]]
        r = Run(['-n', '1', '--max-message', '4096'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(ev)], 'stdout')
        expect_eq(s.connections[0].close_code, 1009, 'close code')


@test
def protocol_errors_close_with_right_codes():
    cases = [
        ([(True, 1, b'\xff\xfe')], 1007),                      # invalid UTF-8
        ([(True, 1, b'not JSON \xff')], 1007),                 # ... after a JSON error
        ([(False, 1, b'{"a":"\xc3'), (True, 0, b'\x28"}')], 1007),  # ... across fragments
        ([(True, 1, b'{"module":"message","content":"{\\"a\\":\\"\xff\\"}"}')],
         1007),                                                # ... in an event's content
        ([(True, 1, b'{"module":"heartbeat","success":true,"content":"\xc3("}')],
         1007),                                                # ... in a heartbeat's
        ([(True, 3, b'x')], 1002),                             # reserved opcode
        ([(True, 0, b'x')], 1002),                             # stray continuation
    ]
    for frames, code in cases:
        ev = event('meeting.started')
        with sim() as s:
            s.ws_scripts = [[('frames', frames)], [('event', ev)]]
            r = Run(['-n', '1'] + FAST, s=s)
            expect_eq(r.wait(), 0, 'exit code')
            expect_eq(r.lines(), [line(ev)], 'stdout')
            expect_eq(s.connections[0].close_code, code, 'close code for %r' % frames)


@test
def secrets_never_on_stderr():
    evs = [event('meeting.started', 1), event('meeting.ended', 2)]
    with sim() as s:
        s.client_secret = 'S3cr3t-Value-That-Must-Not-Leak'
        s.ws_scripts = [[('build', False, 'Invalid Token')],
                        [('event', evs[0]), ('drop',)], [('event', evs[1])]]
        r = Run(['-n', '2', '-v', '-v', '-v'] + FAST, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        err = r.stderr
        expect(s.client_secret not in err, 'secret on stderr')
        basic = base64.b64encode(('%s:%s' % (s.client_id, s.client_secret)).encode())
        expect(basic.decode() not in err, 'Basic credentials on stderr')
        for c in s.connections:
            tok = c.query.get('access_token')
            expect(tok and tok not in err, 'token %r on stderr', tok)
            expect(urllib.parse.quote(tok, safe='') not in err, 'encoded token on stderr')
        expect('access_token=REDACTED' in err or 'access_token' not in err,
               'URL not redacted')


@test
def env_file_and_precedence():
    import os
    import tempfile
    with sim() as s:
        env = s.env()
        d = tempfile.mkdtemp()
        path = os.path.join(d, 'zoom.env')
        with open(path, 'w') as f:
            f.write('# zoomws\nexport ZOOM_CLIENT_ID="%s"\nZOOM_CLIENT_SECRET=\'%s\'\n'
                    'ZOOM_ACCOUNT_ID=%s  # inline comment\nZOOM_SUBSCRIPTION_ID=wrong\n'
                    % (s.client_id, s.client_secret, s.account_id))
        os.chmod(path, 0o600)
        s.ws_scripts = [[('event', event('meeting.started'))]]
        run_env = {k: v for k, v in env.items()
                   if k not in ('ZOOM_CLIENT_ID', 'ZOOM_CLIENT_SECRET', 'ZOOM_ACCOUNT_ID')}
        run_env['ZOOM_SUBSCRIPTION_ID'] = s.subscription_id  # the real env wins
        r = Run(['-n', '1', '--env-file', path] + FAST, env=run_env, keep_env=True)
        expect_eq(r.wait(), 0, 'exit code:\n' + r.stderr)
        expect_eq(s.connections[0].query['subscriptionId'], s.subscription_id, 'sub id')
        r = Run(['--env-file', os.path.join(d, 'missing.env')] + FAST, env=run_env,
                keep_env=True)
        expect_eq(r.wait(), 78, 'missing --env-file')
        with open(path, 'a') as f:
            f.write('NOT A LINE\n')
        r = Run(['--env-file', path] + FAST, env=run_env, keep_env=True)
        expect_eq(r.wait(), 78, 'bad env file')
        expect('line 6' in r.stderr, 'line number not named:\n%s', r.stderr)


@test
def dot_env_in_working_directory():
    import os
    import tempfile
    with sim() as s:
        d = tempfile.mkdtemp()
        with open(os.path.join(d, '.env'), 'w') as f:
            for k, v in s.env().items():
                f.write('%s=%s\n' % (k, v))
        os.chmod(os.path.join(d, '.env'), 0o600)
        s.ws_scripts = [[('event', event('meeting.started'))]]
        r = Run(['-n', '1'] + FAST, env={'PATH': '/usr/bin:/bin'}, keep_env=True, cwd=d)
        expect_eq(r.wait(), 0, 'exit code:\n' + r.stderr)


@test
def secret_file():
    import os
    import tempfile
    with sim() as s:
        d = tempfile.mkdtemp()
        p = os.path.join(d, 'secret')
        with open(p, 'w') as f:
            f.write(s.client_secret + '\n')
        env = s.env()
        del env['ZOOM_CLIENT_SECRET']
        env['ZOOM_CLIENT_SECRET_FILE'] = p
        s.ws_scripts = [[('event', event('meeting.started'))]]
        r = Run(['-n', '1'] + FAST, env=env)
        expect_eq(r.wait(), 0, 'exit code:\n' + r.stderr)


@test
def usage_errors_exit_64():
    for args in (['--bogus'], ['-n', 'x'], ['--heartbeat', '-1'], ['extra'],
                 ['--max-message', '12']):
        r = Run(args, env={})
        expect_eq(r.wait(), 64, 'exit code for %r' % args)
    r = Run(['--help'], env={})
    expect_eq(r.wait(), 0, '--help')
    expect('--max-events' in r.raw.decode(), 'help text')
    r = Run(['--version'], env={})
    expect_eq(r.wait(), 0, '--version')


@test
def seconds_options_take_plain_decimals():
    # Accepted values get as far as the missing env file (78); refused
    # ones stop at the command line (64).
    good = ['5', '0.2', '.5', '1.', '0.001', '0.0015', '000012.5000',
            '31536000', '31536000.000']
    bad = ['', '.', '0', '0.0', '0.0009', '0.00051', '-1', '+5', ' 5', '5 ', '1e3',
           '0x10', 'inf', 'nan', '1,5', '31536000.0001', '31536001',
           '99999999999999999999999999']
    small = ['0', '0.0', '0.0009', '0.00051']
    large = ['31536000.0001', '31536001', '99999999999999999999999999']
    for opt in ('-t', '--heartbeat', '--idle-timeout', '--backoff-min'):
        for v in good + bad:
            args = ['--env-file', '/nonexistent/zoomws.env', opt, v]
            if opt == '--backoff-min':
                args += ['--backoff-max', '31536000']
            if opt == '--idle-timeout':
                # it must be longer than the heartbeat
                args += ['--heartbeat', '0.001']
                if v == '0.001':
                    continue
            r = Run(args, env={})
            rc = r.wait()
            expect_eq(rc, 78 if v in good else 64, 'exit code for %s %r:\n%s'
                      % (opt, v, r.stderr))
            if v in bad:
                # the message says what is wrong: a syntax, or a range
                want = ('too small' if v in small else 'too large' if v in large
                        else 'not a number of seconds')
                expect(want in r.stderr and v in r.stderr and
                       r.stderr.startswith('zoomws: %s: ' % (
                           '--duration' if opt == '-t' else opt)),
                       'message for %s %r: %r', opt, v, r.stderr)


if __name__ == '__main__':
    main()
