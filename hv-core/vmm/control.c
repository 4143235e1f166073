/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The control socket: JSON lines in, replies and events out
 * (hv-core/docs/control-protocol.md).
 *
 * Everything here runs on the main thread. Sockets are non-blocking and
 * every client has its own output buffer, so a client that stops reading
 * never stalls the VMM or the other clients.
 */

#include "config.h"

#include "control.h"
#include "unix-listener.h"
#include "unix-peer.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <sys/stat.h>
#include <unistd.h>

/* The protocol's limit on one line, its newline included. */
#define CONTROL_MAX_LINE (64 * 1024)
/* A client with this much unsent output is not reading: dropping it beats
 * letting its backlog grow with every event. */
#define CONTROL_MAX_BACKLOG (4 * 1024 * 1024)
/* How long control_server_free () waits for the last replies (quit's) to go out. */
#define CONTROL_FLUSH_TIMEOUT_US (G_USEC_PER_SEC / 2)

/* What the control socket keeps of each client (its UnixPeer's data). */
typedef struct
{
  ControlServer *server;
  UnixPeer *peer; /* which owns this */
  GByteArray *in_buf;
} ControlClient;

struct control_server
{
  Vmm *vmm;
  char *path;
  int listener;
  GSource *accept_source;
  GSource *quit_source;
  GPtrArray *clients;     /* UnixPeer of a ControlClient, one reference each */
  GArray *extra_commands; /* ControlExtraCommand */
};

typedef struct
{
  char *name;
  ControlExtraFunc func;
  void *user_data;
} ControlExtraCommand;

/* The error classes of the protocol. */
typedef enum
{
  CONTROL_CLASS_GENERIC,
  CONTROL_CLASS_COMMAND_NOT_FOUND,
  CONTROL_CLASS_INVALID_PARAMETER,
  CONTROL_CLASS_INVALID_STATE,
} ControlClass;

static const char *const control_class_names[] = {
  [CONTROL_CLASS_GENERIC] = "GenericError",
  [CONTROL_CLASS_COMMAND_NOT_FOUND] = "CommandNotFound",
  [CONTROL_CLASS_INVALID_PARAMETER] = "InvalidParameter",
  [CONTROL_CLASS_INVALID_STATE] = "InvalidState",
};

typedef HvJson *(*ControlCommandFunc) (ControlServer *server, ControlClass *klass, GError **error);

