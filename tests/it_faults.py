#!/usr/bin/env python3
"""Integration: the fault matrix (tests/FAULTS.md). Each fault hits the
first connection or token request; zoomws must survive it as the matrix
says, and then deliver the event of a healthy connection exactly once."""
import signal
import socket
import struct
import time

from itlib import Run, event, expect, expect_eq, line, main, sim, test

# Fast timers; the I/O timeout (connect, handshake, upgrade, token) is
# the idle timeout, so a stalled peer costs 0.5 s.
QUICK = ['--heartbeat', '0.2', '--idle-timeout', '0.5', '--backoff-min', '0.02',
         '--backoff-max', '0.1']
EV = event('meeting.started', 42)


def recovers(first_script=None, conn_faults=None, token_faults=None, close_code=None,
             cert='server', args=()):
    """The fault, then a healthy connection: exactly one event out."""
    with sim(cert=cert) as s:
        if conn_faults:
            s.conn_faults = list(conn_faults)
        if token_faults:
            s.token_faults = list(token_faults)
        s.ws_scripts = ([first_script] if first_script is not None else []) + \
            [[('event', EV)]]
        r = Run(['-n', '1'] + QUICK + list(args), s=s)
        expect_eq(r.wait(30), 0, 'exit code:\n' + r.stderr[-2000:])
        expect_eq(r.lines(), [line(EV)], 'stdout')
        if close_code is not None:
            expect_eq(s.connections[0].close_code, close_code, 'close code sent')
        return r, s


# ---- network and TLS ------------------------------------------------------

@test
def peer_accepts_tcp_never_speaks():
    recovers(conn_faults=['tcp_silent'])


@test
def tls_handshake_stalls():
    recovers(conn_faults=['tls_hang'])


@test
def tls_alert():
    r, _ = recovers(conn_faults=['tls_alert'])
    expect('alert' in r.stderr, 'alert not named:\n%s', r.stderr)


@test
def name_does_not_resolve():
    with sim() as s:
        r = Run(['--max-retries', '2'] + QUICK, s=s,
                extra_env={'ZOOM_OAUTH_URL': 'https://no-such-host.invalid/oauth/token'})
        expect_eq(r.wait(), 69, 'exit code')
        expect('no-such-host.invalid' in r.stderr, 'host not named:\n%s', r.stderr)


@test
def connection_refused():
    with sim() as s:
        port = s.port
    env = {'ZOOM_CLIENT_ID': 'x', 'ZOOM_CLIENT_SECRET': 'y', 'ZOOM_SUBSCRIPTION_ID': 's',
           'ZOOM_WS_URL': 'wss://127.0.0.1:%d/ws' % port,
           'ZOOM_OAUTH_URL': 'https://127.0.0.1:%d/oauth/token' % port}
    r = Run(['--max-retries', '3'] + QUICK, env=env)
    expect_eq(r.wait(), 69, 'exit code')
    expect('refused' in r.stderr and '127.0.0.1' in r.stderr, 'cause:\n%s', r.stderr)


@test
def websocket_endpoint_drops_syns():
    # A WebSocket endpoint that never answers a SYN (a full accept queue
    # drops them): the early connect made during the token fetch gives up
    # after its own 2 s, so the token is not held for the I/O timeout;
    # the session then waits the I/O timeout (6 s) once and says so.
    hole = socket.socket()
    hole.bind(('127.0.0.1', 0))
    hole.listen(0)
    filler = socket.create_connection(hole.getsockname())  # fills the queue
    try:
        with sim() as s:
            url = 'wss://127.0.0.1:%d/ws?subscriptionId=%s' % (
                hole.getsockname()[1], s.subscription_id)
            r = Run(['--max-retries', '1', '--heartbeat', '2', '--idle-timeout', '6'], s=s,
                    extra_env={'ZOOM_WS_URL': url})
            expect_eq(r.wait(30), 69, 'exit code:\n' + r.stderr)
            expect_eq(len(s.token_requests), 1, 'token requests')
            waited = s.token_requests[0]['time'] - r.t0
            expect(waited < 4.5, 'token request %.1f s after start:\n%s',
                   waited, r.stderr)
            warns = [l for l in r.stderr.splitlines()
                     if ' warn ' in l and 'WebSocket endpoint' in l]
            expect_eq(len(warns), 1, 'WebSocket endpoint warnings:\n' + r.stderr)
    finally:
        filler.close()
        hole.close()


# ---- the upgrade -----------------------------------------------------------

@test
def upgrade_answered_with_errors():
    for status in (301, 401, 403, 404, 500):
        recovers([('upgrade', {'status': status})])


