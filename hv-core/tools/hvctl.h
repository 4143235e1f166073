/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <hv/hv.h>

/* Puts the terminal on NAME's console until the guest ends (0), the user
 * detaches (0, *DETACHED set), or the VMM dies without the guest powering
 * off (-1 and ERROR). CLIENT, when not NULL, tells how the guest ended. */
int hvctl_attach (const char *name, HvClient *client, GSocketConnection *console,
                  gboolean *detached, GError **error);
