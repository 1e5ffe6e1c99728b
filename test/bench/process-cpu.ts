// Preloaded (`node --import`) into a process the import bench times as a whole: at exit it writes the process's CPU
// time (user + system, every thread) to stderr as `BENCH_CPU_MS <ms>`, for the bench to read.
process.on('exit', () => {
  const u = process.cpuUsage();
  process.stderr.write(`\nBENCH_CPU_MS ${(u.user + u.system) / 1000}\n`);
});
