/* An LD_PRELOAD library for durability_order_test: it logs, in the order they happen,
 * the calls that make data durable (fsync, fdatasync), the renames, and every write
 * into an SQLite write-ahead log (that is how a database row comes to exist), to the
 * file named by $DIGIKIT_SYSCALL_LOG, one line per call:
 *   <pid> fsync <path>          (a file)      <pid> fsync-dir <path>
 *   <pid> rename <from> <to>                  <pid> wal-write <path> <offset> <size>
 * For a WAL write the bytes themselves follow on the next line, as hex, so the test can
 * see which rows it carries. Each line is one write(2) to an O_APPEND file: the lines of
 * threads and processes never mix. Real calls go on unchanged. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void log_line(const char* text, size_t size)
{
    const char* file = getenv("DIGIKIT_SYSCALL_LOG");
    if (file == NULL) return;
    int fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return;
    ssize_t ignored = write(fd, text, size);
    (void)ignored;
    close(fd);
}

static void log_event(const char* format, ...)
{
    char line[8192];
    int used = snprintf(line, sizeof line, "%d ", (int)getpid());
    va_list args;
    va_start(args, format);
    used += vsnprintf(line + used, sizeof line - (size_t)used, format, args);
    va_end(args);
    if (used >= (int)sizeof line - 1) used = (int)sizeof line - 2;
    line[used++] = '\n';
    log_line(line, (size_t)used);
}

static int path_of(int fd, char* path, size_t size)
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, path, size - 1);
    if (n < 0) return 0;
    path[n] = '\0';
    return 1;
}

static void log_sync(int fd)
{
    char path[4096];
    struct stat info;
    if (!path_of(fd, path, sizeof path) || fstat(fd, &info) != 0) return;
    log_event("%s %s", S_ISDIR(info.st_mode) ? "fsync-dir" : "fsync", path);
}

static void log_wal_write(int fd, const void* data, size_t size, long long offset)
{
    char path[4096];
    if (!path_of(fd, path, sizeof path)) return;
    size_t length = strlen(path);
    if (length < 4 || strcmp(path + length - 4, "-wal") != 0) return;
    char* line = malloc(size * 2 + 64 + length);
    if (line == NULL) return;
    int used = sprintf(line, "%d wal-write %s %lld %zu\n", (int)getpid(), path, offset, size);
    static const char digits[] = "0123456789abcdef";
    const unsigned char* bytes = data;
    for (size_t i = 0; i < size; ++i) {
        line[used++] = digits[bytes[i] >> 4];
        line[used++] = digits[bytes[i] & 15];
    }
    line[used++] = '\n';
    log_line(line, (size_t)used);
    free(line);
}

#define REAL(name, type) ((type)dlsym(RTLD_NEXT, name))

/* A sync or rename is logged once done; a WAL write before it starts: so "a before b"
 * in the log means a was complete before b began. */
int fsync(int fd)
{
    int rc = REAL("fsync", int (*)(int))(fd);
    if (rc == 0) log_sync(fd);
    return rc;
}

int fdatasync(int fd)
{
    int rc = REAL("fdatasync", int (*)(int))(fd);
    if (rc == 0) log_sync(fd);
    return rc;
}

int rename(const char* from, const char* to)
{
    int rc = REAL("rename", int (*)(const char*, const char*))(from, to);
    if (rc == 0) log_event("rename %s %s", from, to);
    return rc;
}

int renameat(int from_dir, const char* from, int to_dir, const char* to)
{
    int rc = REAL("renameat", int (*)(int, const char*, int, const char*))(from_dir, from, to_dir, to);
    if (rc == 0) log_event("rename %s %s", from, to);
    return rc;
}

ssize_t pwrite(int fd, const void* data, size_t size, off_t offset)
{
    log_wal_write(fd, data, size, (long long)offset);
    return REAL("pwrite", ssize_t(*)(int, const void*, size_t, off_t))(fd, data, size, offset);
}

ssize_t pwrite64(int fd, const void* data, size_t size, off64_t offset)
{
    log_wal_write(fd, data, size, (long long)offset);
    return REAL("pwrite64", ssize_t(*)(int, const void*, size_t, off64_t))(fd, data, size, offset);
}
