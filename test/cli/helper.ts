/** The one way tests run the CLI: in process, with captured output and the exit code. */
import { bufferIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

export async function cli(...argv: string[]): Promise<CliResult> {
  const io = bufferIo();
  const code = await runCli(argv, io);
  return { code, out: io.stdout(), err: io.stderr() };
}
