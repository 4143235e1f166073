/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * SPICE keyboard and (relative) mouse to the i8042: scancodes to the
 * keyboard port, motion to the PS/2 auxiliary port, and the guest's LED
 * state back to the clients.
 */
#pragma once

#include <glib.h>
#include <spice.h>

#include "dev/i8042.h"

typedef struct display_input DisplayInput;

DisplayInput *display_input_new (SpiceServer *server, I8042 *i8042, GError **error);
/* Call after spice_server_destroy (). */
void display_input_free (DisplayInput *input);
