/* queue/jq_usage.c - the usage log; see jq_usage.h for the format. */
#include "queue/jq_usage.h"

#include "base/err.h"
#include "base/hash.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char *jq_usage_app_log(const char *cache_dir, const char *app_path)
{
	uint8_t sum[NG_SHA256_LEN];
	char hex[2 * NG_SHA256_LEN + 1];
	ng_sha256(app_path, strlen(app_path), sum);
	ng_hex(sum, 8, hex);
	return xasprintf("%s/usage/apps/%s.log", cache_dir, hex);
}

static void put_field(ng_strbuf *sb, const char *s)
{
	for (; s && *s; s++)
		ng_strbuf_putc(sb, (*s == '\t' || *s == '\n' || *s == '\r') ? ' ' : *s);
}

static int append_line(const char *path, const char *line, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, line, len);
	int err = n == (ssize_t)len ? 0 : (n < 0 ? -errno : -EIO);
	close(fd);
	return err;
}

int jq_usage_record(const char *cache_dir, const char *app_path,
		    const char *assembly_path, const char *identity)
{
	if (!cache_dir || !app_path || !assembly_path)
		return NG_ERR_INVAL;
	ng_strbuf sb = NG_STRBUF_INIT;
	ng_strbuf_printf(&sb, "%lld\t", (long long)time(NULL));
	put_field(&sb, app_path);
	ng_strbuf_putc(&sb, '\t');
	put_field(&sb, assembly_path);
	ng_strbuf_putc(&sb, '\t');
	put_field(&sb, identity);
	ng_strbuf_putc(&sb, '\n');
	char *app_log = jq_usage_app_log(cache_dir, app_path);
	char *wide = xasprintf("%s/usage/runtime-wide.log", cache_dir);
	int rc = append_line(app_log, sb.data, sb.len);
	if (rc == -ENOENT && jq_usage_prepare(cache_dir) == 0)
		rc = append_line(app_log, sb.data, sb.len);
	int rc2 = append_line(wide, sb.data, sb.len);
	free(app_log);
	free(wide);
	ng_strbuf_close(&sb);
	return rc < 0 ? rc : rc2;
}

int jq_usage_parse(char *line, jq_usage_entry *e)
{
	char *f[4];
	char *p = line;
	size_t len = strlen(line);
	if (len && line[len - 1] == '\n')
		line[len - 1] = '\0';
	for (int i = 0; i < 4; i++) {
		f[i] = p;
		char *tab = strchr(p, '\t');
		if (i < 3) {
			if (!tab)
				return NG_ERR_FORMAT;
			*tab = '\0';
			p = tab + 1;
		}
	}
	char *end;
	long long t = strtoll(f[0], &end, 10);
	if (*end || end == f[0] || f[2][0] != '/')
		return NG_ERR_FORMAT;
	e->time = t;
	e->app = f[1];
	e->assembly = f[2];
	e->identity = f[3];
	return 0;
}

int jq_usage_read(const char *path, int (*fn)(void *ctx, const jq_usage_entry *e),
		  void *ctx)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	while (rc == 0 && getline(&line, &cap, f) > 0) {
		jq_usage_entry e;
		if (jq_usage_parse(line, &e) == 0)
			rc = fn(ctx, &e);
		/* A malformed line (a torn write after a crash) is skipped. */
	}
	free(line);
	fclose(f);
	return rc;
}

int jq_usage_prepare(const char *cache_dir)
{
	char *usage = xasprintf("%s/usage", cache_dir);
	char *apps = xasprintf("%s/usage/apps", cache_dir);
	int rc = 0;
	const char *dirs[] = { usage, apps };
	for (int i = 0; i < 2 && rc == 0; i++) {
		if (mkdir(dirs[i], 01777) < 0 && errno != EEXIST)
			rc = -errno;
		else if (chmod(dirs[i], 01777) < 0)
			rc = -errno;
	}
	free(usage);
	free(apps);
	return rc;
}
