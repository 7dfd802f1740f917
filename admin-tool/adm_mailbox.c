/*
 * adm_mailbox.c: New-, Get-, Set-, Remove-Mailbox: the directory of
 * mailboxes the server maps authenticated identities to, and the identity
 * resolution the CAS mailbox commands share.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "adm.h"
#include "store/store.h"

#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>

static const char *const adm_mailbox_columns[] = {
    "Name", "DisplayName", "PrimarySmtpAddress", "UserPrincipalName", NULL
};

/* ---------------------------------------------------------- values -- */

/* local@domain: no blanks, one '@', a dotted domain of letters, digits
 * and hyphens.  Principals have the same shape (user@REALM). */
int adm_valid_address(const char *s)
{
    const char *at = strchr(s, '@');

    if (at == NULL || at == s || strchr(at + 1, '@') != NULL ||
        at[1] == '\0' || strlen(s) > 320)
        return 0;
    for (const char *p = s; p < at; p++)
        if (isspace((unsigned char)*p) || iscntrl((unsigned char)*p) ||
            strchr("()<>,;:\\\"[]", *p))
            return 0;
    for (const char *p = at + 1; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
            return 0;
    return at[1] != '.' && s[strlen(s) - 1] != '.' &&
           strstr(at, "..") == NULL;
}

/* "SMTP:x" and "smtp:x" (the Exchange EmailAddresses form) mean x. */
static const char *adm_strip_smtp(const char *s)
{
    return strncasecmp(s, "smtp:", 5) == 0 ? s + 5 : s;
}

static int adm_check_address(const adm_args *a, const char *param,
                             const char *v)
{
    if (adm_valid_address(v))
        return ADM_OK;
    return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                     "argument for parameter '%s': '%s' is not a valid "
                     "address; an address has the form user@domain.",
                     param, v);
}

/* A list parameter of addresses or principals; NULL when not given. */
static int adm_address_list(apr_pool_t *pool, const adm_args *a,
                            const char *param, apr_array_header_t **out)
{
    const char *v = adm_arg(a, param);
    int rc;

    *out = NULL;
    if (v == NULL)
        return ADM_OK;
    *out = adm_parse_list(pool, v);
    if ((*out)->nelts > CFG_ARRAY_MAX)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                         "argument for parameter '%s': at most %d values.",
                         param, CFG_ARRAY_MAX);
    for (int i = 0; i < (*out)->nelts; i++) {
        const char *s = adm_strip_smtp(APR_ARRAY_IDX(*out, i, const char *));

        APR_ARRAY_IDX(*out, i, const char *) = s;
        if ((rc = adm_check_address(a, param, s)) != ADM_OK)
            return rc;
    }
    return ADM_OK;
}

static int adm_check_name(const adm_args *a, const char *name)
{
    if (name == NULL || *name == '\0' || strchr(name, '/') != NULL ||
        strlen(name) > 256)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                         "argument for parameter 'Name': '%s' is not a valid "
                         "name (1 to 256 characters, no '/').",
                         name ? name : "");
    return ADM_OK;
}

/* -------------------------------------------------------- identity -- */

typedef struct adm_mbx_find {
    apr_pool_t *pool;
    const char *identity;
    apr_array_header_t *found;  /* cfg_mailbox * */
} adm_mbx_find;

static int adm_mbx_matches(apr_pool_t *pool, const cfg_mailbox *m,
                           const char *id)
{
    const int f = FNM_NOESCAPE | FNM_CASEFOLD;

    if (id == NULL)
        return 1;
    if (adm_has_wildcard(id))
        return fnmatch(id, m->name, f) == 0 ||
               fnmatch(id, m->display_name, f) == 0 ||
               fnmatch(id, m->smtp, f) == 0;
    if (strcasecmp(id, m->name) == 0 ||
        strcasecmp(id, m->display_name) == 0 ||
        strcasecmp(id, cfg_guid_str(pool, m->guid)) == 0 ||
        strcasecmp(id, m->legacy_dn) == 0)
        return 1;
    for (int i = 0; i < m->smtp_addresses->nelts; i++)
        if (strcasecmp(id, APR_ARRAY_IDX(m->smtp_addresses, i,
                                         const char *)) == 0)
            return 1;
    for (int i = 0; i < m->principals->nelts; i++)
        if (strcasecmp(id, APR_ARRAY_IDX(m->principals, i,
                                         const char *)) == 0)
            return 1;
    return 0;
}

