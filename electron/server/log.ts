// The office server's log file: one JSON line per event (fastify's logger), never a request body. When the file
// passes `maxBytes` it becomes .1 (the older ones move up to .keep) and a new one starts.
import fs from 'node:fs';
import path from 'node:path';

export class RotatingLog {
  readonly file: string;
  private fd: number;
  private size: number;
  private readonly maxBytes: number;
  private readonly keep: number;

  constructor(file: string, maxBytes = 10 * 1024 * 1024, keep = 5) {
    this.file = file;
    this.maxBytes = maxBytes;
    this.keep = keep;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = fs.openSync(file, 'a', 0o600);
    this.size = fs.fstatSync(this.fd).size;
  }

  /** pino's destination interface. */
  write(line: string): void {
    const buf = Buffer.from(line);
    if (this.size + buf.length > this.maxBytes && this.size > 0) this.rotate();
    fs.writeSync(this.fd, buf);
    this.size += buf.length;
  }

  private rotate(): void {
    fs.closeSync(this.fd);
    for (let i = this.keep - 1; i >= 1; i--) {
      const from = `${this.file}.${i}`;
      if (fs.existsSync(from)) fs.renameSync(from, `${this.file}.${i + 1}`);
    }
    fs.renameSync(this.file, `${this.file}.1`);
    this.fd = fs.openSync(this.file, 'a', 0o600);
    this.size = 0;
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}
