"""The benchmark's workload: a throwaway PKI and Zoom-shaped events.

certs(dir)  makes root CA -> intermediate -> server (RSA 2048, the server
            certificate for IP 127.0.0.1 and localhost) with the openssl
            command, unless they are there already; returns the paths.
events(dir) writes small.ndjson (about 600 bytes a frame) and
            large.ndjson (about 8 KB a frame): each line one event object
            as Zoom sends it inside `content` (compact JSON, some `\\u00e9`
            and `\\n` escapes, raw UTF-8 elsewhere); returns
            {name: (path, [lines])}.
The firehose sends line i % len(lines) as event i, so the output a
client must write for event i is exactly lines[i % len(lines)].
"""
import json
import os
import subprocess

SMALL_VARIANTS = 256
LARGE_VARIANTS = 64


def _run(args, cwd):
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def certs(d):
    os.makedirs(d, exist_ok=True)
    paths = {k: os.path.join(d, k) for k in
             ('ca.pem', 'chain.pem', 'server.key')}
    if all(os.path.exists(p) for p in paths.values()):
        return paths
    with open(os.path.join(d, 'ca.ext'), 'w') as f:
        f.write('basicConstraints=critical,CA:TRUE\n'
                'keyUsage=critical,keyCertSign,cRLSign\n')
    with open(os.path.join(d, 'server.ext'), 'w') as f:
        f.write('basicConstraints=CA:FALSE\n'
                'keyUsage=critical,digitalSignature,keyEncipherment\n'
                'extendedKeyUsage=serverAuth\n'
                'subjectAltName=IP:127.0.0.1,DNS:localhost\n')
    _run(['openssl', 'req', '-x509', '-newkey', 'rsa:2048', '-nodes',
          '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-sha256',
          '-subj', '/O=zoomws bench/CN=bench root CA',
          '-addext', 'basicConstraints=critical,CA:TRUE',
          '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], d)
    _run(['openssl', 'req', '-newkey', 'rsa:2048', '-nodes',
          '-keyout', 'int.key', '-out', 'int.csr',
          '-subj', '/O=zoomws bench/CN=bench intermediate CA'], d)
    _run(['openssl', 'x509', '-req', '-in', 'int.csr', '-CA', 'ca.pem',
          '-CAkey', 'ca.key', '-set_serial', '2', '-days', '30', '-sha256',
          '-extfile', 'ca.ext', '-out', 'int.pem'], d)
    _run(['openssl', 'req', '-newkey', 'rsa:2048', '-nodes',
          '-keyout', 'server.key', '-out', 'server.csr',
          '-subj', '/O=zoomws bench/CN=127.0.0.1'], d)
    _run(['openssl', 'x509', '-req', '-in', 'server.csr', '-CA', 'int.pem',
          '-CAkey', 'int.key', '-set_serial', '3', '-days', '30', '-sha256',
          '-extfile', 'server.ext', '-out', 'server.pem'], d)
    with open(paths['chain.pem'], 'w') as out:
        for name in ('server.pem', 'int.pem'):
            with open(os.path.join(d, name)) as f:
                out.write(f.read())
    return paths


def _compact(obj):
    text = json.dumps(obj, separators=(',', ':'), ensure_ascii=False)
    # Zoom's encoder leaves most non-ASCII raw; some clients and proxies
    # see \u escapes too: the 'é's are escaped, the rest stays UTF-8.
    return text.replace('\u00e9', '\\u00e9')


def small_event(i):
    """meeting.participant_joined, about 600 bytes once in the envelope."""
    return _compact({
        'event': 'meeting.participant_joined',
        'event_ts': 1706123456789 + i,
        'payload': {
            'account_id': 'AcCt0aBcDeFgHiJkLmNo12',
            'object': {
                'uuid': 'kR4%05dQxWm+vZ9nB3yLpA==' % i,
                'id': str(85612345678 + i),
                'host_id': 'z8yBXKs9RPe5tFqSO7U3hw',
                'topic': 'Réunion hebdo — équipe "Produit"\nordre du jour #%d' % i,
                'type': 2,
                'start_time': '2026-11-28T10:00:00Z',
                'duration': 60,
                'participant': {
                    'user_id': str(16778240 + i),
                    'user_name': 'Zoë Müller-Šimić',
                    'id': 'iFxeBPYun6SAiWUzBcEkX%d' % (i % 10),
                    'join_time': '2026-11-28T10:%02d:%02dZ' % (i // 60 % 60, i % 60),
                    'email': 'zoe.muller+%d@example.com' % i,
                },
            },
        },
    })


def large_event(i):
    """recording.completed with a dozen files, about 8 KB in the envelope."""
    meeting = 85612345678 + i
    uuid = 'kR4%05dQxWm+vZ9nB3yLpA==' % i
    files = []
    kinds = [('MP4', 'shared_screen_with_speaker_view', 'MP4'),
             ('M4A', 'audio_only', 'M4A'),
             ('TRANSCRIPT', 'audio_transcript', 'VTT'),
             ('CHAT', 'chat_file', 'TXT'),
             ('TIMELINE', 'timeline', 'JSON'),
             ('CC', 'closed_caption', 'VTT'),
             ('SUMMARY', 'summary', 'JSON')]
    for k in range(13):
        ftype, rtype, ext = kinds[k % len(kinds)]
        fid = '%08x-%04x-4%03x-a%03x-%012x' % (i * 97 + k, k, i % 4096, k, meeting)
        f = {
            'id': fid,
            'meeting_id': uuid,
            'recording_start': '2026-11-28T10:00:%02dZ' % k,
            'recording_end': '2026-11-28T11:00:%02dZ' % k,
            'file_type': ftype,
            'file_extension': ext,
            'file_size': 1048576 * (k + 1) + i,
            'play_url': 'https://example.zoom.us/rec/play/%s?ts=%d' % (fid, i),
            'download_url': 'https://example.zoom.us/rec/download/%s' % fid,
            'status': 'completed',
            'recording_type': rtype,
        }
        if ftype == 'MP4':
            f['file_path'] = '/recordings/%d/Réunion équipe/%s.mp4' % (meeting, fid)
        files.append(f)
    return _compact({
        'event': 'recording.completed',
        'event_ts': 1706123456789 + i,
        'download_token': 'eyJzdiI6IjAwMDAwMSIsImFsZyI6IkhTNTEyIiwidiI6IjIuMCJ9.'
                          + 'eyJhdWQiOiJodHRwczovL29hdXRoLnpvb20udXMiLCJ1aWQiOiJ'
                          + ('Ym%06dZW5jaGRvd25sb2Fk' % i) * 8
                          + '.c2lnbmF0dXJlLWJlbmNoLWRvd25sb2FkLXRva2Vu',
        'payload': {
            'account_id': 'AcCt0aBcDeFgHiJkLmNo12',
            'object': {
                'uuid': uuid,
                'id': meeting,
                'account_id': 'AcCt0aBcDeFgHiJkLmNo12',
                'host_id': 'z8yBXKs9RPe5tFqSO7U3hw',
                'host_email': 'zoe.muller@example.com',
                'topic': 'Réunion mensuelle — "Revue produit"\nenregistrement %d' % i,
                'type': 2,
                'start_time': '2026-11-28T10:00:00Z',
                'timezone': 'Europe/Paris',
                'duration': 61,
                'total_size': 78643200 + i,
                'recording_count': len(files),
                'share_url': 'https://example.zoom.us/rec/share/Xy%06dAbCdEfGhIjKlMnOp' % i,
                'password': 'Qw3!rT%04d' % (i % 10000),
                'recording_play_passcode': 'aBcD%08dEfGhIjKlMnOpQrStUvWxYz01' % i,
                'recording_files': files,
            },
        },
    })


def events(d):
    os.makedirs(d, exist_ok=True)
    out = {}
    for name, fn, n in (('small', small_event, SMALL_VARIANTS),
                        ('large', large_event, LARGE_VARIANTS)):
        lines = [fn(i) for i in range(n)]
        path = os.path.join(d, name + '.ndjson')
        data = ''.join(l + '\n' for l in lines).encode('utf-8')
        if not os.path.exists(path) or open(path, 'rb').read() != data:
            with open(path, 'wb') as f:
                f.write(data)
        out[name] = (path, lines)
    return out


if __name__ == '__main__':
    import sys
    d = sys.argv[1] if len(sys.argv) > 1 else 'build/bench'
    print(certs(os.path.join(d, 'certs')))
    for name, (path, lines) in events(d).items():
        enc = [len(json.dumps(l, ensure_ascii=False).encode()) + 46 for l in lines]
        print(name, path, 'event bytes', len(lines[0].encode()),
              'frame about', sum(enc) // len(enc))
