/*
 * rop_property.c: property ROPs ([MS-OXCROPS] 2.2.8).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "rop_ids.h"
#include "rop_property.h"

static int rop_parse_get_propids_from_names(mapi_rd *rd, apr_pool_t *pool,
                                            rop_call *call)
{
    rop_get_propids_from_names_req *r = apr_pcalloc(pool, sizeof(*r));
    uint16_t i;

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->flags);
    /* The smallest PropertyName (Kind 0xFF + GUID) is 17 bytes. */
    if (mapi_rd_u16(rd, &r->count) < 0 || rop_rd_count_ok(rd, r->count, 17) < 0)
        return -1;
    r->names = apr_pcalloc(pool, (size_t)r->count * sizeof(*r->names) + 1);
    for (i = 0; i < r->count && !rd->failed; i++)
        rop_rd_property_name(rd, pool, &r->names[i]);
    return rd->failed ? -1 : 0;
}

static int rop_parse_get_names_from_propids(mapi_rd *rd, apr_pool_t *pool,
                                            rop_call *call)
{
    rop_get_names_from_propids_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0)
        return -1;
    return rop_rd_propid_array(rd, pool, &r->count, &r->prop_ids);
}

static int rop_parse_get_props_specific(mapi_rd *rd, apr_pool_t *pool,
                                        rop_call *call)
{
    rop_get_props_specific_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u16(rd, &r->property_size_limit);
    mapi_rd_u16(rd, &r->want_unicode);
    if (rd->failed)
        return -1;
    return rop_rd_tag_array(rd, pool, &r->tags);
}

static int rop_parse_get_props_all(mapi_rd *rd, apr_pool_t *pool,
                                   rop_call *call)
{
    rop_get_props_all_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u16(rd, &r->property_size_limit);
    mapi_rd_u16(rd, &r->want_unicode);
    return rd->failed ? -1 : 0;
}

/* PropertyValueSize counts PropertyValueCount and PropertyValues; the
 * values must fill it exactly. */
static int rop_parse_set_props(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_set_props_req *r = apr_pcalloc(pool, sizeof(*r));
    uint16_t size;
    mapi_rd sub;

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0 || mapi_rd_u16(rd, &size) < 0
        || mapi_rd_sub(rd, size, &sub) < 0)
        return -1;
    if (rop_rd_tagged_propvals(&sub, pool, &r->values) < 0
        || mapi_rd_left(&sub) != 0) {
        rd->failed = 1;
        return -1;
    }
    return 0;
}

static int rop_parse_tags(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_tags_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    if (rop_rd_hdr_in(rd, call) < 0)
        return -1;
    return rop_rd_tag_array(rd, pool, &r->tags);
}

static int rop_parse_query_named_props(mapi_rd *rd, apr_pool_t *pool,
                                       rop_call *call)
{
    rop_query_named_props_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->query_flags);
    if (mapi_rd_u8(rd, &r->has_guid) < 0 || rd->failed)
        return -1;
    if (r->has_guid)
        return mapi_rd_view(rd, 16, &r->property_guid);
    return 0;
}

static int rop_parse_copy_properties(mapi_rd *rd, apr_pool_t *pool,
                                     rop_call *call)
{
    rop_copy_properties_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_src_dst(rd, call);
    mapi_rd_u8(rd, &r->want_asynchronous);
    if (mapi_rd_u8(rd, &r->copy_flags) < 0 || rd->failed)
        return -1;
    return rop_rd_tag_array(rd, pool, &r->tags);
}

static int rop_parse_copy_to(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_copy_to_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_src_dst(rd, call);
    mapi_rd_u8(rd, &r->want_asynchronous);
    mapi_rd_u8(rd, &r->want_subobjects);
    if (mapi_rd_u8(rd, &r->copy_flags) < 0 || rd->failed)
        return -1;
    return rop_rd_tag_array(rd, pool, &r->excluded_tags);
}

static int rop_parse_progress(mapi_rd *rd, apr_pool_t *pool, rop_call *call)
{
    rop_progress_req *r = apr_pcalloc(pool, sizeof(*r));

    call->req = r;
    rop_rd_hdr_in(rd, call);
    mapi_rd_u8(rd, &r->want_cancel);
    return rd->failed ? -1 : 0;
}

const rop_def rop_property_defs[] = {
    { ROP_ID_GET_PROPERTY_IDS_FROM_NAMES, 0, "RopGetPropertyIdsFromNames",
      rop_parse_get_propids_from_names, NULL, 0 },
    { ROP_ID_GET_NAMES_FROM_PROPERTY_IDS, 0, "RopGetNamesFromPropertyIds",
      rop_parse_get_names_from_propids, NULL, 0 },
    { ROP_ID_GET_PROPERTIES_SPECIFIC, 0, "RopGetPropertiesSpecific",
      rop_parse_get_props_specific, NULL, 0 },
    { ROP_ID_GET_PROPERTIES_ALL, 0, "RopGetPropertiesAll",
      rop_parse_get_props_all, NULL, 0 },
    { ROP_ID_GET_PROPERTIES_LIST, 0, "RopGetPropertiesList",
      rop_parse_hdr_only, NULL, 0 },
    { ROP_ID_SET_PROPERTIES, 0, "RopSetProperties",
      rop_parse_set_props, NULL, 0 },
    { ROP_ID_SET_PROPERTIES_NO_REPLICATE, 0, "RopSetPropertiesNoReplicate",
      rop_parse_set_props, NULL, 0 },
    { ROP_ID_DELETE_PROPERTIES, 0, "RopDeleteProperties",
      rop_parse_tags, NULL, 0 },
    { ROP_ID_DELETE_PROPERTIES_NO_REPLICATE, 0,
      "RopDeletePropertiesNoReplicate", rop_parse_tags, NULL, 0 },
    { ROP_ID_QUERY_NAMED_PROPERTIES, 0, "RopQueryNamedProperties",
      rop_parse_query_named_props, NULL, 0 },
    { ROP_ID_COPY_PROPERTIES, ROP_F_DEST_HANDLE, "RopCopyProperties",
      rop_parse_copy_properties, NULL, 0 },
    { ROP_ID_COPY_TO, ROP_F_DEST_HANDLE, "RopCopyTo",
      rop_parse_copy_to, NULL, 0 },
    { ROP_ID_PROGRESS, 0, "RopProgress", rop_parse_progress, NULL, 0 },
    { 0, 0, NULL, NULL, NULL, 0 }
};
