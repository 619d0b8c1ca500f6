/* runtime/rt_target.h - is an image's target this machine?
 *
 * The runtime must not load libLLVM to answer this (it would cost more than
 * the whole start-up), so the host is described from uname(2) and
 * /proc/cpuinfo: the triple's architecture must be the machine's and its OS
 * Linux, and every feature the image was compiled with ("+avx2,+bmi2,...",
 * LLVM's names) must be one the CPU has. LLVM feature names that have no
 * /proc/cpuinfo flag (they name ISA extensions every x86-64 has, or tuning
 * properties) are accepted. */
#ifndef RT_TARGET_H
#define RT_TARGET_H

#include "base/diag.h"

/* Returns 0 when an image with this triple and feature string runs here,
 * else NG_ERR_INVALID_IMAGE with the first mismatch in *diag. */
int rt_target_check(const char *triple, const char *cpu_features, ng_diag *diag);

/* Same against an explicit host description (tests): machine as uname -m
 * prints it, cpuinfo_flags as the "flags" line of /proc/cpuinfo. */
int rt_target_check_host(const char *triple, const char *cpu_features,
			 const char *machine, const char *cpuinfo_flags,
			 ng_diag *diag);

#endif