static void
client_free (ControlClient *client)
{
  g_byte_array_unref (client->in_buf);
  g_free (client);
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* Queues one message (a line) and tries to send it at once. */
static void
client_send_message (ControlClient *client, const HvJson *message)
{
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;

  if (unix_peer_is_closed (client->peer))
    return;
  text = hv_json_to_string (message);
  line = g_strconcat (text, "\n", NULL);
  unix_peer_send (client->peer, line, strlen (line));
  if (unix_peer_get_backlog (client->peer) > CONTROL_MAX_BACKLOG)
    {
      g_debug ("control: dropping a client that does not read");
      unix_peer_close (client->peer);
    }
}

/* Takes RESULT. */
static void
client_send_reply (ControlClient *client, const HvJson *id, HvJson *result)
{
  g_autoptr (HvJson) reply = hv_json_new_object ();

  hv_json_object_add (reply, "return", result);
  if (id != NULL)
    hv_json_object_add (reply, "id", hv_json_copy (id));
  client_send_message (client, reply);
}

static void
client_send_error (ControlClient *client, const HvJson *id, ControlClass klass, const char *desc)
{
  g_autoptr (HvJson) reply = hv_json_new_object ();
  HvJson *error = hv_json_new_object ();

  hv_json_object_add_string (error, "class", control_class_names[klass]);
  hv_json_object_add_string (error, "desc", desc);
  hv_json_object_add (reply, "error", error);
  if (id != NULL)
    hv_json_object_add (reply, "id", hv_json_copy (id));
  client_send_message (client, reply);
}

static void
client_send_greeting (ControlClient *client)
{
  const VmmConfig *config = vmm_get_config (client->server->vmm);
  g_autoptr (HvJson) message = hv_json_new_object ();
  HvJson *greeting = hv_json_new_object ();

  hv_json_object_add_string (greeting, "name", config->name);
  hv_json_object_add_string (greeting, "uuid", config->uuid);
  hv_json_object_add_integer (greeting, "pid", getpid ());
  hv_json_object_add_string (greeting, "version", PACKAGE_VERSION);
  hv_json_object_add (message, "greeting", greeting);
  client_send_message (client, message);
}

static HvJson *
cmd_query_status (ControlServer *server, ControlClass *klass, GError **error)
{
  static const char *const names[] = {
    [VMM_STATUS_RUNNING] = "running",
    [VMM_STATUS_PAUSED] = "paused",
    [VMM_STATUS_SHUTDOWN] = "shutdown",
  };
  const VmmConfig *config = vmm_get_config (server->vmm);
  VmmStatus status = vmm_get_status (server->vmm);
  HvJson *result = hv_json_new_object ();

  g_assert ((guint) status < G_N_ELEMENTS (names));
  hv_json_object_add_string (result, "status", names[status]);
  hv_json_object_add_string (result, "name", config->name);
  hv_json_object_add_string (result, "uuid", config->uuid);
  hv_json_object_add_integer (result, "pid", getpid ());
  hv_json_object_add_integer (result, "cpus", config->cpus);
  hv_json_object_add_integer (result, "memory-mib", config->memory_mib);
  return result;
}

static HvJson *
block_info_to_json (const VmmBlockInfo *info)
{
  HvJson *disk = hv_json_new_object ();

  hv_json_object_add_string (disk, "id", info->id);
  hv_json_object_add_string (disk, "path", info->path);
  hv_json_object_add_boolean (disk, "readonly", info->readonly);
  hv_json_object_add_integer (disk, "size", info->size);
  hv_json_object_add_integer (disk, "requests", info->requests);
  hv_json_object_add_integer (disk, "read-bytes", info->read_bytes);
  hv_json_object_add_integer (disk, "written-bytes", info->written_bytes);
  hv_json_object_add_integer (disk, "flushes", info->flushes);
  hv_json_object_add_integer (disk, "discards", info->discards);
  hv_json_object_add_integer (disk, "errors", info->errors);
  return disk;
}

static HvJson *
cmd_query_block (ControlServer *server, ControlClass *klass, GError **error)
{
  g_autoptr (GArray) disks = vmm_query_block (server->vmm);
  HvJson *result = hv_json_new_object ();
  HvJson *list = hv_json_new_array ();

  for (guint i = 0; i < disks->len; i++)
    hv_json_array_add (list, block_info_to_json (&g_array_index (disks, VmmBlockInfo, i)));
  hv_json_object_add (result, "disks", list);
  return result;
}

static HvJson *
nic_info_to_json (const VmmNicInfo *info)
{
  HvJson *nic = hv_json_new_object ();

  hv_json_object_add_string (nic, "id", info->id);
  hv_json_object_add_string (nic, "mac", info->mac);
  hv_json_object_add_string (nic, "backend", info->backend);
  hv_json_object_add_integer (nic, "rx-frames", info->rx_frames);
  hv_json_object_add_integer (nic, "rx-bytes", info->rx_bytes);
  hv_json_object_add_integer (nic, "tx-frames", info->tx_frames);
  hv_json_object_add_integer (nic, "tx-bytes", info->tx_bytes);
  hv_json_object_add_integer (nic, "rx-dropped", info->rx_dropped);
  hv_json_object_add_integer (nic, "tx-dropped", info->tx_dropped);
  return nic;
}

static HvJson *
cmd_query_nics (ControlServer *server, ControlClass *klass, GError **error)
{
  g_autoptr (GArray) nics = vmm_query_nics (server->vmm);
  HvJson *result = hv_json_new_object ();
  HvJson *list = hv_json_new_array ();

  for (guint i = 0; i < nics->len; i++)
    hv_json_array_add (list, nic_info_to_json (&g_array_index (nics, VmmNicInfo, i)));
  hv_json_object_add (result, "nics", list);
  return result;
}

/* Runs one of the vmm's state changes and maps its failure onto a class. */
static HvJson *
run_vmm_action (gboolean (*action) (Vmm *, GError **), ControlServer *server, ControlClass *klass,
                GError **error)
{
  if (!action (server->vmm, error))
    {
      if (g_error_matches (*error, HV_VMM_ERROR, HV_VMM_ERROR_INVALID_STATE))
        *klass = CONTROL_CLASS_INVALID_STATE;
      else
        *klass = CONTROL_CLASS_GENERIC;
      return NULL;
    }
  return hv_json_new_object ();
}

static HvJson *
cmd_pause (ControlServer *server, ControlClass *klass, GError **error)
{
  return run_vmm_action (vmm_pause, server, klass, error);
}

static HvJson *
cmd_resume (ControlServer *server, ControlClass *klass, GError **error)
{
  return run_vmm_action (vmm_resume, server, klass, error);
}

static HvJson *
cmd_powerdown (ControlServer *server, ControlClass *klass, GError **error)
{
  return run_vmm_action (vmm_powerdown, server, klass, error);
}

static HvJson *
cmd_reset (ControlServer *server, ControlClass *klass, GError **error)
{
  return run_vmm_action (vmm_reset, server, klass, error);
}

static gboolean
on_quit_idle (gpointer user_data)
{
  ControlServer *server = user_data;

  g_clear_pointer (&server->quit_source, g_source_unref);
  vmm_quit (server->vmm);
  return G_SOURCE_REMOVE;
}

/* The reply must reach the client before the guest goes away, and the
 * vmm's SHUTDOWN handler may well tear this server down: so quit from an
 * idle callback, after the reply has been queued, instead of from here. */
static HvJson *
cmd_quit (ControlServer *server, ControlClass *klass, GError **error)
{
  if (server->quit_source == NULL)
    {
      server->quit_source = g_idle_source_new ();
      g_source_set_priority (server->quit_source, G_PRIORITY_HIGH);
      g_source_set_callback (server->quit_source, on_quit_idle, server, NULL);
      g_source_attach (server->quit_source, NULL);
    }
  return hv_json_new_object ();
}

static const struct
{
  const char *name;
  ControlCommandFunc func;
} control_commands[] = {
  { "query-status", cmd_query_status }, { "pause", cmd_pause },           { "resume", cmd_resume },
  { "powerdown", cmd_powerdown },       { "reset", cmd_reset },           { "quit", cmd_quit },
  { "query-block", cmd_query_block },   { "query-nics", cmd_query_nics },
};

static ControlCommandFunc
lookup_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (control_commands); i++)
    if (g_str_equal (control_commands[i].name, name))
      return control_commands[i].func;
  return NULL;
}

