/*
 * nspi_stat.c: the STAT structure and positioning in a table
 * ([MS-OXNSPI] 2.3.7, 3.1.4.5): CurrentRec names a row (or the beginning
 * or end of the table), Delta moves from it, NumPos/TotalRecs give the
 * approximate (fractional) position that MID_CURRENT asks for.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "nspi/nspi.h"

int nspi_stat_read(mapi_rd *rd, nspi_stat *st)
{
    uint32_t delta;

    mapi_rd_u32(rd, &st->sort_type);
    mapi_rd_u32(rd, &st->container_id);
    mapi_rd_u32(rd, &st->cur_rec);
    mapi_rd_u32(rd, &delta);
    mapi_rd_u32(rd, &st->num_pos);
    mapi_rd_u32(rd, &st->total_recs);
    mapi_rd_u32(rd, &st->codepage);
    mapi_rd_u32(rd, &st->template_locale);
    mapi_rd_u32(rd, &st->sort_locale);
    st->delta = (int32_t)delta;
    return rd->failed ? -1 : 0;
}

void nspi_stat_write(mapi_wr *wr, const nspi_stat *st)
{
    mapi_wr_u32(wr, st->sort_type);
    mapi_wr_u32(wr, st->container_id);
    mapi_wr_u32(wr, st->cur_rec);
    mapi_wr_u32(wr, (uint32_t)st->delta);
    mapi_wr_u32(wr, st->num_pos);
    mapi_wr_u32(wr, st->total_recs);
    mapi_wr_u32(wr, st->codepage);
    mapi_wr_u32(wr, st->template_locale);
    mapi_wr_u32(wr, st->sort_locale);
}

void nspi_stat_default(nspi_stat *st)
{
    *st = (nspi_stat){ .sort_type = NSPI_SORT_DISPLAYNAME,
                       .cur_rec = NSPI_MID_BEGINNING_OF_TABLE,
                       .codepage = 1252, .template_locale = 1033,
                       .sort_locale = 1033 };
}

/* The GAL (container 0) is the one container, sorted by display name;
 * phonetic order is not kept ([MS-OXNSPI] R... SortTypePhoneticDisplayName
 * is optional) and any other sort type is bad input. */
uint32_t nspi_stat_check(const nspi_stat *st)
{
    switch (st->sort_type) {
    case NSPI_SORT_DISPLAYNAME:
    case NSPI_SORT_DISPLAYNAME_RO:
    case NSPI_SORT_DISPLAYNAME_W:
        break;
    case NSPI_SORT_PHONETIC:
        return NSPI_E_NOT_SUPPORTED;
    default:
        return NSPI_E_INVALID_PARAM;
    }
    return st->container_id == 0 ? NSPI_OK : NSPI_E_INVALID_BOOKMARK;
}

uint32_t nspi_stat_base(const nspi_dir *dir, const nspi_stat *st,
                        unsigned *pos_r)
{
    switch (st->cur_rec) {
    case NSPI_MID_BEGINNING_OF_TABLE:
        *pos_r = 0;
        return NSPI_OK;
    case NSPI_MID_END_OF_TABLE:
        *pos_r = dir->n;
        return NSPI_OK;
    case NSPI_MID_CURRENT:
        /* Fractional position: NumPos of TotalRecs, scaled to the table
         * as it is now. */
        if (st->total_recs == 0 || st->total_recs == dir->n)
            *pos_r = st->num_pos;
        else
            *pos_r = (unsigned)((uint64_t)st->num_pos * dir->n /
                                st->total_recs);
        if (*pos_r > dir->n)
            *pos_r = dir->n;
        return NSPI_OK;
    }
    return nspi_dir_by_mid(dir, st->cur_rec, pos_r) ? NSPI_OK
                                                    : NSPI_E_NOT_FOUND;
}

uint32_t nspi_stat_seek(const nspi_dir *dir, const nspi_stat *st,
                        unsigned *pos_r, int32_t *moved_r)
{
    unsigned base;
    int64_t pos;
    uint32_t ec = nspi_stat_base(dir, st, &base);

    if (ec != NSPI_OK)
        return ec;
    pos = (int64_t)base + st->delta;
    if (pos < 0)
        pos = 0;
    if (pos > (int64_t)dir->n)
        pos = dir->n;
    *pos_r = (unsigned)pos;
    if (moved_r)
        *moved_r = (int32_t)(pos - (int64_t)base);
    return NSPI_OK;
}

void nspi_stat_set(const nspi_dir *dir, nspi_stat *st, unsigned pos)
{
    if (pos > dir->n)
        pos = dir->n;
    st->cur_rec = pos < dir->n ? dir->rows[pos]->mid : NSPI_MID_END_OF_TABLE;
    st->num_pos = pos;
    st->total_recs = dir->n;
    st->delta = 0;
}
