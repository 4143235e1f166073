/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A terminal on a guest's serial port: what the guest writes shows, what the
 * user types goes to the guest. It shows whatever byte stream it is given;
 * opening the stream, and opening it again when the guest restarts, is its
 * owner's job.
 */
#pragma once

#include <vte/vte.h>

G_BEGIN_DECLS

#define HANGAR_TYPE_SERIAL_CONSOLE (hangar_serial_console_get_type ())

G_DECLARE_FINAL_TYPE (HangarSerialConsole, hangar_serial_console, HANGAR, SERIAL_CONSOLE,
                      VteTerminal)

GtkWidget *hangar_serial_console_new (void);

/* NULL disconnects. The console keeps what it showed, so that the last words
 * of a guest that stopped can still be read. */
void hangar_serial_console_set_stream (HangarSerialConsole *self, GIOStream *stream);
GIOStream *hangar_serial_console_get_stream (HangarSerialConsole *self);
gboolean hangar_serial_console_get_connected (HangarSerialConsole *self);

G_END_DECLS
