/*
 * adm_group.c: the address book's other recipients: New-, Get-, Set-,
 * Remove-DistributionGroup, Add-, Remove-, Get-DistributionGroupMember,
 * New-, Get-, Remove-MailContact.
 *
 * Members are named as administrators name recipients (alias, SMTP
 * address, legacyExchangeDN; a mailbox also by its other identities) and
 * stored by legacyExchangeDN; configdb refuses missing members and loops.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "adm.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <apr_strings.h>

static const char *const adm_group_columns[] = {
    "Name", "DisplayName", "GroupType", "PrimarySmtpAddress", NULL
};
static const char *const adm_contact_columns[] = {
    "Name", "DisplayName", "ExternalEmailAddress", NULL
};
static const char *const adm_member_columns[] = {
    "Name", "RecipientType", "PrimarySmtpAddress", NULL
};

static const char *adm_strip(const char *s)
{
    return s && strncasecmp(s, "smtp:", 5) == 0 ? s + 5 : s;
}

static int adm_bad_arg(const char *cmd, const char *param, const char *why,
                       const char *v)
{
    return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "Cannot process argument "
                     "for parameter '%s': '%s' %s.", param, v ? v : "", why);
}

static int adm_missing(const char *cmd, const char *names)
{
    return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "Cannot process command "
                     "because of one or more missing mandatory parameters: "
                     "%s.", names);
}

static int adm_name_ok(const char *name)
{
    return name && *name && strlen(name) <= 256 && !strchr(name, '/') &&
           !strchr(name, ':');
}

/* ---------------------------------------------------------- recipients -- */

typedef struct adm_recipient {
    cfg_kind kind;
    const char *name, *dn, *smtp;
} adm_recipient;

static const char *adm_kind_str(cfg_kind k)
{
    switch (k) {
    case CFG_KIND_MAILBOX: return "UserMailbox";
    case CFG_KIND_GROUP: return "MailUniversalDistributionGroup";
    case CFG_KIND_CONTACT: return "MailContact";
    default: return "";
    }
}

/* The recipient of kind and key (cfg_recipient_by). */
static int adm_recipient_load(adm_ctx *ctx, cfg_kind kind, const char *key,
                              adm_recipient *r)
{
    const char *error = NULL;
    cfg_mailbox *m;
    cfg_group *g;
    cfg_contact *c;

    r->kind = kind;
    if (kind == CFG_KIND_MAILBOX &&
        cfg_mailbox_by_smtp(ctx->db, ctx->pool, key, &m, &error) == 0) {
        r->name = m->name, r->dn = m->legacy_dn, r->smtp = m->smtp;
        return 0;
    }
    if (kind == CFG_KIND_GROUP &&
        cfg_group_get(ctx->db, ctx->pool, key, &g, &error) == 0) {
        r->name = g->name, r->dn = g->legacy_dn, r->smtp = g->smtp;
        return 0;
    }
    if (kind == CFG_KIND_CONTACT &&
        cfg_contact_get(ctx->db, ctx->pool, key, &c, &error) == 0) {
        r->name = c->name, r->dn = c->legacy_dn, r->smtp = c->external_smtp;
        return 0;
    }
    return -1;
}

/* A recipient named by address, DN, group or contact alias, or any
 * mailbox identity.  0 or an exit status after a message. */
static int adm_recipient_find(adm_ctx *ctx, const char *cmd, const char *id,
                              adm_recipient *r)
{
    const char *error = NULL, *key;
    apr_array_header_t *found;
    cfg_kind kind;
    int rc;

    if ((rc = adm_open_db(ctx, cmd)) != ADM_OK)
        return rc;
    if ((cfg_recipient_by(ctx->db, ctx->pool, "smtp/", adm_strip(id), &kind,
                          &key, &error) == 0 ||
         cfg_recipient_by(ctx->db, ctx->pool, "dn/", id, &kind, &key,
                          &error) == 0) &&
        adm_recipient_load(ctx, kind, key, r) == 0)
        return ADM_OK;
    if (adm_recipient_load(ctx, CFG_KIND_GROUP, id, r) == 0 ||
        adm_recipient_load(ctx, CFG_KIND_CONTACT, id, r) == 0)
        return ADM_OK;
    if ((rc = adm_mailbox_find(ctx, cmd, id, &found)) != ADM_OK)
        return rc;
    if (found->nelts > 1)
        return adm_error(ADM_ERR_AMBIGUOUS, cmd, "The operation couldn't be "
                         "performed because '%s' matches multiple entries.",
                         id);
    if (found->nelts == 1) {
        cfg_mailbox *m = APR_ARRAY_IDX(found, 0, cfg_mailbox *);
        r->kind = CFG_KIND_MAILBOX;
        r->name = m->name, r->dn = m->legacy_dn, r->smtp = m->smtp;
        return ADM_OK;
    }
    return adm_not_found(cmd, id);
}