@test
def upgrade_wrong_accept():
    r, _ = recovers([('upgrade', {'bad_accept': True})])
    expect('Sec-WebSocket-Accept' in r.stderr, 'cause:\n%s', r.stderr)


@test
def upgrade_missing_upgrade_header():
    recovers([('upgrade', {'no_upgrade_header': True})])


@test
def upgrade_never_answered():
    recovers([('upgrade', {'hang': True})])


# ---- frames ------------------------------------------------------------------

@test
def close_in_the_middle_of_a_frame():
    recovers([('raw', b'\x81\x7e\x01\x00{"module":'), ('close', 1000, '')])


@test
def rst_in_the_middle_of_a_frame():
    recovers([('raw', b'\x81\x05He'), ('drop',)])


@test
def masked_server_frame():
    recovers([('raw', b'\x81\x85\x01\x02\x03\x04' + bytes(b ^ m for b, m in
              zip(b'hello', b'\x01\x02\x03\x04\x01')))], close_code=1002)


@test
def reserved_opcode_and_rsv_bits():
    recovers([('frames', [(True, 3, b'x')])], close_code=1002)
    recovers([('frames', [(True, 1, b'{}', 4)])], close_code=1002)


@test
def control_frame_too_long_or_fragmented():
    recovers([('raw', b'\x89\x7e\x00\x7e' + b'p' * 126)], close_code=1002)
    recovers([('raw', b'\x09\x01p')], close_code=1002)


@test
def invalid_close_code():
    recovers([('raw', b'\x88\x02' + struct.pack('>H', 1005))], close_code=1002)
    recovers([('raw', b'\x88\x01\x03')], close_code=1002)


@test
def length_with_top_bit_set():
    recovers([('raw', b'\x81\x7f' + struct.pack('>Q', 1 << 63))], close_code=1002)


@test
def invalid_utf8_text():
    recovers([('frames', [(True, 1, b'{"a":"\xc3\x28"}')])], close_code=1007)


@test
def oversized_message_and_frame_length():
    recovers([('raw', b'\x81\x7f' + struct.pack('>Q', 1 << 40))], close_code=1009)


@test
def deep_nesting_is_malformed_not_fatal():
    deep = '[' * 1000 + ']' * 1000
    with sim() as s:
        s.ws_scripts = [[('text', '{"module":"message","content":%s,"header":{}}' % deep),
                         ('event', EV)]]
        r = Run(['-n', '1'] + QUICK, s=s)
        expect_eq(r.wait(), 0, 'exit code')
        expect_eq(r.lines(), [line(EV)], 'stdout')
        expect('nested deeper than 64 levels' in r.stderr, 'cause:\n%s', r.stderr)


# ---- token endpoint --------------------------------------------------------

@test
def token_broken_json():
    recovers(token_faults=[{'body': 'not json'}])


@test
def token_without_access_token():
    r, _ = recovers(token_faults=[{'body': '{"token_type":"bearer","expires_in":3599}'}])
    expect('access_token' in r.stderr, 'cause:\n%s', r.stderr)


@test
def token_body_never_ends():
    recovers(token_faults=[{'endless': True}])


@test
def token_body_dripped():
    # one byte a second: the I/O timeout cuts it, the retry succeeds
    recovers(token_faults=[{'drip': 1.0}])


@test
def token_never_answered_and_closed():
    recovers(token_faults=[{'hang': True}, {'close': True}])


# ---- signals ---------------------------------------------------------------

def _term_while(s, args, settle):
    r = Run(list(args), s=s)
    time.sleep(settle)
    t0 = time.monotonic()
    r.signal(signal.SIGTERM)
    rc = r.wait(5)
    expect_eq(rc, 0, 'exit code')
    expect(time.monotonic() - t0 < 2, 'took %.2fs', time.monotonic() - t0)


@test
def sigterm_during_connect_handshake_and_backoff():
    with sim() as s:
        s.conn_faults = ['tcp_silent'] * 5
        _term_while(s, ['--heartbeat', '5', '--idle-timeout', '20'], 0.5)  # TLS handshake stalled
    with sim() as s:
        s.ws_scripts = [[('upgrade', {'hang': True})]] * 5
        _term_while(s, ['--heartbeat', '5', '--idle-timeout', '20'], 0.5)  # upgrade unanswered
    with sim() as s:
        s.token_faults = [{'status': 500}] * 50
        _term_while(s, ['--backoff-min', '10', '--backoff-max', '20'], 0.5)  # backoff


if __name__ == '__main__':
    main()
