/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include "hangar-machine.h"

G_BEGIN_DECLS

#define HANGAR_TYPE_EMBEDDED_MACHINE (hangar_embedded_machine_get_type ())

G_DECLARE_FINAL_TYPE (HangarEmbeddedMachine, hangar_embedded_machine, HANGAR, EMBEDDED_MACHINE,
                      HangarMachine)

/* Writes the running machine's screen to FILENAME (absolute) as a PNG:
 * the control protocol's screendump. */
void hangar_embedded_machine_screendump_async (HangarEmbeddedMachine *self, const char *filename,
                                               GCancellable *cancellable,
                                               GAsyncReadyCallback callback, gpointer user_data);
gboolean hangar_embedded_machine_screendump_finish (HangarEmbeddedMachine *self,
                                                    GAsyncResult *result, GError **error);

G_END_DECLS
