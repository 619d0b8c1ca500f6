/* compiler/cg_link.c - object files to one ELF shared object, with ld.lld.
 *
 * ld.lld-14 runs as a child process (posix_spawnp, no shell), its stderr
 * captured into the diagnostic. The image is written to a temporary name in
 * the output directory, flushed to disk, then renamed over the final path,
 * so a reader never sees half an image and a crash leaves at worst a
 * "*.tmp.*" file behind.
 *
 * Hard-bound dependencies become DT_NEEDED entries naming the dependency
 * image's soname. The compiler does not need the dependency's image to
 * exist: it links against a stub shared object carrying only that soname
 * (built here, in the job's temporary directory); undefined symbols are
 * allowed in a shared object and resolved by the dynamic loader, which
 * matches DT_NEEDED against the sonames of images the runtime already
 * loaded. ngrt_* helpers stay undefined too: the ngen executable exports
 * them (-rdynamic).
 *
 * --apply-dynamic-relocs writes link-time values into relocated data as
 * well, so comp_image_read() can follow the manifest's pointers in the file
 * without applying relocations. */
#include "compiler/cg.h"

#include "base/err.h"
#include "base/strbuf.h"
#include "base/xmalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The linker: $NGEN_LLD, else ld.lld-14, else ld.lld on PATH. */
static const char *linker_name(void)
{
	const char *e = getenv("NGEN_LLD");
	if (e && *e)
		return e;
	static const char *const names[] = { "ld.lld-14", "ld.lld" };
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	for (size_t i = 0; i < 2; i++) {
		const char *p = path;
		while (*p) {
			size_t n = strcspn(p, ":");
			char *full = xasprintf("%.*s/%s", (int)n, p, names[i]);
			int ok = access(full, X_OK) == 0;
			free(full);
			if (ok)
				return names[i];
			p += n + (p[n] == ':');
		}
	}
	return NULL;
}

/* Runs argv, collecting stderr into *err_out (malloc()ed). Returns the exit
 * status, or -errno when the program could not be started. */
static int run_capture(char *const argv[], char **err_out)
{
	*err_out = NULL;
	int fds[2];
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -errno;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc) {
		close(fds[0]);
		return -rc;
	}
	ng_strbuf sb = NG_STRBUF_INIT;
	char buf[4096];
	ssize_t n;
	while ((n = read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			ng_strbuf_append(&sb, buf, (size_t)n);
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	*err_out = ng_strbuf_take(&sb);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

static int run_linker(const char **args, size_t n, ng_diag *diag)
{
	char **argv = xcalloc(n + 1, sizeof *argv);
	for (size_t i = 0; i < n; i++)
		argv[i] = (char *)args[i];
	char *err = NULL;
	int rc = run_capture(argv, &err);
	free(argv);
	if (rc < 0) {
		free(err);
		return ng_diag_set(diag, NG_ERR_LINK, "cannot run the linker %s: %s "
				   "(install lld-14 or set NGEN_LLD)", args[0], ng_strerror(rc));
	}
	if (rc != 0) {
		size_t len = err ? strlen(err) : 0;
		while (len && (err[len - 1] == '\n'))
			err[--len] = '\0';
		ng_diag_set(diag, NG_ERR_LINK, "%s failed (exit %d): %s", args[0], rc,
			    len ? err : "no message");
		free(err);
		return NG_ERR_LINK;
	}
	free(err);
	return 0;
}

/* A shared object with nothing in it but a soname, to link against. */
static int make_stub(const char *lld, const cg_link_req *req, size_t i,
		     char **path_out, ng_diag *diag)
{
	const char *soname = req->needed[i], *empty_obj = req->empty_object;
	char *path = xasprintf("%s/needed%zu.so", req->tmpdir, i);
	const char *args[] = { lld, "-shared", "-soname", soname, "-o", path, empty_obj };
	int rc = run_linker(args, sizeof args / sizeof args[0], diag);
	if (rc) {
		free(path);
		return rc;
	}
	*path_out = path;
	return 0;
}

static int sync_and_rename(const char *tmp, const char *final, ng_diag *diag)
{
	int fd = open(tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0) {
		int e = -errno;
		if (fd >= 0)
			close(fd);
		return ng_diag_set(diag, e, "cannot flush %s: %s", tmp, ng_strerror(e));
	}
	close(fd);
	if (rename(tmp, final) < 0) {
		int e = -errno;
		return ng_diag_set(diag, e, "cannot rename %s to %s: %s", tmp, final,
				   ng_strerror(e));
	}
	return 0;
}

int cg__link(const cg_link_req *req, ng_diag *diag)
{
	const char *lld = linker_name();
	if (!lld)
		return ng_diag_set(diag, NG_ERR_LINK, "no linker: ld.lld-14 is not on PATH "
				   "(install lld-14, or set NGEN_LLD to an ld.lld)");
	size_t max = 16 + req->object_count + req->needed_count;
	const char **args = xcalloc(max, sizeof *args);
	char **stubs = xcalloc(req->needed_count + 1, sizeof *stubs);
	/* Unique per process and per job: jobs of one process may run at once. */
	static unsigned seq;
	unsigned n_job = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
	char *tmp = xasprintf("%s.tmp.%ld.%u", req->output, (long)getpid(), n_job);
	size_t n = 0;
	int rc = 0;
	for (size_t i = 0; i < req->needed_count && rc == 0; i++)
		rc = make_stub(lld, req, i, &stubs[i], diag);
	if (rc == 0) {
		args[n++] = lld;
		args[n++] = "-shared";
		args[n++] = "--hash-style=gnu";
		args[n++] = "--apply-dynamic-relocs";
		args[n++] = "-z";
		args[n++] = "noexecstack";
		args[n++] = "--build-id=sha1";
		args[n++] = "-soname";
		args[n++] = req->soname;
		args[n++] = "-o";
		args[n++] = tmp;
		for (size_t i = 0; i < req->object_count; i++)
			args[n++] = req->objects[i];
		if (req->needed_count)
			args[n++] = "--no-as-needed";
		for (size_t i = 0; i < req->needed_count; i++)
			args[n++] = stubs[i];
		rc = run_linker(args, n, diag);
	}
	if (rc == 0)
		rc = sync_and_rename(tmp, req->output, diag);
	if (rc)
		unlink(tmp);
	for (size_t i = 0; i < req->needed_count; i++) {
		if (stubs[i])
			unlink(stubs[i]);
		free(stubs[i]);
	}
	free(stubs);
	free(tmp);
	free(args);
	return rc;
}
