/* runtime/rt_profile.c - the profiler hooks of /Profile images.
 *
 * Every method of a /Profile image calls ngrt_profile_enter on entry and
 * ngrt_profile_leave on exit. The runtime counts calls per method and the
 * deepest nesting seen; rt_profile_report() writes one line per method,
 * "calls <n> depth <d> <assembly> 0x<token> <name>", to the file named by
 * $NGEN_PROFILE when the program ends (nothing when it is unset). */
#include "runtime/rt_profile.h"

#include "base/xmalloc.h"

#include <stdio.h>
#include <stdlib.h>

typedef struct prof_entry {
	const ng_manifest *image;
	uint32_t token;
	uint64_t calls;
} prof_entry;

static prof_entry *table;     /* open addressing, power-of-two size */
static size_t table_cap, table_len;
static _Thread_local uint32_t depth;
static uint32_t max_depth;

static size_t slot_of(const ng_manifest *img, uint32_t token)
{
	size_t h = ((uintptr_t)img >> 4) * 31u + token * 2654435761u;
	return h & (table_cap - 1);
}

static void grow(void)
{
	prof_entry *old = table;
	size_t old_cap = table_cap;
	table_cap = table_cap ? table_cap * 2 : 256;
	table = xcalloc(table_cap, sizeof *table);
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i].image)
			continue;
		size_t s = slot_of(old[i].image, old[i].token);
		while (table[s].image)
			s = (s + 1) & (table_cap - 1);
		table[s] = old[i];
	}
	free(old);
}

static prof_entry *entry_of(const ng_manifest *img, uint32_t token)
{
	if ((table_len + 1) * 2 > table_cap)
		grow();
	size_t s = slot_of(img, token);
	while (table[s].image && (table[s].image != img || table[s].token != token))
		s = (s + 1) & (table_cap - 1);
	if (!table[s].image) {
		table[s].image = img;
		table[s].token = token;
		table_len++;
	}
	return &table[s];
}

void ngrt_profile_enter(const ng_manifest *self, uint32_t token)
{
	entry_of(self, token)->calls++;
	if (++depth > max_depth)
		max_depth = depth;
}

void ngrt_profile_leave(const ng_manifest *self, uint32_t token)
{
	if (depth > 0)
		depth--;
}

uint64_t rt_profile_calls(const ng_manifest *img, uint32_t token)
{
	if (!table_cap)
		return 0;
	size_t s = slot_of(img, token);
	while (table[s].image) {
		if (table[s].image == img && table[s].token == token)
			return table[s].calls;
		s = (s + 1) & (table_cap - 1);
	}
	return 0;
}

int rt_profile_report(const char *path, rt_profile_namer namer)
{
	if (!path || !table_len)
		return 0;
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	for (size_t i = 0; i < table_cap; i++) {
		const prof_entry *e = &table[i];
		if (!e->image)
			continue;
		char *name = namer ? namer(e->image, e->token) : NULL;
		fprintf(f, "calls %llu depth %u %s 0x%08x%s%s\n",
			(unsigned long long)e->calls, max_depth,
			e->image->display_name ? e->image->display_name : "?",
			e->token, name ? " " : "", name ? name : "");
		free(name);
	}
	return fclose(f) == 0 ? 0 : -1;
}
