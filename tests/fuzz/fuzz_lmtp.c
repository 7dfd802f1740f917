/*
 * fuzz_lmtp.c: libFuzzer target for the LMTP server of mapi-deliver
 * (mod_mapi/delivery/dlv_lmtp.c): the command parser and its state
 * machine, MAIL FROM/RCPT TO paths and SIZE=, the DATA reader
 * (dot-unstuffing, the size limit, lines longer than the buffer), and
 * the MIME import of what DATA brings (dlv_deliver).  Each input is one
 * whole session read from a memfd; replies go to /dev/null.
 *
 * The configuration database (a real Berkeley DB environment in a
 * temporary directory) knows one mailbox, fuzz@mapi.test, so RCPT TO
 * can succeed and DATA runs; the mailbox has no store, so a delivery
 * parses the message and then fails (5.1.1) instead of filling the disk
 * over millions of inputs.  tests/fuzz/fuzz_mime.c covers the MIME
 * import deeper, against messages alone.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <apr_general.h>
#include <apr_pools.h>
#include "configdb/cfg_db.h"
#include "db/mapi_db.h"
#include "delivery/dlv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static apr_pool_t *root;
static mapi_db *db;
static int null_fd = -1;
static char dir[] = "/tmp/fuzz-lmtp-XXXXXX";

static void fz_cleanup(void)
{
    char cmd[64];

    /* Close the environment before LeakSanitizer's check at exit: Berkeley
     * DB's handles are otherwise reachable only through its shared region,
     * which LSan does not scan, and show as a leak of the last input. */
    if (root) {
        apr_pool_destroy(root);
        root = NULL;
        db = NULL;
    }
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    if (system(cmd) != 0)
        return;
}

static int fz_setup(void)
{
    cfg_org org = { .name = "Fuzz", .domain = "mapi.test",
                    .mapi_http_enabled = 1 };
    cfg_mailbox m = { .name = "fuzz", .display_name = "Fuzz",
                      .smtp = "fuzz@mapi.test", .principal = "fuzz@MAPI.TEST",
                      .mapi_http_enabled = CFG_TRI_NULL, .mapi_enabled = 1 };
    const char *error = NULL;

    apr_initialize();
    apr_pool_create(&root, NULL);
    if (!mkdtemp(dir) || mapi_db_recover(root, dir, &error) != 0
        || mapi_db_open(root, dir, 0, &db, &error) != 0)
        return -1;
    atexit(fz_cleanup);
    if (cfg_org_create(db, root, &org, &error) != 0
        || cfg_mailbox_create(db, root, &m, &error) != 0)
        return -1;
    null_fd = open("/dev/null", O_WRONLY);
    return null_fd >= 0 ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    apr_pool_t *p;
    int fd;

    if (!db && fz_setup() != 0)
        abort();
    fd = memfd_create("lmtp", 0);
    if (fd < 0)
        abort();
    if (size && write(fd, data, size) != (ssize_t)size)
        abort();
    lseek(fd, 0, SEEK_SET);
    apr_pool_create(&p, root);
    (void)dlv_lmtp_serve(db, p, fd, null_fd, "fuzz.mapi.test");
    apr_pool_destroy(p);
    close(fd);
    return 0;
}
