/*
 * rop_property.h: property ROP requests ([MS-OXCROPS] 2.2.8).
 *
 * Licensed under the Apache License, Version 2.0.
 */
#ifndef MAPI_ROP_PROPERTY_H
#define MAPI_ROP_PROPERTY_H

#include "rop_types.h"

typedef struct rop_get_propids_from_names_req {
    uint8_t flags;
    uint16_t count;
    rop_property_name *names;
} rop_get_propids_from_names_req;

typedef struct rop_get_names_from_propids_req {
    uint16_t count;
    uint16_t *prop_ids;
} rop_get_names_from_propids_req;

typedef struct rop_get_props_specific_req {
    uint16_t property_size_limit;
    uint16_t want_unicode;
    rop_tag_array tags;
} rop_get_props_specific_req;

typedef struct rop_get_props_all_req {
    uint16_t property_size_limit;
    uint16_t want_unicode;
} rop_get_props_all_req;

/* RopSetProperties, RopSetPropertiesNoReplicate. */
typedef struct rop_set_props_req {
    rop_propval_array values;
} rop_set_props_req;

/* RopDeleteProperties, RopDeletePropertiesNoReplicate. */
typedef struct rop_tags_req {
    rop_tag_array tags;
} rop_tags_req;

typedef struct rop_query_named_props_req {
    uint8_t query_flags;
    uint8_t has_guid;
    const uint8_t *property_guid;   /* NULL unless has_guid */
} rop_query_named_props_req;

typedef struct rop_copy_properties_req {
    uint8_t want_asynchronous;
    uint8_t copy_flags;
    rop_tag_array tags;
} rop_copy_properties_req;

typedef struct rop_copy_to_req {
    uint8_t want_asynchronous;
    uint8_t want_subobjects;
    uint8_t copy_flags;
    rop_tag_array excluded_tags;
} rop_copy_to_req;

typedef struct rop_progress_req {
    uint8_t want_cancel;
} rop_progress_req;

extern const rop_def rop_property_defs[];

#endif
