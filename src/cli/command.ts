/** The shape of one CLI command; `main.ts` holds the table of commands, `help.ts` renders them. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  default?: string | boolean;
  /** One line in `--help`: what the option does. */
  description: string;
  /** The value's placeholder in `--help` (`DIR`, `N`); string options only. */
  value?: string;
  /** The default as `--help` states it when the parser has none (a computed or implied default). */
  defaultText?: string;
}

export interface Command {
  name: string;
  summary: string;
  /** The synopsis: `ocsf-lake <name> ...`; every option is listed by `--help` from `options`. */
  usage: string;
  options: Record<string, OptionSpec>;
  /** Two or three complete command lines, each parsed by a test with `options`. */
  examples: string[];
  /** Extra `--help` paragraphs (subcommands, notes), printed between the options and the examples. */
  notes?: string[];
  /** Returns the exit code. Throw `UsageError` for bad arguments. */
  run(args: { values: Record<string, unknown>; positionals: string[] }): Promise<number>;
}