/* The group an identity names (alias or any of its addresses). */
static int adm_group_one(adm_ctx *ctx, const char *cmd, const char *id,
                         cfg_group **g_r)
{
    adm_recipient r;
    const char *error = NULL;
    int rc;

    if (id == NULL || *id == '\0')
        return adm_missing(cmd, "Identity");
    if ((rc = adm_recipient_find(ctx, cmd, id, &r)) != ADM_OK)
        return rc;
    if (r.kind != CFG_KIND_GROUP)
        return adm_not_found(cmd, id);
    rc = cfg_group_get(ctx->db, ctx->pool, r.name, g_r, &error);
    return rc == 0 ? ADM_OK : adm_cfg_error(cmd, rc, id, error);
}

/* A comma-separated list of recipients as DNs. */
static int adm_member_dns(adm_ctx *ctx, const char *cmd, const char *v,
                          apr_array_header_t **dns_r)
{
    apr_array_header_t *ids = adm_parse_list(ctx->pool, v);
    int rc;

    *dns_r = apr_array_make(ctx->pool, ids->nelts + 1, sizeof(const char *));
    if (ids->nelts > CFG_MEMBERS_MAX)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "A distribution "
                         "group has at most %d members.", CFG_MEMBERS_MAX);
    for (int i = 0; i < ids->nelts; i++) {
        adm_recipient r;
        if ((rc = adm_recipient_find(ctx, cmd, APR_ARRAY_IDX(ids, i,
                                     const char *), &r)) != ADM_OK)
            return rc;
        APR_ARRAY_PUSH(*dns_r, const char *) = r.dn;
    }
    return ADM_OK;
}

/* configdb's verdicts on a group write. */
static int adm_group_result(const char *cmd, int rc, const char *id,
                            const char *error)
{
    if (rc == CFG_REFUSED)
        return adm_error(ADM_ERR_INVALID_ARGUMENT, cmd, "The group '%s' "
                         "can't be written: %s.", id, error ? error : "");
    if (rc == CFG_NOT_FOUND && error)
        return adm_error(ADM_ERR_NOT_FOUND, cmd, "The operation couldn't be "
                         "performed because %s.", error);
    return adm_cfg_error(cmd, rc, id, error);
}

/* -------------------------------------------------------------- output -- */

static adm_obj *adm_group_obj(adm_ctx *ctx, const cfg_group *g)
{
    adm_obj *o = adm_obj_new(ctx->pool);
    apr_array_header_t *addrs = apr_array_make(ctx->pool, 4,
                                               sizeof(const char *));

    for (int i = 0; i < g->smtp_addresses->nelts; i++)
        APR_ARRAY_PUSH(addrs, const char *) = apr_pstrcat(ctx->pool,
            i ? "smtp:" : "SMTP:",
            APR_ARRAY_IDX(g->smtp_addresses, i, const char *), NULL);
    adm_obj_str(o, "Identity", g->name);
    adm_obj_str(o, "Name", g->name);
    adm_obj_str(o, "Alias", g->name);
    adm_obj_str(o, "DisplayName", g->display_name);
    adm_obj_str(o, "GroupType", "Universal");
    adm_obj_str(o, "PrimarySmtpAddress", g->smtp);
    adm_obj_list(o, "EmailAddresses", addrs);
    adm_obj_str(o, "LegacyExchangeDN", g->legacy_dn);
    adm_obj_str(o, "ManagedBy", g->managed_by ? g->managed_by : "");
    adm_obj_list(o, "Members", g->members);
    adm_obj_str(o, "Guid", cfg_guid_str(ctx->pool, g->guid));
    adm_obj_time(o, "WhenCreated", g->created);
    adm_obj_time(o, "WhenChanged", g->changed);
    return o;
}