static const ControlExtraCommand *
lookup_extra_command (ControlServer *server, const char *name)
{
  for (guint i = 0; server->extra_commands != NULL && i < server->extra_commands->len; i++)
    {
      const ControlExtraCommand *c =
          &g_array_index (server->extra_commands, ControlExtraCommand, i);

      if (g_str_equal (c->name, name))
        return c;
    }
  return NULL;
}

static HvJson *
run_extra_command (const ControlExtraCommand *command, const HvJson *arguments, ControlClass *klass,
                   GError **error)
{
  HvJson *result = command->func (arguments, command->user_data, error);

  if (result != NULL)
    return result;
  if (g_error_matches (*error, HV_VMM_ERROR, HV_VMM_ERROR_INVALID_ARGUMENT))
    *klass = CONTROL_CLASS_INVALID_PARAMETER;
  else if (g_error_matches (*error, HV_VMM_ERROR, HV_VMM_ERROR_INVALID_STATE))
    *klass = CONTROL_CLASS_INVALID_STATE;
  return NULL;
}

static void
client_execute (ControlClient *client, const HvJson *request)
{
  const HvJson *id = hv_json_object_get (request, "id");
  const char *execute = hv_json_get_string (hv_json_object_get (request, "execute"));
  const HvJson *arguments = hv_json_object_get (request, "arguments");
  ControlClass klass = CONTROL_CLASS_GENERIC;
  g_autoptr (GError) error = NULL;
  const ControlExtraCommand *extra = NULL;
  ControlCommandFunc func;
  HvJson *result;

  if (execute == NULL)
    {
      client_send_error (client, id, CONTROL_CLASS_GENERIC,
                         _ ("The request has no “execute” member naming a command"));
      return;
    }
  func = lookup_command (execute);
  if (func == NULL)
    extra = lookup_extra_command (client->server, execute);
  if (func == NULL && extra == NULL)
    {
      g_autofree char *desc = g_strdup_printf (_ ("The command “%s” does not exist"), execute);
      client_send_error (client, id, CONTROL_CLASS_COMMAND_NOT_FOUND, desc);
      return;
    }
  /* A malformed “arguments” is wrong whether or not the command takes any. */
  if (arguments != NULL && hv_json_get_type (arguments) != HV_JSON_OBJECT)
    {
      client_send_error (client, id, CONTROL_CLASS_INVALID_PARAMETER,
                         _ ("The member “arguments” must be an object"));
      return;
    }

  if (extra != NULL)
    result = run_extra_command (extra, arguments, &klass, &error);
  else
    result = func (client->server, &klass, &error);
  if (result == NULL)
    client_send_error (client, id, klass, error->message);
  else
    client_send_reply (client, id, result);
}