static int adm_mbx_collect(const cfg_mailbox *m, void *baton)
{
    adm_mbx_find *f = baton;

    if (adm_mbx_matches(f->pool, m, f->identity))
        APR_ARRAY_PUSH(f->found, cfg_mailbox *) =
            apr_pmemdup(f->pool, m, sizeof(*m));
    return 0;
}

int adm_mailbox_find(adm_ctx *ctx, const char *cmd, const char *identity,
                     apr_array_header_t **found_r)
{
    adm_mbx_find f = { ctx->pool, identity,
                       apr_array_make(ctx->pool, 8, sizeof(cfg_mailbox *)) };
    const char *error = NULL;
    int rc = adm_open_db(ctx, cmd);

    if (rc != ADM_OK)
        return rc;
    if (cfg_mailbox_foreach(ctx->db, ctx->pool, adm_mbx_collect, &f,
                            &error) != 0)
        return adm_cfg_error(cmd, -1, identity, error);
    *found_r = f.found;
    return ADM_OK;
}

int adm_mailbox_one(adm_ctx *ctx, const char *cmd, const char *identity,
                    cfg_mailbox **m_r)
{
    apr_array_header_t *found;
    const char *names = "";
    int rc;

    if (identity == NULL || *identity == '\0')
        return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "Cannot process "
                         "command because of one or more missing mandatory "
                         "parameters: Identity.");
    if ((rc = adm_mailbox_find(ctx, cmd, identity, &found)) != ADM_OK)
        return rc;
    if (found->nelts == 0)
        return adm_not_found(cmd, identity);
    if (found->nelts > 1) {
        for (int i = 0; i < found->nelts; i++)
            names = apr_pstrcat(ctx->pool, names, i ? ", " : "",
                                APR_ARRAY_IDX(found, i, cfg_mailbox *)->smtp,
                                NULL);
        return adm_error(ADM_ERR_AMBIGUOUS, cmd, "The operation couldn't be "
                         "performed because '%s' matches multiple entries: "
                         "%s.", identity, names);
    }
    *m_r = APR_ARRAY_IDX(found, 0, cfg_mailbox *);
    return ADM_OK;
}

/* ----------------------------------------------------------- output -- */

static apr_array_header_t *adm_email_addresses(apr_pool_t *pool,
                                               const cfg_mailbox *m)
{
    apr_array_header_t *out = apr_array_make(pool, 4, sizeof(const char *));

    /* Exchange marks the primary with "SMTP:", the others "smtp:". */
    for (int i = 0; i < m->smtp_addresses->nelts; i++)
        APR_ARRAY_PUSH(out, const char *) =
            apr_pstrcat(pool, i == 0 ? "SMTP:" : "smtp:",
                        APR_ARRAY_IDX(m->smtp_addresses, i, const char *),
                        NULL);
    return out;
}

/* The directory attributes Set-Mailbox sets, in cfg_dir_attrs order. */
#define ADM_N_ATTRS 14
static const char *const adm_attr_params[ADM_N_ATTRS] = {
    "FirstName", "LastName", "Initials", "Title", "Department", "Company",
    "Office", "Phone", "MobilePhone", "HomePhone", "StreetAddress", "City",
    "PostalCode", "CountryOrRegion"
};

