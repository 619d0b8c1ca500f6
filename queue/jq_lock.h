/* queue/jq_lock.h - the cache's two advisory locks, as flock()s on files in
 * the cache directory. Locks die with their process, so a crash never
 * leaves one behind.
 *
 *   <cache>/foreground.lock  shared by every manual command that works on
 *       the cache (install, update, uninstall, eqi). The service starts no
 *       new work while anyone holds it: commands run by hand take
 *       precedence over background work. C's cmd_install/cmd_update call
 *       jq_foreground_enter/leave around their work.
 *   <cache>/service.lock     held exclusively by the one service of the
 *       cache for its whole life; the file holds its pid. */
#ifndef JQ_LOCK_H
#define JQ_LOCK_H

#include <stdbool.h>

/* Takes the foreground lock (shared); *fd is the handle. Returns 0 or
 * -errno. Blocks only for the instant the service tests the lock. */
int jq_foreground_enter(const char *cache_dir, int *fd);
void jq_foreground_leave(int fd);
/* True while some process holds the foreground lock. */
bool jq_foreground_active(const char *cache_dir);

/* Takes the service lock without waiting: 0 (*fd holds it), NG_ERR_BUSY
 * when another service has it (*pid: its pid, may be NULL), or -errno. */
int jq_service_lock(const char *cache_dir, int *fd, int *pid);
void jq_service_unlock(int fd);
/* True when a service holds the lock now; *pid gets its pid. */
bool jq_service_running(const char *cache_dir, int *pid);

#endif
