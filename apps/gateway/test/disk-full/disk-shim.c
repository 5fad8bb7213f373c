/*
 * LD_PRELOAD shim for disk-full tests: makes the filesystem under one directory look as full as a
 * control file says, at the libc calls a process makes (Node's libuv thread pool and LMDB alike).
 *
 *   DISK_SHIM_DIR=<dir>        the directory whose files and filesystem are affected (absolute path)
 *   DISK_SHIM_CONTROL=<file>   read at every affected call: "<free-bytes> <ok|full>\n"
 *
 * - statfs/statvfs (and the f-, 64-bit variants) of a path or descriptor under DIR report
 *   <free-bytes> as free (f_bavail, f_bfree); every other field is the real filesystem's.
 * - With "full", every write to a regular file under DIR (write, pwrite, writev, pwritev and their
 *   64-bit and v2 variants, fallocate, posix_fallocate) fails with ENOSPC, as a full disk does, while
 *   statfs still reports <free-bytes>: the disk filled between a writer's measurement and its write.
 *   Reads, renames, links, unlinks and fsyncs are untouched; so are sockets and pipes.
 * - A missing or unreadable control file means "no change".
 *
 * Build: cc -shared -fPIC -O2 -o disk-shim.so disk-shim.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/uio.h>
#include <unistd.h>

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

struct control {
  int active;
  unsigned long long free_bytes;
  int full;
};

static struct control read_control(void) {
  struct control c = {0, 0, 0};
  const char *path = getenv("DISK_SHIM_CONTROL");
  if (!path) return c;
  /* open/read/close are not intercepted: no recursion. */
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return c;
  char buf[128];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return c;
  buf[n] = 0;
  char mode[16] = {0};
  if (sscanf(buf, "%llu %15s", &c.free_bytes, mode) < 1) return c;
  c.active = 1;
  c.full = strcmp(mode, "full") == 0;
  return c;
}

static int under_dir(const char *path) {
  const char *dir = getenv("DISK_SHIM_DIR");
  if (!dir || !path) return 0;
  size_t n = strlen(dir);
  return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == 0);
}

static int fd_under_dir(int fd, int regular_only) {
  char link[64], path[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t len = readlink(link, path, sizeof path - 1);
  if (len <= 0) return 0;
  path[len] = 0;
  if (!under_dir(path)) return 0;
  if (!regular_only) return 1;
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

/* Whether a write to fd must fail with ENOSPC now. */
static int refuse_write(int fd) {
  if (!getenv("DISK_SHIM_DIR")) return 0;
  struct control c = read_control();
  if (!c.active || !c.full) return 0;
  return fd_under_dir(fd, 1);
}

#define REFUSE(fd)          \
  do {                      \
    if (refuse_write(fd)) { \
      errno = ENOSPC;       \
      return -1;            \
    }                       \
  } while (0)

ssize_t write(int fd, const void *buf, size_t n) {
  REFUSE(fd);
  return NEXT(write)(fd, buf, n);
}
ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
  REFUSE(fd);
  return NEXT(pwrite)(fd, buf, n, off);
}
ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off) {
  REFUSE(fd);
  return NEXT(pwrite64)(fd, buf, n, off);
}
ssize_t writev(int fd, const struct iovec *iov, int cnt) {
  REFUSE(fd);
  return NEXT(writev)(fd, iov, cnt);
}
ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off) {
  REFUSE(fd);
  return NEXT(pwritev)(fd, iov, cnt, off);
}
ssize_t pwritev64(int fd, const struct iovec *iov, int cnt, off64_t off) {
  REFUSE(fd);
  return NEXT(pwritev64)(fd, iov, cnt, off);
}
ssize_t pwritev2(int fd, const struct iovec *iov, int cnt, off_t off, int flags) {
  REFUSE(fd);
  return NEXT(pwritev2)(fd, iov, cnt, off, flags);
}
ssize_t pwritev64v2(int fd, const struct iovec *iov, int cnt, off64_t off, int flags) {
  REFUSE(fd);
  return NEXT(pwritev64v2)(fd, iov, cnt, off, flags);
}
int fallocate(int fd, int mode, off_t off, off_t len) {
  REFUSE(fd);
  return NEXT(fallocate)(fd, mode, off, len);
}
int fallocate64(int fd, int mode, off64_t off, off64_t len) {
  REFUSE(fd);
  return NEXT(fallocate64)(fd, mode, off, len);
}
int posix_fallocate(int fd, off_t off, off_t len) {
  if (refuse_write(fd)) return ENOSPC;
  return NEXT(posix_fallocate)(fd, off, len);
}
int posix_fallocate64(int fd, off64_t off, off64_t len) {
  if (refuse_write(fd)) return ENOSPC;
  return NEXT(posix_fallocate64)(fd, off, len);
}

/* statfs family: the real answer, with the free blocks the control file says. */
#define FAKE_FREE(buf, affected)                                                 \
  do {                                                                           \
    if (rc == 0 && (affected)) {                                                 \
      struct control c = read_control();                                         \
      if (c.active && (buf)->f_bsize > 0) {                                      \
        (buf)->f_bavail = (buf)->f_bfree = c.free_bytes / (buf)->f_bsize;       \
      }                                                                          \
    }                                                                            \
  } while (0)

int statfs(const char *path, struct statfs *buf) {
  int rc = NEXT(statfs)(path, buf);
  FAKE_FREE(buf, under_dir(path));
  return rc;
}
int statfs64(const char *path, struct statfs64 *buf) {
  int rc = NEXT(statfs64)(path, buf);
  FAKE_FREE(buf, under_dir(path));
  return rc;
}
int fstatfs(int fd, struct statfs *buf) {
  int rc = NEXT(fstatfs)(fd, buf);
  FAKE_FREE(buf, fd_under_dir(fd, 0));
  return rc;
}
int fstatfs64(int fd, struct statfs64 *buf) {
  int rc = NEXT(fstatfs64)(fd, buf);
  FAKE_FREE(buf, fd_under_dir(fd, 0));
  return rc;
}
int statvfs(const char *path, struct statvfs *buf) {
  int rc = NEXT(statvfs)(path, buf);
  FAKE_FREE(buf, under_dir(path));
  return rc;
}
int statvfs64(const char *path, struct statvfs64 *buf) {
  int rc = NEXT(statvfs64)(path, buf);
  FAKE_FREE(buf, under_dir(path));
  return rc;
}
int fstatvfs(int fd, struct statvfs *buf) {
  int rc = NEXT(fstatvfs)(fd, buf);
  FAKE_FREE(buf, fd_under_dir(fd, 0));
  return rc;
}
int fstatvfs64(int fd, struct statvfs64 *buf) {
  int rc = NEXT(fstatvfs64)(fd, buf);
  FAKE_FREE(buf, fd_under_dir(fd, 0));
  return rc;
}