static const char **adm_attr_slot(cfg_dir_attrs *a, int i)
{
    const char **slots[ADM_N_ATTRS] = {
        &a->given_name, &a->surname, &a->initials, &a->title,
        &a->department, &a->company, &a->office, &a->business_phone,
        &a->mobile_phone, &a->home_phone, &a->street, &a->city,
        &a->postal_code, &a->country
    };
    return slots[i];
}

static adm_obj *adm_mailbox_obj(apr_pool_t *pool, const cfg_mailbox *m)
{
    adm_obj *o = adm_obj_new(pool);

    adm_obj_str(o, "Identity", m->name);
    adm_obj_str(o, "Name", m->name);
    adm_obj_str(o, "Alias", m->name);
    adm_obj_str(o, "DisplayName", m->display_name);
    adm_obj_str(o, "PrimarySmtpAddress", m->smtp);
    adm_obj_list(o, "EmailAddresses", adm_email_addresses(pool, m));
    adm_obj_str(o, "UserPrincipalName", m->principal);
    adm_obj_list(o, "PrincipalNames", m->principals);
    adm_obj_str(o, "LegacyExchangeDN", m->legacy_dn);
    adm_obj_str(o, "ExchangeGuid", cfg_guid_str(pool, m->guid));
    for (int i = 0; i < ADM_N_ATTRS; i++) {
        cfg_dir_attrs attrs = m->attrs;
        const char *v = *adm_attr_slot(&attrs, i);
        adm_obj_str(o, adm_attr_params[i], v ? v : "");
    }
    adm_obj_str(o, "Manager", m->attrs.manager_dn ? m->attrs.manager_dn : "");
    adm_obj_str(o, "Photo", m->attrs.photo.len ? apr_psprintf(pool,
                "%" APR_SIZE_T_FMT " bytes", m->attrs.photo.len) : "");
    adm_obj_time(o, "WhenCreated", m->created);
    adm_obj_time(o, "WhenChanged", m->changed);
    return o;
}

static void adm_mailbox_emit(adm_ctx *ctx, const apr_array_header_t *mbxs)
{
    apr_array_header_t *objs = apr_array_make(ctx->pool, mbxs->nelts + 1,
                                              sizeof(adm_obj *));

    for (int i = 0; i < mbxs->nelts; i++)
        APR_ARRAY_PUSH(objs, adm_obj *) =
            adm_mailbox_obj(ctx->pool, APR_ARRAY_IDX(mbxs, i, cfg_mailbox *));
    adm_emit(ctx, objs, adm_mailbox_columns);
}

/* --------------------------------------------------------- commands -- */

static const adm_param_def adm_new_mbx_params[] = {
    { "Name", 0 }, { "DisplayName", 0 }, { "PrimarySmtpAddress", 0 },
    { "UserPrincipalName", 0 }, { "EmailAddresses", 0 },
    { "PrincipalNames", 0 }, ADM_P_SHOULD, ADM_P_OUTPUT, { NULL, 0 }
};

static int adm_new_mailbox_values(adm_ctx *ctx, const adm_args *a,
                                  cfg_mailbox *m)
{
    int rc;

    m->name = adm_arg(a, "Name");
    m->smtp = adm_arg(a, "PrimarySmtpAddress");
    m->principal = adm_arg(a, "UserPrincipalName");
    m->display_name = adm_arg(a, "DisplayName");
    if (m->name == NULL || m->smtp == NULL || m->principal == NULL)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                         "command because of one or more missing mandatory "
                         "parameters: Name, PrimarySmtpAddress, "
                         "UserPrincipalName.");
    m->smtp = adm_strip_smtp(m->smtp);
    if ((rc = adm_check_name(a, m->name)) != ADM_OK ||
        (rc = adm_check_address(a, "PrimarySmtpAddress", m->smtp)) != ADM_OK
        || (rc = adm_check_address(a, "UserPrincipalName", m->principal))
           != ADM_OK ||
        (rc = adm_address_list(ctx->pool, a, "EmailAddresses",
                               &m->smtp_addresses)) != ADM_OK ||
        (rc = adm_address_list(ctx->pool, a, "PrincipalNames",
                               &m->principals)) != ADM_OK)
        return rc;
    if (m->display_name == NULL || *m->display_name == '\0')
        m->display_name = m->name;
    m->mapi_http_enabled = CFG_TRI_NULL;    /* inherit the organisation's */
    m->mapi_enabled = 1;
    return ADM_OK;
}

