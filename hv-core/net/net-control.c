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

#include "hv-json.h"
#include "net-ports.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
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
client_send (Client *client, const HvJson *message)
{
  g_autofree char *text = hv_json_to_string (message);
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

/* The request's id goes back as it came, whatever it is, null included. */
static void
add_id (HvJson *reply, const HvJson *id)
{
  if (id != NULL)
    hv_json_object_add (reply, "id", hv_json_copy (id));
}

static gboolean
send_error (Client *client, const char *klass, const char *desc, const HvJson *id)
{
  g_autoptr (HvJson) reply = hv_json_new_object ();
  HvJson *error = hv_json_new_object ();

  hv_json_object_add_string (error, "class", klass);
  hv_json_object_add_string (error, "desc", desc);
  hv_json_object_add (reply, "error", error);
  add_id (reply, id);
  return client_send (client, reply);
}

static HvJson *
port_to_json (NetPort *port)
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
  HvJson *object = hv_json_new_object ();

  hv_json_object_add_integer (object, "id", net_port_get_id (port));
  hv_json_object_add_string (object, "name", net_port_get_name (port));
  for (gsize i = 0; i < G_N_ELEMENTS (counters); i++)
    hv_json_object_add_integer (object, counters[i].name, counters[i].value);
  return object;
}

static void
build_ports (NetControl *self, HvJson *result)
{
  GPtrArray *ports = net_switch_get_ports (self->sw);
  HvJson *list = hv_json_new_array ();

  for (guint i = 0; i < ports->len; i++)
    hv_json_array_add (list, port_to_json (g_ptr_array_index (ports, i)));
  hv_json_object_add (result, "ports", list);
}

static HvJson *
lease_to_json (const NetLease *lease, gint64 now)
{
  struct in_addr address = { htonl (lease->address) };
  char text[INET_ADDRSTRLEN];
  g_autofree char *mac =
      g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x", lease->mac[0], lease->mac[1], lease->mac[2],
                       lease->mac[3], lease->mac[4], lease->mac[5]);
  HvJson *object = hv_json_new_object ();

  inet_ntop (AF_INET, &address, text, sizeof text);
  hv_json_object_add_string (object, "mac", mac);
  hv_json_object_add_string (object, "address", text);
  hv_json_object_add_string (object, "source", net_lease_source_to_string (lease->source));
  hv_json_object_add_integer (object, "age", MAX (now - lease->last_seen, 0) / G_USEC_PER_SEC);
  return object;
}

static void
build_leases (NetControl *self, HvJson *result)
{
  g_autoptr (GPtrArray) leases = net_leases_get (self->leases);
  gint64 now = g_get_monotonic_time ();
  HvJson *list = hv_json_new_array ();

  for (guint i = 0; i < leases->len; i++)
    hv_json_array_add (list, lease_to_json (g_ptr_array_index (leases, i), now));
  hv_json_object_add (result, "leases", list);
}

/* A string member that may be null: the subnet of an isolated network. */
static void
add_string (HvJson *object, const char *name, const char *value)
{
  if (value != NULL)
    hv_json_object_add_string (object, name, value);
  else
    hv_json_object_add (object, name, hv_json_new_null ());
}

static void
build_status (NetControl *self, HvJson *result)
{
  add_string (result, "name", self->info.name);
  add_string (result, "mode", self->info.mode);
  add_string (result, "subnet", self->info.subnet);
  hv_json_object_add_integer (result, "pid", getpid ());
}

static gboolean
send_return (Client *client, const char *command, const HvJson *id)
{
  NetControl *self = client->owner;
  g_autoptr (HvJson) reply = hv_json_new_object ();
  HvJson *result = hv_json_new_object ();

  if (g_str_equal (command, "query-ports"))
    build_ports (self, result);
  else if (g_str_equal (command, "query-status"))
    build_status (self, result);
  else if (g_str_equal (command, "query-leases"))
    build_leases (self, result);
  hv_json_object_add (reply, "return", result);
  add_id (reply, id);
  return client_send (client, reply);
}

static gboolean
is_command (const char *command)
{
  return g_str_equal (command, "query-ports") || g_str_equal (command, "query-status") ||
         g_str_equal (command, "query-leases") || g_str_equal (command, "quit");
}

/* Runs the LEN bytes of one line (no NUL needed); FALSE when the client
 * must go. A client may send anything: hv_json_parse () refuses what is
 * not strict JSON, and hv_json_get_string () whatever is not a string. */
static gboolean
handle_line (Client *client, const char *line, gsize len)
{
  g_autoptr (HvJson) request = hv_json_parse (line, len, NULL);
  const HvJson *id;
  const char *command;

  if (request == NULL || hv_json_get_type (request) != HV_JSON_OBJECT)
    return send_error (client, "GenericError", "the line is not a JSON object", NULL);
  id = hv_json_object_get (request, "id");
  command = hv_json_get_string (hv_json_object_get (request, "execute"));
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
      gsize len = newline - client->input->str;

      if (!handle_line (client, client->input->str, len))
        return FALSE;
      g_string_erase (client->input, 0, len + 1);
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
  g_autoptr (HvJson) message = hv_json_new_object ();
  HvJson *greeting = hv_json_new_object ();

  build_status (client->owner, greeting);
  add_string (greeting, "version", PACKAGE_VERSION);
  hv_json_object_add (message, "greeting", greeting);
  return client_send (client, message);
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
