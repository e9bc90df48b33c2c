/** The shape of one CLI command; `main.ts` holds the table of commands. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  default?: string | boolean;
}

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  /** Returns the exit code. Throw `UsageError` for bad arguments. */
  run(args: { values: Record<string, unknown>; positionals: string[] }): Promise<number>;
}