/* Provisions the mailbox's store (folder tree) in the same run as its
 * directory entry; without a store the mailbox cannot log on, so a
 * failure takes the directory entry back out rather than leave half a
 * mailbox. */
static int adm_mailbox_store_create(adm_ctx *ctx, const char *cmd,
                                    const cfg_mailbox *m)
{
    const char *error = NULL, *ignored = NULL;
    store_status st = store_mailbox_create(ctx->db, ctx->pool, m->guid,
                                           m->display_name && *m->display_name
                                               ? m->display_name : m->name,
                                           &error);

    if (st == STORE_OK)
        return ADM_OK;
    cfg_mailbox_delete(ctx->db, ctx->pool, m->smtp, &ignored);
    return adm_error(ADM_ERR_DATABASE, cmd, "The mailbox store of \"%s\" "
                     "couldn't be created: %s%s%s.", m->name,
                     store_status_str(st), error ? ": " : "",
                     error ? error : "");
}

int adm_cmd_new_mailbox(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "New-Mailbox", *error = NULL;
    adm_args a;
    adm_should should;
    cfg_mailbox m = { 0 };
    apr_array_header_t *out;
    int rc = adm_args_parse(ctx, cmd, adm_new_mbx_params, argc, argv, &a);

    if (rc != ADM_OK || (rc = adm_should_init(&should, &a, 0)) != ADM_OK ||
        (rc = adm_new_mailbox_values(ctx, &a, &m)) != ADM_OK ||
        (rc = adm_open_db(ctx, cmd)) != ADM_OK)
        return rc;
    if (!adm_should_process(&should, apr_psprintf(ctx->pool, "Creating "
                            "mailbox \"%s\" (%s, principal %s).", m.name,
                            m.smtp, m.principal)))
        return ADM_OK;
    rc = cfg_mailbox_create(ctx->db, ctx->pool, &m, &error);
    if (rc == CFG_NOT_FOUND)
        return adm_error(ADM_ERR_NOT_FOUND, cmd, "The operation couldn't be "
                         "performed because object 'organization' couldn't "
                         "be found. Create it with new-organization.");
    if (rc != 0)
        return adm_cfg_error(cmd, rc, m.name, error);
    if ((rc = adm_mailbox_store_create(ctx, cmd, &m)) != ADM_OK)
        return rc;
    out = apr_array_make(ctx->pool, 1, sizeof(cfg_mailbox *));
    APR_ARRAY_PUSH(out, cfg_mailbox *) = &m;
    adm_mailbox_emit(ctx, out);
    return ADM_OK;
}

static const adm_param_def adm_get_mbx_params[] = {
    { "Identity", ADM_P_POSITIONAL }, ADM_P_OUTPUT, { NULL, 0 }
};

int adm_cmd_get_mailbox(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Get-Mailbox", *id;
    adm_args a;
    apr_array_header_t *found;
    int rc = adm_args_parse(ctx, cmd, adm_get_mbx_params, argc, argv, &a);

    if (rc != ADM_OK)
        return rc;
    id = adm_arg(&a, "Identity");
    if ((rc = adm_mailbox_find(ctx, cmd, id, &found)) != ADM_OK)
        return rc;
    if (found->nelts == 0 && id && !adm_has_wildcard(id))
        return adm_not_found(cmd, id);
    adm_mailbox_emit(ctx, found);
    return ADM_OK;
}

