// What a command really runs: shell quoting removed, variables substituted, escapes and base64
// payloads decoded, so content evidence sees `ssh -R ...` inside `bash -lc "echo c3NoIC1S... | base64 -d | sh"`.
// Nothing here executes anything: the layers are text, searched as text.

const BASE64_TOKEN = /[A-Za-z0-9+/_-]{16,}={0,2}/g;
/** Decoded layers stop growing past this, so a hostile command cannot blow up memory. */
const MAX_SEARCH_CHARS = 65_536;
const MAX_DEPTH = 4;

/**
 * The command plus every layer a shell would see once it ran it (quotes removed, `$VAR`
 * substituted, `\xHH` decoded, base64 payloads decoded, nested a few times), lower-cased.
 */
export function searchableCommand(command: string): string {
  const layers: string[] = [command];
  const seen = new Set<string>([command]);
  let total = command.length;
  let frontier = [command];
  for (let depth = 0; depth < MAX_DEPTH && frontier.length; depth++) {
    const next: string[] = [];
    const add = (text: string | undefined): void => {
      if (!text || seen.has(text) || total + text.length > MAX_SEARCH_CHARS) return;
      seen.add(text);
      total += text.length;
      layers.push(text);
      next.push(text);
    };
    for (const text of frontier) {
      const plain = unquote(text);
      add(plain);
      add(expandVariables(plain));
      for (const token of text.match(BASE64_TOKEN) ?? []) add(decodeBase64Text(token));
    }
    frontier = next;
  }
  return layers.join('\n').toLowerCase();
}

/**
 * Shell quote removal: '...' literal, "..." with \" \\ \$ \` escapes, $'...' with C escapes,
 * and a backslash outside quotes. Agent parsers POSIX-single-quote argv elements (`'\''` for a
 * quote) and k8s/auditd double-quote them; after this both read as the words the shell ran.
 */
export function unquote(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return out + text.slice(i + 1);
      out += text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '$' && text[i + 1] === "'") {
      let j = i + 2;
      let body = '';
      while (j < text.length && text[j] !== "'") {
        if (text[j] === '\\' && j + 1 < text.length) {
          body += text.slice(j, j + 2);
          j += 2;
        } else body += text[j++];
      }
      out += decodeEscapes(body);
      i = j + 1;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && '"\\$`'.includes(text[j + 1] ?? '')) {
          out += text[j + 1];
          j += 2;
        } else out += text[j++];
      }
      i = j + 1;
    } else if (c === '\\' && i + 1 < text.length) {
      // `\x41` outside quotes is usually printf/echo -e input: keep it for decodeEscapes
      if (text[i + 1] === 'x' || /[0-7]/.test(text[i + 1]!)) {
        out += c;
        i++;
      } else {
        out += text[i + 1];
        i += 2;
      }
    } else {
      out += c;
      i++;
    }
  }
  return decodeEscapes(out);
}

/** `\xHH`, `\NNN` (octal), `\n`, `\t`: what printf, echo -e and $'...' turn into characters. */
function decodeEscapes(text: string): string {
  if (!text.includes('\\')) return text;
  return text.replace(/\\(x[0-9a-fA-F]{1,2}|0?[0-7]{1,3}|[ntr\\'"])/g, (_, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(parseInt(e, 8));
    return e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
  });
}

const ASSIGNMENT = /(?:^|[\s;&|(])(?:export\s+|local\s+|readonly\s+)?([A-Za-z_][A-Za-z0-9_]*)=([^\s;&|)]*)/g;

/** `H=203.0.113.9; curl http://$H/` → `... curl http://203.0.113.9/`: assignments substituted into later uses. */
export function expandVariables(text: string): string | undefined {
  const vars = new Map<string, string>();
  for (const m of text.matchAll(ASSIGNMENT)) vars.set(m[1]!, m[2]!);
  if (vars.size === 0) return undefined;
  let out = text;
  // Two passes resolve one level of indirection (B=$A.9).
  for (let pass = 0; pass < 2; pass++) {
    out = out.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, a: string | undefined, b: string | undefined) => vars.get((a ?? b)!) ?? whole);
  }
  return out === text ? undefined : out;
}

function decodeBase64Text(token: string): string | undefined {
  const body = token.replace(/=+$/, '');
  if (body.length % 4 === 1) return undefined;
  // base64url (`-`, `_`) decodes the same once mapped back.
  const text = Buffer.from(body.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  // Only keep decodings that are plain text (a command), not random bytes.
  if (text.length < 8 || /[^\x09\x0a\x0d\x20-\x7e]/.test(text)) return undefined;
  return text;
}

/** Does the command name this address as a whole token (10.0.0.1 is not in 10.0.0.10)? */
export function mentionsToken(haystack: string, needle: string): boolean {
  return mentionsLowerToken(haystack, needle.toLowerCase());
}

/** mentionsToken() for a needle already in lower case (one lowering for many haystacks). */
export function mentionsLowerToken(haystack: string, n: string): boolean {
  if (n === '') return false;
  let at = haystack.indexOf(n);
  while (at >= 0) {
    if (!isTokenChar(haystack[at - 1]) && !isTokenChar(haystack[at + n.length])) return true;
    at = haystack.indexOf(n, at + 1);
  }
  return false;
}

function isTokenChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9.\-_]/.test(c);
}

