/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shared inside libhvcore: the runtime directory's layout and helpers. */
#pragma once

#include "hv-guest-info.h"
#include "hv-runtime.h"

G_BEGIN_DECLS

/* The files of one guest's directory (hv-core/docs/hv-vmm.md). */
#define HV_CONTROL_SOCKET "control.sock"
#define HV_CONSOLE_SOCKET "console.sock"
#define HV_LOCK_FILE      "vmm.lock"
/* Held by a launcher from creating a guest's directory until its hv-vmm
 * runs: while it is held, a directory with a free vmm.lock may be a guest
 * being born, not a dead one, and must not be cleaned. */
#define HV_LAUNCH_LOCK ".launch.lock"

/* How long a greeting may take before a guest counts as not answering. */
#define HV_GREETING_TIMEOUT_MS 2000

HvGuestInfo *_hv_guest_info_new (const char *runtime_dir, const char *name, const char *uuid,
                                 GPid pid);
GSocketConnection *_hv_connect_unix (const char *path, GCancellable *cancellable, GError **error);

gboolean _hv_runtime_dir_is_live (const char *dir);
void _hv_runtime_remove_dir (const char *dir);
GPid _hv_runtime_lock_holder (const char *dir);
gboolean _hv_process_is_running (GPid pid);
gboolean _hv_runtime_ensure_directory (HvRuntime *self, GError **error);
int _hv_runtime_lock_launches (HvRuntime *self, gboolean wait, GError **error);
GPtrArray *_hv_runtime_scan (HvRuntime *self, gboolean may_clean, GCancellable *cancellable,
                             GError **error);

G_END_DECLS
