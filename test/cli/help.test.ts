/**
 * `--help` is rendered from each command's option table, so it lists exactly what the command parses: every
 * option with a one-line description, each example a command line the command's parser accepts, and the built
 * CLI prints that text.
 */
import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/main.js';
import { commandHelp, mainHelp } from '../../src/cli/help.js';
import { runCli } from '../cli-bin.js';

/** Shell words of a command line, `|` as its own word; single and double quotes group (no escapes needed here). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'([^']*)'|"([^"]*)"|(\|)|([^\s'"|]+)|(\s+)/g;
  let cur: string | undefined;
  for (const m of line.matchAll(re)) {
    if (m[5] !== undefined) {
      if (cur !== undefined) words.push(cur);
      cur = undefined;
    } else if (m[3] !== undefined) {
      if (cur !== undefined) words.push(cur);
      words.push('|');
      cur = undefined;
    } else cur = (cur ?? '') + (m[1] ?? m[2] ?? m[4]);
  }
  if (cur !== undefined) words.push(cur);
  return words;
}

/** The `ocsf-lake <command> ...` segments of a (possibly piped) command line. */
function cliSegments(line: string): string[][] {
  const segments: string[][] = [[]];
  for (const w of shellWords(line)) {
    if (w === '|') segments.push([]);
    else segments.at(-1)!.push(w);
  }
  return segments.filter((s) => s[0] === 'ocsf-lake');
}

describe('ocsf-lake --help', () => {
  it('lists every command with its one-line summary', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(mainHelp(commands) + '\n');
    for (const c of commands) {
      expect(c.summary).not.toContain('\n');
      expect(r.stdout).toMatch(new RegExp(`^  ${c.name} +${c.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    }
  });

  it('an unknown command is one line naming --help, exit 2', () => {
    const r = runCli(['injest']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('ocsf-lake: unknown command "injest"; run: ocsf-lake --help\n');
  });
});

describe.each(commands.map((c) => [c.name, c] as const))('ocsf-lake %s --help', (name, cmd) => {
  const help = commandHelp(cmd);

  it('lists every option the command parses, each with a one-line description and its default', () => {
    const lines = help.split('\n');
    for (const [opt, spec] of Object.entries(cmd.options)) {
      expect(spec.description.trim(), `--${opt}`).not.toBe('');
      expect(spec.description, `--${opt}`).not.toContain('\n');
      const at = lines.findIndex((l) => new RegExp(`^  (-\\w, )?--${opt}( |$)`).test(l));
      expect(at, `--${opt} is not in the help of ${name}`).toBeGreaterThanOrEqual(0);
      const described = lines[at]!.includes(spec.description) ? lines[at]! : lines[at + 1]!;
      expect(described, `--${opt}`).toContain(spec.description);
      if (typeof spec.default === 'string') expect(described, `--${opt}`).toContain(`(default: ${spec.defaultText ?? spec.default})`);
      if (spec.defaultText !== undefined) expect(described, `--${opt}`).toContain(`(default: ${spec.defaultText})`);
    }
  });

  it('has two or three examples, each accepted by the command parser', () => {
    expect(cmd.examples.length).toBeGreaterThanOrEqual(2);
    expect(cmd.examples.length).toBeLessThanOrEqual(3);
    for (const example of cmd.examples) {
      const segments = cliSegments(example);
      expect(segments.some((s) => s[1] === name), example).toBe(true);
      for (const [, sub, ...args] of segments) {
        const target = commands.find((c) => c.name === sub);
        expect(target, example).toBeDefined();
        expect(() => parseArgs({ args, options: target!.options, allowPositionals: true, strict: true }), example).not.toThrow();
      }
      expect(help).toContain(`  ${example}`);
    }
  });

  it('is what the built CLI prints, exit 0', () => {
    const r = runCli([name, '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(help + '\n');
  });
});

describe('ocsf-lake schema --source cloudtrail', () => {
  it("keeps the built-in sources' internal schema notes off the user's terminal", () => {
    const r = runCli(['schema', '--source', 'cloudtrail']);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^# CLOUD_TRAIL_MGMT 2\.0 /m);
  });
});