static void adm_emit_one(adm_ctx *ctx, adm_obj *o, const char *const *cols)
{
    apr_array_header_t *objs = apr_array_make(ctx->pool, 1,
                                              sizeof(adm_obj *));

    APR_ARRAY_PUSH(objs, adm_obj *) = o;
    adm_emit(ctx, objs, cols);
}

/* ------------------------------------------------- distribution groups -- */

static const adm_param_def adm_new_group_params[] = {
    { "Name", 0 }, { "DisplayName", 0 }, { "PrimarySmtpAddress", 0 },
    { "Alias", 0 }, { "Members", 0 }, { "ManagedBy", 0 }, { "Type", 0 },
    ADM_P_SHOULD, ADM_P_OUTPUT, { NULL, 0 }
};

static int adm_managed_by(adm_ctx *ctx, const char *cmd, const char *v,
                          const char **dn_r)
{
    adm_recipient r;
    int rc;

    *dn_r = NULL;
    if (v == NULL || adm_is_null(v))
        return ADM_OK;
    if ((rc = adm_recipient_find(ctx, cmd, v, &r)) != ADM_OK)
        return rc;
    if (r.kind != CFG_KIND_MAILBOX)
        return adm_bad_arg(cmd, "ManagedBy", "is not a mailbox; a group is "
                           "managed by a mailbox", v);
    *dn_r = r.dn;
    return ADM_OK;
}

int adm_cmd_new_group(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "New-DistributionGroup", *error = NULL, *type;
    adm_args a;
    adm_should should;
    cfg_group g = { 0 };
    int rc = adm_args_parse(ctx, cmd, adm_new_group_params, argc, argv, &a);

    if (rc != ADM_OK || (rc = adm_should_init(&should, &a, 0)) != ADM_OK)
        return rc;
    g.name = adm_arg(&a, "Alias") ? adm_arg(&a, "Alias") : adm_arg(&a, "Name");
    g.display_name = adm_arg(&a, "DisplayName") ? adm_arg(&a, "DisplayName")
                                                : adm_arg(&a, "Name");
    g.smtp = adm_strip(adm_arg(&a, "PrimarySmtpAddress"));
    type = adm_arg(&a, "Type");
    if (adm_arg(&a, "Name") == NULL || g.smtp == NULL)
        return adm_missing(cmd, "Name, PrimarySmtpAddress");
    if (!adm_name_ok(g.name))
        return adm_bad_arg(cmd, "Name", "is not a valid name (1 to 256 "
                           "characters, no '/' or ':')", g.name);
    if (!adm_valid_address(g.smtp))
        return adm_bad_arg(cmd, "PrimarySmtpAddress", "is not a valid "
                           "address; an address has the form user@domain",
                           g.smtp);
    if (type && strcasecmp(type, "Distribution") != 0)
        return adm_bad_arg(cmd, "Type", "is not supported; the only type is "
                           "Distribution", type);
    if ((rc = adm_open_db(ctx, cmd)) != ADM_OK ||
        (rc = adm_member_dns(ctx, cmd, adm_arg(&a, "Members"), &g.members))
        != ADM_OK ||
        (rc = adm_managed_by(ctx, cmd, adm_arg(&a, "ManagedBy"),
                             &g.managed_by)) != ADM_OK)
        return rc;
    if (!adm_should_process(&should, apr_psprintf(ctx->pool, "Creating "
                            "distribution group \"%s\" (%s).", g.name,
                            g.smtp)))
        return ADM_OK;
    rc = cfg_group_create(ctx->db, ctx->pool, &g, &error);
    if (rc != 0)
        return adm_group_result(cmd, rc, g.name, error);
    adm_emit_one(ctx, adm_group_obj(ctx, &g), adm_group_columns);
    return ADM_OK;
}

typedef struct adm_grp_list {
    adm_ctx *ctx;
    const char *id;
    apr_array_header_t *objs;
} adm_grp_list;

