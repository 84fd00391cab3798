#!/usr/bin/env python3
"""Static checks of contrib/ and zoomws.1.

- the systemd units pass `systemd-analyze verify` without a word, carry
  the restart policy and hardening they promise, and their ExecStart line
  runs zoomws with stdout in the events file;
- the init scripts pass shellcheck and parse under dash and BusyBox sh;
  the OpenRC script, sourced with openrc-run's functions stubbed, hands
  supervise-daemon the right command line and signals;
- zoomws.1 renders without a warning (man, groff, mandoc), has every
  section it promises, and agrees with `./zoomws --help`: the same long
  options, every environment key, every exit status.

Prints `PASS check_contrib/name` or `FAIL check_contrib/name: why`.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CONTRIB = os.path.join(ROOT, 'contrib')
MANPAGE = os.path.join(ROOT, 'zoomws.1')
ZOOMWS = os.path.join(ROOT, 'zoomws')
SBIN = '/usr/local/sbin:/usr/sbin:/sbin'
UNITS = ('zoomws.service', 'zoomws@.service')
SCRIPTS = ('zoomws.init', 'zoomws.openrc')
_tests = []


def test(fn):
    _tests.append(fn)
    return fn


def expect(cond, msg, *a):
    if not cond:
        raise AssertionError(msg % a if a else msg)


def expect_eq(got, want, what='value'):
    if got != want:
        raise AssertionError('%s: got %r, want %r' % (what, got, want))


def run(cmd, env=None, cwd=None, timeout=60, stdin=None):
    p = subprocess.run(cmd, env=env, cwd=cwd, timeout=timeout,
                       input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return (p.returncode, p.stdout.decode('utf-8', 'replace'),
            p.stderr.decode('utf-8', 'replace'))


def need(what, package):
    """./need.sh WHAT PACKAGE: install PACKAGE when WHAT is missing."""
    env = dict(os.environ, PATH=os.environ.get('PATH', '/usr/bin:/bin') + ':' + SBIN)
    rc, out, err = run([os.path.join(ROOT, 'need.sh'), what, package], env=env,
                       timeout=600)
    expect(rc == 0, 'need.sh %s %s: %s', what, package, (out + err).strip())
    path = shutil.which(what, path=env['PATH']) if not what.startswith('/') else what
    expect(path, '%s still missing after installing %s', what, package)
    return path


def unit_settings(path):
    """[(section, key, value)] of a unit file, in order."""
    out, section = [], None
    with open(path) as f:
        for raw in f:
            s = raw.strip()
            if not s or s[0] in '#;':
                continue
            if s.startswith('['):
                section = s.strip('[]')
                continue
            k, _, v = s.partition('=')
            out.append((section, k.strip(), v.strip()))
    return out


def setting(path, key):
    vals = [v for _, k, v in unit_settings(path) if k == key]
    return vals


def man_dir():
    """A MANPATH holding man1/zoomws.1, so `man zoomws` finds this page."""
    d = tempfile.mkdtemp(prefix='zoomws-man-')
    os.makedirs(os.path.join(d, 'man1'))
    shutil.copy(MANPAGE, os.path.join(d, 'man1', 'zoomws.1'))
    return d


# ---------------------------------------------------------------- systemd

@test
def systemd_analyze_verify():
    tool = need('systemd-analyze', 'systemd')
    d = tempfile.mkdtemp(prefix='zoomws-units-')
    mp = man_dir()
    try:
        for u in UNITS:
            # The built binary in place of /usr/local/bin/zoomws, so that
            # every path the unit names exists here.
            with open(os.path.join(CONTRIB, u)) as f:
                text = f.read().replace('/usr/local/bin/zoomws', ZOOMWS)
            with open(os.path.join(d, u), 'w') as f:
                f.write(text)
        env = dict(os.environ, MANPATH=mp, SYSTEMD_LOG_COLOR='0')
        # The template is verified through an instance of it.
        for name in ('zoomws.service', 'zoomws@sales.service'):
            rc, out, err = run([tool, 'verify', os.path.join(d, name)], env=env)
            said = (out + err).strip()
            expect(rc == 0 and said == '', 'systemd-analyze verify %s: exit %d: %s',
                   name, rc, said)
        # A broken copy must be caught, or this check proves nothing.
        with open(os.path.join(d, 'broken.service'), 'w') as f:
            f.write(text.replace('ProtectHome=yes', 'ProtectHome=bogus'))
        rc, out, err = run([tool, 'verify', os.path.join(d, 'broken.service')], env=env)
        expect('bogus' in out + err, 'verify did not notice a bad value: %r', out + err)
    finally:
        shutil.rmtree(d, ignore_errors=True)
        shutil.rmtree(mp, ignore_errors=True)


@test
def systemd_restart_policy_and_hardening():
    want = {
        'Restart': 'always', 'RestartPreventExitStatus': '64 77 78',
        'ExecReload': '/bin/kill -HUP $MAINPID',
        'DynamicUser': 'yes', 'NoNewPrivileges': 'yes', 'ProtectSystem': 'strict',
        'ProtectHome': 'yes', 'PrivateTmp': 'yes', 'PrivateDevices': 'yes',
        'ProtectKernelTunables': 'yes', 'ProtectKernelModules': 'yes',
        'ProtectKernelLogs': 'yes', 'ProtectControlGroups': 'yes',
        'RestrictAddressFamilies': 'AF_INET AF_INET6 AF_UNIX',
        'RestrictNamespaces': 'yes', 'LockPersonality': 'yes',
        'MemoryDenyWriteExecute': 'yes', 'SystemCallArchitectures': 'native',
        'CapabilityBoundingSet': '', 'UMask': '0077', 'StateDirectory': 'zoomws',
    }
    for u in UNITS:
        path = os.path.join(CONTRIB, u)
        for k, v in want.items():
            expect_eq(setting(path, k), [v], '%s %s=' % (u, k))
        expect('@system-service' in setting(path, 'SystemCallFilter'),
               '%s: SystemCallFilter=@system-service missing', u)
        rs = setting(path, 'RestartSec')
        expect(len(rs) == 1 and 1 <= int(rs[0]) <= 60, '%s: RestartSec=%r', u, rs)
    expect_eq(setting(os.path.join(CONTRIB, 'zoomws.service'), 'EnvironmentFile'),
              ['/etc/zoomws/zoomws.env'], 'zoomws.service EnvironmentFile=')
    expect_eq(setting(os.path.join(CONTRIB, 'zoomws@.service'), 'EnvironmentFile'),
              ['/etc/zoomws/%i.env'], 'zoomws@.service EnvironmentFile=')
    tool = need('systemd-analyze', 'systemd')
    rc, out, err = run([tool, 'security', '--offline=yes',
                        os.path.join(CONTRIB, 'zoomws.service')])
    m = re.search(r'Overall exposure level for \S+: ([0-9.]+)', out + err)
    expect(m, 'systemd-analyze security said: %s', (out + err)[-500:])
    expect(float(m.group(1)) <= 2.0, 'exposure level %s, more than 2.0', m.group(1))


def exec_start(unit, instance='test'):
    """The unit's ExecStart= as argv, as systemd would run it: %i
    replaced."""
    (line,) = setting(os.path.join(CONTRIB, unit), 'ExecStart')
    return [a.replace('%i', instance) for a in line.split()]


@test
def systemd_execstart_runs_zoomws_into_the_events_file():
    expect(os.access(ZOOMWS, os.X_OK), '%s not built', ZOOMWS)
    for unit, out_name in (('zoomws.service', 'events.ndjson'),
                           ('zoomws@.service', 'test.ndjson')):
        path = os.path.join(CONTRIB, unit)
        expect_eq(setting(path, 'Type'), ['notify'], '%s Type=' % unit)
        expect_eq(setting(path, 'NotifyAccess'), ['main'], '%s NotifyAccess=' % unit)
        expect(setting(path, 'WatchdogSec'), '%s: no WatchdogSec=' % unit)
        d = tempfile.mkdtemp(prefix='zoomws-exec-')
        try:
            argv = exec_start(unit)
            expect_eq(argv[:3], ['/usr/local/bin/zoomws', '--output',
                                 '/var/lib/zoomws/' + out_name], '%s ExecStart=' % unit)
            argv = [ZOOMWS] + [a.replace('/var/lib/zoomws', d) for a in argv[1:]]
            events = os.path.join(d, out_name)
            with open(events, 'w') as f:
                f.write('kept\n')
            # No configuration at all: zoomws itself must say so and exit 78.
            rc, out, err = run(argv, env={'PATH': '/usr/bin:/bin'}, cwd=d)
            expect_eq(rc, 78, '%s: exit status of ExecStart (stderr %r)' % (unit, err))
            expect('ZOOM_CLIENT_ID is not set' in err, '%s: stderr %r', unit, err)
            with open(events) as f:
                expect_eq(f.read(), 'kept\n', '%s: events file (appended, not truncated)'
                          % unit)
        finally:
            shutil.rmtree(d, ignore_errors=True)


@test
def logrotate_config_parses():
    tool = need('logrotate', 'logrotate')
    d = tempfile.mkdtemp(prefix='zoomws-logrotate-')
    try:
        with open(os.path.join(CONTRIB, 'zoomws.logrotate')) as f:
            text = f.read().replace('/var/lib/zoomws', d)
        conf = os.path.join(d, 'zoomws')
        with open(conf, 'w') as f:
            f.write(text)
        open(os.path.join(d, 'a.ndjson'), 'w').write('{}\n')
        rc, out, err = run([tool, '--debug', '--state', os.path.join(d, 'state'), conf])
        expect_eq(rc, 0, 'logrotate --debug: %s' % (out + err)[-800:])
        expect('error' not in (out + err).lower(), 'logrotate said: %s',
               (out + err)[-800:])
    finally:
        shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------- scripts

@test
def shellcheck_scripts():
    tool = need('shellcheck', 'shellcheck')
    for s in SCRIPTS:
        rc, out, err = run([tool, os.path.join(CONTRIB, s)])
        expect(rc == 0, 'shellcheck %s:\n%s', s, out + err)
        expect(os.access(os.path.join(CONTRIB, s), os.X_OK), '%s is not executable', s)
    # shellcheck must be able to fail here.
    d = tempfile.mkdtemp(prefix='zoomws-sc-')
    try:
        bad = os.path.join(d, 'bad.sh')
        with open(bad, 'w') as f:
            f.write('#!/bin/sh\nrm -rf $1/x\n')
        expect(run([tool, bad])[0] != 0, 'shellcheck accepted an unquoted $1')
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test
def scripts_parse_in_posix_shells():
    shells = []
    for name, pkg in (('dash', 'dash'), ('busybox', 'busybox')):
        path = need(name, pkg)
        shells.append([path] if name == 'dash' else [path, 'sh'])
    for s in SCRIPTS:
        for sh in shells:
            rc, out, err = run(sh + ['-n', os.path.join(CONTRIB, s)])
            expect(rc == 0, '%s -n %s: %s', ' '.join(sh), s, out + err)


# openrc-run's functions; supervise-daemon and checkpath are programs
# (stubs on PATH), as in OpenRC.
OPENRC_STUBS = r'''
ebegin() { echo "ebegin $*"; }
eend() { echo "eend $1"; return "$1"; }
eerror() { echo "eerror $*"; }
. "$SCRIPT"
printf 'name=%s\n' "$name"
printf 'supervisor=%s\n' "$supervisor"
printf 'pidfile=%s\n' "$pidfile"
printf 'output_log=%s\n' "$output_log"
printf 'error_log=%s\n' "$error_log"
printf 'extra_started_commands=%s\n' "$extra_started_commands"
# As supervise-daemon.sh builds its command line: eval'ed.
eval set -- "\"\$command\"" $command_args
for a; do printf 'argv=%s\n' "$a"; done
start_pre; echo "start_pre=$?"
reload
counters
'''


def openrc(svcname, conf=None, cwd=None):
    """Source zoomws.openrc as RC_SVCNAME svcname with conf.d settings
    conf, in cwd; returns what the stubs and the probes printed."""
    d = tempfile.mkdtemp(prefix='zoomws-openrc-')
    try:
        stubs = os.path.join(d, 'stubs')
        os.makedirs(stubs)
        for prog in ('supervise-daemon', 'checkpath'):
            with open(os.path.join(stubs, prog), 'w') as f:
                f.write('#!/bin/sh\necho "%s $*"\n' % prog)
            os.chmod(os.path.join(stubs, prog), 0o755)
        env = {'PATH': stubs + ':/usr/bin:/bin', 'RC_SVCNAME': svcname,
               'SCRIPT': os.path.join(CONTRIB, 'zoomws.openrc')}
        env.update(conf or {})
        rc, out, err = run([need('dash', 'dash'), '-c', OPENRC_STUBS], env=env,
                           cwd=cwd or d)
        expect(rc == 0, 'sourcing zoomws.openrc: exit %d: %s', rc, err)
        expect_eq(err, '', 'stderr')
        return out.splitlines()
    finally:
        shutil.rmtree(d, ignore_errors=True)


@test
def openrc_script_with_stubs():
    lines = openrc('zoomws')
    expect_eq([ln for ln in lines if not ln.startswith(('checkpath', 'start_pre',
                                                          'eerror'))], [
        'name=zoomws', 'supervisor=supervise-daemon', 'pidfile=/run/zoomws.pid',
        'output_log=/var/lib/zoomws/events.ndjson', 'error_log=/var/log/zoomws.log',
        'extra_started_commands=reload counters',
        'argv=/usr/local/bin/zoomws', 'argv=--env-file', 'argv=/etc/zoomws/zoomws.env',
        'ebegin Reloading zoomws (SIGHUP)', 'supervise-daemon zoomws --signal HUP',
        'eend 0',
        'ebegin Logging the counters of zoomws to /var/log/zoomws.log',
        'supervise-daemon zoomws --signal USR1', 'eend 0'], 'default instance')
    # One instance per subscription, settings with blanks and a glob.
    d = tempfile.mkdtemp(prefix='zoomws-openrc-conf-')
    try:
        env_file = os.path.join(d, 'my env')
        with open(env_file, 'w') as f:
            f.write('ZOOM_CLIENT_ID=x\n')
        open(os.path.join(d, 'meeting.decoy'), 'w').close()
        lines = openrc('zoomws.sales', cwd=d, conf={
            'ZOOMWS_ENV': env_file, 'ZOOMWS_BIN': ZOOMWS,
            'ZOOMWS_EVENTS': os.path.join(d, 'ev', 'sales.ndjson'),
            'ZOOMWS_OPTS': "--gaps -E 'meeting.*'"})
        expect_eq([ln for ln in lines if ln.startswith(('name=', 'pidfile=', 'argv=',
                                                         'output_log=', 'error_log=',
                                                         'start_pre=', 'supervise'))],
                  ['name=zoomws (sales)', 'pidfile=/run/zoomws.sales.pid',
                   'output_log=%s/ev/sales.ndjson' % d,
                   'error_log=/var/log/zoomws.sales.log',
                   'argv=' + ZOOMWS, 'argv=--env-file', 'argv=' + env_file,
                   'argv=--gaps', 'argv=-E', 'argv=meeting.*', 'start_pre=0',
                   'supervise-daemon zoomws.sales --signal HUP',
                   'supervise-daemon zoomws.sales --signal USR1'], 'instance sales')
        expect('checkpath -d -m 0750 -o root %s/ev' % d in lines, 'checkpath: %r', lines)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    # A missing env file stops start_pre.
    lines = openrc('zoomws.x', conf={'ZOOMWS_ENV': '/nonexistent/x.env'})
    expect('eerror cannot read /nonexistent/x.env (ZOOMWS_ENV)' in lines and
           'start_pre=1' in lines, 'start_pre without the env file: %r', lines)


# ---------------------------------------------------------------- zoomws.1

def render(width=80):
    env = dict(os.environ, MANWIDTH=str(width), MAN_KEEP_FORMATTING='0', LC_ALL='C.UTF-8')
    rc, out, err = run(['man', '-l', MANPAGE], env=env)
    expect(rc == 0, 'man -l: exit %d: %s', rc, err)
    # Strip overstrike (bold/underline) the way col -b does.
    return re.sub(r'.\x08', '', out), err


def sections(text):
    """{SECTION NAME: body} of a rendered page."""
    out, cur = {}, None
    for ln in text.splitlines():
        if re.match(r'^[A-Z][A-Z ]+$', ln):
            cur = ln.strip()
            out[cur] = []
        elif cur:
            out[cur].append(ln)
    return {k: '\n'.join(v) for k, v in out.items()}


def zoomws_help():
    expect(os.access(ZOOMWS, os.X_OK), '%s not built (make zoomws)', ZOOMWS)
    rc, out, err = run([ZOOMWS, '--help'], env={'PATH': '/usr/bin:/bin'})
    expect_eq(rc, 0, 'zoomws --help exit status')
    return out


LONG = re.compile(r'(?<![\w-])--[a-z][a-z0-9-]*[a-z0-9]')
SHORT = re.compile(r'(?<![\w-])-[a-zA-Z](?![\w-])')


@test
def man_renders_without_warnings():
    text, err = render()
    expect_eq(err, '', 'man -l zoomws.1 stderr')
    expect('zoomws' in text and 'NAME' in text, 'rendered page: %r', text[:200])
    width = max(len(ln) for ln in text.splitlines())
    expect(width <= 80, 'a line of %d columns at MANWIDTH=80', width)
    rc, out, err = run(['groff', '-mandoc', '-ww', '-z', MANPAGE])
    expect(rc == 0 and err == '', 'groff -mandoc -ww -z: %s', err)
    tool = need('mandoc', 'mandoc')
    rc, out, err = run([tool, '-T', 'lint', '-W', 'warning', MANPAGE])
    expect(rc == 0 and (out + err).strip() == '', 'mandoc -T lint: %s', out + err)


@test
def man_has_every_section():
    got = sections(render()[0])
    for s in ('NAME', 'SYNOPSIS', 'DESCRIPTION', 'OPTIONS', 'ENVIRONMENT', 'FILES',
              'OUTPUT', 'SIGNALS', 'EXIT STATUS', 'EXAMPLES', 'SECURITY', 'SEE ALSO'):
        expect(s in got and got[s].strip(), 'section %s missing or empty', s)
    ex = got['EXAMPLES']
    expect('--lock' in ex and '* * * * *' in ex, 'no cron line with --lock in EXAMPLES')
    expect('| jq' in ex, 'no jq pipe in EXAMPLES')
    expect('systemctl' in ex, 'no systemd example in EXAMPLES')
    out = got['OUTPUT']
    expect('{"event":"zoomws.gap","payload":{"from":' in out, 'no zoomws.gap line in OUTPUT')
    sig = got['SIGNALS']
    for s in ('SIGINT', 'SIGTERM', 'SIGUSR1', 'SIGHUP'):
        expect(s in sig, '%s not in SIGNALS', s)


@test
def man_and_help_have_the_same_options():
    help_text = zoomws_help()
    got = sections(render(width=1000)[0])
    man_long = set()
    for name, body in got.items():
        if name != 'EXAMPLES':       # examples also run systemctl, jq...
            man_long |= set(LONG.findall(body))
    help_long = set(LONG.findall(help_text))
    expect(len(help_long) >= 20, 'only %d long options in --help?', len(help_long))
    expect_eq(sorted(help_long - man_long), [], 'in --help, not in zoomws.1')
    expect_eq(sorted(man_long - help_long), [], 'in zoomws.1, not in --help')
    opts = got['SYNOPSIS'] + got['OPTIONS']
    options_part = help_text[help_text.index('Options:'):]
    help_short = set(SHORT.findall(options_part))
    man_short = set(SHORT.findall(opts))
    expect_eq(sorted(help_short ^ man_short), [], 'short options in only one of them')
    for o in help_long:
        expect(o in got['OPTIONS'], '%s not described in OPTIONS', o)


@test
def man_has_every_key_and_exit_status():
    help_text = zoomws_help()
    got = sections(render(width=1000)[0])
    keys = set(re.findall(r'\b(?:ZOOM_[A-Z_]+|SSL_CERT_FILE|HTTPS_PROXY|NO_PROXY)\b',
                          help_text))
    with open(os.path.join(ROOT, '.env.example')) as f:
        keys |= set(re.findall(r'^#? ?([A-Z][A-Z0-9_]+)=', f.read(), re.M))
    keys |= {'https_proxy', 'no_proxy'}
    expect(len(keys) >= 12, 'only %d keys found: %r', len(keys), keys)
    env_section = got['ENVIRONMENT']
    for k in sorted(keys):
        expect(re.search(r'(?<![\w])%s(?![\w])' % k, env_section),
               '%s not in ENVIRONMENT', k)
    exit_part = help_text[help_text.index('Exit:'):]
    codes = set(re.findall(r'\b(\d+) ', exit_part))
    expect(len(codes) >= 7, 'exit statuses in --help: %r', codes)
    man_codes = set(re.findall(r'^\s+(\d+)\s', got['EXIT STATUS'], re.M))
    expect_eq(sorted(man_codes, key=int), sorted(codes, key=int),
              'exit statuses (zoomws.1 vs --help)')


@test
def man_found_by_name():
    """`man zoomws` finds the page once installed under MANPATH/man1, as
    make install puts it."""
    mp = man_dir()
    try:
        rc, out, err = run(['man', '-w', 'zoomws'], env=dict(os.environ, MANPATH=mp))
        expect_eq((rc, out.strip()), (0, os.path.join(mp, 'man1', 'zoomws.1')),
                  'man -w zoomws')
    finally:
        shutil.rmtree(mp, ignore_errors=True)


def main():
    only = sys.argv[1:]
    failed = 0
    for fn in _tests:
        if only and fn.__name__ not in only:
            continue
        t0 = time.monotonic()
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - every failure is reported
            failed += 1
            msg = str(e) if isinstance(e, AssertionError) else traceback.format_exc()
            first, _, rest = msg.partition('\n')
            print('FAIL check_contrib/%s: %s' % (fn.__name__, first))
            if rest:
                print('\n'.join('    ' + r for r in rest.splitlines()[-40:]))
        else:
            print('PASS check_contrib/%s (%.2fs)' % (fn.__name__, time.monotonic() - t0))
        sys.stdout.flush()
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
