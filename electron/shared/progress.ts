// A long task's progress (import, export: job functions in a worker thread), as it travels from the work through the
// job runner to the screen.
export interface JobProgress {
  done: number;
  total: number;
  /** A short Chinese word for what is happening ('读取文件', '校验', '写入'…). */
  phase: string;
}