static int adm_group_collect(const cfg_group *g, void *baton)
{
    adm_grp_list *l = baton;
    const int f = FNM_NOESCAPE | FNM_CASEFOLD;

    if (l->id == NULL || fnmatch(l->id, g->name, f) == 0 ||
        fnmatch(l->id, g->display_name, f) == 0 ||
        strcasecmp(l->id, g->smtp) == 0)
        APR_ARRAY_PUSH(l->objs, adm_obj *) = adm_group_obj(l->ctx, g);
    return 0;
}

static const adm_param_def adm_get_group_params[] = {
    { "Identity", ADM_P_POSITIONAL }, ADM_P_OUTPUT, { NULL, 0 }
};

int adm_cmd_get_group(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Get-DistributionGroup", *error = NULL;
    adm_args a;
    adm_grp_list l = { ctx, NULL, NULL };
    int rc = adm_args_parse(ctx, cmd, adm_get_group_params, argc, argv, &a);

    if (rc != ADM_OK || (rc = adm_open_db(ctx, cmd)) != ADM_OK)
        return rc;
    l.id = adm_arg(&a, "Identity");
    l.objs = apr_array_make(ctx->pool, 8, sizeof(adm_obj *));
    if (cfg_group_foreach(ctx->db, ctx->pool, adm_group_collect, &l,
                          &error) != 0)
        return adm_cfg_error(cmd, -1, l.id, error);
    if (l.objs->nelts == 0 && l.id && !adm_has_wildcard(l.id))
        return adm_not_found(cmd, l.id);
    adm_emit(ctx, l.objs, adm_group_columns);
    return ADM_OK;
}

typedef struct adm_grp_change {
    const char *name, *display_name, *smtp, *managed_by;
    int set_managed_by, remove;
    apr_array_header_t *members;        /* Set: replace; else add/remove */
    apr_array_header_t *add;
} adm_grp_change;

static int adm_group_apply(cfg_group *g, void *baton)
{
    const adm_grp_change *c = baton;

    if (c->name)
        g->name = c->name;
    if (c->display_name)
        g->display_name = c->display_name;
    if (c->smtp)
        g->smtp = c->smtp;      /* the old one stays as a secondary */
    if (c->set_managed_by)
        g->managed_by = c->managed_by;
    if (c->members)
        g->members = c->members;
    if (c->add) {
        apr_array_header_t *out = apr_array_make(g->members->pool, 4,
                                                 sizeof(const char *));
        for (int i = 0; i < g->members->nelts; i++) {
            const char *m = APR_ARRAY_IDX(g->members, i, const char *);
            int hit = 0;
            for (int j = 0; j < c->add->nelts; j++)
                hit |= strcasecmp(m, APR_ARRAY_IDX(c->add, j,
                                                   const char *)) == 0;
            if (!(c->remove && hit))
                APR_ARRAY_PUSH(out, const char *) = m;
        }
        if (c->remove && out->nelts == g->members->nelts)
            return CFG_NOT_FOUND + 100;     /* not a member */
        for (int j = 0; !c->remove && j < c->add->nelts; j++)
            APR_ARRAY_PUSH(out, const char *) =
                APR_ARRAY_IDX(c->add, j, const char *);
        g->members = out;
    }
    return 0;
}

static const adm_param_def adm_set_group_params[] = {
    { "Identity", ADM_P_POSITIONAL }, { "Name", 0 }, { "DisplayName", 0 },
    { "PrimarySmtpAddress", 0 }, { "ManagedBy", 0 }, { "Members", 0 },
    ADM_P_SHOULD, { NULL, 0 }
};

