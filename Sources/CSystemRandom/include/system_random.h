#ifndef MOSAIC_SYSTEM_RANDOM_H
#define MOSAIC_SYSTEM_RANDOM_H
#include <stddef.h>
#include <sys/types.h>

/// Fills buf with len bytes from the kernel's CSPRNG (getrandom(2) on Linux, arc4random_buf on
/// Apple systems). Returns the number of bytes written, or -1 with errno set.
ssize_t mosaic_system_random(void *buf, size_t len);

#endif
