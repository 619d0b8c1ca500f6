/* runtime/rt_profile.h - call counts from /Profile images. */
#ifndef RT_PROFILE_H
#define RT_PROFILE_H

#include <stdint.h>

#include "base/abi.h"

/* Calls of one method seen so far (0 when never entered). */
uint64_t rt_profile_calls(const ng_manifest *img, uint32_t token);
/* Writes the counts to path (nothing when path is NULL or nothing was
 * counted). Returns 0, or -1 when the file cannot be written. */
int rt_profile_report(const char *path);

#endif
