/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Scratch directories of the tests. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Removes PATH and everything below it without following symbolic links,
 * making each directory writable first (some tests take the right away).
 * TRUE if PATH is gone. */
gboolean test_remove_tree (const char *path);

/* Every path under ROOT, relative to it, sorted and joined by spaces; the
 * top-level entry named SKIP (NULL: none) is left out with all under it. */
char *test_list_tree (const char *root, const char *skip);

G_END_DECLS
