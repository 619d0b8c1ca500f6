/* bench/md_bench.c - time to open an assembly and walk it (bench/md.sh).
 *
 * Prints, best of N runs each, in milliseconds:
 *   read   read() of the whole file into memory (the floor: plain I/O)
 *   open   md_open(): map + validate headers, streams and every table cell
 *   walk   open + every cell of every table + every method body with its
 *          EH clauses and local signature (the figure)
 *   full   open + bodies + every signature and custom attribute decoded
 * as "name ms" lines, for md.sh to turn into ratios. */
#include "compiler/md.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double time_read(const char *path)
{
	double t0 = now_ms();
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	static char buf[1 << 16];
	size_t total = 0;
	ssize_t n;
	char *all = NULL;
	off_t size = lseek(fd, 0, SEEK_END);
	lseek(fd, 0, SEEK_SET);
	all = malloc((size_t)size + 1);
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		for (ssize_t i = 0; i < n; i++)
			all[total + (size_t)i] = buf[i];
		total += (size_t)n;
	}
	close(fd);
	free(all);
	return now_ms() - t0;
}

/* Every cell of every table through the public accessor. */
static uint64_t touch_tables(const md_image *img)
{
	uint64_t sum = 0;
	for (unsigned t = 0; t < MD_TABLE_COUNT; t++) {
		uint32_t n = md_row_count(img, (md_table)t);
		unsigned cols = md_table_columns((md_table)t);
		for (uint32_t r = 1; r <= n; r++)
			for (unsigned c = 0; c < cols; c++)
				sum += md_get(img, (md_table)t, r, c);
	}
	return sum;
}

static double time_md(const char *path, unsigned what, uint64_t *sink)
{
	double t0 = now_ms();
	md_image *img;
	ng_diag d;
	if (md_open(path, &img, &d) < 0) {
		fprintf(stderr, "%s\n", ng_diag_text(&d));
		exit(1);
	}
	if (what) {
		md_walk_stats st;
		*sink += touch_tables(img);
		if (md_walk(img, what, &st, &d) < 0) {
			fprintf(stderr, "%s\n", ng_diag_text(&d));
			exit(1);
		}
		*sink += st.il_bytes;
	}
	md_close(img);
	return now_ms() - t0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: md_bench FILE [RUNS]\n");
		return 2;
	}
	int runs = argc > 2 ? atoi(argv[2]) : 20;
	double best[4] = { 1e9, 1e9, 1e9, 1e9 };
	uint64_t sink = 0;
	for (int i = 0; i < runs; i++) {
		double t[4] = { time_read(argv[1]), time_md(argv[1], 0, &sink),
				time_md(argv[1], MD_WALK_BODIES, &sink),
				time_md(argv[1], MD_WALK_ALL, &sink) };
		for (int k = 0; k < 4; k++)
			if (t[k] < best[k])
				best[k] = t[k];
	}
	printf("read %.3f\nopen %.3f\nwalk %.3f\nfull %.3f\n", best[0], best[1], best[2],
	       best[3]);
	return sink == 42;   /* keeps the work from being optimised away */
}
