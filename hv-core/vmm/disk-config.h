/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hv-vmm's --disk path=FILE[,readonly=on][,serial=S] options. */
#pragma once

#include <glib.h>

#include "vmm.h"

/* Parses every SPEC into a new array of VmmDiskConfig whose strings the
 * array owns (free with g_array_unref()); NULL on error. */
GArray *disk_config_parse (const char *const *specs, GError **error);
