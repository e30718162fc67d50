#ifndef MOSAIC_SQLITE_GUARD_H
#define MOSAIC_SQLITE_GUARD_H

#include <sqlite3.h>

/// Hardens a connection that runs SQL written by someone else on a file from outside:
/// defensive mode (no writes to the schema or shadow tables), no two-argument fts3_tokenizer(),
/// no extension loading, no triggers or views that call unsafe functions (trusted_schema off),
/// and tight limits on lengths, depths and attached databases.
/// sqlite3_db_config is variadic, which Swift cannot call: this is the reason for the shim.
/// Returns SQLITE_OK or the first error code.
int mosaic_sqlite_harden(sqlite3 *db);

/// Makes the connection stop any statement once the deadline in `*cell` (CLOCK_MONOTONIC
/// nanoseconds; 0 for none) has passed: a progress handler every 1,000 virtual machine steps.
/// The caller owns `cell`, keeps it alive as long as the connection, and may change it anytime.
void mosaic_sqlite_install_deadline(sqlite3 *db, long long *cell);

/// CLOCK_MONOTONIC now, in nanoseconds.
long long mosaic_monotonic_ns(void);

#endif
