/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The Linux kernel and initrd of an installer, found on its disc image or in
 * its install tree, for back ends that boot a kernel directly rather than a
 * firmware that reads the disc (Hangar's own hypervisor). libosinfo's paths
 * are tried first, then the layouts of the Debian, Ubuntu, Fedora and Alpine
 * installers.
 */
#pragma once

#include "hangar-iso9660.h"

G_BEGIN_DECLS

typedef struct
{
  char *kernel;  /* path on the disc or in the tree */
  char *initrd;  /* may be NULL */
  char *cmdline; /* what the installer needs to find the rest of itself */
  guint64 kernel_size;
  guint64 initrd_size;
} HangarInstallKernel;

void hangar_install_kernel_free (HangarInstallKernel *found);

/* HINT_KERNEL and HINT_INITRD (libosinfo's, may be NULL) are tried first. The
 * error says that no kernel was found, in words for people. */
HangarInstallKernel *hangar_install_kernel_find_on_iso (HangarIsoImage *image,
                                                        const char *hint_kernel,
                                                        const char *hint_initrd, GError **error);
/* The same in an install tree that is a directory on this computer; TREE_URI
 * is what the installer is told to install from. */
HangarInstallKernel *hangar_install_kernel_find_in_tree (const char *directory,
                                                         const char *tree_uri,
                                                         const char *hint_kernel,
                                                         const char *hint_initrd, GError **error);

/* Copies FOUND's kernel and initrd from IMAGE into DEST_DIR (made if needed)
 * as "vmlinuz" and "initrd"; their paths go to KERNEL_PATH and INITRD_PATH.
 * PROGRESS sees the bytes of both files together. */
gboolean hangar_install_kernel_extract (HangarIsoImage *image, const HangarInstallKernel *found,
                                        const char *dest_dir, char **kernel_path,
                                        char **initrd_path, GCancellable *cancellable,
                                        HangarIsoProgress progress, gpointer user_data,
                                        GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HangarInstallKernel, hangar_install_kernel_free)

G_END_DECLS
