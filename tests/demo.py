#!/usr/bin/env python3
"""demo: what `make demo` runs.

Starts the Zoom simulator (tests/zoomsim.py) on 127.0.0.1 with a throwaway
CA, scripts six realistic events on the subscription, runs zoomws against
it with `--max-events 6`, and shows both of zoomws's streams as they flow:
its log (stderr) and its NDJSON (stdout). Then it checks that every event
arrived once, in order, as compact JSON equal to what was sent.

ZOOMWS names the binary (default ./zoomws). Exit status: zoomws's, or 1
when the output was not what was sent.
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
sys.path.insert(0, HERE)

from certs import Certs          # noqa: E402
from zoomsim import Sim          # noqa: E402

ACCOUNT = 'AcCt_123'
TTY = sys.stdout.isatty()


def paint(code, text):
    return '\033[%sm%s\033[0m' % (code, text) if TTY else text


def events():
    """Six events in the shapes Zoom sends (ZOOM-PROTOCOL.md, Events)."""
    now = int(time.time() * 1000)
    meeting = {'id': 85746065723, 'uuid': 'iGHjQ0n9QcmBbyCp3YbUeA==',
               'host_id': 'z8yBXksHQ3q2mJ1y5aTbXw', 'topic': 'Café ☕ standup',
               'type': 2, 'start_time': '2026-11-29T09:00:00Z',
               'timezone': 'Europe/Paris', 'duration': 15}

    def ev(name, i, obj, **extra):
        payload = {'account_id': ACCOUNT, 'object': obj}
        payload.update(extra)
        return {'event': name, 'event_ts': now + i * 1000, 'payload': payload}
    files = [{'id': 'a1b2c3d4-%s' % tag.lower(), 'meeting_id': meeting['uuid'],
              'recording_start': '2026-11-29T09:00:05Z',
              'recording_end': '2026-11-29T09:14:52Z', 'file_type': ft,
              'file_extension': ext, 'file_size': size, 'recording_type': rt,
              'play_url': 'https://zoom.us/rec/play/%s' % tag,
              'download_url': 'https://zoom.us/rec/download/%s' % tag, 'status': 'completed'}
             for ft, ext, size, rt, tag in (
                 ('MP4', 'MP4', 48211735, 'shared_screen_with_speaker_view', 'Xv9Qz1'),
                 ('M4A', 'M4A', 7102044, 'audio_only', 'Kp3Lr8'),
                 ('TRANSCRIPT', 'VTT', 18422, 'audio_transcript', 'Tt0Wm5'))]
    recording = dict(meeting, total_size=sum(f['file_size'] for f in files),
                     recording_count=len(files), share_url='https://zoom.us/rec/share/Qw7Yh',
                     recording_files=files)
    return [
        ev('meeting.started', 0, meeting),
        ev('meeting.participant_joined', 1, dict(
            meeting, participant={'user_id': '16778240', 'user_name': 'Zoë Nakamura',
                                  'id': 'Hk2Xk1dGTAeXq8mD7Qw0Yw', 'email': 'zoe@example.com',
                                  'join_time': '2026-11-29T09:01:10Z'})),
        ev('meeting.sharing_started', 2, dict(
            meeting, participant={'user_id': '16778240', 'user_name': 'Zoë Nakamura',
                                  'sharing_details': {'content': 'application',
                                                      'date_time': '2026-11-29T09:03:00Z'}})),
        ev('meeting.ended', 3, dict(meeting, end_time='2026-11-29T09:15:00Z')),
        ev('recording.completed', 4, recording,
           download_token='eyJhbGciOiJIUzI1NiJ9.ZGVtbw.c2lnbmF0dXJl'),
        ev('user.created', 5, {'id': 'KdYKjnimT4KPd8FFgQt9FQ', 'first_name': 'Jürgen',
                               'last_name': 'Ødegaard', 'email': 'jurgen@example.com',
                               'type': 1}, creation_type='create'),
    ]


def pump(stream, label, colour, sink):
    for raw in iter(stream.readline, b''):
        text = raw.decode('utf-8', 'replace').rstrip('\n')
        sink.append(raw)
        print(paint(colour, '%-14s' % label) + '| ' + text, flush=True)


def main():
    zoomws = os.environ.get('ZOOMWS', os.path.join(ROOT, 'zoomws'))
    if not os.access(zoomws, os.X_OK):
        print('demo: %s is missing; run `make` first' % zoomws)
        return 1
    evs = events()
    # One event travels pretty-printed inside `content`, as some senders do:
    # zoomws prints it compacted like the others.
    contents = [json.dumps(e, ensure_ascii=False) for e in evs]
    contents[4] = json.dumps(evs[4], ensure_ascii=False, indent=2)
    want = [json.dumps(e, ensure_ascii=False, separators=(',', ':')) for e in evs]

    tmp = tempfile.mkdtemp(prefix='zoomws-demo-')
    try:
        certs = Certs(tmp)
        sim = Sim(certs)
        sim.account_id = ACCOUNT
        script = []
        for i, c in enumerate(contents):
            script += [('sleep', 0.4), ('event', c)]
            if i == 2:
                script.append(('wait_heartbeats', 1))   # show a heartbeat round trip
        sim.ws_scripts = [script]
        sim.start()
        env = {'PATH': os.environ.get('PATH', '/usr/bin:/bin')}
        env.update(sim.env())
        args = [zoomws, '--max-events', str(len(evs)), '--heartbeat', '1', '-v']

        print(paint('1', 'zoomws demo') + ': a simulated Zoom on 127.0.0.1:%d, a throwaway CA in %s'
              % (sim.port, tmp))
        print('  token endpoint  %s' % sim.oauth_url)
        print('  event endpoint  %s' % sim.ws_url)
        print('  environment     %s' % ' '.join(
            '%s=%s' % (k, 'REDACTED' if 'SECRET' in k else v) for k, v in sorted(sim.env().items())))
        print('  command         %s' % ' '.join([os.path.relpath(zoomws, ROOT)] + args[1:]))
        print('  the simulator sends %d events (one pretty-printed, non-ASCII text in several)'
              % len(evs))
        print()
        out, err = [], []
        t0 = time.monotonic()
        p = subprocess.Popen(args, env=env, cwd=tmp, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        threads = [threading.Thread(target=pump, args=(p.stderr, 'log (stderr)', '2', err)),
                   threading.Thread(target=pump, args=(p.stdout, 'event (stdout)', '1;32', out))]
        for t in threads:
            t.start()
        try:
            rc = p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = p.wait()
            print('demo: zoomws did not finish within 30 s')
        for t in threads:
            t.join(5)
        took = time.monotonic() - t0
        sim.wait(lambda: sim.connections and sim.connections[-1].ended is not None, 3)
        sim.stop()

        got = [ln.decode('utf-8', 'replace').rstrip('\n') for ln in out]
        conn = sim.connections[0] if sim.connections else None
        print()
        print('zoomws exited %d after %.1f s' % (rc, took))
        same = got == want
        print('stdout: %d lines, %s' % (len(got), 'each one event, in order, compact JSON equal '
                                        'to what was sent' if same else 'NOT what was sent'))
        if conn is not None:
            print('simulator saw: %d token request(s), %d WebSocket connection(s), %d heartbeat(s), '
                  'close code %s, %d protocol violation(s)'
                  % (len(sim.token_requests), len(sim.connections), len(conn.heartbeats),
                     conn.close_code, len(sim.violations)))
        for v in sim.violations:
            print('  violation: ' + v)
        print()
        print('No Zoom account and no network were used: both endpoints were this simulator on '
              '127.0.0.1, trusted through a CA made for this run and deleted now.')
        if rc != 0:
            return rc
        return 0 if same and not sim.violations else 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
