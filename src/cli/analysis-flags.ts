// The options `correlate` and `timeline` share, defined once for both commands.
import { Command, Option } from 'commander';

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function addAnalysisFlags(cmd: Command): Command {
  return cmd
    .option('--inventory <csv>', 'asset map CSV with columns host, ip[, sandbox, session]')
    .option('--tz <zone>', 'IANA zone for timestamps that carry none', 'UTC')
    .option('--year <yyyy>', 'year for timestamps that carry none (default: inferred from the other inputs)')
    .option('--skew <name=±duration>', 'clock correction for one input (path, basename or format), e.g. kern.log=-40s; repeatable', collect, [])
    .option('--no-auto-skew', 'do not estimate per-input clock offsets')
    .option('--rules <path...>', 'rule files or folders (default: the built-in rules/)')
    .option('--since <time>', 'analyse only from this ISO 8601 time')
    .option('--until <time>', 'analyse only up to this ISO 8601 time')
    .option('--strict', 'an unparsable record is an error (exit 2) instead of a counted skip')
    .option('--geoip <mmdb...>', 'MaxMind GeoIP2/GeoLite2 City, Country or ASN databases')
    .option('--max-line-bytes <n>', 'longest line read (e.g. 16MiB); longer lines are skipped and reported')
    .option('--max-document-bytes <n>', 'longest one-line JSON document (e.g. 256MiB)')
    .option('--max-json-depth <n>', 'deepest JSON nesting of a record (1-1000, default 256)')
    .option('--max-decompressed-bytes <n>', 'most bytes decompressed from one gzip input (e.g. 64GiB)')
    .option('--max-gzip-ratio <n>', 'gzip bomb guard: largest expansion ratio after 256 MiB (0 = off, default 200)')
    .option('--workers <n>', 'threads that read firewall and audit inputs (0 = none; default: 2 when they exceed 64 MB)')
    .option('-o, --output <file>', 'write the report to a file instead of standard output')
    .option('-q, --quiet', 'no progress and no summary on stderr')
    .option('--no-color', 'no colours (NO_COLOR is honoured too)')
    .option('--no-progress', 'no progress display on stderr');
}

export function formatOption(choices: readonly string[], fallback: string): Option {
  return new Option('--format <fmt>', 'output format').choices([...choices]).default(fallback);
}
