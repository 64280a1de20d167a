// How much JavaScript heap an analysis may use. Node caps the heap at about 4 GB whatever the
// machine has; a flood of violations (every refused packet of a port scan is one) holds about
// 1–1.5 KB each until it is reported, so about three million of them end in V8's fatal
// "heap out of memory". The launcher therefore runs `correlate` and `timeline` in a child Node
// with a heap sized to the machine, unless the user chose a size.

/** Commands whose memory follows the evidence (the others read a report or list rules). */
const HEAVY_COMMANDS = new Set(['correlate', 'timeline']);

/** Share of the machine's memory the heap may grow to (the rest: buffers, workers, the system). */
const MEMORY_SHARE = 0.75;

/** Below this gain over the current limit a second process is not worth starting. */
const WORTH_FACTOR = 1.5;

export const HEAP_ENV = 'AGENT_FORENSICS_HEAP_MB';

export interface HeapSituation {
  /** process.argv without node and the script */
  args: readonly string[];
  execArgv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  /** the memory this process may use (availableMemory) */
  totalMemoryBytes: number;
  /** v8.getHeapStatistics().heap_size_limit */
  heapLimitBytes: number;
}

/**
 * The heap size in MiB to restart with, or undefined to run here: when the command is heavy, the
 * user set no size (a --max-old-space-size in the Node options, or AGENT_FORENSICS_HEAP_MB=0 for
 * "as Node sets it"), and the machine allows a heap clearly larger than the current one.
 * Throws when AGENT_FORENSICS_HEAP_MB is not a number of MiB.
 */
export function heapToRestartWith(s: HeapSituation): number | undefined {
  if (!HEAVY_COMMANDS.has(commandOf(s.args) ?? '')) return undefined;
  const chosen = [...s.execArgv, ...(s.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => /^--max[-_]old[-_]space[-_]size\b/.test(a));
  if (chosen) return undefined;
  const current = Math.floor(s.heapLimitBytes / 2 ** 20);
  const asked = s.env[HEAP_ENV];
  if (asked !== undefined && asked.trim() !== '') {
    const mb = Number(asked);
    if (!/^\s*\d+\s*$/.test(asked) || !Number.isSafeInteger(mb)) throw new Error(`${HEAP_ENV} must be a whole number of MiB (0: Node's own limit), not '${asked}'`);
    return mb === 0 || mb === current ? undefined : mb;
  }
  const wanted = Math.floor((s.totalMemoryBytes * MEMORY_SHARE) / 2 ** 20);
  return wanted >= current * WORTH_FACTOR ? wanted : undefined;
}

/**
 * The memory this process may use: the machine's, or less under a container's (cgroup) limit, which
 * the kernel enforces by killing the process (Node reports 2^64 or nothing when there is none).
 */
export function availableMemory(totalBytes: number, constrainedBytes: number | undefined): number {
  return constrainedBytes !== undefined && constrainedBytes > 0 && constrainedBytes < totalBytes ? constrainedBytes : totalBytes;
}

/** The first argument that is not an option: the command (the program has no options that take a value). */
function commandOf(args: readonly string[]): string | undefined {
  return args.find((a) => !a.startsWith('-'));
}
