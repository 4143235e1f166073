/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#if !defined(HV_INSIDE) && !defined(HV_COMPILATION)
#error "Only <hv/hv.h> can be included directly."
#endif

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "hv-guest-info.h"

G_BEGIN_DECLS

#define HV_TYPE_CLIENT (hv_client_get_type ())

/*
 * A connection to one guest's control socket (control-protocol.md).
 *
 * The client reads on the thread-default main context of the thread that
 * created it; its signals and async callbacks run there:
 *   ::event (const char *name, JsonObject *data, gint64 timestamp_us)
 *   ::closed (const GError *reason), once, when the connection ends.
 * The _sync functions run that context until the answer comes, so a
 * program that has a main loop (a GUI) uses the async ones.
 */
G_DECLARE_FINAL_TYPE (HvClient, hv_client, HV, CLIENT, GObject)

/* Connects to CONTROL_PATH and waits for the greeting. */
HvClient *hv_client_new_sync (const char *control_path, GCancellable *cancellable, GError **error);
void hv_client_new (const char *control_path, GCancellable *cancellable,
                    GAsyncReadyCallback callback, gpointer user_data);
HvClient *hv_client_new_finish (GAsyncResult *result, GError **error);

/* Speaks over CONNECTION, already connected (hv_runtime_launch () makes
 * one). The client reads from now on: connect to its signals before the
 * main loop runs and no event is missed. The greeting's fields are NULL
 * until hv_client_wait_greeting () completes. */
HvClient *hv_client_new_for_connection (GSocketConnection *connection);
void hv_client_wait_greeting (HvClient *self, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data);
gboolean hv_client_wait_greeting_finish (HvClient *self, GAsyncResult *result, GError **error);

HvClient *hv_client_new_for_guest_sync (const HvGuestInfo *info, GCancellable *cancellable,
                                        GError **error);

/* From the greeting. */
const char *hv_client_get_name (HvClient *self);
const char *hv_client_get_uuid (HvClient *self);
GPid hv_client_get_pid (HvClient *self);
const char *hv_client_get_version (HvClient *self);
gboolean hv_client_is_closed (HvClient *self);

/* A _sync call that gets no answer within TIMEOUT_MS fails with
 * HV_ERROR_TIMED_OUT (0, the default: wait for ever). */
void hv_client_set_timeout (HvClient *self, guint timeout_ms);

/* Runs COMMAND with ARGUMENTS (may be NULL) and returns its "return"
 * object; a protocol error is a GError with the HV_ERROR code of its class
 * and the VMM's text as message. */
JsonObject *hv_client_execute_sync (HvClient *self, const char *command, JsonObject *arguments,
                                    GCancellable *cancellable, GError **error);
void hv_client_execute (HvClient *self, const char *command, JsonObject *arguments,
                        GCancellable *cancellable, GAsyncReadyCallback callback,
                        gpointer user_data);
JsonObject *hv_client_execute_finish (HvClient *self, GAsyncResult *result, GError **error);

/* Ends the connection; pending calls fail with HV_ERROR_DISCONNECTED. */
void hv_client_close (HvClient *self);

G_END_DECLS
