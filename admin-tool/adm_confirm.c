/*
 * adm_confirm.c: -WhatIf and -Confirm, as the Exchange shell's
 * ShouldProcess: -WhatIf prints "What if: <action>" and changes nothing;
 * -Confirm (and Remove-* by default) asks before each change, reading the
 * answer from stdin.  The question goes to stderr so that stdout stays the
 * command's output (-Json stays parsable); end of input means No.
 *
 * Licensed under the Apache License, Version 2.0.
 */
#include "adm.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int adm_should_init(adm_should *s, const adm_args *a, int ask_by_default)
{
    const char *confirm = adm_arg(a, "Confirm");

    memset(s, 0, sizeof(*s));
    s->cmd = a->cmd;
    if (adm_switch(a, "WhatIf", &s->whatif) < 0)
        return ADM_ERR_INVALID_ARGUMENT;
    s->ask = ask_by_default;
    if (confirm != NULL &&
        adm_parse_bool(a, "Confirm", confirm, &s->ask) != ADM_OK)
        return ADM_ERR_INVALID_ARGUMENT;
    return ADM_OK;
}

static void adm_confirm_help(void)
{
    fputs("Y - Continue with only the next step of the operation.\n"
          "A - Continue with all the steps of the operation.\n"
          "N - Skip this operation and proceed with the next operation.\n"
          "L - Skip this operation and all subsequent operations.\n"
          "? - Shows this help.\n", stderr);
}

/* One answer: 'Y', 'A', 'N', 'L', '?' or 0 for something else; EOF is
 * 'L' (no input: nothing is done). */
static int adm_read_answer(void)
{
    char line[64];
    char *p = line;

    if (fgets(line, sizeof(line), stdin) == NULL) {
        fputc('\n', stderr);
        return 'L';
    }
    /* An answer from a pipe is not echoed: end the prompt line. */
    if (!isatty(STDIN_FILENO))
        fputc('\n', stderr);
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '\0')
        return 'Y';                 /* the default */
    if (p[1] != '\0' && !isspace((unsigned char)p[1]) &&
        strncasecmp(p, "yes", 3) != 0 && strncasecmp(p, "no", 2) != 0)
        return 0;
    switch (toupper((unsigned char)*p)) {
    case 'Y': case 'A': case 'N': case 'L': case '?':
        return toupper((unsigned char)*p);
    default:
        return 0;
    }
}

static int adm_ask(adm_should *s, const char *action)
{
    for (;;) {
        int answer;

        fprintf(stderr, "\nConfirm\nAre you sure you want to perform this "
                "action?\n%s\n[Y] Yes [A] Yes to All [N] No [L] No to All "
                "[?] Help (default is \"Y\"): ", action);
        fflush(stderr);
        answer = adm_read_answer();
        switch (answer) {
        case 'A':
            s->yes_all = 1;
            /* fall through */
        case 'Y':
            return 1;
        case 'L':
            s->no_all = 1;
            /* fall through */
        case 'N':
            return 0;
        case '?':
            adm_confirm_help();
            break;
        default:
            break;
        }
    }
}

int adm_should_process(adm_should *s, const char *action)
{
    if (s->whatif) {
        printf("What if: %s\n", action);
        fflush(stdout);
        return 0;
    }
    if (!s->ask || s->yes_all)
        return 1;
    if (s->no_all)
        return 0;
    return adm_ask(s, action);
}
