/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "hangar-connection.h"
#include "hangar-host.h"

typedef struct
{
  char *uri;
  char *title;
  HangarConnectionState state;
  char *error_message;
  GListStore *machines;
} HangarConnectionPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (HangarConnection, hangar_connection, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (HangarConnectionState, hangar_connection_state,
                    G_DEFINE_ENUM_VALUE (HANGAR_CONNECTION_STATE_DISCONNECTED, "disconnected"),
                    G_DEFINE_ENUM_VALUE (HANGAR_CONNECTION_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (HANGAR_CONNECTION_STATE_CONNECTED, "connected"),
                    G_DEFINE_ENUM_VALUE (HANGAR_CONNECTION_STATE_FAILED, "failed"))

enum
{
  PROP_0,
  PROP_URI,
  PROP_TITLE,
  PROP_STATE,
  PROP_ERROR_MESSAGE,
  PROP_MACHINES,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
hangar_connection_finalize (GObject *object)
{
  HangarConnectionPrivate *priv =
      hangar_connection_get_instance_private (HANGAR_CONNECTION (object));

  g_free (priv->uri);
  g_free (priv->title);
  g_free (priv->error_message);
  g_clear_object (&priv->machines);

  G_OBJECT_CLASS (hangar_connection_parent_class)->finalize (object);
}

static void
hangar_connection_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  HangarConnectionPrivate *priv =
      hangar_connection_get_instance_private (HANGAR_CONNECTION (object));

  switch (prop_id)
    {
      case PROP_URI:
        g_value_set_string (value, priv->uri);
        break;
      case PROP_TITLE:
        g_value_set_string (value, priv->title);
        break;
      case PROP_STATE:
        g_value_set_enum (value, priv->state);
        break;
      case PROP_ERROR_MESSAGE:
        g_value_set_string (value, priv->error_message);
        break;
      case PROP_MACHINES:
        g_value_set_object (value, priv->machines);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
hangar_connection_set_property (GObject *object, guint prop_id, const GValue *value,
                                GParamSpec *pspec)
{
  HangarConnectionPrivate *priv =
      hangar_connection_get_instance_private (HANGAR_CONNECTION (object));

  switch (prop_id)
    {
      case PROP_URI:
        priv->uri = g_value_dup_string (value);
        break;
      case PROP_TITLE:
        priv->title = g_value_dup_string (value);
        break;
      default:
        G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

void
hangar_connection_resources_free (HangarConnectionResources *resources)
{
  if (resources == NULL)
    return;
  g_free (resources->storage_dir);
  g_strfreev (resources->bridges);
  g_clear_pointer (&resources->networks, g_ptr_array_unref);
  g_free (resources);
}

void
hangar_network_info_free (HangarNetworkInfo *network)
{
  if (network == NULL)
    return;
  g_free (network->name);
  g_free (network);
}

HangarConnectionResources *
hangar_connection_resources_new_local (const char *storage_dir)
{
  HangarConnectionResources *resources = g_new0 (HangarConnectionResources, 1);

  resources->local = TRUE;
  resources->host_cpus = hangar_host_count_cpus ("/proc/cpuinfo");
  resources->host_memory_mib = hangar_host_memory_mib ("/proc/meminfo");
  resources->storage_dir = g_strdup (storage_dir);
  resources->free_bytes = hangar_host_free_bytes (storage_dir);
  resources->bridges = hangar_host_list_bridges ("/sys/class/net");
  resources->networks = g_ptr_array_new_with_free_func ((GDestroyNotify) hangar_network_info_free);
  return resources;
}

static void
query_local_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "hangar", "machines", NULL);
  HangarConnectionResources *resources = hangar_connection_resources_new_local (dir);
  HangarNetworkInfo *nat = g_new0 (HangarNetworkInfo, 1);

  nat->name = g_strdup ("default");
  g_ptr_array_add (resources->networks, nat);
  g_task_return_pointer (task, resources, (GDestroyNotify) hangar_connection_resources_free);
}

static void
hangar_connection_real_query_resources_async (HangarConnection *self, GCancellable *cancellable,
                                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_run_in_thread (task, query_local_thread);
}

static HangarConnectionResources *
hangar_connection_real_query_resources_finish (HangarConnection *self, GAsyncResult *result,
                                               GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
hangar_connection_class_init (HangarConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = hangar_connection_finalize;
  object_class->get_property = hangar_connection_get_property;
  object_class->set_property = hangar_connection_set_property;
  klass->query_resources_async = hangar_connection_real_query_resources_async;
  klass->query_resources_finish = hangar_connection_real_query_resources_finish;

  properties[PROP_URI] = g_param_spec_string ("uri", NULL, NULL, NULL, construct);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, construct);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, HANGAR_TYPE_CONNECTION_STATE,
                                              HANGAR_CONNECTION_STATE_DISCONNECTED, ro);
  properties[PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, NULL, ro);
  properties[PROP_MACHINES] = g_param_spec_object ("machines", NULL, NULL, G_TYPE_LIST_MODEL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
hangar_connection_init (HangarConnection *self)
{
  HangarConnectionPrivate *priv = hangar_connection_get_instance_private (self);

  priv->machines = g_list_store_new (HANGAR_TYPE_MACHINE);
}

const char *
hangar_connection_get_uri (HangarConnection *self)
{
  HangarConnectionPrivate *priv = hangar_connection_get_instance_private (self);

  g_return_val_if_fail (HANGAR_IS_CONNECTION (self), NULL);

  return priv->uri;
}

const char *
hangar_connection_get_title (HangarConnection *self)
{
  HangarConnectionPrivate *priv = hangar_connection_get_instance_private (self);

  g_return_val_if_fail (HANGAR_IS_CONNECTION (self), NULL);

  return priv->title != NULL ? priv->title : priv->uri;
}

HangarConnectionState
hangar_connection_get_state (HangarConnection *self)
{
  HangarConnectionPrivate *priv = hangar_connection_get_instance_private (self);

  g_return_val_if_fail (HANGAR_IS_CONNECTION (self), HANGAR_CONNECTION_STATE_DISCONNECTED);

  return priv->state;
}

const char *
hangar_connection_get_error_message (HangarConnection *self)
{
  HangarConnectionPrivate *priv = hangar_connection_get_instance_private (self);

  g_return_val_if_fail (HANGAR_IS_CONNECTION (self), NULL);

  return priv->error_message;
}

GListModel *
hangar_connection_get_machines (HangarConnection *self)
{
  HangarConnectionPrivate *priv = hangar_connection_get_instance_private (self);

  g_return_val_if_fail (HANGAR_IS_CONNECTION (self), NULL);

  return G_LIST_MODEL (priv->machines);
}

HangarMachine *
hangar_connection_find_machine (HangarConnection *self, const char *name)
{
  GListModel *machines = hangar_connection_get_machines (self);
  guint n = g_list_model_get_n_items (machines);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (HangarMachine) machine = g_list_model_get_item (machines, i);

      if (g_strcmp0 (hangar_machine_get_name (machine), name) == 0)
        return machine;
    }
  return NULL;
}

void
hangar_connection_open_async (HangarConnection *self, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (HANGAR_IS_CONNECTION (self));

  _hangar_connection_set_state (self, HANGAR_CONNECTION_STATE_CONNECTING, NULL);
  HANGAR_CONNECTION_GET_CLASS (self)->open_async (self, cancellable, callback, user_data);
}

gboolean
hangar_connection_open_finish (HangarConnection *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (HANGAR_IS_CONNECTION (self), FALSE);

  return HANGAR_CONNECTION_GET_CLASS (self)->open_finish (self, result, error);
}

void
hangar_connection_close (HangarConnection *self)
{
  g_return_if_fail (HANGAR_IS_CONNECTION (self));

  HANGAR_CONNECTION_GET_CLASS (self)->close (self);
  _hangar_connection_remove_all_machines (self);
  _hangar_connection_set_state (self, HANGAR_CONNECTION_STATE_DISCONNECTED, NULL);
}

void
hangar_connection_create_machine_async (HangarConnection *self, const HangarMachineSpec *spec,
                                        GCancellable *cancellable, GAsyncReadyCallback callback,
                                        gpointer user_data)
{
  g_return_if_fail (HANGAR_IS_CONNECTION (self));
  g_return_if_fail (spec != NULL);

  HANGAR_CONNECTION_GET_CLASS (self)->create_machine_async (self, spec, cancellable, callback,
                                                            user_data);
}

HangarMachine *
hangar_connection_create_machine_finish (HangarConnection *self, GAsyncResult *result,
                                         GError **error)
{
  g_return_val_if_fail (HANGAR_IS_CONNECTION (self), NULL);

  return HANGAR_CONNECTION_GET_CLASS (self)->create_machine_finish (self, result, error);
}

void
hangar_connection_query_resources_async (HangarConnection *self, GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (HANGAR_IS_CONNECTION (self));

  HANGAR_CONNECTION_GET_CLASS (self)->query_resources_async (self, cancellable, callback,
                                                             user_data);
}

HangarConnectionResources *
hangar_connection_query_resources_finish (HangarConnection *self, GAsyncResult *result,
                                          GError **error)
{
  g_return_val_if_fail (HANGAR_IS_CONNECTION (self), NULL);

  return HANGAR_CONNECTION_GET_CLASS (self)->query_resources_finish (self, result, error);
}

char *
hangar_connection_preview_definition (HangarConnection *self, const HangarMachineSpec *spec)
{
  HangarConnectionClass *klass;

  g_return_val_if_fail (HANGAR_IS_CONNECTION (self), NULL);

  klass = HANGAR_CONNECTION_GET_CLASS (self);
  return klass->preview_definition != NULL ? klass->preview_definition (self, spec) : NULL;
}

void
_hangar_connection_set_state (HangarConnection *self, HangarConnectionState state,
                              const char *error_message)
{
  HangarConnectionPrivate *priv = hangar_connection_get_instance_private (self);

  if (g_strcmp0 (priv->error_message, error_message) != 0)
    {
      g_free (priv->error_message);
      priv->error_message = g_strdup (error_message);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
    }
  if (priv->state != state)
    {
      priv->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static int
compare_machine_names (gconstpointer a, gconstpointer b, gpointer user_data)
{
  return g_utf8_collate (hangar_machine_get_name ((HangarMachine *) a),
                         hangar_machine_get_name ((HangarMachine *) b));
}

void
_hangar_connection_add_machine (HangarConnection *self, HangarMachine *machine)
{
  HangarConnectionPrivate *priv = hangar_connection_get_instance_private (self);

  g_list_store_insert_sorted (priv->machines, machine, compare_machine_names, NULL);
}

void
_hangar_connection_remove_machine (HangarConnection *self, HangarMachine *machine)
{
  HangarConnectionPrivate *priv = hangar_connection_get_instance_private (self);
  guint position;

  if (g_list_store_find (priv->machines, machine, &position))
    g_list_store_remove (priv->machines, position);
}

void
_hangar_connection_remove_all_machines (HangarConnection *self)
{
  HangarConnectionPrivate *priv = hangar_connection_get_instance_private (self);

  g_list_store_remove_all (priv->machines);
}
