//go:build cgo

package main

// SQLite allocates through the C library's malloc from whichever thread
// runs a query, and glibc gives each of the dozen or so threads an arena
// of its own; the memory a query freed stays in its thread's arena. At 64
// connections twelve arenas held about 80 MB for SQLite's 16 MB of page
// cache; two hold about 30 (docs/performance.md, "Memory"). glibc fixes
// its arena limit when it makes its second arena, before any Go code
// runs, so the limit is set here in a constructor, unless
// MALLOC_ARENA_MAX says otherwise. C libraries without M_ARENA_MAX are
// left alone.

/*
#include <malloc.h>
#include <stdlib.h>

__attribute__((constructor)) static void kliv_malloc_arenas(void) {
#ifdef M_ARENA_MAX
	if (getenv("MALLOC_ARENA_MAX") == NULL) {
		mallopt(M_ARENA_MAX, 2);
	}
#endif
}
*/
import "C"