int adm_cmd_set_group(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Set-DistributionGroup", *error = NULL, *v;
    adm_args a;
    adm_should should;
    adm_grp_change c = { 0 };
    cfg_group *g;
    int rc = adm_args_parse(ctx, cmd, adm_set_group_params, argc, argv, &a);

    if (rc != ADM_OK || (rc = adm_should_init(&should, &a, 0)) != ADM_OK ||
        (rc = adm_group_one(ctx, cmd, adm_arg(&a, "Identity"), &g)) != ADM_OK)
        return rc;
    c.name = adm_arg(&a, "Name");
    c.display_name = adm_arg(&a, "DisplayName");
    c.smtp = adm_strip(adm_arg(&a, "PrimarySmtpAddress"));
    if (c.name && !adm_name_ok(c.name))
        return adm_bad_arg(cmd, "Name", "is not a valid name", c.name);
    if (c.display_name && *c.display_name == '\0')
        return adm_bad_arg(cmd, "DisplayName", "cannot be empty", "");
    if (c.smtp && !adm_valid_address(c.smtp))
        return adm_bad_arg(cmd, "PrimarySmtpAddress", "is not a valid "
                           "address", c.smtp);
    if ((v = adm_arg(&a, "ManagedBy")) != NULL) {
        c.set_managed_by = 1;
        if ((rc = adm_managed_by(ctx, cmd, v, &c.managed_by)) != ADM_OK)
            return rc;
    }
    if ((v = adm_arg(&a, "Members")) != NULL &&
        (rc = adm_member_dns(ctx, cmd, v, &c.members)) != ADM_OK)
        return rc;
    if (!c.name && !c.display_name && !c.smtp && !c.set_managed_by &&
        !c.members) {
        adm_warning("The command completed successfully but no settings of "
                    "'%s' have been modified.", g->name);
        return ADM_OK;
    }
    if (!adm_should_process(&should, apr_psprintf(ctx->pool, "Setting "
                            "distribution group \"%s\".", g->name)))
        return ADM_OK;
    rc = cfg_group_update(ctx->db, ctx->pool, g->name, adm_group_apply, &c,
                          &error);
    return adm_group_result(cmd, rc, g->name, error);
}

static const adm_param_def adm_remove_group_params[] = {
    { "Identity", ADM_P_POSITIONAL }, ADM_P_SHOULD, { NULL, 0 }
};

int adm_cmd_remove_group(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Remove-DistributionGroup", *error = NULL;
    adm_args a;
    adm_should should;
    cfg_group *g;
    int rc = adm_args_parse(ctx, cmd, adm_remove_group_params, argc, argv,
                            &a);

    if (rc != ADM_OK || (rc = adm_should_init(&should, &a, 1)) != ADM_OK ||
        (rc = adm_group_one(ctx, cmd, adm_arg(&a, "Identity"), &g)) != ADM_OK)
        return rc;
    if (!adm_should_process(&should, apr_psprintf(ctx->pool, "Removing "
                            "distribution group \"%s\" (%s, %d members).",
                            g->name, g->smtp, g->members->nelts)))
        return ADM_OK;
    rc = cfg_group_delete(ctx->db, ctx->pool, g->name, &error);
    return adm_cfg_error(cmd, rc, g->name, error);
}

static const adm_param_def adm_member_params[] = {
    { "Identity", ADM_P_POSITIONAL }, { "Member", 0 }, ADM_P_SHOULD,
    { NULL, 0 }
};

static int adm_member_change(adm_ctx *ctx, const char *cmd, int remove,
                             int argc, char **argv)
{
    const char *error = NULL, *member;
    adm_args a;
    adm_should should;
    adm_grp_change c = { 0 };
    adm_recipient r;
    cfg_group *g;
    int rc = adm_args_parse(ctx, cmd, adm_member_params, argc, argv, &a);

    if (rc != ADM_OK || (rc = adm_should_init(&should, &a, remove)) != ADM_OK)
        return rc;
    if ((member = adm_arg(&a, "Member")) == NULL)
        return adm_missing(cmd, "Member");
    if ((rc = adm_group_one(ctx, cmd, adm_arg(&a, "Identity"), &g)) != ADM_OK
        || (rc = adm_recipient_find(ctx, cmd, member, &r)) != ADM_OK)
        return rc;
    for (int i = 0; !remove && i < g->members->nelts; i++)
        if (strcasecmp(APR_ARRAY_IDX(g->members, i, const char *), r.dn) == 0)
            return adm_error(ADM_ERR_CONFLICT, cmd, "The recipient \"%s\" is "
                             "already a member of the group \"%s\".", r.name,
                             g->name);
    if (!adm_should_process(&should, apr_psprintf(ctx->pool, "%s \"%s\" %s "
                            "distribution group \"%s\".", remove ? "Removing"
                            : "Adding", r.name, remove ? "from" : "to",
                            g->name)))
        return ADM_OK;
    c.remove = remove;
    c.add = apr_array_make(ctx->pool, 1, sizeof(const char *));
    APR_ARRAY_PUSH(c.add, const char *) = r.dn;
    rc = cfg_group_update(ctx->db, ctx->pool, g->name, adm_group_apply, &c,
                          &error);
    if (rc == CFG_NOT_FOUND + 100)
        return adm_error(ADM_ERR_NOT_FOUND, cmd, "The recipient \"%s\" isn't "
                         "a member of the group \"%s\".", r.name, g->name);
    return adm_group_result(cmd, rc, g->name, error);
}

