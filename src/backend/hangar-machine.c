/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-machine.h"

typedef struct
{
  char *name;
  char *uuid;
  HangarMachineState state;
  gboolean autostart;
  HangarMachineSpec *spec;

  double metrics[HANGAR_N_METRICS];
  double history[HANGAR_N_METRICS][HANGAR_METRIC_HISTORY];
  guint history_len;
  guint history_next; /* ring buffer position of the next sample */
} HangarMachinePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (HangarMachine, hangar_machine, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (HangarMachineState, hangar_machine_state,
                    G_DEFINE_ENUM_VALUE (HANGAR_MACHINE_STATE_STOPPED, "stopped"),
                    G_DEFINE_ENUM_VALUE (HANGAR_MACHINE_STATE_RUNNING, "running"),
                    G_DEFINE_ENUM_VALUE (HANGAR_MACHINE_STATE_PAUSED, "paused"),
                    G_DEFINE_ENUM_VALUE (HANGAR_MACHINE_STATE_SHUTTING_DOWN, "shutting-down"),
                    G_DEFINE_ENUM_VALUE (HANGAR_MACHINE_STATE_CRASHED, "crashed"))

enum
{
  PROP_0,
  PROP_NAME,
  PROP_UUID,
  PROP_STATE,
  PROP_STATE_LABEL,
  PROP_AUTOSTART,
  PROP_CPUS,
  PROP_MEMORY_MIB,
  PROP_OS_NAME,
  PROP_CPU_USAGE,
  PROP_MEMORY_USED_MIB,
  N_PROPS
};

enum
{
  METRICS_UPDATED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
hangar_machine_finalize (GObject *object)
{
  HangarMachinePrivate *priv = hangar_machine_get_instance_private (HANGAR_MACHINE (object));

  g_free (priv->name);
  g_free (priv->uuid);
  hangar_machine_spec_free (priv->spec);

  G_OBJECT_CLASS (hangar_machine_parent_class)->finalize (object);
}

static void
hangar_machine_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  HangarMachine *self = HANGAR_MACHINE (object);
  HangarMachinePrivate *priv = hangar_machine_get_instance_private (self);

  switch (prop_id)
    {
      case PROP_NAME:
        g_value_set_string (value, priv->name);
        break;
      case PROP_UUID:
        g_value_set_string (value, priv->uuid);
        break;
      case PROP_STATE:
        g_value_set_enum (value, priv->state);
        break;
      case PROP_STATE_LABEL:
        g_value_set_string (value, hangar_machine_state_to_string (priv->state));
        break;
      case PROP_AUTOSTART:
        g_value_set_boolean (value, priv->autostart);
        break;
      case PROP_CPUS:
        g_value_set_uint (value, priv->spec->cpus);
        break;
      case PROP_MEMORY_MIB:
        g_value_set_uint64 (value, priv->spec->memory_mib);
        break;
      case PROP_OS_NAME:
        g_value_set_string (value, priv->spec->os_name);
        break;
      case PROP_CPU_USAGE:
        g_value_set_double (value, priv->metrics[HANGAR_METRIC_CPU]);
        break;
      case PROP_MEMORY_USED_MIB:
        g_value_set_double (value, priv->metrics[HANGAR_METRIC_MEMORY]);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hangar_machine_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  HangarMachinePrivate *priv = hangar_machine_get_instance_private (HANGAR_MACHINE (object));

  switch (prop_id)
    {
      case PROP_NAME:
        priv->name = g_value_dup_string (value);
        break;
      case PROP_UUID:
        priv->uuid = g_value_dup_string (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hangar_machine_class_init (HangarMachineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = hangar_machine_finalize;
  object_class->get_property = hangar_machine_get_property;
  object_class->set_property = hangar_machine_set_property;

  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, construct);
  properties[PROP_UUID] = g_param_spec_string ("uuid", NULL, NULL, NULL, construct);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, HANGAR_TYPE_MACHINE_STATE,
                                              HANGAR_MACHINE_STATE_STOPPED, ro);
  properties[PROP_STATE_LABEL] = g_param_spec_string ("state-label", NULL, NULL, NULL, ro);
  properties[PROP_AUTOSTART] = g_param_spec_boolean ("autostart", NULL, NULL, FALSE, ro);
  properties[PROP_CPUS] = g_param_spec_uint ("cpus", NULL, NULL, 0, G_MAXUINT, 1, ro);
  properties[PROP_MEMORY_MIB] =
      g_param_spec_uint64 ("memory-mib", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  properties[PROP_OS_NAME] = g_param_spec_string ("os-name", NULL, NULL, NULL, ro);
  properties[PROP_CPU_USAGE] = g_param_spec_double ("cpu-usage", NULL, NULL, 0, 100, 0, ro);
  properties[PROP_MEMORY_USED_MIB] =
      g_param_spec_double ("memory-used-mib", NULL, NULL, 0, G_MAXDOUBLE, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[METRICS_UPDATED] = g_signal_new ("metrics-updated", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
hangar_machine_init (HangarMachine *self)
{
  HangarMachinePrivate *priv = hangar_machine_get_instance_private (self);

  priv->spec = hangar_machine_spec_new ();
}

const char *
hangar_machine_get_name (HangarMachine *self)
{
  HangarMachinePrivate *priv = hangar_machine_get_instance_private (self);

  g_return_val_if_fail (HANGAR_IS_MACHINE (self), NULL);

  return priv->name;
}

const char *
hangar_machine_get_uuid (HangarMachine *self)
{
  HangarMachinePrivate *priv = hangar_machine_get_instance_private (self);

  g_return_val_if_fail (HANGAR_IS_MACHINE (self), NULL);

  return priv->uuid;
}

HangarMachineState
hangar_machine_get_state (HangarMachine *self)
{
  HangarMachinePrivate *priv = hangar_machine_get_instance_private (self);

  g_return_val_if_fail (HANGAR_IS_MACHINE (self), HANGAR_MACHINE_STATE_STOPPED);

  return priv->state;
}

const char *
hangar_machine_state_to_string (HangarMachineState state)
{
  switch (state)
    {
      case HANGAR_MACHINE_STATE_STOPPED:
        return _ ("Stopped");
      case HANGAR_MACHINE_STATE_RUNNING:
        return _ ("Running");
      case HANGAR_MACHINE_STATE_PAUSED:
        return _ ("Paused");
      case HANGAR_MACHINE_STATE_SHUTTING_DOWN:
        return _ ("Shutting down");
      case HANGAR_MACHINE_STATE_CRASHED:
        return _ ("Crashed");
      default:
        g_return_val_if_reached (NULL);
    }
}

gboolean
hangar_machine_get_autostart (HangarMachine *self)
{
  HangarMachinePrivate *priv = hangar_machine_get_instance_private (self);

  g_return_val_if_fail (HANGAR_IS_MACHINE (self), FALSE);

  return priv->autostart;
}

const HangarMachineSpec *
hangar_machine_get_spec (HangarMachine *self)
{
  HangarMachinePrivate *priv = hangar_machine_get_instance_private (self);

  g_return_val_if_fail (HANGAR_IS_MACHINE (self), NULL);

  return priv->spec;
}

double
hangar_machine_get_metric (HangarMachine *self, HangarMetric metric)
{
  HangarMachinePrivate *priv = hangar_machine_get_instance_private (self);

  g_return_val_if_fail (HANGAR_IS_MACHINE (self), 0);
  g_return_val_if_fail (metric < HANGAR_N_METRICS, 0);

  return priv->metrics[metric];
}

guint
hangar_machine_get_history (HangarMachine *self, HangarMetric metric, double *samples)
{
  HangarMachinePrivate *priv = hangar_machine_get_instance_private (self);
  guint first;

  g_return_val_if_fail (HANGAR_IS_MACHINE (self), 0);
  g_return_val_if_fail (metric < HANGAR_N_METRICS, 0);

  first = (priv->history_next + HANGAR_METRIC_HISTORY - priv->history_len) % HANGAR_METRIC_HISTORY;
  for (guint i = 0; i < priv->history_len; i++)
    samples[i] = priv->history[metric][(first + i) % HANGAR_METRIC_HISTORY];
  return priv->history_len;
}

/* The one place that says which action applies in which state: the window's
 * actions and the back ends both ask here. */
gboolean
hangar_machine_can (HangarMachine *self, HangarMachineAction action)
{
  HangarMachineState state = hangar_machine_get_state (self);
  gboolean stopped = state == HANGAR_MACHINE_STATE_STOPPED || state == HANGAR_MACHINE_STATE_CRASHED;
  gboolean active =
      state == HANGAR_MACHINE_STATE_RUNNING || state == HANGAR_MACHINE_STATE_SHUTTING_DOWN;

  switch (action)
    {
      case HANGAR_MACHINE_ACTION_START:
      case HANGAR_MACHINE_ACTION_DELETE:
      case HANGAR_MACHINE_ACTION_CLONE:
      case HANGAR_MACHINE_ACTION_EDIT:
        return stopped;
      case HANGAR_MACHINE_ACTION_PAUSE:
      case HANGAR_MACHINE_ACTION_REBOOT:
        return state == HANGAR_MACHINE_STATE_RUNNING;
      case HANGAR_MACHINE_ACTION_SHUTDOWN:
        return active;
      case HANGAR_MACHINE_ACTION_RESUME:
        return state == HANGAR_MACHINE_STATE_PAUSED;
      case HANGAR_MACHINE_ACTION_FORCE_OFF:
        return !stopped;
      default:
        g_return_val_if_reached (FALSE);
    }
}

static gboolean
check_allowed (HangarMachine *self, HangarMachineAction action, GError **error)
{
  if (hangar_machine_can (self, action))
    return TRUE;

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               _ ("That cannot be done while “%s” is in the state “%s”."),
               hangar_machine_get_name (self),
               hangar_machine_state_to_string (hangar_machine_get_state (self)));
  return FALSE;
}

static void
report_not_allowed (HangarMachine *self, GError *error, GAsyncReadyCallback callback,
                    gpointer user_data, gpointer source_tag)
{
  g_task_report_error (self, callback, user_data, source_tag, error);
}

void
hangar_machine_run_action_async (HangarMachine *self, HangarMachineAction action,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  GError *error = NULL;

  g_return_if_fail (HANGAR_IS_MACHINE (self));

  if (!check_allowed (self, action, &error))
    return report_not_allowed (self, error, callback, user_data, hangar_machine_run_action_async);

  HANGAR_MACHINE_GET_CLASS (self)->run_action_async (self, action, cancellable, callback,
                                                     user_data);
}

gboolean
hangar_machine_run_action_finish (HangarMachine *self, GAsyncResult *result, GError **error)
{
  if (g_async_result_is_tagged (result, hangar_machine_run_action_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  return HANGAR_MACHINE_GET_CLASS (self)->run_action_finish (self, result, error);
}

void
hangar_machine_delete_async (HangarMachine *self, gboolean with_disks, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  GError *error = NULL;

  g_return_if_fail (HANGAR_IS_MACHINE (self));

  if (!check_allowed (self, HANGAR_MACHINE_ACTION_DELETE, &error))
    return report_not_allowed (self, error, callback, user_data, hangar_machine_delete_async);

  HANGAR_MACHINE_GET_CLASS (self)->delete_async (self, with_disks, cancellable, callback,
                                                 user_data);
}

gboolean
hangar_machine_delete_finish (HangarMachine *self, GAsyncResult *result, GError **error)
{
  if (g_async_result_is_tagged (result, hangar_machine_delete_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  return HANGAR_MACHINE_GET_CLASS (self)->delete_finish (self, result, error);
}

void
hangar_machine_clone_async (HangarMachine *self, const char *new_name, GCancellable *cancellable,
                            GAsyncReadyCallback callback, gpointer user_data)
{
  GError *error = NULL;

  g_return_if_fail (HANGAR_IS_MACHINE (self));

  if (!check_allowed (self, HANGAR_MACHINE_ACTION_CLONE, &error) ||
      !hangar_machine_name_is_valid (new_name, &error))
    return report_not_allowed (self, error, callback, user_data, hangar_machine_clone_async);

  HANGAR_MACHINE_GET_CLASS (self)->clone_async (self, new_name, cancellable, callback, user_data);
}

HangarMachine *
hangar_machine_clone_finish (HangarMachine *self, GAsyncResult *result, GError **error)
{
  if (g_async_result_is_tagged (result, hangar_machine_clone_async))
    return g_task_propagate_pointer (G_TASK (result), error);

  return HANGAR_MACHINE_GET_CLASS (self)->clone_finish (self, result, error);
}

void
hangar_machine_update_async (HangarMachine *self, const HangarMachineSpec *spec,
                             GCancellable *cancellable, GAsyncReadyCallback callback,
                             gpointer user_data)
{
  GError *error = NULL;

  g_return_if_fail (HANGAR_IS_MACHINE (self));
  g_return_if_fail (spec != NULL);

  if (!check_allowed (self, HANGAR_MACHINE_ACTION_EDIT, &error))
    return report_not_allowed (self, error, callback, user_data, hangar_machine_update_async);

  HANGAR_MACHINE_GET_CLASS (self)->update_async (self, spec, cancellable, callback, user_data);
}

gboolean
hangar_machine_update_finish (HangarMachine *self, GAsyncResult *result, GError **error)
{
  if (g_async_result_is_tagged (result, hangar_machine_update_async))
    return g_task_propagate_boolean (G_TASK (result), error);

  return HANGAR_MACHINE_GET_CLASS (self)->update_finish (self, result, error);
}

void
hangar_machine_set_autostart_async (HangarMachine *self, gboolean autostart,
                                    GCancellable *cancellable, GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_return_if_fail (HANGAR_IS_MACHINE (self));

  HANGAR_MACHINE_GET_CLASS (self)->set_autostart_async (self, autostart, cancellable, callback,
                                                        user_data);
}

gboolean
hangar_machine_set_autostart_finish (HangarMachine *self, GAsyncResult *result, GError **error)
{
  return HANGAR_MACHINE_GET_CLASS (self)->set_autostart_finish (self, result, error);
}

static void
report_no_console (HangarMachine *self, GAsyncReadyCallback callback, gpointer user_data,
                   gpointer source_tag)
{
  g_task_report_new_error (self, callback, user_data, source_tag, G_IO_ERROR,
                           G_IO_ERROR_NOT_SUPPORTED,
                           _ ("Hangar cannot show the console of “%s”: its kind of "
                              "connection does not offer one."),
                           hangar_machine_get_name (self));
}

void
hangar_machine_open_graphics_async (HangarMachine *self, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (HANGAR_IS_MACHINE (self));

  if (HANGAR_MACHINE_GET_CLASS (self)->open_graphics_async == NULL)
    return report_no_console (self, callback, user_data, hangar_machine_open_graphics_async);
  HANGAR_MACHINE_GET_CLASS (self)->open_graphics_async (self, cancellable, callback, user_data);
}

int
hangar_machine_open_graphics_finish (HangarMachine *self, GAsyncResult *result, char **unix_path,
                                     GError **error)
{
  g_return_val_if_fail (HANGAR_IS_MACHINE (self), -1);
  g_return_val_if_fail (unix_path != NULL && *unix_path == NULL, -1);

  if (g_async_result_is_tagged (result, hangar_machine_open_graphics_async))
    return g_task_propagate_int (G_TASK (result), error);
  return HANGAR_MACHINE_GET_CLASS (self)->open_graphics_finish (self, result, unix_path, error);
}

void
hangar_machine_open_serial_async (HangarMachine *self, GCancellable *cancellable,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (HANGAR_IS_MACHINE (self));

  if (HANGAR_MACHINE_GET_CLASS (self)->open_serial_async == NULL)
    return report_no_console (self, callback, user_data, hangar_machine_open_serial_async);
  HANGAR_MACHINE_GET_CLASS (self)->open_serial_async (self, cancellable, callback, user_data);
}

GIOStream *
hangar_machine_open_serial_finish (HangarMachine *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (HANGAR_IS_MACHINE (self), NULL);

  if (g_async_result_is_tagged (result, hangar_machine_open_serial_async))
    return g_task_propagate_pointer (G_TASK (result), error);
  return HANGAR_MACHINE_GET_CLASS (self)->open_serial_finish (self, result, error);
}

void
_hangar_machine_set_state (HangarMachine *self, HangarMachineState state)
{
  HangarMachinePrivate *priv = hangar_machine_get_instance_private (self);

  if (priv->state == state)
    return;

  priv->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_LABEL]);
}

void
_hangar_machine_set_spec (HangarMachine *self, const HangarMachineSpec *spec)
{
  HangarMachinePrivate *priv = hangar_machine_get_instance_private (self);

  hangar_machine_spec_free (priv->spec);
  priv->spec = hangar_machine_spec_copy (spec);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CPUS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMORY_MIB]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OS_NAME]);
}

void
_hangar_machine_set_autostart (HangarMachine *self, gboolean autostart)
{
  HangarMachinePrivate *priv = hangar_machine_get_instance_private (self);

  if (priv->autostart == !!autostart)
    return;

  priv->autostart = !!autostart;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTOSTART]);
}

void
_hangar_machine_push_metrics (HangarMachine *self, const double values[HANGAR_N_METRICS])
{
  HangarMachinePrivate *priv = hangar_machine_get_instance_private (self);

  for (guint m = 0; m < HANGAR_N_METRICS; m++)
    {
      priv->metrics[m] = values[m];
      priv->history[m][priv->history_next] = values[m];
    }
  priv->history_next = (priv->history_next + 1) % HANGAR_METRIC_HISTORY;
  priv->history_len = MIN (priv->history_len + 1, HANGAR_METRIC_HISTORY);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CPU_USAGE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMORY_USED_MIB]);
  g_signal_emit (self, signals[METRICS_UPDATED], 0);
}
