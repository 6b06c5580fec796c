// `boreal` in-process: runCli with captured output and a given environment
// and stdin, so a test sees exactly what an operator's terminal would.

import { Readable, Writable } from 'node:stream';
import { runCli } from '../../src/cli/run.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function capture(): { stream: Writable; text(): string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

export async function cli(args: string[], env: Record<string, string | undefined> = {}, stdin = ''): Promise<CliResult> {
  const stdout = capture();
  const stderr = capture();
  const code = await runCli(args, { env, stdout: stdout.stream, stderr: stderr.stream, stdin: Readable.from([Buffer.from(stdin)]) });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

/** The lines of a text, without the empty last one. */
export const lines = (text: string) => text.split('\n').filter((line, index, all) => line !== '' || index < all.length - 1);
