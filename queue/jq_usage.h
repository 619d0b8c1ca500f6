/* queue/jq_usage.h - the usage log: which assemblies applications load.
 *
 * Written by the runtime (`ngen run`, engineer B2) each time it binds an
 * assembly; read by the idle task (`ngen task`, jq_task.h), which queues
 * images for assemblies used often and reclaims automatic images unused
 * for long. Self-contained (base/ only), so the runtime can call it
 * without depending on the queue's database.
 *
 * Location and format, under the cache directory:
 *
 *   usage/apps/<app-hash>.log   one per application ("the App stream");
 *                               app-hash = first 16 hex digits of the
 *                               SHA-256 of the application's absolute path
 *   usage/runtime-wide.log      every load of every application ("the
 *                               machine-wide stream", ngentask /RuntimeWide)
 *
 * Each line is one load, tab-separated, UTF-8, '\n'-terminated:
 *
 *   <unix-seconds> TAB <app-path> TAB <assembly-path> TAB <identity>
 *
 * where identity is the assembly's full display name ("System.Xml,
 * Version=4.0.0.0, Culture=neutral, PublicKeyToken=b77a5c561934e089").
 * Paths are absolute; a tab or newline in a field is written as a space.
 * Each line is written with one write() on an O_APPEND descriptor, so
 * concurrent writers never interleave (lines stay under PIPE_BUF).
 *
 * The task rotates a log past 4 MiB to <log>.1 (replacing the older one)
 * and reads both generations.
 *
 * The usage directory is created mode 01777 (like /tmp) when the cache's
 * administrator runs the task, so programs run by other users can log too;
 * logging is best effort: when the log cannot be written, the load goes
 * unrecorded and the program is not disturbed. */
#ifndef JQ_USAGE_H
#define JQ_USAGE_H

#include <stdint.h>

/* Appends one load to the application's log and the machine-wide log.
 * Returns 0 or -errno (callers may ignore it). */
int jq_usage_record(const char *cache_dir, const char *app_path,
		    const char *assembly_path, const char *identity);

/* The application's log file (heap string). */
char *jq_usage_app_log(const char *cache_dir, const char *app_path);

/* One parsed line; fields point into the caller's line buffer. */
typedef struct jq_usage_entry {
	int64_t time;
	const char *app, *assembly, *identity;
} jq_usage_entry;

/* Parses a line in place (tabs become NULs). 0, or NG_ERR_FORMAT. */
int jq_usage_parse(char *line, jq_usage_entry *e);

/* Calls fn for every entry of the log at path. Returns 0, -errno (a
 * missing log is 0 with no entries), or fn's non-zero result. */
int jq_usage_read(const char *path, int (*fn)(void *ctx, const jq_usage_entry *e),
		  void *ctx);

/* Creates <cache>/usage and usage/apps (mode 01777). */
int jq_usage_prepare(const char *cache_dir);

#endif
