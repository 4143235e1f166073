/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hv-vmm's --nic mac=MAC,backend=SPEC options. */
#pragma once

#include <glib.h>

#include "vmm.h"

/* Parses every SPEC into a new array of VmmNicConfig whose strings the
 * array owns (free with g_array_unref()); NULL on error. A NIC without
 * mac= gets 52:54:00:12:34:NN, NN counting from 0x56. */
GArray *nic_config_parse (const char *const *specs, GError **error);