static gboolean
is_blank (const char *line, gsize len)
{
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isspace (line[i]))
      return FALSE;
  return TRUE;
}

static void
client_handle_line (ControlClient *client, const char *line, gsize len)
{
  g_autoptr (HvJson) request = NULL;
  g_autoptr (GError) error = NULL;

  /* Blank lines carry nothing: tolerate them, as from people typing into socat. */
  if (is_blank (line, len))
    return;

  request = hv_json_parse (line, len, &error);
  if (request == NULL)
    {
      g_autofree char *desc =
          g_strdup_printf (_ ("The request is not valid JSON: %s"), error->message);
      client_send_error (client, NULL, CONTROL_CLASS_GENERIC, desc);
      return;
    }
  if (hv_json_get_type (request) != HV_JSON_OBJECT)
    {
      client_send_error (client, NULL, CONTROL_CLASS_GENERIC,
                         _ ("The request must be a JSON object"));
      return;
    }
  client_execute (client, request);
}

/* Takes complete lines off the input buffer. Returns FALSE once the client
 * is closed (a line too long) or the server is quitting. */
static gboolean
client_process_input (ControlClient *client)
{
  guint8 *newline;

  while (!unix_peer_is_closed (client->peer) && client->server->quit_source == NULL &&
         (newline = memchr (client->in_buf->data, '\n', client->in_buf->len)) != NULL)
    {
      gsize line_len = newline - client->in_buf->data;

      if (line_len + 1 > CONTROL_MAX_LINE)
        break;
      client_handle_line (client, (const char *) client->in_buf->data, line_len);
      if (!unix_peer_is_closed (client->peer))
        g_byte_array_remove_range (client->in_buf, 0, line_len + 1);
    }
  if (unix_peer_is_closed (client->peer) || client->server->quit_source != NULL)
    return FALSE;

  /* Either the first line is too long, or an unfinished one already is. */
  newline = memchr (client->in_buf->data, '\n', client->in_buf->len);
  if ((newline != NULL && newline - client->in_buf->data + 1 > CONTROL_MAX_LINE) ||
      (newline == NULL && client->in_buf->len >= CONTROL_MAX_LINE))
    {
      g_debug ("control: closing a client whose line exceeds %d bytes", CONTROL_MAX_LINE);
      unix_peer_close (client->peer);
      return FALSE;
    }
  return TRUE;
}

static void
on_client_input (UnixPeer *peer, const guint8 *bytes, gsize len, gpointer data)
{
  ControlClient *client = data;

  g_byte_array_append (client->in_buf, bytes, len);
  client_process_input (client);
}

static void
on_client_closed (UnixPeer *peer, gpointer data)
{
  ControlClient *client = data;

  g_ptr_array_remove (client->server->clients, peer);
}

static const UnixPeerFuncs client_funcs = { on_client_input, on_client_closed };

static void
server_add_client (ControlServer *server, int fd)
{
  ControlClient *client = g_new0 (ControlClient, 1);

  client->server = server;
  client->in_buf = g_byte_array_new ();
  client->peer = unix_peer_new (fd, &client_funcs, client, (GDestroyNotify) client_free);
  g_ptr_array_add (server->clients, client->peer);
  client_send_greeting (client);
}

static void
server_accept_pending (ControlServer *server)
{
  for (;;)
    {
      int fd = unix_listener_accept (server->listener);

      if (fd < 0)
        {
          if (errno != EAGAIN)
            g_warning ("control: accept failed: %s", g_strerror (errno));
          return;
        }
      server_add_client (server, fd);
    }
}

static gboolean
on_listener_readable (int listener, GIOCondition condition, gpointer user_data)
{
  server_accept_pending (user_data);
  return G_SOURCE_CONTINUE;
}

