// What a command really runs: shell wrappers and base64-encoded payloads unwrapped, so content
// evidence sees `ssh -R ...` inside `bash -lc "echo c3NoIC1S... | base64 -d | sh"`.

const BASE64_TOKEN = /[A-Za-z0-9+/]{16,}={0,2}/g;

/** The command with every decodable base64 payload appended, lower-cased, for searching. */
export function searchableCommand(command: string): string {
  const parts = [command];
  let layer = command;
  // Payloads may be nested (base64 of a script that holds base64): unwrap a few layers.
  for (let depth = 0; depth < 3; depth++) {
    const decoded: string[] = [];
    for (const token of layer.match(BASE64_TOKEN) ?? []) {
      const text = decodeBase64Text(token);
      if (text) decoded.push(text);
    }
    if (decoded.length === 0) break;
    parts.push(...decoded);
    layer = decoded.join('\n');
  }
  return parts.join('\n').toLowerCase();
}

function decodeBase64Text(token: string): string | undefined {
  if (token.length % 4 === 1) return undefined;
  const text = Buffer.from(token, 'base64').toString('utf8');
  // Only keep decodings that are plain text (a command), not random bytes.
  if (text.length < 8 || /[^\x09\x0a\x0d\x20-\x7e]/.test(text)) return undefined;
  return text;
}

/** Does the command name this address as a whole token (10.0.0.1 is not in 10.0.0.10)? */
export function mentionsToken(haystack: string, needle: string): boolean {
  const n = needle.toLowerCase();
  let at = haystack.indexOf(n);
  while (at >= 0) {
    const before = haystack[at - 1];
    const after = haystack[at + n.length];
    if (!isTokenChar(before) && !isTokenChar(after)) return true;
    at = haystack.indexOf(n, at + 1);
  }
  return false;
}

function isTokenChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9.\-_]/.test(c) && c !== undefined;
}

/** Does the command use this port (`:port`, `-p port`, `--port port`, ` port` as a word)? */
export function mentionsPort(haystack: string, port: number): boolean {
  const p = String(port);
  return new RegExp(`(?:^|[:\\s=/-])${p}(?![0-9])`).test(haystack);
}

const BACKGROUND = /(?:^|[\s;|&(])(?:nohup|setsid|disown|daemonize|systemd-run|start-stop-daemon)\b|\bscreen\s+-[a-z]*d|\btmux\s+new(?:-session)?\b[^\n]*\s-d\b|&\s*(?:$|[;)\n]|disown)|\bssh\b[^\n]*\s-[a-z]*f|\bdocker\s+run\b[^\n]*\s-[a-z]*d\b|\bcrontab\b|\bautossh\b/;

/** Does the command leave something running after it returns (so later effects are still its own)? */
export function startsBackgroundProcess(command: string): boolean {
  return BACKGROUND.test(command);
}

/** `ListSecrets` → `list-secrets`, the AWS CLI's spelling of an API operation. */
export function kebabOperation(operation: string): string {
  return operation.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2').toLowerCase();
}
