/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "hangar-connection-list.h"
#include "hangar-embedded-connection.h"
#include "hangar-libvirt-uri.h"
#include "hangar-module.h"

struct _HangarConnectionList
{
  GObject parent_instance;

  GSettings *settings;
  GListStore *connections;
  GHashTable *persistent; /* HangarConnection* set: kept in GSettings */
};

G_DEFINE_FINAL_TYPE (HangarConnectionList, hangar_connection_list, G_TYPE_OBJECT)

static void
hangar_connection_list_finalize (GObject *object)
{
  HangarConnectionList *self = HANGAR_CONNECTION_LIST (object);

  g_clear_object (&self->settings);
  g_clear_object (&self->connections);
  g_clear_pointer (&self->persistent, g_hash_table_unref);

  G_OBJECT_CLASS (hangar_connection_list_parent_class)->finalize (object);
}

static void
hangar_connection_list_class_init (HangarConnectionListClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = hangar_connection_list_finalize;
}

static void
hangar_connection_list_init (HangarConnectionList *self)
{
  self->connections = g_list_store_new (HANGAR_TYPE_CONNECTION);
  self->persistent = g_hash_table_new (NULL, NULL);
}

HangarConnectionList *
hangar_connection_list_new (GSettings *settings)
{
  HangarConnectionList *self = g_object_new (HANGAR_TYPE_CONNECTION_LIST, NULL);

  self->settings = g_object_ref (settings);
  return self;
}

GListModel *
hangar_connection_list_get_model (HangarConnectionList *self)
{
  g_return_val_if_fail (HANGAR_IS_CONNECTION_LIST (self), NULL);

  return G_LIST_MODEL (self->connections);
}

static void
save (HangarConnectionList *self)
{
  GVariantBuilder builder;
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->connections));

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ss)"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (HangarConnection) connection =
          g_list_model_get_item (G_LIST_MODEL (self->connections), i);

      if (g_hash_table_contains (self->persistent, connection))
        g_variant_builder_add (&builder, "(ss)", hangar_connection_get_uri (connection),
                               hangar_connection_get_title (connection));
    }
  g_settings_set_value (self->settings, "connections", g_variant_builder_end (&builder));
}

static HangarConnection *
find_by_uri (HangarConnectionList *self, const char *uri)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->connections));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (HangarConnection) connection =
          g_list_model_get_item (G_LIST_MODEL (self->connections), i);

      if (g_strcmp0 (hangar_connection_get_uri (connection), uri) == 0)
        return connection;
    }
  return NULL;
}

static void
open_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  /* The connection keeps the failure in its state and error message, which
   * the window shows: nothing else to do here. */
  hangar_connection_open_finish (HANGAR_CONNECTION (source), result, NULL);
}

static void
open_if_closed (HangarConnection *connection)
{
  HangarConnectionState state = hangar_connection_get_state (connection);

  if (state == HANGAR_CONNECTION_STATE_DISCONNECTED || state == HANGAR_CONNECTION_STATE_FAILED)
    hangar_connection_open_async (connection, NULL, open_done, NULL);
}

void
hangar_connection_list_add (HangarConnectionList *self, HangarConnection *connection)
{
  g_return_if_fail (HANGAR_IS_CONNECTION_LIST (self));

  g_list_store_append (self->connections, connection);
  open_if_closed (connection);
}

/* The libvirt back end is a module: libvirt's libraries are large. */
static HangarConnection *
new_libvirt_connection (const char *uri, const char *title, GError **error)
{
  HangarConnection *(*connection_new) (const char *uri, const char *title) =
      hangar_module_symbol (HANGAR_MODULE_LIBVIRT, "hangar_libvirt_connection_new", error);

  return connection_new != NULL ? connection_new (uri, title) : NULL;
}

HangarConnection *
hangar_connection_list_add_libvirt (HangarConnectionList *self, const char *uri, const char *title,
                                    gboolean persist, GError **error)
{
  HangarConnection *connection;
  g_autofree char *description = NULL;

  g_return_val_if_fail (HANGAR_IS_CONNECTION_LIST (self), NULL);

  connection = find_by_uri (self, uri);
  if (connection != NULL)
    return connection;

  if (title == NULL || *title == '\0')
    title = description = hangar_libvirt_uri_describe (uri);
  connection = new_libvirt_connection (uri, title, error);
  if (connection == NULL)
    return NULL;
  if (persist)
    g_hash_table_add (self->persistent, connection);
  hangar_connection_list_add (self, connection);
  g_object_unref (connection);
  if (persist)
    save (self);
  return connection;
}

void
hangar_connection_list_remove (HangarConnectionList *self, HangarConnection *connection)
{
  guint position;

  g_return_if_fail (HANGAR_IS_CONNECTION_LIST (self));

  if (HANGAR_IS_EMBEDDED_CONNECTION (connection) ||
      !g_list_store_find (self->connections, connection, &position))
    return;
  hangar_connection_close (connection);
  g_hash_table_remove (self->persistent, connection);
  g_list_store_remove (self->connections, position);
  save (self);
}

/* Machines marked to start with Hangar start when This Computer first connects. */
static void
on_embedded_state (HangarConnection *embedded, GParamSpec *pspec, gpointer user_data)
{
  if (hangar_connection_get_state (embedded) != HANGAR_CONNECTION_STATE_CONNECTED)
    return;
  g_signal_handlers_disconnect_by_func (embedded, on_embedded_state, user_data);
  hangar_embedded_connection_start_autostart (HANGAR_EMBEDDED_CONNECTION (embedded));
}

void
hangar_connection_list_add_embedded (HangarConnectionList *self)
{
  g_autoptr (HangarConnection) embedded = NULL;

  g_return_if_fail (HANGAR_IS_CONNECTION_LIST (self));

  if (find_by_uri (self, "hangar:///session") != NULL)
    return;
  embedded = hangar_embedded_connection_new ();
  g_signal_connect (embedded, "notify::state", G_CALLBACK (on_embedded_state), NULL);
  hangar_connection_list_add (self, embedded);
}

gboolean
hangar_connection_list_load_saved (HangarConnectionList *self, GError **error)
{
  g_autoptr (GVariant) saved = g_settings_get_value (self->settings, "connections");
  GVariantIter iter;
  const char *uri, *title;

  g_return_val_if_fail (HANGAR_IS_CONNECTION_LIST (self), FALSE);

  g_variant_iter_init (&iter, saved);
  while (g_variant_iter_next (&iter, "(&s&s)", &uri, &title))
    {
      HangarConnection *connection;

      if (find_by_uri (self, uri) != NULL)
        continue;
      connection = new_libvirt_connection (uri, title, error);
      if (connection == NULL)
        return FALSE;
      g_hash_table_add (self->persistent, connection);
      hangar_connection_list_add (self, connection);
      g_object_unref (connection);
    }
  return TRUE;
}

void
hangar_connection_list_reconnect (HangarConnectionList *self, HangarConnection *connection)
{
  g_return_if_fail (HANGAR_IS_CONNECTION_LIST (self));

  hangar_connection_close (connection);
  open_if_closed (connection);
}
