/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hv-net's control socket: the framing and error classes of hv-vmm's
 * control protocol (docs/control-protocol.md), with hv-net's commands.
 * Replies are small; a client whose socket will not take one whole is
 * not reading, and is dropped rather than waited for.
 */

#define _GNU_SOURCE /* accept4 (), struct ucred */
#include "config.h"

#include "net-control.h"

#include "net-ports.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sys/socket.h>
#include <unistd.h>

#define NET_CONTROL_MAX_LINE    (64 * 1024)
#define NET_CONTROL_MAX_CLIENTS 32

typedef struct
{
  NetControl *owner;
  int fd;
  guint watch;
  GString *input;
} Client;

struct NetControl
{
  NetControlInfo info;
  NetSwitch *sw;
  NetLeases *leases;
  char *path;
  int listen_fd;
  guint accept_watch;
  GPtrArray *clients; /* Client */
  GSourceFunc quit;
  gpointer quit_data;
};

static void
client_free (Client *client)
{
  if (client->watch != 0)
    g_source_remove (client->watch);
  close (client->fd);
  g_string_free (client->input, TRUE);
  g_free (client);
}

/* FALSE when the line could not be sent whole: the client must go. */
static gboolean
client_send (Client *client, JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = json_to_string (root, FALSE);
  g_autofree char *line = g_strconcat (text, "\n", NULL);
  gsize len = strlen (line);
  gsize done = 0;

  while (done < len)
    {
      ssize_t n = send (client->fd, line + done, len - done, MSG_DONTWAIT | MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      done += n;
    }
  return TRUE;
}

static void
add_id (JsonBuilder *builder, JsonNode *id)
{
  if (id == NULL)
    return;
  json_builder_set_member_name (builder, "id");
  json_builder_add_value (builder, json_node_copy (id));
}

static gboolean
send_error (Client *client, const char *klass, const char *desc, JsonNode *id)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "class");
  json_builder_add_string_value (builder, klass);
  json_builder_set_member_name (builder, "desc");
  json_builder_add_string_value (builder, desc);
  json_builder_end_object (builder);
  add_id (builder, id);
  json_builder_end_object (builder);
  return client_send (client, builder);
}

static void
add_port (JsonBuilder *builder, NetPort *port)
{
  const NetPortStats *stats = net_port_get_stats (port);
  const struct
  {
    const char *name;
    guint64 value;
  } counters[] = {
    { "frames-in", stats->frames_in },   { "bytes-in", stats->bytes_in },
    { "frames-out", stats->frames_out }, { "bytes-out", stats->bytes_out },
    { "dropped-in", stats->dropped_in }, { "dropped-out", stats->dropped_out },
  };

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_int_value (builder, net_port_get_id (port));
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, net_port_get_name (port));
  for (gsize i = 0; i < G_N_ELEMENTS (counters); i++)
    {
      json_builder_set_member_name (builder, counters[i].name);
      json_builder_add_int_value (builder, counters[i].value);
    }
  json_builder_end_object (builder);
}

static void
build_ports (NetControl *self, JsonBuilder *builder)
{
  GPtrArray *ports = net_switch_get_ports (self->sw);

  json_builder_set_member_name (builder, "ports");
  json_builder_begin_array (builder);
  for (guint i = 0; i < ports->len; i++)
    add_port (builder, g_ptr_array_index (ports, i));
  json_builder_end_array (builder);
}

static void
add_lease (JsonBuilder *builder, const NetLease *lease, gint64 now)
{
  struct in_addr address = { htonl (lease->address) };
  char text[INET_ADDRSTRLEN];
  g_autofree char *mac =
      g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x", lease->mac[0], lease->mac[1], lease->mac[2],
                       lease->mac[3], lease->mac[4], lease->mac[5]);

  inet_ntop (AF_INET, &address, text, sizeof text);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "mac");
  json_builder_add_string_value (builder, mac);
  json_builder_set_member_name (builder, "address");
  json_builder_add_string_value (builder, text);
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, net_lease_source_to_string (lease->source));
  json_builder_set_member_name (builder, "age");
  json_builder_add_int_value (builder, MAX (now - lease->last_seen, 0) / G_USEC_PER_SEC);
  json_builder_end_object (builder);
}

static void
build_leases (NetControl *self, JsonBuilder *builder)
{
  g_autoptr (GPtrArray) leases = net_leases_get (self->leases);
  gint64 now = g_get_monotonic_time ();

  json_builder_set_member_name (builder, "leases");
  json_builder_begin_array (builder);
  for (guint i = 0; i < leases->len; i++)
    add_lease (builder, g_ptr_array_index (leases, i), now);
  json_builder_end_array (builder);
}

