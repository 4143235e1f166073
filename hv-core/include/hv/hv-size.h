/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(HV_INSIDE) && !defined(HV_COMPILATION)
#error "Only <hv/hv.h> can be included directly."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* Parses a memory size such as "512M", "2G", "1T" or a plain number of MiB
 * ("1024"); the suffix may be written "M", "MB" or "MiB", in any case.
 * The result is in MiB and never zero. */
gboolean hv_parse_size_mib (const char *text, guint64 *out_mib, GError **error);

/* "512M", "2G": the shortest exact form, as hv_parse_size_mib () reads it. */
char *hv_format_size_mib (guint64 mib);

G_END_DECLS
