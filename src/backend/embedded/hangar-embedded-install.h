/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * What the embedded back end (Hangar's own hypervisor, which boots Linux
 * kernels directly and has no firmware to start a disc) needs before an
 * installer can run: the installer's kernel and initrd copied out of its disc
 * or tree, the command line that lets it find the rest of itself, and the
 * disc attached read-only.
 */
#pragma once

#include "hangar-machine-spec.h"
#include "hangar-os-detect.h"

G_BEGIN_DECLS

/* Fills SPEC's kernel, initrd and cmdline from INSPECTION, copying the files
 * into BOOT_DIR, and attaches an ISO as a read-only CD-ROM. PROGRESS may be
 * called from any thread. Fails, saying so, when the installer has no kernel
 * Hangar can find. */
gboolean hangar_embedded_install_prepare (HangarMachineSpec *spec,
                                          const HangarInstallInspection *inspection,
                                          const char *boot_dir, GCancellable *cancellable,
                                          HangarIsoProgress progress, gpointer user_data,
                                          GError **error);

/* The same in a worker thread; the result is the filled copy of SPEC. */
void hangar_embedded_install_prepare_async (const HangarMachineSpec *spec,
                                            const HangarInstallInspection *inspection,
                                            const char *boot_dir, GCancellable *cancellable,
                                            HangarIsoProgress progress, gpointer progress_data,
                                            GAsyncReadyCallback callback, gpointer user_data);
HangarMachineSpec *hangar_embedded_install_prepare_finish (GAsyncResult *result, GError **error);

G_END_DECLS
