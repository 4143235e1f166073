/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the embedded connection and its machines share. */
#pragma once

#include <hv/hv.h>

#include "hangar-embedded-connection.h"
#include "hangar-embedded-machine.h"
#include "hangar-lab.h"

G_BEGIN_DECLS

/* One defined machine as a scan of the store and the runtime found it. */
typedef struct
{
  HvMachineConfig *config;
  HvGuestInfo *guest; /* NULL: not running */
} HangarEmbeddedScan;

void _hangar_embedded_scan_free (HangarEmbeddedScan *scan);
/* Blocking: reads the store and asks every running guest its name. */
GPtrArray *_hangar_embedded_scan (HvStore *store, GError **error);
HangarEmbeddedScan *_hangar_embedded_scan_one (HvStore *store, const char *name, GError **error);

/* Main thread: adds or updates the machine of SCAN; returns it. */
HangarMachine *_hangar_embedded_connection_apply (HangarEmbeddedConnection *self,
                                                  HangarEmbeddedScan *scan);
void _hangar_embedded_connection_forget (HangarEmbeddedConnection *self, const char *name);
/* Reads the store and the runtime again soon. */
void _hangar_embedded_connection_queue_rescan (HangarEmbeddedConnection *self);

HangarEmbeddedMachine *_hangar_embedded_machine_new (HangarEmbeddedConnection *connection,
                                                     HangarEmbeddedScan *scan);
void _hangar_embedded_machine_apply (HangarEmbeddedMachine *self, HangarEmbeddedScan *scan);
/* Attaches to GUEST, just launched (CLIENT may be NULL: one is made). */
void _hangar_embedded_machine_attach (HangarEmbeddedMachine *self, HvGuestInfo *guest);
GPid _hangar_embedded_machine_get_pid (HangarEmbeddedMachine *self);
void _hangar_embedded_machine_detach (HangarEmbeddedMachine *self);

/* hangar-embedded-config.c: between the wizard's spec and machine.conf. */
HangarMachineSpec *_hangar_embedded_spec_from_config (const HvMachineConfig *config);
/* BASE (may be NULL) keeps what the spec does not say: UUID, MACs, unknown keys. */
HvMachineConfig *_hangar_embedded_config_from_spec (const HangarMachineSpec *spec,
                                                    const HvMachineConfig *base);

/* hangar-lab.c: labs follow the connection's scans. */
HangarLab *_hangar_lab_new (HangarEmbeddedConnection *connection, const HvLabConfig *config);
void _hangar_lab_apply (HangarLab *self, const HvLabConfig *config);
void _hangar_lab_detach (HangarLab *self);
/* Main thread: the members' addresses from LEASES (HvNetworkLease), matched
 * by the MAC of each member's card on the lab's network. */
void _hangar_lab_apply_leases (HangarLab *self, GPtrArray *leases);

/* Hands a worker thread's HvLabProgress reports to the thread that made the
 * relay; _finish (any thread) drops the reports not delivered yet. */
typedef struct _HangarLabProgressRelay HangarLabProgressRelay;
HangarLabProgressRelay *_hangar_lab_progress_relay_new (HangarLabProgress progress,
                                                        gpointer user_data);
/* An HvLabProgress, called in any thread, with the relay as USER_DATA. */
void _hangar_lab_progress_relay_report (double fraction, const char *member, gpointer user_data);
void _hangar_lab_progress_relay_finish (HangarLabProgressRelay *relay);

G_END_DECLS
