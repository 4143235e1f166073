/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Key names (as in send-key) to PC scancodes, set 1. */
#pragma once

#include <glib.h>
#include <stdint.h>

#define KEYMAP_EXTENDED 0x100 /* sent with the 0xE0 prefix */

/* The scancode of NAME ("a", "ctrl", "f1", "delete", ...), or 0. */
unsigned keymap_lookup (const char *name);
