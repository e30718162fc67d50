#include "sqlite_guard.h"
#include <stdlib.h>
#include <time.h>

long long mosaic_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int mosaic_sqlite_harden(sqlite3 *db) {
    int rc;
#ifdef SQLITE_DBCONFIG_DEFENSIVE
    if ((rc = sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)0)) != SQLITE_OK) return rc;
#endif
#ifdef SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER
    if ((rc = sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_FTS3_TOKENIZER, 0, (int *)0)) != SQLITE_OK) return rc;
#endif
#ifdef SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION
    if ((rc = sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, (int *)0)) != SQLITE_OK) return rc;
#endif
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
    if ((rc = sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)0)) != SQLITE_OK) return rc;
#endif
#ifdef SQLITE_DBCONFIG_ENABLE_TRIGGER
    if ((rc = sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, (int *)0)) != SQLITE_OK) return rc;
#endif
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 10000000);
    sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 100000);
    sqlite3_limit(db, SQLITE_LIMIT_EXPR_DEPTH, 100);
    sqlite3_limit(db, SQLITE_LIMIT_COMPOUND_SELECT, 50);
    sqlite3_limit(db, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 1000);
    sqlite3_limit(db, SQLITE_LIMIT_TRIGGER_DEPTH, 1);
    return SQLITE_OK;
}

static int mosaic_deadline_handler(void *context) {
    long long deadline = *(long long *)context;
    return deadline != 0 && mosaic_monotonic_ns() > deadline;
}

void mosaic_sqlite_install_deadline(sqlite3 *db, long long *cell) {
    sqlite3_progress_handler(db, 1000, mosaic_deadline_handler, cell);
}