/** Does the command use this port (`:port`, `-p port`, `--port port`, ` port` as a word)? */
export function mentionsPort(haystack: string, port: number): boolean {
  const p = String(port);
  // An indexOf walk rather than a RegExp built per port: this runs for every call near a violation.
  for (let at = haystack.indexOf(p); at >= 0; at = haystack.indexOf(p, at + 1)) {
    const next = haystack.charCodeAt(at + p.length);
    if (next >= 48 && next <= 57) continue;
    if (at === 0 || PORT_LEAD.test(haystack[at - 1]!)) return true;
  }
  return false;
}

const PORT_LEAD = /[:\s=/-]/;

const BACKGROUND_WORDS = /(?:^|[\s;|&(`])(?:nohup|setsid|disown|daemonize|systemd-run|start-stop-daemon|autossh|crontab|at\s+now|pm2\s+start|supervisorctl\s+start|systemctl\s+(?:--user\s+)?(?:start|enable|restart))\b/;
const BACKGROUND_FLAGS = /\bscreen\s+-[a-z]*d|\btmux\s+new(?:-session)?\b[^\n]*\s-d\b|\bssh\b[^\n]*\s-[a-z]*f|\bdocker\s+(?:run|start)\b[^\n]*\s-[a-z]*d\b|\b(?:xmrig|xmr-stak|cloudflared|ngrok)\b[^\n]*\s(?:-b|--background|--daemon)\b/i;

/**
 * Does the command leave something running after it returns (so later effects are still its own)?
 * Looks through quotes and base64 layers: `bash -lc 'echo bm9odXAg... | base64 -d | sh'` counts.
 */
export function startsBackgroundProcess(command: string): boolean {
  const text = searchableCommand(command);
  return BACKGROUND_WORDS.test(text) || BACKGROUND_FLAGS.test(text) || hasBareAmpersand(text);
}

/** A lone `&` (not `&&`, `&>`, `>&`, `2>&1`, `&amp;`-like text in a URL) sends the command before it to the background. */
function hasBareAmpersand(text: string): boolean {
  for (let i = text.indexOf('&'); i >= 0; i = text.indexOf('&', i + 1)) {
    const before = text[i - 1], after = text[i + 1];
    if (before === '&' || after === '&' || before === '>' || before === '<' || after === '>') continue;
    // In a URL query (`?a=1&b=2`) the ampersand separates parameters.
    if (before !== undefined && after !== undefined && /[\w=%]/.test(before) && /\w/.test(after)) continue;
    return true;
  }
  return false;
}

/** `ListSecrets` → `list-secrets`, the AWS CLI's spelling of an API operation. */
export function kebabOperation(operation: string): string {
  return operation.replace(/([a-z0-9])([A-Z])/g, '$1-$2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2').toLowerCase();
}

const KUBECTL_VERBS: Record<string, string[]> = {
  get: ['get', 'describe'], list: ['get', 'describe'], watch: ['get'], create: ['create', 'apply', 'run', 'expose'],
  update: ['apply', 'edit', 'replace', 'set', 'label', 'annotate'], patch: ['patch', 'apply', 'edit', 'label', 'annotate', 'scale'],
  delete: ['delete'], deletecollection: ['delete'],
};

/**
 * Does the command run the Kubernetes API operation an audit record names (`list secrets`,
 * `create pods/exec`), as kubectl spells it (`kubectl get secrets`, `kubectl exec`)?
 */
export function runsKubernetesOperation(text: string, operation: string): boolean {
  const m = /^([a-z]+) ([a-z0-9.-]+)(?:\/([a-z]+))?$/.exec(operation);
  if (!m || !/\bkubectl\b/.test(text)) return false;
  const [, verb, resource, sub] = m as unknown as [string, string, string, string | undefined];
  if (sub === 'exec' || sub === 'attach' || sub === 'portforward' || sub === 'log') {
    const word = sub === 'portforward' ? 'port-forward' : sub === 'log' ? 'logs' : sub;
    return new RegExp(`\\bkubectl\\b[^\\n]*\\s${word}\\b`).test(text);
  }
  const singular = resource.endsWith('s') ? resource.slice(0, -1) : resource;
  const verbs = KUBECTL_VERBS[verb] ?? [verb];
  return verbs.some((v) => new RegExp(`\\bkubectl\\b[^\\n]*\\s${v}\\s+(?:[^\\n]*\\s)?(?:${resource}|${singular})(?![a-z])`).test(text));
}
