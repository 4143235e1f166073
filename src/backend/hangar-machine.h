/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "hangar-machine-spec.h"

G_BEGIN_DECLS

typedef enum
{
  HANGAR_MACHINE_STATE_STOPPED,
  HANGAR_MACHINE_STATE_RUNNING,
  HANGAR_MACHINE_STATE_PAUSED,
  HANGAR_MACHINE_STATE_SHUTTING_DOWN,
  HANGAR_MACHINE_STATE_CRASHED,
} HangarMachineState;

GType hangar_machine_state_get_type (void) G_GNUC_CONST;
#define HANGAR_TYPE_MACHINE_STATE (hangar_machine_state_get_type ())

typedef enum
{
  HANGAR_MACHINE_ACTION_START,
  HANGAR_MACHINE_ACTION_PAUSE,
  HANGAR_MACHINE_ACTION_RESUME,
  HANGAR_MACHINE_ACTION_SHUTDOWN,
  HANGAR_MACHINE_ACTION_REBOOT,
  HANGAR_MACHINE_ACTION_FORCE_OFF,
  HANGAR_MACHINE_ACTION_DELETE,
  HANGAR_MACHINE_ACTION_CLONE,
  HANGAR_MACHINE_ACTION_EDIT,
} HangarMachineAction;

/* What the resource graphs show; one sample a second. */
typedef enum
{
  HANGAR_METRIC_CPU,          /* percent of the machine's processors */
  HANGAR_METRIC_MEMORY,       /* MiB in use */
  HANGAR_METRIC_DISK_READ,    /* bytes a second */
  HANGAR_METRIC_DISK_WRITE,   /* bytes a second */
  HANGAR_METRIC_NET_RECEIVE,  /* bytes a second */
  HANGAR_METRIC_NET_TRANSMIT, /* bytes a second */
  HANGAR_N_METRICS
} HangarMetric;

#define HANGAR_METRIC_HISTORY 60

#define HANGAR_TYPE_MACHINE (hangar_machine_get_type ())

G_DECLARE_DERIVABLE_TYPE (HangarMachine, hangar_machine, HANGAR, MACHINE, GObject)

struct _HangarMachineClass
{
  GObjectClass parent_class;

  void (*run_action_async) (HangarMachine *self, HangarMachineAction action,
                            GCancellable *cancellable, GAsyncReadyCallback callback,
                            gpointer user_data);
  gboolean (*run_action_finish) (HangarMachine *self, GAsyncResult *result, GError **error);

  void (*delete_async) (HangarMachine *self, gboolean with_disks, GCancellable *cancellable,
                        GAsyncReadyCallback callback, gpointer user_data);
  gboolean (*delete_finish) (HangarMachine *self, GAsyncResult *result, GError **error);

  void (*clone_async) (HangarMachine *self, const char *new_name, GCancellable *cancellable,
                       GAsyncReadyCallback callback, gpointer user_data);
  HangarMachine *(*clone_finish) (HangarMachine *self, GAsyncResult *result, GError **error);

  /* Applies edited settings to a stopped machine. */
  void (*update_async) (HangarMachine *self, const HangarMachineSpec *spec,
                        GCancellable *cancellable, GAsyncReadyCallback callback,
                        gpointer user_data);
  gboolean (*update_finish) (HangarMachine *self, GAsyncResult *result, GError **error);

  void (*set_autostart_async) (HangarMachine *self, gboolean autostart, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
  gboolean (*set_autostart_finish) (HangarMachine *self, GAsyncResult *result, GError **error);

  /* Consoles of a running machine. Each call opens a new connection: a SPICE
   * client asks for one per channel (main, display, inputs...). NULL in a back
   * end without them: the calls then fail with G_IO_ERROR_NOT_SUPPORTED. */
  void (*open_graphics_async) (HangarMachine *self, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
  int (*open_graphics_finish) (HangarMachine *self, GAsyncResult *result, char **unix_path,
                               GError **error);
  void (*open_serial_async) (HangarMachine *self, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data);
  GIOStream *(*open_serial_finish) (HangarMachine *self, GAsyncResult *result, GError **error);
};

const char *hangar_machine_get_name (HangarMachine *self);
const char *hangar_machine_get_uuid (HangarMachine *self);
HangarMachineState hangar_machine_get_state (HangarMachine *self);
const char *hangar_machine_state_to_string (HangarMachineState state);
gboolean hangar_machine_get_autostart (HangarMachine *self);
/* The machine's settings as they are now; never NULL. */
const HangarMachineSpec *hangar_machine_get_spec (HangarMachine *self);
double hangar_machine_get_metric (HangarMachine *self, HangarMetric metric);
/* Up to HANGAR_METRIC_HISTORY samples, oldest first; returns how many. */
guint hangar_machine_get_history (HangarMachine *self, HangarMetric metric, double *samples);

gboolean hangar_machine_can (HangarMachine *self, HangarMachineAction action);

void hangar_machine_run_action_async (HangarMachine *self, HangarMachineAction action,
                                      GCancellable *cancellable, GAsyncReadyCallback callback,
                                      gpointer user_data);
gboolean hangar_machine_run_action_finish (HangarMachine *self, GAsyncResult *result,
                                           GError **error);
void hangar_machine_delete_async (HangarMachine *self, gboolean with_disks,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean hangar_machine_delete_finish (HangarMachine *self, GAsyncResult *result, GError **error);
void hangar_machine_clone_async (HangarMachine *self, const char *new_name,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
HangarMachine *hangar_machine_clone_finish (HangarMachine *self, GAsyncResult *result,
                                            GError **error);
void hangar_machine_update_async (HangarMachine *self, const HangarMachineSpec *spec,
                                  GCancellable *cancellable, GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean hangar_machine_update_finish (HangarMachine *self, GAsyncResult *result, GError **error);
void hangar_machine_set_autostart_async (HangarMachine *self, gboolean autostart,
                                         GCancellable *cancellable, GAsyncReadyCallback callback,
                                         gpointer user_data);
gboolean hangar_machine_set_autostart_finish (HangarMachine *self, GAsyncResult *result,
                                              GError **error);

/* The machine's SPICE display. Returns a connected socket (>= 0; the caller
 * closes it); or -1 with *UNIX_PATH set to a socket the SPICE client connects
 * to by itself (the caller frees it); or -1 with ERROR set. */
void hangar_machine_open_graphics_async (HangarMachine *self, GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
int hangar_machine_open_graphics_finish (HangarMachine *self, GAsyncResult *result,
                                         char **unix_path, GError **error);
/* The machine's first serial port as a byte stream; end of stream when the
 * guest stops or another client takes the console. */
void hangar_machine_open_serial_async (HangarMachine *self, GCancellable *cancellable,
                                       GAsyncReadyCallback callback, gpointer user_data);
GIOStream *hangar_machine_open_serial_finish (HangarMachine *self, GAsyncResult *result,
                                              GError **error);

/* For back ends. */
void _hangar_machine_set_state (HangarMachine *self, HangarMachineState state);
void _hangar_machine_set_spec (HangarMachine *self, const HangarMachineSpec *spec);
void _hangar_machine_set_autostart (HangarMachine *self, gboolean autostart);
void _hangar_machine_push_metrics (HangarMachine *self, const double values[HANGAR_N_METRICS]);

G_END_DECLS
