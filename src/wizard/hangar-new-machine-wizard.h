/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The new-machine wizard: source, operating system, processors and memory,
 * disk, network and summary, one page each; it fills a HangarMachineSpec and
 * has the chosen connection create the machine. */
#pragma once

#include <adwaita.h>

#include "hangar-window.h"

G_BEGIN_DECLS

#define HANGAR_TYPE_NEW_MACHINE_WIZARD (hangar_new_machine_wizard_get_type ())

G_DECLARE_FINAL_TYPE (HangarNewMachineWizard, hangar_new_machine_wizard, HANGAR, NEW_MACHINE_WIZARD,
                      AdwWindow)

/* CONNECTIONS: a GListModel of HangarConnection; SELECTED (may be NULL) is
 * offered first. */
GtkWidget *hangar_new_machine_wizard_new (HangarWindow *window, GListModel *connections,
                                          HangarConnection *selected);

/* The page shown: "source", "os", "resources", "disk", "network", "summary". */
const char *hangar_new_machine_wizard_get_page (HangarNewMachineWizard *self);
/* Whether an installer is being read or the machine made. */
gboolean hangar_new_machine_wizard_is_busy (HangarNewMachineWizard *self);

G_END_DECLS