static const adm_param_def adm_set_mbx_params[] = {
    { "Identity", ADM_P_POSITIONAL }, { "Name", 0 }, { "DisplayName", 0 },
    { "PrimarySmtpAddress", 0 }, { "EmailAddresses", 0 },
    { "UserPrincipalName", 0 }, { "PrincipalNames", 0 },
    { "FirstName", 0 }, { "LastName", 0 }, { "Initials", 0 }, { "Title", 0 },
    { "Department", 0 }, { "Company", 0 }, { "Office", 0 }, { "Phone", 0 },
    { "MobilePhone", 0 }, { "HomePhone", 0 }, { "StreetAddress", 0 },
    { "City", 0 }, { "PostalCode", 0 }, { "CountryOrRegion", 0 },
    { "Manager", 0 }, { "Photo", 0 }, ADM_P_SHOULD, { NULL, 0 }
};

typedef struct adm_mbx_change {
    const char *name, *display_name, *smtp, *principal;
    apr_array_header_t *addresses, *principals;     /* NULL: unchanged */
    int set_attr[ADM_N_ATTRS];
    const char *attr[ADM_N_ATTRS];                  /* NULL: cleared */
    int set_manager, set_photo;
    const char *manager_dn;
    cfg_blob photo;
} adm_mbx_change;

/* The edit of Set-Mailbox, applied inside the update transaction. */
static int adm_mailbox_apply(cfg_mailbox *m, void *baton)
{
    const adm_mbx_change *c = baton;

    if (c->name)
        m->name = c->name;
    if (c->display_name)
        m->display_name = c->display_name;
    if (c->addresses)
        m->smtp_addresses = c->addresses;
    /* A new primary address keeps the old one as a secondary address
     * (cfg_db keeps every listed address); a new principal replaces the
     * old primary principal, as a user has one UserPrincipalName. */
    if (c->smtp)
        m->smtp = c->smtp;
    if (c->principals)
        m->principals = c->principals;
    for (int i = 0; i < ADM_N_ATTRS; i++)
        if (c->set_attr[i])
            *adm_attr_slot(&m->attrs, i) = c->attr[i];
    if (c->set_manager)
        m->attrs.manager_dn = c->manager_dn;
    if (c->set_photo)
        m->attrs.photo = c->photo;
    if (c->principal) {
        apr_array_header_t *keep = m->principals;

        if (!c->principals && keep && keep->nelts > 0) {
            keep = apr_array_copy(keep->pool, keep);
            for (int i = 0; i < keep->nelts; i++)
                if (strcasecmp(APR_ARRAY_IDX(keep, i, const char *),
                               m->principal) == 0)
                    APR_ARRAY_IDX(keep, i, const char *) = "";
            m->principals = keep;
        }
        m->principal = c->principal;
    }
    return 0;
}

/* A directory attribute: at most 256 characters, no control
 * characters; phone numbers only digits, blanks and "+-()./x". */
static int adm_attr_parse(const adm_args *a, int i, adm_mbx_change *c)
{
    const char *p = adm_attr_params[i], *v = adm_arg(a, p);
    int phone = strstr(p, "Phone") != NULL;

    if (v == NULL)
        return ADM_OK;
    c->set_attr[i] = 1;
    if (adm_is_null(v) || *v == '\0')
        return ADM_OK;
    if (strlen(v) > 256)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                         "argument for parameter '%s': at most 256 "
                         "characters.", p);
    for (const char *q = v; *q; q++)
        if (iscntrl((unsigned char)*q) ||
            (phone && !isdigit((unsigned char)*q) && !strchr(" +-()./x", *q)))
            return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot "
                             "process argument for parameter '%s': '%s' is "
                             "not valid%s.", p, v, phone ? " (a phone number "
                             "has digits, blanks and + - ( ) . / x)" : "");
    c->attr[i] = v;
    return ADM_OK;
}

