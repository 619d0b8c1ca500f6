/* runtime/rt_manifest.h - is a loaded image's manifest usable here?
 *
 * Checked in order, the first failure being the reason reported: magic,
 * NG_IMAGE_FORMAT, the compiler's version, target triple and CPU features, scenario, and the MVID
 * of the assembly the runtime is about to run (an image of another build of
 * the assembly would run stale code). */
#ifndef RT_MANIFEST_H
#define RT_MANIFEST_H

#include <stdint.h>

#include "base/abi.h"
#include "base/diag.h"

/* Returns 0, or NG_ERR_INVALID_IMAGE with the reason in *diag. mvid may be
 * NULL to skip the identity check. */
int rt_manifest_check(const ng_manifest *m, const uint8_t *mvid,
		      unsigned scenario, ng_diag *diag);

/* The manifest row of a MethodDef token, or NULL. Rows are in token order,
 * so this is a direct index when the table is complete. */
const ng_manifest_method *rt_manifest_method(const ng_manifest *m, uint32_t token);

/* "debug+profile", "debug", "profile" or "normal" for scenario bits. */
const char *rt_scenario_name(unsigned scenario);

#endif
