#ifndef HEAP_STATS_H
#define HEAP_STATS_H
#include <stddef.h>

/// Bytes the C heap holds in use (glibc's mallinfo2), or 0 where it is not available.
size_t heap_bytes_in_use(void);

#endif
