/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Messages in the window's toast overlay, from any widget inside it. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Shows MESSAGE in the toast overlay WIDGET lies in; nothing outside one. */
void hangar_toast_show (GtkWidget *widget, const char *message);
/* Logs ERROR's message and shows it for 10 s; a cancellation is no error. */
void hangar_toast_show_error (GtkWidget *widget, const GError *error);

G_END_DECLS
