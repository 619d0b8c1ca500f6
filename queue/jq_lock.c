/* queue/jq_lock.c - flock()-based locks in the cache directory; see jq_lock.h. */
#include "queue/jq_lock.h"

#include "base/err.h"
#include "base/xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int open_lock(const char *cache_dir, const char *name)
{
	char *path = xasprintf("%s/%s", cache_dir, name);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	int err = errno;
	if (fd < 0)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	/* Report why it could not be created (EACCES), not that a reader
	 * found no file. */
	if (fd < 0 && errno != ENOENT)
		err = errno;
	free(path);
	return fd < 0 ? -err : fd;
}

int jq_foreground_enter(const char *cache_dir, int *fd)
{
	int f = open_lock(cache_dir, "foreground.lock");
	if (f < 0)
		return f;
	while (flock(f, LOCK_SH) < 0) {
		if (errno != EINTR) {
			int err = errno;
			close(f);
			return -err;
		}
	}
	*fd = f;
	return 0;
}

void jq_foreground_leave(int fd)
{
	if (fd >= 0)
		close(fd);
}

bool jq_foreground_active(const char *cache_dir)
{
	int f = open_lock(cache_dir, "foreground.lock");
	if (f < 0)
		return false;
	bool active = flock(f, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(f);
	return active;
}

static int read_pid(int fd)
{
	char buf[32] = { 0 };
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
	return n > 0 ? atoi(buf) : 0;
}

int jq_service_lock(const char *cache_dir, int *fd, int *pid)
{
	int f = open_lock(cache_dir, "service.lock");
	if (f < 0)
		return f;
	if (flock(f, LOCK_EX | LOCK_NB) < 0) {
		int err = errno;
		if (pid)
			*pid = read_pid(f);
		close(f);
		return err == EWOULDBLOCK ? NG_ERR_BUSY : -err;
	}
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%d\n", (int)getpid());
	if (ftruncate(f, 0) < 0 || pwrite(f, buf, (size_t)n, 0) != n) {
		/* The pid is for people; the lock itself is what counts. */
	}
	*fd = f;
	return 0;
}

void jq_service_unlock(int fd)
{
	if (fd >= 0) {
		if (ftruncate(fd, 0) < 0) {
			/* Best effort. */
		}
		close(fd);
	}
}

bool jq_service_running(const char *cache_dir, int *pid)
{
	int f = open_lock(cache_dir, "service.lock");
	if (f < 0)
		return false;
	bool running = flock(f, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	if (running && pid)
		*pid = read_pid(f);
	close(f);
	return running;
}
