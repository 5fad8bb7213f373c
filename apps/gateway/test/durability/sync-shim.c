/*
 * LD_PRELOAD shim for durability tests: logs every flush syscall a process makes (fsync, fdatasync,
 * msync, sync_file_range, syncfs) with the file it flushes and its start and end time, and can delay
 * each one to make a slow disk. Tests read the log to prove that a reply went out only after the
 * flush that covers it (checked at the syscall, not assumed from a library's defaults).
 *
 *   SYNC_SHIM_LOG=<file>      append one line per call: "<fn> <start_us> <end_us> <path>\n"
 *   SYNC_SHIM_DELAY_MS=<n>    sleep n ms inside each call, before the real flush
 *
 * Times are CLOCK_REALTIME microseconds (the same clock as Date.now() in the test process).
 * Build: cc -shared -fPIC -O2 -o sync-shim.so sync-shim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static int log_fd = -2;
static long delay_ms = 0;

static void init_once(void) {
  if (log_fd != -2) return;
  const char *path = getenv("SYNC_SHIM_LOG");
  const char *delay = getenv("SYNC_SHIM_DELAY_MS");
  delay_ms = delay ? atol(delay) : 0;
  log_fd = path ? open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;
}

static long long now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void pause_ms(long ms) {
  if (ms <= 0) return;
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0) {
  }
}

static void fd_path(int fd, char *out, size_t n) {
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t len = readlink(link, out, n - 1);
  if (len < 0) len = snprintf(out, n, "fd:%d", fd);
  out[len] = 0;
  for (ssize_t i = 0; i < len; i++)
    if (out[i] == ' ' || out[i] == '\n') out[i] = '_';
}

static void record(const char *fn, long long start, const char *path) {
  if (log_fd < 0) return;
  char line[4352];
  int len = snprintf(line, sizeof line, "%s %lld %lld %s\n", fn, start, now_us(), path);
  if (len > 0) (void)!write(log_fd, line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

int fsync(int fd) {
  init_once();
  char path[4096];
  fd_path(fd, path, sizeof path);
  long long start = now_us();
  pause_ms(delay_ms);
  int rc = NEXT(fsync)(fd);
  record("fsync", start, path);
  return rc;
}

int fdatasync(int fd) {
  init_once();
  char path[4096];
  fd_path(fd, path, sizeof path);
  long long start = now_us();
  pause_ms(delay_ms);
  int rc = NEXT(fdatasync)(fd);
  record("fdatasync", start, path);
  return rc;
}

int msync(void *addr, size_t length, int flags) {
  init_once();
  if (!(flags & MS_SYNC)) return NEXT(msync)(addr, length, flags);
  long long start = now_us();
  pause_ms(delay_ms);
  int rc = NEXT(msync)(addr, length, flags);
  record("msync", start, "mmap");
  return rc;
}

int sync_file_range(int fd, off_t offset, off_t nbytes, unsigned int flags) {
  init_once();
  char path[4096];
  fd_path(fd, path, sizeof path);
  long long start = now_us();
  int rc = NEXT(sync_file_range)(fd, offset, nbytes, flags);
  record("sync_file_range", start, path);
  return rc;
}

int syncfs(int fd) {
  init_once();
  char path[4096];
  fd_path(fd, path, sizeof path);
  long long start = now_us();
  pause_ms(delay_ms);
  int rc = NEXT(syncfs)(fd);
  record("syncfs", start, path);
  return rc;
}
