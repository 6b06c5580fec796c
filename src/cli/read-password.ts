// A password never comes from an argument (it would sit in the shell history
// and in `ps`): it is read from stdin when stdin is a pipe or a file, or asked
// for twice, without echo, when stdin is a terminal.

import type { CliIo } from './io.js';

export class PasswordInputError extends Error {}

/** Everything on stdin, less one trailing line break (what `echo` and here-strings add). */
export async function readPasswordFromPipe(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const text = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (text === '') throw new PasswordInputError('no password on stdin: pipe it in, e.g. `printf %s "$PASSWORD" | boreal users create …`');
  if (/[\r\n]/.test(text)) throw new PasswordInputError('the password on stdin spans several lines: give exactly one line');
  return text;
}

/** Asks on stderr and reads one line from a terminal with echo off. */
export function promptHidden(io: CliIo, question: string): Promise<string> {
  const { stdin } = io;
  return new Promise((resolve, reject) => {
    // Echo goes off before the question shows: a fast typist (or a script) must not be echoed.
    stdin.setRawMode?.(true);
    io.stderr.write(question);
    let answer = '';
    stdin.resume();
    const finish = (error: Error | null) => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr.write('\n');
      if (error) reject(error);
      else resolve(answer);
    };
    const onData = (data: Buffer | string) => {
      for (const character of typeof data === 'string' ? data : data.toString('utf8')) {
        if (character === '\r' || character === '\n') return finish(null);
        if (character === '\u0003' || character === '\u0004') return finish(new PasswordInputError('cancelled'));
        if (character === '\u007f' || character === '\b') answer = [...answer].slice(0, -1).join('');
        else if (character >= ' ') answer += character;
      }
    };
    stdin.on('data', onData);
  });
}

export async function readNewPassword(io: CliIo): Promise<string> {
  if (!io.stdin.isTTY) return readPasswordFromPipe(io.stdin);
  const password = await promptHidden(io, 'Password: ');
  if (password === '') throw new PasswordInputError('no password given');
  const again = await promptHidden(io, 'Password again: ');
  if (again !== password) throw new PasswordInputError('the two passwords differ');
  return password;
}
