/* runtime/rt_profile.h - call counts from /Profile images. */
#ifndef RT_PROFILE_H
#define RT_PROFILE_H

#include <stdint.h>

#include "base/abi.h"

/* Calls of one method seen so far (0 when never entered). */
uint64_t rt_profile_calls(const ng_manifest *img, uint32_t token);
/* Names a method for the report (malloc()ed), or NULL when unknown. */
typedef char *(*rt_profile_namer)(const ng_manifest *img, uint32_t token);
/* Writes the counts to path, one line per method, "calls <n> depth <d>
 * <assembly> 0x<token> <Namespace.Type::Method>" (the name when namer
 * gives one). Nothing when path is NULL or nothing was counted. Returns
 * 0, or -1 when the file cannot be written. */
int rt_profile_report(const char *path, rt_profile_namer namer);

#endif
