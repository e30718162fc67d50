#include "system_random.h"
#if defined(__APPLE__)
#include <stdlib.h>
ssize_t mosaic_system_random(void *buf, size_t len) {
    arc4random_buf(buf, len);
    return (ssize_t)len;
}
#else
#include <sys/random.h>
ssize_t mosaic_system_random(void *buf, size_t len) {
    return getrandom(buf, len, 0);
}
#endif
