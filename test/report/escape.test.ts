import { describe, expect, it } from 'vitest';
import {
  csvCell, escapeHtml, escapeHtmlBlock, escapeMarkdown, jsonForScript, jsonInert, markdownCode, markdownFence, stripControlsKeepLines, stripTerminalControls,
} from '../../src/report/escape.js';

describe('escape helpers', () => {
  it('stripTerminalControls() removes CSI and OSC sequences whole and flattens line breaks', () => {
    expect(stripTerminalControls('a\u001b[31mred\u001b[0m b\u001b]0;title\u0007c\nd\re\tf\u009b2J')).toBe('ared bc d e f');
  });

  it('stripControlsKeepLines() keeps \\n and tabs, turns CR into \\n, removes escapes', () => {
    expect(stripControlsKeepLines('a\r\nb\rc\td\u001b[1me\u0000')).toBe('a\nb\nc\tde');
  });

  it('csvCell() prefixes formula starts with a quote but leaves plain numbers alone', () => {
    expect(csvCell("=cmd|' /C calc'!A0")).toBe("'=cmd|' /C calc'!A0");
    expect(csvCell('+1+1')).toBe("'+1+1");
    expect(csvCell('-2+3')).toBe("'-2+3");
    expect(csvCell('@SUM(1)')).toBe("'@SUM(1)");
    expect(csvCell('\tx')).toBe("'\tx");
    expect(csvCell('\rx')).toBe("'\nx");
    expect(csvCell('＝1+1')).toBe("'＝1+1");
    expect(csvCell('\u001b[31m=1')).toBe("'=1");
    expect(csvCell(-12.5)).toBe('-12.5');
    expect(csvCell('-12.5')).toBe('-12.5');
    expect(csvCell(443)).toBe('443');
    expect(csvCell('-')).toBe("'-");
    expect(csvCell(undefined)).toBe('');
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('escapeHtml() encodes markup characters and = so no tag or attribute can be formed', () => {
    expect(escapeHtml('<img src=x onerror="alert(1)">\'`&')).toBe('&lt;img src&#61;x onerror&#61;&quot;alert(1)&quot;&gt;&#39;&#96;&amp;');
    expect(escapeHtml('a\nb\u001b[31m')).toBe('a b');
    expect(escapeHtmlBlock('a\nb<')).toBe('a\nb&lt;');
  });

  it('jsonForScript() cannot close its script block and round-trips', () => {
    const value = { s: '</script><script>alert(1)</script><!-- & a=b \u2028' };
    const json = jsonForScript(value);
    expect(json).not.toMatch(/[<>&=\u2028]/);
    expect(JSON.parse(json)).toEqual(value);
  });

  it('escapeMarkdown() makes links, images, headings and HTML inert but keeps times and IPs readable', () => {
    expect(escapeMarkdown('[click](http://evil)')).toBe('\\[click\\]\\(http\\://evil\\)');
    expect(escapeMarkdown('![x](y)')).toBe('\\!\\[x\\]\\(y\\)');
    expect(escapeMarkdown('# h | <b>')).toBe('\\# h \\| &lt;b&gt;');
    expect(escapeMarkdown('www.evil.example')).toBe('www\\.evil\\.example');
    expect(escapeMarkdown('10.0.0.5:443 2024-05-01T10:00:01.250Z')).toBe('10.0.0.5:443 2024-05-01T10:00:01.250Z');
    expect(escapeMarkdown('a\nb\u001b[31m')).toBe('a b');
  });

  it('markdownCode() picks a delimiter longer than any backtick run and escapes pipes in tables', () => {
    expect(markdownCode('ls -la')).toBe('`ls -la`');
    expect(markdownCode('a ``` b')).toBe('````a ``` b````');
    expect(markdownCode('`x`')).toBe('`` `x` ``');
    expect(markdownCode('a|b', true)).toBe('`a\\|b`');
    expect(markdownCode('a\nb')).toBe('`a b`');
  });

  it('markdownFence() uses a fence no line of the text can close', () => {
    const fenced = markdownFence('echo hi\n```\n# not a heading\n`````x', 'sh');
    const lines = fenced.split('\n');
    expect(lines[0]).toBe('``````sh');
    expect(lines.at(-1)).toBe('``````');
    expect(lines.slice(1, -1).every((l) => !/^`{6,}\s*$/.test(l))).toBe(true);
  });
});

describe('stripTerminalControls() on text without controls', () => {
  it('gives what the three replacements give, for any text (the shortcut skips them only when none applies)', async () => {
    const { default: fc } = await import('fast-check');
    const slow = (t: string) => t.replace(/\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[PX^_][^\u001b]*(?:\u001b\\)?|[@-Z\\-_])|\u009b[0-?]*[ -/]*[@-~]/g, '')
      .replace(/[\r\n\t]/g, ' ').replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
    const chars = fc.constantFrom('a', ' ', '\u001b', '[', '3', '1', 'm', ']', '\u0007', '\u009b', '\r', '\n', '\t', '\u0000', '\u007f', '\u202e', '\u2066', 'é', '\u2028');
    fc.assert(fc.property(fc.array(chars, { maxLength: 30 }).map((a) => a.join('')), (t) => stripTerminalControls(t) === slow(t)), { numRuns: 3000 });
    const plain = 'DROP TCP 10.0.0.1:5 -> 10.0.0.2:22 (HOST-IN DROP:) naïve ☃';
    expect(stripTerminalControls(plain)).toBe(plain);
  });
});

describe('jsonInert() on plain ASCII', () => {
  it('gives what the replacement gives, for any text (the shortcut skips it only for ASCII without DEL)', async () => {
    const { default: fc } = await import('fast-check');
    const slow = (t: string) => t.replace(/[\u007f-\u009f\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
    const chars = fc.constantFrom('a', '"', '\\', '{', '\u007e', '\u007f', '\u0080', '\u009b', '\u009f', '\u00a0', 'é', '\u2028', '\u2029', '☃', '\ud83d', '\ude00');
    fc.assert(fc.property(fc.array(chars, { maxLength: 30 }).map((a) => a.join('')), (t) => jsonInert(t) === slow(t)), { numRuns: 3000 });
    expect(jsonInert('{"a":"\u007f"}')).toBe('{"a":"\\u007f"}');
    expect(jsonInert('{"a":"x"}')).toBe('{"a":"x"}');
  });
});
