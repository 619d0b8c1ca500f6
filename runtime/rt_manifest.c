/* runtime/rt_manifest.c - manifest checks. */
#include "runtime/rt_manifest.h"

#include "base/err.h"
#include "base/hash.h"
#include "compiler/comp.h"
#include "runtime/rt_target.h"

#include <string.h>

const char *rt_scenario_name(unsigned scenario)
{
	switch (scenario & (NG_SCENARIO_DEBUG | NG_SCENARIO_PROFILE)) {
	case NG_SCENARIO_DEBUG: return "debug";
	case NG_SCENARIO_PROFILE: return "profile";
	case NG_SCENARIO_DEBUG | NG_SCENARIO_PROFILE: return "debug+profile";
	default: return "normal";
	}
}

int rt_manifest_check(const ng_manifest *m, const uint8_t *mvid,
		      unsigned scenario, ng_diag *diag)
{
	if (!m)
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE,
				   "it exports no %s", NG_MANIFEST_SYMBOL);
	if (m->magic != NG_MANIFEST_MAGIC)
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE,
				   "bad manifest magic 0x%08x (expected 0x%08x)",
				   m->magic, NG_MANIFEST_MAGIC);
	if (m->format != NG_IMAGE_FORMAT)
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE,
				   "image format %u, this runtime reads format %u",
				   m->format, NG_IMAGE_FORMAT);
	if (!m->compiler_version || strcmp(m->compiler_version, COMP_COMPILER_VERSION) != 0)
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE,
				   "compiled by %s, this runtime goes with %s",
				   m->compiler_version ? m->compiler_version : "an unknown compiler",
				   COMP_COMPILER_VERSION);
	int rc = rt_target_check(m->target_triple, m->cpu_features, diag);
	if (rc < 0)
		return rc;
	if (m->scenario != scenario)
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE,
				   "image scenario is %s, the run asks for %s",
				   rt_scenario_name(m->scenario),
				   rt_scenario_name(scenario));
	if (mvid && memcmp(m->mvid, mvid, 16) != 0) {
		char have[33], want[33];
		ng_hex(m->mvid, 16, have);
		ng_hex(mvid, 16, want);
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE,
				   "compiled from another build of the assembly "
				   "(image MVID %s, assembly MVID %s)", have, want);
	}
	if (m->method_count && !m->methods)
		return ng_diag_set(diag, NG_ERR_INVALID_IMAGE,
				   "the manifest's method table is missing");
	return 0;
}

const ng_manifest_method *rt_manifest_method(const ng_manifest *m, uint32_t token)
{
	uint32_t row = token & 0x00ffffffu;
	if (row >= 1 && row <= m->method_count && m->methods[row - 1].token == token)
		return &m->methods[row - 1];
	for (uint32_t i = 0; i < m->method_count; i++)
		if (m->methods[i].token == token)
			return &m->methods[i];
	return NULL;
}