int adm_cmd_add_member(adm_ctx *ctx, int argc, char **argv)
{
    return adm_member_change(ctx, "Add-DistributionGroupMember", 0, argc,
                             argv);
}

int adm_cmd_remove_member(adm_ctx *ctx, int argc, char **argv)
{
    return adm_member_change(ctx, "Remove-DistributionGroupMember", 1, argc,
                             argv);
}

int adm_cmd_get_member(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Get-DistributionGroupMember", *error = NULL, *key;
    adm_args a;
    cfg_group *g;
    apr_array_header_t *objs;
    int rc = adm_args_parse(ctx, cmd, adm_get_group_params, argc, argv, &a);

    if (rc != ADM_OK ||
        (rc = adm_group_one(ctx, cmd, adm_arg(&a, "Identity"), &g)) != ADM_OK)
        return rc;
    objs = apr_array_make(ctx->pool, g->members->nelts + 1, sizeof(adm_obj *));
    for (int i = 0; i < g->members->nelts; i++) {
        const char *dn = APR_ARRAY_IDX(g->members, i, const char *);
        adm_recipient r;
        adm_obj *o;
        cfg_kind kind;

        /* A member removed from the directory since is not shown. */
        if (cfg_recipient_by(ctx->db, ctx->pool, "dn/", dn, &kind, &key,
                             &error) != 0 ||
            adm_recipient_load(ctx, kind, key, &r) != 0)
            continue;
        o = adm_obj_new(ctx->pool);
        adm_obj_str(o, "Name", r.name);
        adm_obj_str(o, "RecipientType", adm_kind_str(r.kind));
        adm_obj_str(o, "PrimarySmtpAddress", r.smtp);
        adm_obj_str(o, "LegacyExchangeDN", r.dn);
        APR_ARRAY_PUSH(objs, adm_obj *) = o;
    }
    adm_emit(ctx, objs, adm_member_columns);
    return ADM_OK;
}

/* -------------------------------------------------------- mail contacts -- */

static adm_obj *adm_contact_obj(adm_ctx *ctx, const cfg_contact *c)
{
    adm_obj *o = adm_obj_new(ctx->pool);

    adm_obj_str(o, "Identity", c->name);
    adm_obj_str(o, "Name", c->name);
    adm_obj_str(o, "Alias", c->name);
    adm_obj_str(o, "DisplayName", c->display_name);
    adm_obj_str(o, "ExternalEmailAddress",
                apr_pstrcat(ctx->pool, "SMTP:", c->external_smtp, NULL));
    adm_obj_str(o, "LegacyExchangeDN", c->legacy_dn);
    adm_obj_str(o, "Guid", cfg_guid_str(ctx->pool, c->guid));
    adm_obj_time(o, "WhenCreated", c->created);
    return o;
}

static const adm_param_def adm_new_contact_params[] = {
    { "Name", 0 }, { "DisplayName", 0 }, { "ExternalEmailAddress", 0 },
    { "Alias", 0 }, ADM_P_SHOULD, ADM_P_OUTPUT, { NULL, 0 }
};

