/* runtime/rt_target.c - image target and CPU features against the host. */
#include "runtime/rt_target.h"

#include "base/err.h"
#include "base/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

/* LLVM feature name -> /proc/cpuinfo flag, where they differ or matter. */
static const struct {
	const char *llvm, *cpuinfo;
} feature_map[] = {
	{ "sse", "sse" }, { "sse2", "sse2" }, { "sse3", "pni" },
	{ "ssse3", "ssse3" }, { "sse4.1", "sse4_1" }, { "sse4.2", "sse4_2" },
	{ "sse4a", "sse4a" }, { "avx", "avx" }, { "avx2", "avx2" },
	{ "fma", "fma" }, { "fma4", "fma4" }, { "f16c", "f16c" },
	{ "bmi", "bmi1" }, { "bmi2", "bmi2" }, { "lzcnt", "abm" },
	{ "popcnt", "popcnt" }, { "movbe", "movbe" }, { "aes", "aes" },
	{ "pclmul", "pclmulqdq" }, { "sha", "sha_ni" }, { "adx", "adx" },
	{ "rdrnd", "rdrand" }, { "rdseed", "rdseed" }, { "cx16", "cx16" },
	{ "xsave", "xsave" }, { "xsaveopt", "xsaveopt" }, { "xsavec", "xsavec" },
	{ "xsaves", "xsaves" }, { "fsgsbase", "fsgsbase" },
	{ "avx512f", "avx512f" }, { "avx512dq", "avx512dq" },
	{ "avx512cd", "avx512cd" }, { "avx512bw", "avx512bw" },
	{ "avx512vl", "avx512vl" }, { "avx512ifma", "avx512ifma" },
	{ "avx512vbmi", "avx512vbmi" }, { "avx512vbmi2", "avx512_vbmi2" },
	{ "avx512vnni", "avx512_vnni" }, { "avx512bitalg", "avx512_bitalg" },
	{ "avx512vpopcntdq", "avx512_vpopcntdq" }, { "avx512bf16", "avx512_bf16" },
	{ "gfni", "gfni" }, { "vaes", "vaes" }, { "vpclmulqdq", "vpclmulqdq" },
	{ "clflushopt", "clflushopt" }, { "clwb", "clwb" }, { "rdpid", "rdpid" },
	{ "sahf", "lahf_lm" }, { "mmx", "mmx" }, { "cmov", "cmov" },
	{ "avx512fp16", "avx512_fp16" }, { "avxvnni", "avx_vnni" },
	{ "amx-tile", "amx_tile" }, { "waitpkg", "waitpkg" },
};

static const char *cpuinfo_name(const char *llvm)
{
	for (size_t i = 0; i < sizeof feature_map / sizeof feature_map[0]; i++)
		if (strcmp(feature_map[i].llvm, llvm) == 0)
			return feature_map[i].cpuinfo;
	return NULL;
}

static int has_flag(const char *flags, const char *flag)
{
	size_t n = strlen(flag);
	for (const char *p = flags; (p = strstr(p, flag)) != NULL; p += n) {
		int start = p == flags || p[-1] == ' ' || p[-1] == '\t';
		int end = p[n] == 0 || p[n] == ' ' || p[n] == '\n' || p[n] == '\t';
		if (start && end)
			return 1;
	}
	return 0;
}

static int check_triple(const char *triple, const char *machine, ng_diag *diag)
{
	size_t n = strcspn(triple, "-");
	if (strlen(machine) != n || strncmp(triple, machine, n) != 0 ||
	    !strstr(triple, "linux"))
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE,
				   "compiled for target %s, this machine is %s-linux",
				   triple, machine);
	return 0;
}

int rt_target_check_host(const char *triple, const char *features,
			 const char *machine, const char *flags, ng_diag *diag)
{
	if (!triple || !features)
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE,
				   "the manifest has no target triple or CPU features");
	int rc = check_triple(triple, machine, diag);
	char *list = xstrdup(features), *save = NULL;
	for (char *f = strtok_r(list, ",", &save); f && rc == 0;
	     f = strtok_r(NULL, ",", &save)) {
		if (f[0] != '+')
			continue;
		const char *name = cpuinfo_name(f + 1);
		if (name && !has_flag(flags, name))
			rc = ng_diag_set(diag, NG_ERR_INVALID_IMAGE,
					 "compiled for CPU feature %s, which this CPU lacks",
					 f + 1);
	}
	free(list);
	return rc;
}

/* The "flags" line of /proc/cpuinfo (malloc()ed, "" when unreadable). */
static char *read_cpu_flags(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char *line = NULL, *out = NULL;
	size_t cap = 0;
	while (f && getline(&line, &cap, f) > 0) {
		if (strncmp(line, "flags", 5) == 0) {
			const char *colon = strchr(line, ':');
			out = xstrdup(colon ? colon + 1 : "");
			break;
		}
	}
	free(line);
	if (f)
		fclose(f);
	return out ? out : xstrdup("");
}

int rt_target_check(const char *triple, const char *features, ng_diag *diag)
{
	static char *flags;
	static struct utsname uts;
	if (!flags) {
		flags = read_cpu_flags();
		uname(&uts);
	}
	return rt_target_check_host(triple, features, uts.machine, flags, diag);
}
