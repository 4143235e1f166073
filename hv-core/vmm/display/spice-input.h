/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * SPICE keyboard and (relative) mouse to the i8042: scancodes to the
 * keyboard port, motion to the PS/2 auxiliary port, and the guest's LED
 * state back to the clients. With a virtio tablet, SPICE's tablet
 * interface is offered while the guest's virtio-input driver is bound,
 * which lets clients switch to client (absolute) mouse mode; keys go to
 * the virtio keyboard instead of the i8042 while its driver is bound.
 */
#pragma once

#include <glib.h>
#include <spice.h>

#include "dev/i8042.h"
#include "virtio/input.h"

typedef struct display_input DisplayInput;

/* KEYBOARD and TABLET (virtio) may be NULL; the keyboard takes SPICE's keys
 * instead of the i8042 while the guest's driver takes its events. */
DisplayInput *display_input_new (SpiceServer *server, I8042 *i8042, VirtioInput *keyboard,
                                 VirtioInput *tablet, GError **error);
/* Call after spice_server_destroy (). */
void display_input_free (DisplayInput *input);
