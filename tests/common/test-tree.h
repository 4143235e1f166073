/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Scratch directories of the tests. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Removes PATH and everything below it without following symbolic links,
 * making each directory writable first (some tests take the right away).
 * TRUE if PATH is gone. */
gboolean test_remove_tree (const char *path);

G_END_DECLS
