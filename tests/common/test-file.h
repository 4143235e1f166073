/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Disk images of the tests: marking them, comparing them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes TEXT over the start of PATH, keeping the rest and the size. */
void test_overwrite_start (const char *path, const char *text);

/* Whether files A and B hold the same bytes; both must be readable. */
gboolean test_same_contents (const char *a, const char *b);

G_END_DECLS