/* -Photo FILE: a JPEG (it starts FF D8 FF) of at most CFG_PHOTO_MAX. */
static int adm_photo_read(adm_ctx *ctx, const adm_args *a, adm_mbx_change *c)
{
    const char *path = adm_arg(a, "Photo");
    uint8_t *buf;
    size_t n;
    FILE *f;

    if (path == NULL)
        return ADM_OK;
    c->set_photo = 1;
    if (adm_is_null(path))
        return ADM_OK;
    if ((f = fopen(path, "rb")) == NULL)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                         "argument for parameter 'Photo': '%s' can't be "
                         "read.", path);
    buf = apr_palloc(ctx->pool, CFG_PHOTO_MAX + 1);
    n = fread(buf, 1, CFG_PHOTO_MAX + 1, f);
    fclose(f);
    if (n > CFG_PHOTO_MAX)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                         "argument for parameter 'Photo': '%s' is larger "
                         "than %d KiB.", path, CFG_PHOTO_MAX / 1024);
    if (n < 3 || buf[0] != 0xFF || buf[1] != 0xD8 || buf[2] != 0xFF)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                         "argument for parameter 'Photo': '%s' is not a JPEG "
                         "image.", path);
    c->photo.data = buf;
    c->photo.len = n;
    return ADM_OK;
}

static int adm_manager_parse(adm_ctx *ctx, const adm_args *a,
                             const cfg_mailbox *self, adm_mbx_change *c)
{
    const char *v = adm_arg(a, "Manager");
    cfg_mailbox *mgr;
    int rc;

    if (v == NULL)
        return ADM_OK;
    c->set_manager = 1;
    if (adm_is_null(v))
        return ADM_OK;
    if ((rc = adm_mailbox_one(ctx, a->cmd, v, &mgr)) != ADM_OK)
        return rc;
    if (memcmp(mgr->guid, self->guid, 16) == 0)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                         "argument for parameter 'Manager': a mailbox can't "
                         "be its own manager.");
    c->manager_dn = mgr->legacy_dn;
    return ADM_OK;
}

static int adm_mbx_change_any(const adm_mbx_change *c)
{
    int any = c->name || c->display_name || c->smtp || c->principal ||
              c->addresses || c->principals || c->set_manager || c->set_photo;

    for (int i = 0; i < ADM_N_ATTRS; i++)
        any |= c->set_attr[i];
    return any;
}

static int adm_mbx_change_parse(adm_ctx *ctx, const adm_args *a,
                                adm_mbx_change *c)
{
    int rc;

    memset(c, 0, sizeof(*c));
    c->name = adm_arg(a, "Name");
    c->display_name = adm_arg(a, "DisplayName");
    c->smtp = adm_arg(a, "PrimarySmtpAddress");
    c->principal = adm_arg(a, "UserPrincipalName");
    if (c->smtp)
        c->smtp = adm_strip_smtp(c->smtp);
    if ((c->name && (rc = adm_check_name(a, c->name)) != ADM_OK) ||
        (c->smtp && (rc = adm_check_address(a, "PrimarySmtpAddress",
                                            c->smtp)) != ADM_OK) ||
        (c->principal && (rc = adm_check_address(a, "UserPrincipalName",
                                                 c->principal)) != ADM_OK) ||
        (rc = adm_address_list(ctx->pool, a, "EmailAddresses",
                               &c->addresses)) != ADM_OK ||
        (rc = adm_address_list(ctx->pool, a, "PrincipalNames",
                               &c->principals)) != ADM_OK)
        return rc;
    if (c->display_name && *c->display_name == '\0')
        return adm_error(ADM_ERR_INVALID_ARGUMENT, a->cmd, "Cannot process "
                         "argument for parameter 'DisplayName': it cannot be "
                         "empty.");
    for (int i = 0; i < ADM_N_ATTRS; i++)
        if ((rc = adm_attr_parse(a, i, c)) != ADM_OK)
            return rc;
    return adm_photo_read(ctx, a, c);
}

