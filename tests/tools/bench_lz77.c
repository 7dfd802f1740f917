/*
 * bench_lz77.c: throughput of the [MS-OXCRPC] LZ77 codec on 32 KiB
 * payloads shaped like real ROP buffers, plus text and random data.
 *
 * Usage: bench_lz77 [seconds-per-case] [file...]
 * Each file given is cut into 32 KiB payloads and measured as well.
 * Throughput is uncompressed megabytes (10^6 bytes) per second.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wire/lz77.h"

#define BENCH_PAYLOAD 32768
#define BENCH_COUNT   32

static uint64_t bench_state = 0x9E3779B97F4A7C15ull;

static uint32_t bench_rand(void)
{
    /* xorshift64*: deterministic, good enough to make test data. */
    bench_state ^= bench_state >> 12;
    bench_state ^= bench_state << 25;
    bench_state ^= bench_state >> 27;
    return (uint32_t)((bench_state * 2685821657736338717ull) >> 32);
}

static const char *const bench_words[] = {
    "the", "meeting", "project", "status", "report", "quarterly", "budget",
    "review", "please", "find", "attached", "update", "re:", "fw:", "team",
    "lunch", "invoice", "schedule", "deadline", "customer", "server",
    "migration", "weekly", "notes", "action", "items", "for", "and", "of",
    "Exchange", "Outlook", "calendar", "draft", "final", "version", "2024",
};
#define BENCH_NWORDS (sizeof(bench_words) / sizeof(bench_words[0]))

static const char *const bench_names[] = {
    "Alice Martin", "Bob Dupont", "Carol Nguyen", "Dave O'Brien",
    "Erin Schmidt", "Frank Rossi",
};

typedef struct bench_out {
    uint8_t *p;
    size_t len, cap;
} bench_out;

static void bench_put(bench_out *o, const void *src, size_t n)
{
    if (o->cap - o->len < n)
        n = o->cap - o->len;
    memcpy(o->p + o->len, src, n);
    o->len += n;
}

static void bench_le(bench_out *o, uint64_t v, size_t n)
{
    uint8_t b[8];
    size_t i;

    for (i = 0; i < n; i++)
        b[i] = (uint8_t)(v >> (8 * i));
    bench_put(o, b, n);
}

/* ASCII s as UTF-16LE with its terminator, as MAPI strings travel. */
static void bench_utf16(bench_out *o, const char *s)
{
    for (; *s; s++)
        bench_le(o, (uint8_t)*s, 2);
    bench_le(o, 0, 2);
}

static void bench_subject(bench_out *o)
{
    char buf[256] = "";
    unsigned i, n = 2 + bench_rand() % 7;

    for (i = 0; i < n; i++) {
        strcat(buf, bench_words[bench_rand() % BENCH_NWORDS]);
        if (i + 1 < n)
            strcat(buf, " ");
    }
    bench_utf16(o, buf);
}

/* One RopQueryRows-like row: flag, entry id (constant store GUID, counter),
 * subject, sender, FILETIME, size, flags. */
static void bench_row(bench_out *o, uint64_t *counter, uint64_t *ft)
{
    static const uint8_t store_guid[16] = {
        0x2f, 0x91, 0x4c, 0x10, 0x8a, 0x33, 0x4e, 0x55,
        0x9b, 0x01, 0xd2, 0x7a, 0x61, 0x0c, 0x44, 0xe8 };

    bench_le(o, 0, 1);
    bench_le(o, 46, 2);
    bench_le(o, 0, 4);
    bench_put(o, store_guid, 16);
    bench_le(o, 7, 2);
    bench_put(o, store_guid, 16);
    bench_le(o, ++*counter, 6);
    bench_subject(o);
    bench_utf16(o, bench_names[bench_rand() % 6]);
    *ft += 600000000ull + bench_rand() % 100000000u;
    bench_le(o, *ft, 8);
    bench_le(o, 1000 + bench_rand() % 200000, 4);
    bench_le(o, (bench_rand() & 1) ? 0x1 : 0x9, 4);
}

static void bench_gen_rows(uint8_t *buf, size_t cap)
{
    bench_out o = { buf, 0, cap };
    uint64_t counter = 0x1000 + bench_rand(), ft = 0x01DA000000000000ull;

    bench_le(&o, 0x15, 1);              /* RopQueryRows response header */
    bench_le(&o, 0, 5);
    while (o.len < cap)
        bench_row(&o, &counter, &ft);
}

