/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(HV_INSIDE) && !defined(HV_COMPILATION)
#error "Only <hv/hv.h> can be included directly."
#endif

#include <gio/gio.h>

#include "hv-guest-info.h"
#include "hv-launch-options.h"

G_BEGIN_DECLS

#define HV_TYPE_RUNTIME (hv_runtime_get_type ())

/*
 * The running guests of this user: one directory per guest under
 * $XDG_RUNTIME_DIR/hangar/vms/<uuid>/ whose hv-vmm holds an exclusive
 * flock on vmm.lock for as long as it runs. Directories whose lock is free
 * are what a killed hv-vmm left behind, and are removed when seen.
 */
G_DECLARE_FINAL_TYPE (HvRuntime, hv_runtime, HV, RUNTIME, GObject)

/* $XDG_RUNTIME_DIR/hangar/vms */
HvRuntime *hv_runtime_new (void);
/* Guests under DIRECTORY instead: for tests and special set-ups. */
HvRuntime *hv_runtime_new_for_directory (const char *directory);

const char *hv_runtime_get_directory (HvRuntime *self);

/* The running guests (HvGuestInfo), sorted by name. */
GPtrArray *hv_runtime_list_guests (HvRuntime *self, GCancellable *cancellable, GError **error);
/* The running guest called NAME_OR_UUID, or HV_ERROR_NOT_FOUND. */
HvGuestInfo *hv_runtime_lookup_guest (HvRuntime *self, const char *name_or_uuid,
                                      GCancellable *cancellable, GError **error);

/* Starts hv-vmm ($HV_VMM_PATH, or the installed one) in a session of its
 * own and waits until it runs the guest or says why it cannot. On failure
 * nothing is left behind. When CONTROL or CONSOLE are not NULL they get
 * connections made before the guest's first instruction, so that no event
 * and no console output is missed. */
HvGuestInfo *hv_runtime_launch (HvRuntime *self, const HvLaunchOptions *options,
                                GSocketConnection **control, GSocketConnection **console,
                                GCancellable *cancellable, GError **error);
void hv_runtime_launch_async (HvRuntime *self, const HvLaunchOptions *options,
                              GCancellable *cancellable, GAsyncReadyCallback callback,
                              gpointer user_data);
HvGuestInfo *hv_runtime_launch_finish (HvRuntime *self, GAsyncResult *result, GError **error);

/* Waits up to TIMEOUT_MS for INFO's hv-vmm to end, then removes what it
 * left behind. FALSE (HV_ERROR_TIMED_OUT) if it still runs. */
gboolean hv_runtime_wait_for_exit (HvRuntime *self, const HvGuestInfo *info, guint timeout_ms,
                                   GError **error);
/* Kills INFO's hv-vmm with SIGKILL (the guest is lost) and cleans up. */
gboolean hv_runtime_kill_guest (HvRuntime *self, const HvGuestInfo *info, GError **error);
/* Ends INFO's guest at once: asks its hv-vmm to quit, and kills it when it
 * does not answer, or has not gone, within TIMEOUT_MS. Blocks; safe in any
 * thread. */
gboolean hv_runtime_force_off (HvRuntime *self, const HvGuestInfo *info, guint timeout_ms,
                               GError **error);

G_END_DECLS
