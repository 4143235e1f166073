/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A machine's consoles, its screen (SPICE) and its serial port, opened while
 * the machine runs and shown while the page is; when the machine is off or
 * paused, the page says so and offers what to do.
 */
#pragma once

#include <adwaita.h>

#include "hangar-machine.h"
#include "hangar-serial-console.h"
#include "hangar-spice-display.h"

G_BEGIN_DECLS

#define HANGAR_TYPE_CONSOLE_PAGE (hangar_console_page_get_type ())

G_DECLARE_FINAL_TYPE (HangarConsolePage, hangar_console_page, HANGAR, CONSOLE_PAGE, GtkBox)

GtkWidget *hangar_console_page_new (void);

void hangar_console_page_set_machine (HangarConsolePage *self, HangarMachine *machine);
HangarMachine *hangar_console_page_get_machine (HangarConsolePage *self);

/* For tests and for the window's shortcuts. */
HangarSpiceDisplay *hangar_console_page_get_display (HangarConsolePage *self);
HangarSerialConsole *hangar_console_page_get_serial (HangarConsolePage *self);
/* "off", "paused", "connecting", "failed" or "console". */
const char *hangar_console_page_get_view (HangarConsolePage *self);

G_END_DECLS