static void bench_gen_text(uint8_t *buf, size_t cap)
{
    bench_out o = { buf, 0, cap };

    while (o.len < cap) {
        const char *w = bench_words[bench_rand() % BENCH_NWORDS];

        for (; *w; w++)
            bench_le(&o, (uint8_t)*w, 2);
        bench_le(&o, ' ', 2);
    }
}

static void bench_gen_random(uint8_t *buf, size_t cap)
{
    size_t i;

    for (i = 0; i < cap; i++)
        buf[i] = (uint8_t)bench_rand();
}

static double bench_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct bench_case {
    uint8_t *in[BENCH_COUNT], *z[BENCH_COUNT];
    size_t in_len[BENCH_COUNT], z_len[BENCH_COUNT];
    size_t n;
} bench_case;

static int bench_run(const char *name, bench_case *c, double secs)
{
    static uint8_t out[BENCH_PAYLOAD];
    double t0, t, total_in = 0, total_z = 0;
    size_t i, len;
    long iters;

    for (i = 0; i < c->n; i++) {
        c->z[i] = malloc(LZ77_WORST_CASE(c->in_len[i]));
        if (lz77_compress(c->in[i], c->in_len[i], c->z[i],
                          LZ77_WORST_CASE(c->in_len[i]), &c->z_len[i]) < 0
            || lz77_decompress(c->z[i], c->z_len[i], out, sizeof(out), &len) < 0
            || len != c->in_len[i] || memcmp(out, c->in[i], len) != 0) {
            fprintf(stderr, "%s: round trip failed on payload %zu\n", name, i);
            return -1;
        }
        total_in += c->in_len[i];
        total_z += c->z_len[i];
    }
    t0 = bench_now();
    for (iters = 0; (t = bench_now() - t0) < secs; iters++)
        for (i = 0; i < c->n; i++)
            lz77_compress(c->in[i], c->in_len[i], c->z[i],
                          LZ77_WORST_CASE(c->in_len[i]), &len);
    printf("%-10s ratio %5.2f  compress %8.1f MB/s", name,
           total_in / total_z, iters * total_in / t / 1e6);
    t0 = bench_now();
    for (iters = 0; (t = bench_now() - t0) < secs; iters++)
        for (i = 0; i < c->n; i++)
            lz77_decompress(c->z[i], c->z_len[i], out, sizeof(out), &len);
    printf("  decompress %8.1f MB/s\n", iters * total_in / t / 1e6);
    for (i = 0; i < c->n; i++)
        free(c->z[i]);
    return 0;
}

static int bench_generated(const char *name, void (*gen)(uint8_t *, size_t),
                           double secs)
{
    bench_case c;
    size_t i;
    int rv;
    const char *only = getenv("BENCH_LZ77_ONLY");

    /* BENCH_LZ77_ONLY=name measures one case (for callgrind runs). */
    if (only && strcmp(only, name) != 0)
        return 0;
    c.n = BENCH_COUNT;
    for (i = 0; i < c.n; i++) {
        c.in[i] = malloc(BENCH_PAYLOAD);
        c.in_len[i] = BENCH_PAYLOAD;
        gen(c.in[i], BENCH_PAYLOAD);
    }
    rv = bench_run(name, &c, secs);
    for (i = 0; i < c.n; i++)
        free(c.in[i]);
    return rv;
}

static int bench_file(const char *path, double secs)
{
    bench_case c = { .n = 0 };
    FILE *f = fopen(path, "rb");
    size_t i;
    int rv;

    if (!f) {
        perror(path);
        return -1;
    }
    while (c.n < BENCH_COUNT) {
        c.in[c.n] = malloc(BENCH_PAYLOAD);
        c.in_len[c.n] = fread(c.in[c.n], 1, BENCH_PAYLOAD, f);
        if (c.in_len[c.n] == 0) {
            free(c.in[c.n]);
            break;
        }
        c.n++;
    }
    fclose(f);
    rv = c.n ? bench_run(path, &c, secs) : 0;
    for (i = 0; i < c.n; i++)
        free(c.in[i]);
    return rv;
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 1.0;
    int i, rv = 0;

    if (secs <= 0)
        secs = 1.0;
    printf("LZ77 ([MS-OXCRPC] 3.1.4.1.1.2), %d x %d-byte payloads\n",
           BENCH_COUNT, BENCH_PAYLOAD);
    rv |= bench_generated("rop-rows", bench_gen_rows, secs);
    rv |= bench_generated("utf16-text", bench_gen_text, secs);
    rv |= bench_generated("random", bench_gen_random, secs);
    for (i = 2; i < argc; i++)
        rv |= bench_file(argv[i], secs);
    return rv ? 1 : 0;
}