static void
add_string (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
build_status (NetControl *self, JsonBuilder *builder)
{
  add_string (builder, "name", self->info.name);
  add_string (builder, "mode", self->info.mode);
  add_string (builder, "subnet", self->info.subnet);
  json_builder_set_member_name (builder, "pid");
  json_builder_add_int_value (builder, getpid ());
}

static gboolean
send_return (Client *client, const char *command, JsonNode *id)
{
  NetControl *self = client->owner;
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "return");
  json_builder_begin_object (builder);
  if (g_str_equal (command, "query-ports"))
    build_ports (self, builder);
  else if (g_str_equal (command, "query-status"))
    build_status (self, builder);
  else if (g_str_equal (command, "query-leases"))
    build_leases (self, builder);
  json_builder_end_object (builder);
  add_id (builder, id);
  json_builder_end_object (builder);
  return client_send (client, builder);
}

static gboolean
is_command (const char *command)
{
  return g_str_equal (command, "query-ports") || g_str_equal (command, "query-status") ||
         g_str_equal (command, "query-leases") || g_str_equal (command, "quit");
}

/* MEMBER of OBJECT if it is a string: a client may send anything. */
static const char *
string_member (JsonObject *object, const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* Runs one line; FALSE when the client must go. */
static gboolean
handle_line (Client *client, const char *line)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *object;
  JsonNode *id;
  const char *command;

  if (!json_parser_load_from_data (parser, line, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return send_error (client, "GenericError", "the line is not a JSON object", NULL);
  object = json_node_get_object (json_parser_get_root (parser));
  id = json_object_get_member (object, "id");
  command = string_member (object, "execute");
  if (command == NULL)
    return send_error (client, "GenericError", "“execute” is missing", id);
  if (!is_command (command))
    return send_error (client, "CommandNotFound", "no such command", id);
  if (!send_return (client, command, id))
    return FALSE;
  if (g_str_equal (command, "quit"))
    g_idle_add (client->owner->quit, client->owner->quit_data);
  return TRUE;
}

static gboolean
handle_input (Client *client)
{
  char *newline;

  while ((newline = memchr (client->input->str, '\n', client->input->len)) != NULL)
    {
      g_autofree char *line = g_strndup (client->input->str, newline - client->input->str);

      g_string_erase (client->input, 0, newline - client->input->str + 1);
      if (!handle_line (client, line))
        return FALSE;
    }
  return client->input->len < NET_CONTROL_MAX_LINE;
}

static gboolean
on_client_ready (int fd, GIOCondition condition, gpointer user_data)
{
  Client *client = user_data;
  char buffer[4096];
  ssize_t n = recv (fd, buffer, sizeof buffer, MSG_DONTWAIT);

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n > 0)
    {
      g_string_append_len (client->input, buffer, n);
      if (handle_input (client))
        return G_SOURCE_CONTINUE;
    }
  client->watch = 0;
  g_ptr_array_remove (client->owner->clients, client);
  return G_SOURCE_REMOVE;
}

static gboolean
send_greeting (Client *client)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "greeting");
  json_builder_begin_object (builder);
  build_status (client->owner, builder);
  add_string (builder, "version", PACKAGE_VERSION);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return client_send (client, builder);
}

static gboolean
on_accept (int fd, GIOCondition condition, gpointer user_data)
{
  NetControl *self = user_data;
  int client_fd = accept4 (fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
  Client *client;

  if (client_fd < 0)
    return G_SOURCE_CONTINUE;
  if (self->clients->len >= NET_CONTROL_MAX_CLIENTS)
    {
      close (client_fd);
      return G_SOURCE_CONTINUE;
    }
  client = g_new0 (Client, 1);
  client->owner = self;
  client->fd = client_fd;
  client->input = g_string_new (NULL);
  if (!send_greeting (client))
    {
      client_free (client);
      return G_SOURCE_CONTINUE;
    }
  client->watch = g_unix_fd_add (client_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_client_ready, client);
  g_ptr_array_add (self->clients, client);
  return G_SOURCE_CONTINUE;
}

NetControl *
net_control_new (const char *path, const NetControlInfo *info, NetSwitch *sw, NetLeases *leases,
                 GSourceFunc quit, gpointer quit_data, GError **error)
{
  int fd = net_listen_unix (path, SOCK_STREAM, error);
  NetControl *self;

  if (fd < 0)
    return NULL;
  self = g_new0 (NetControl, 1);
  self->info = *info;
  self->sw = sw;
  self->leases = leases;
  self->path = g_strdup (path);
  self->listen_fd = fd;
  self->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) client_free);
  self->quit = quit;
  self->quit_data = quit_data;
  self->accept_watch = g_unix_fd_add (fd, G_IO_IN, on_accept, self);
  return self;
}

void
net_control_free (NetControl *self)
{
  if (self == NULL)
    return;
  g_source_remove (self->accept_watch);
  close (self->listen_fd);
  g_unlink (self->path);
  g_ptr_array_unref (self->clients);
  g_free (self->path);
  g_free (self);
}