int adm_cmd_set_mailbox(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Set-Mailbox", *error = NULL;
    adm_args a;
    adm_should should;
    adm_mbx_change c;
    cfg_mailbox *m;
    int rc = adm_args_parse(ctx, cmd, adm_set_mbx_params, argc, argv, &a);

    if (rc != ADM_OK || (rc = adm_should_init(&should, &a, 0)) != ADM_OK ||
        (rc = adm_mbx_change_parse(ctx, &a, &c)) != ADM_OK ||
        (rc = adm_mailbox_one(ctx, cmd, adm_arg(&a, "Identity"), &m))
        != ADM_OK || (rc = adm_manager_parse(ctx, &a, m, &c)) != ADM_OK)
        return rc;
    if (!adm_mbx_change_any(&c)) {
        adm_warning("The command completed successfully but no settings of "
                    "'%s' have been modified.", m->name);
        return ADM_OK;
    }
    if (!adm_should_process(&should, apr_psprintf(ctx->pool, "Setting "
                            "mailbox \"%s\" (%s).", m->name, m->smtp)))
        return ADM_OK;
    rc = cfg_mailbox_update(ctx->db, ctx->pool, m->smtp, adm_mailbox_apply,
                            &c, &error);
    return adm_cfg_error(cmd, rc, m->name, error);
}

static const adm_param_def adm_remove_mbx_params[] = {
    { "Identity", ADM_P_POSITIONAL }, ADM_P_SHOULD, { NULL, 0 }
};

static const char *adm_join(apr_pool_t *pool, const apr_array_header_t *a)
{
    const char *s = "";

    for (int i = 0; a && i < a->nelts; i++)
        s = apr_pstrcat(pool, s, i ? ", " : "",
                        APR_ARRAY_IDX(a, i, const char *), NULL);
    return s;
}

int adm_cmd_remove_mailbox(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Remove-Mailbox", *error = NULL, *what;
    adm_args a;
    adm_should should;
    cfg_mailbox *m;
    store_status st;
    int rc = adm_args_parse(ctx, cmd, adm_remove_mbx_params, argc, argv, &a);

    /* High impact: asks unless -Confirm:$false, and says what goes. */
    if (rc != ADM_OK || (rc = adm_should_init(&should, &a, 1)) != ADM_OK ||
        (rc = adm_mailbox_one(ctx, cmd, adm_arg(&a, "Identity"), &m))
        != ADM_OK)
        return rc;
    what = apr_psprintf(ctx->pool, "Removing mailbox \"%s\" (%s) deletes its "
                        "directory entry and its mailbox store (every "
                        "folder and message): display name \"%s\", SMTP "
                        "addresses {%s}, principal names {%s}, "
                        "legacyExchangeDN %s, mailbox GUID %s. Its users can "
                        "no longer log on over MAPI/HTTP or use Autodiscover.",
                        m->name, m->smtp, m->display_name,
                        adm_join(ctx->pool, m->smtp_addresses),
                        adm_join(ctx->pool, m->principals), m->legacy_dn,
                        cfg_guid_str(ctx->pool, m->guid));
    if (!adm_should_process(&should, what))
        return ADM_OK;
    /* The store goes first: if that fails the directory entry is still
     * there and the command can be repeated. */
    st = store_mailbox_delete(ctx->db, ctx->pool, m->guid, &error);
    if (st != STORE_OK && st != STORE_NOT_FOUND)
        return adm_error(ADM_ERR_DATABASE, cmd, "The mailbox store of \"%s\" "
                         "couldn't be deleted: %s%s%s.", m->name,
                         store_status_str(st), error ? ": " : "",
                         error ? error : "");
    error = NULL;
    rc = cfg_mailbox_delete(ctx->db, ctx->pool, m->smtp, &error);
    return adm_cfg_error(cmd, rc, m->name, error);
}
