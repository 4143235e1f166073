/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(HV_INSIDE) && !defined(HV_COMPILATION)
#error "Only <hv/hv.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

#define HV_TYPE_GUEST_INFO (hv_guest_info_get_type ())

/* What identifies one running guest: immutable, reference-counted. */
typedef struct _HvGuestInfo HvGuestInfo;

GType hv_guest_info_get_type (void) G_GNUC_CONST;

HvGuestInfo *hv_guest_info_ref (HvGuestInfo *info);
void hv_guest_info_unref (HvGuestInfo *info);

/* NULL while the guest's hv-vmm has not answered (it is starting, or hung). */
const char *hv_guest_info_get_name (const HvGuestInfo *info);
const char *hv_guest_info_get_uuid (const HvGuestInfo *info);
/* The hv-vmm's process id, 0 where it is not known. */
GPid hv_guest_info_get_pid (const HvGuestInfo *info);
/* $XDG_RUNTIME_DIR/hangar/vms/<uuid> */
const char *hv_guest_info_get_runtime_dir (const HvGuestInfo *info);
const char *hv_guest_info_get_control_path (const HvGuestInfo *info);
const char *hv_guest_info_get_console_path (const HvGuestInfo *info);

/* Opens the guest's serial console: read it for what the guest writes,
 * write to it to type (see control-protocol.md, "The console socket"). */
GSocketConnection *hv_guest_info_connect_console (const HvGuestInfo *info,
                                                  GCancellable *cancellable, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HvGuestInfo, hv_guest_info_unref)

G_END_DECLS
