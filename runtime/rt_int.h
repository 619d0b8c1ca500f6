/* runtime/rt_int.h - the loader's state, shared by rt_loader.c and rt_run.c. */
#ifndef RT_INT_H
#define RT_INT_H

#include <stdint.h>

#include "base/abi.h"
#include "base/diag.h"
#include "compiler/md.h"
#include "runtime/rt.h"

typedef struct rt_image {
	struct rt_image *next;
	char *assembly_path;           /* as resolved */
	char *image_path;              /* where it was loaded from */
	md_image *md;                  /* the assembly's metadata, open for the run */
	void *handle;                  /* dlopen() handle */
	const ng_manifest *manifest;   /* inside the image */
	int compiled_now;              /* compiled by this run */
} rt_image;

/* Sets the options the loader uses for the whole run (copied). */
void rt__loader_init(const rt_options *opt);
/* Loads the image of the assembly at path (once; later calls return the
 * same image). When expect_mvid is not NULL, the assembly must have that
 * MVID (the one a caller was compiled against). */
int rt__image_load(const char *assembly_path, const uint8_t *expect_mvid,
		   rt_image **out, ng_diag *diag);
/* The loaded image whose manifest this is, or NULL. */
rt_image *rt__image_of(const ng_manifest *m);
/* "Namespace.Type::Method" of a MethodDef of img (malloc()ed). */
char *rt__method_name(const rt_image *img, uint32_t token);
/* Ends the program: the method is not available natively. */
_Noreturn void rt__missing_method(const rt_image *img, uint32_t token,
				  const char *reason);

/* Lets exception reports name the type of a running .cctor. */
void rt__install_type_namer(void);

#endif