int adm_cmd_new_contact(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "New-MailContact", *error = NULL;
    adm_args a;
    adm_should should;
    cfg_contact c = { 0 };
    int rc = adm_args_parse(ctx, cmd, adm_new_contact_params, argc, argv, &a);

    if (rc != ADM_OK || (rc = adm_should_init(&should, &a, 0)) != ADM_OK)
        return rc;
    c.name = adm_arg(&a, "Alias") ? adm_arg(&a, "Alias") : adm_arg(&a, "Name");
    c.display_name = adm_arg(&a, "DisplayName") ? adm_arg(&a, "DisplayName")
                                                : adm_arg(&a, "Name");
    c.external_smtp = adm_strip(adm_arg(&a, "ExternalEmailAddress"));
    if (adm_arg(&a, "Name") == NULL || c.external_smtp == NULL)
        return adm_missing(cmd, "Name, ExternalEmailAddress");
    if (!adm_name_ok(c.name))
        return adm_bad_arg(cmd, "Name", "is not a valid name (1 to 256 "
                           "characters, no '/' or ':')", c.name);
    if (!adm_valid_address(c.external_smtp))
        return adm_bad_arg(cmd, "ExternalEmailAddress", "is not a valid "
                           "address; an address has the form user@domain",
                           c.external_smtp);
    if ((rc = adm_open_db(ctx, cmd)) != ADM_OK)
        return rc;
    if (!adm_should_process(&should, apr_psprintf(ctx->pool, "Creating mail "
                            "contact \"%s\" (%s).", c.name, c.external_smtp)))
        return ADM_OK;
    if ((rc = cfg_contact_create(ctx->db, ctx->pool, &c, &error)) != 0)
        return adm_cfg_error(cmd, rc, c.name, error);
    adm_emit_one(ctx, adm_contact_obj(ctx, &c), adm_contact_columns);
    return ADM_OK;
}

typedef struct adm_con_list {
    adm_ctx *ctx;
    const char *id;
    apr_array_header_t *objs;
} adm_con_list;

static int adm_contact_collect(const cfg_contact *c, void *baton)
{
    adm_con_list *l = baton;
    const int f = FNM_NOESCAPE | FNM_CASEFOLD;

    if (l->id == NULL || fnmatch(l->id, c->name, f) == 0 ||
        fnmatch(l->id, c->display_name, f) == 0 ||
        strcasecmp(adm_strip(l->id), c->external_smtp) == 0)
        APR_ARRAY_PUSH(l->objs, adm_obj *) = adm_contact_obj(l->ctx, c);
    return 0;
}

int adm_cmd_get_contact(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Get-MailContact", *error = NULL;
    adm_args a;
    adm_con_list l = { ctx, NULL, NULL };
    int rc = adm_args_parse(ctx, cmd, adm_get_group_params, argc, argv, &a);

    if (rc != ADM_OK || (rc = adm_open_db(ctx, cmd)) != ADM_OK)
        return rc;
    l.id = adm_arg(&a, "Identity");
    l.objs = apr_array_make(ctx->pool, 8, sizeof(adm_obj *));
    if (cfg_contact_foreach(ctx->db, ctx->pool, adm_contact_collect, &l,
                            &error) != 0)
        return adm_cfg_error(cmd, -1, l.id, error);
    if (l.objs->nelts == 0 && l.id && !adm_has_wildcard(l.id))
        return adm_not_found(cmd, l.id);
    adm_emit(ctx, l.objs, adm_contact_columns);
    return ADM_OK;
}

int adm_cmd_remove_contact(adm_ctx *ctx, int argc, char **argv)
{
    const char *cmd = "Remove-MailContact", *error = NULL, *id;
    adm_args a;
    adm_should should;
    adm_recipient r;
    int rc = adm_args_parse(ctx, cmd, adm_remove_group_params, argc, argv,
                            &a);

    if (rc != ADM_OK || (rc = adm_should_init(&should, &a, 1)) != ADM_OK)
        return rc;
    if ((id = adm_arg(&a, "Identity")) == NULL)
        return adm_missing(cmd, "Identity");
    if ((rc = adm_recipient_find(ctx, cmd, id, &r)) != ADM_OK)
        return rc;
    if (r.kind != CFG_KIND_CONTACT)
        return adm_not_found(cmd, id);
    if (!adm_should_process(&should, apr_psprintf(ctx->pool, "Removing mail "
                            "contact \"%s\" (%s).", r.name, r.smtp)))
        return ADM_OK;
    rc = cfg_contact_delete(ctx->db, ctx->pool, r.name, &error);
    return adm_cfg_error(cmd, rc, r.name, error);
}
