/* tests/runtime/test_rt_manifest.c - which manifests the runtime accepts,
 * and the reason it gives for each one it rejects. */
#include <criterion/criterion.h>

#include "base/err.h"
#include "compiler/comp.h"
#include "runtime/rt_manifest.h"
#include "runtime/rt_target.h"

#include <string.h>
#include <stdio.h>
#include <sys/utsname.h>

static ng_manifest good(void)
{
	static struct utsname u;
	static char triple[128];
	uname(&u);
	snprintf(triple, sizeof triple, "%s-pc-linux-gnu", u.machine);
	ng_manifest m = {
		.magic = NG_MANIFEST_MAGIC, .format = NG_IMAGE_FORMAT,
		.compiler_version = COMP_COMPILER_VERSION, .llvm_version = "14",
		.target_triple = triple, .cpu_features = "-avx512f,+sse2",
		.scenario = 0, .display_name = "T",
	};
	for (int i = 0; i < 16; i++)
		m.mvid[i] = (uint8_t)i;
	return m;
}

static const uint8_t mvid[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };

Test(rt_manifest, accepts_a_matching_manifest)
{
	ng_manifest m = good();
	ng_diag d;
	ng_diag_clear(&d);
	cr_expect_eq(rt_manifest_check(&m, mvid, 0, &d), 0, "%s", d.msg);
}

static void expect_reject(const ng_manifest *m, const uint8_t *id, unsigned scen,
			  const char *reason)
{
	ng_diag d;
	ng_diag_clear(&d);
	cr_expect_eq(rt_manifest_check(m, id, scen, &d), NG_ERR_INVALID_IMAGE);
	cr_expect(strstr(d.msg, reason) != NULL, "reason \"%s\" lacks \"%s\"", d.msg, reason);
}

Test(rt_manifest, rejects_missing_manifest)
{
	expect_reject(NULL, mvid, 0, "exports no ngen_manifest");
}

Test(rt_manifest, rejects_bad_magic)
{
	ng_manifest m = good();
	m.magic = 0x12345678;
	expect_reject(&m, mvid, 0, "magic 0x12345678");
}

Test(rt_manifest, rejects_other_format)
{
	ng_manifest m = good();
	m.format = NG_IMAGE_FORMAT + 1;
	expect_reject(&m, mvid, 0, "image format");
}

Test(rt_manifest, rejects_other_architecture)
{
	ng_manifest m = good();
	m.target_triple = "riscv64-unknown-linux-gnu";
	expect_reject(&m, mvid, 0, "compiled for target riscv64");
}

Test(rt_manifest, rejects_other_scenario)
{
	ng_manifest m = good();
	m.scenario = NG_SCENARIO_DEBUG;
	expect_reject(&m, mvid, 0, "scenario is debug, the run asks for normal");
}

Test(rt_manifest, rejects_other_mvid)
{
	ng_manifest m = good();
	m.mvid[0] = 0xff;
	expect_reject(&m, mvid, 0, "another build of the assembly");
}

Test(rt_manifest, finds_methods_by_token)
{
	ng_manifest_method rows[] = {
		{ 0x06000001, NG_METHOD_COMPILED, (void *)1, NULL },
		{ 0x06000002, NG_METHOD_EXCLUDED, NULL, "newobj" },
	};
	ng_manifest m = good();
	m.method_count = 2;
	m.methods = rows;
	cr_expect_eq(rt_manifest_method(&m, 0x06000002), &rows[1]);
	cr_expect_null(rt_manifest_method(&m, 0x06000003));
}

Test(rt_target, cpu_features_against_a_host)
{
	ng_diag d;
	ng_diag_clear(&d);
	const char *flags = "fpu sse sse2 pni ssse3 sse4_1 avx";
	cr_expect_eq(rt_target_check_host("x86_64-pc-linux-gnu", "+sse2,+sse4.1,-avx2,+avx,+64bit",
					  "x86_64", flags, &d), 0, "%s", d.msg);
	cr_expect_eq(rt_target_check_host("x86_64-pc-linux-gnu", "+sse2,+avx2", "x86_64", flags, &d),
		     NG_ERR_INVALID_IMAGE);
	cr_expect(strstr(d.msg, "CPU feature avx2") != NULL, "%s", d.msg);
	/* "sse" must not match inside "sse2" or "sse4_1". */
	cr_expect_eq(rt_target_check_host("x86_64-pc-linux-gnu", "+sse", "x86_64", "sse2 sse4_1", &d),
		     NG_ERR_INVALID_IMAGE);
	cr_expect_eq(rt_target_check_host("aarch64-linux-gnu", "", "x86_64", flags, &d),
		     NG_ERR_INVALID_IMAGE);
}

Test(rt_target, this_machine_runs_its_own_features)
{
	ng_diag d;
	ng_diag_clear(&d);
	struct utsname u;
	uname(&u);
	char triple[128];
	snprintf(triple, sizeof triple, "%s-pc-linux-gnu", u.machine);
	cr_expect_eq(rt_target_check(triple, "+sse2", &d), 0, "%s", d.msg);
}

Test(rt_manifest, rejects_another_compiler_version)
{
	ng_manifest m = good();
	m.compiler_version = "ngen-cg 0.0-old";
	expect_reject(&m, mvid, 0, "compiled by ngen-cg 0.0-old");
}
