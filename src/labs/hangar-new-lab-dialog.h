/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <adwaita.h>

#include "hangar-embedded-connection.h"

G_BEGIN_DECLS

#define HANGAR_TYPE_NEW_LAB_DIALOG (hangar_new_lab_dialog_get_type ())

/* Makes a lab on This Computer from one of its machines. ::lab-created
 * (HangarLab) once made; the dialog then closes. */
G_DECLARE_FINAL_TYPE (HangarNewLabDialog, hangar_new_lab_dialog, HANGAR, NEW_LAB_DIALOG, AdwWindow)

GtkWidget *hangar_new_lab_dialog_new (GtkWindow *parent, HangarEmbeddedConnection *connection);

G_END_DECLS
