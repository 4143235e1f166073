/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Which operating system an installer disc or tree holds, and what it needs,
 * from libosinfo's database; and, for back ends that boot kernels directly,
 * where the installer's kernel is.
 */
#pragma once

#include "hangar-install-kernel.h"

G_BEGIN_DECLS

typedef struct
{
  char *id;       /* libosinfo's URI: "http://debian.org/debian/11" */
  char *short_id; /* "debian11" */
  char *name;     /* "Debian 11" */
  char *version;  /* "11", may be NULL */
  char *vendor;   /* may be NULL */
  char *logo;     /* a URI, may be NULL */
  guint cpus;     /* recommended; 0: not known */
  guint64 memory_mib;
  guint64 storage_bytes;
} HangarOsInfo;

#define HANGAR_TYPE_OS_INFO (hangar_os_info_get_type ())

GType hangar_os_info_get_type (void) G_GNUC_CONST;
HangarOsInfo *hangar_os_info_copy (const HangarOsInfo *info);
void hangar_os_info_free (HangarOsInfo *info);

typedef enum
{
  HANGAR_INSTALL_ISO,  /* a disc image file, or an optical drive */
  HANGAR_INSTALL_TREE, /* an install tree: a URL, or a directory here */
} HangarInstallKind;

typedef struct
{
  HangarInstallKind kind;
  char *location;              /* as given */
  HangarOsInfo *os;            /* NULL: not recognized */
  char *volume_id;             /* the disc's label, NULL for trees */
  HangarInstallKernel *kernel; /* NULL: none found (kernel_error says why) */
  char *kernel_error;
} HangarInstallInspection;

void hangar_install_inspection_free (HangarInstallInspection *inspection);

/* Reads what LOCATION is, in a worker thread: libosinfo's identification,
 * then the kernel. Fails only when LOCATION cannot be read at all. */
void hangar_install_inspect_async (const char *location, HangarInstallKind kind,
                                   GCancellable *cancellable, GAsyncReadyCallback callback,
                                   gpointer user_data);
HangarInstallInspection *hangar_install_inspect_finish (GAsyncResult *result, GError **error);

/* Every operating system that libosinfo knows, as HangarOsInfo, newest
 * release first within each family and sorted by name otherwise. Loads the
 * database in a worker thread the first time. */
void hangar_os_list_async (GCancellable *cancellable, GAsyncReadyCallback callback,
                           gpointer user_data);
GPtrArray *hangar_os_list_finish (GAsyncResult *result, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HangarOsInfo, hangar_os_info_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HangarInstallInspection, hangar_install_inspection_free)

G_END_DECLS