ControlServer *
control_server_new (Vmm *vmm, const char *path, GError **error)
{
  ControlServer *server;
  int listener;

  g_return_val_if_fail (vmm != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);

  listener = unix_listener_new (path, error);
  if (listener < 0)
    {
      g_prefix_error (error, _ ("Cannot listen on the control socket “%s”: "), path);
      return NULL;
    }

  server = g_new0 (ControlServer, 1);
  server->vmm = vmm;
  server->path = g_strdup (path);
  server->listener = listener;
  server->clients = g_ptr_array_new_with_free_func ((GDestroyNotify) unix_peer_unref);
  server->accept_source = unix_fd_watch (listener, G_IO_IN, on_listener_readable, server);
  return server;
}

static HvJson *
event_to_json (ControlServer *server, const VmmEvent *event)
{
  static const char *const names[] = {
    [VMM_EVENT_SHUTDOWN] = "SHUTDOWN",
    [VMM_EVENT_RESET] = "RESET",
    [VMM_EVENT_STOP] = "STOP",
    [VMM_EVENT_RESUME] = "RESUME",
  };
  gint64 now = g_get_real_time ();
  HvJson *message = hv_json_new_object ();
  HvJson *data = hv_json_new_object ();
  HvJson *timestamp = hv_json_new_object ();

  g_assert ((guint) event->kind < G_N_ELEMENTS (names));
  if (event->reason != NULL)
    hv_json_object_add_string (data, "reason", event->reason);
  /* A guest stopped by an error: say which, since hv-vmm's stderr is
   * usually nowhere a user looks. */
  if (event->kind == VMM_EVENT_SHUTDOWN && vmm_get_fatal_error (server->vmm) != NULL)
    hv_json_object_add_string (data, "message", vmm_get_fatal_error (server->vmm)->message);
  hv_json_object_add_integer (timestamp, "seconds", now / G_USEC_PER_SEC);
  hv_json_object_add_integer (timestamp, "microseconds", now % G_USEC_PER_SEC);
  hv_json_object_add_string (message, "event", names[event->kind]);
  hv_json_object_add (message, "data", data);
  hv_json_object_add (message, "timestamp", timestamp);
  return message;
}

void
control_server_emit (ControlServer *server, const VmmEvent *event)
{
  g_autoptr (HvJson) message = NULL;
  g_autoptr (GPtrArray) clients = NULL;

  g_return_if_fail (server != NULL);
  g_return_if_fail (event != NULL);

  /* A client that connected before the event hears of it, even if the main
   * loop has not accepted it yet: a quick SHUTDOWN is not missed by whoever
   * connected while the guest started. */
  server_accept_pending (server);
  message = event_to_json (server, event);
  /* Sending may drop a client from server->clients: walk a copy. */
  clients = g_ptr_array_new_full (server->clients->len, (GDestroyNotify) unix_peer_unref);
  for (guint i = 0; i < server->clients->len; i++)
    g_ptr_array_add (clients, unix_peer_ref (g_ptr_array_index (server->clients, i)));
  for (guint i = 0; i < clients->len; i++)
    client_send_message (unix_peer_get_data (g_ptr_array_index (clients, i)), message);
}

/* Gives each client's pending output (quit's reply, the SHUTDOWN event) a
 * short while to leave before the sockets close. */
static void
server_flush_all (ControlServer *server)
{
  gint64 deadline = g_get_monotonic_time () + CONTROL_FLUSH_TIMEOUT_US;

  for (guint i = 0; i < server->clients->len; i++)
    unix_peer_flush_until (g_ptr_array_index (server->clients, i), deadline);
}

void
control_server_free (ControlServer *server)
{
  if (server == NULL)
    return;

  clear_source (&server->quit_source);
  clear_source (&server->accept_source);
  server_flush_all (server);
  while (server->clients->len > 0)
    unix_peer_close (g_ptr_array_index (server->clients, server->clients->len - 1));
  g_ptr_array_unref (server->clients);
  if (server->extra_commands != NULL)
    {
      for (guint i = 0; i < server->extra_commands->len; i++)
        g_free (g_array_index (server->extra_commands, ControlExtraCommand, i).name);
      g_array_unref (server->extra_commands);
    }
  close (server->listener);
  unlink (server->path);
  g_free (server->path);
  g_free (server);
}

void
control_server_add_command (ControlServer *server, const char *name, ControlExtraFunc func,
                            void *user_data)
{
  ControlExtraCommand command = { g_strdup (name), func, user_data };

  if (server->extra_commands == NULL)
    server->extra_commands = g_array_new (FALSE, FALSE, sizeof (ControlExtraCommand));
  g_array_append_val (server->extra_commands, command);
}
