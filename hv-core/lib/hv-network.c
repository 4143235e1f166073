/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Virtual networks: starting hv-net, finding the running ones, asking
 * them what addresses their guests use, stopping them. Each lives in
 * nets/<name>/ beside the guests' vms/ directory, and as with hv-vmm
 * its liveness is its flock on net.lock, never a pid.
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "hv-error.h"
#include "hv-network.h"
#include "hv-runtime-private.h"

#define HV_NET_LOCK_FILE      "net.lock"
#define HV_NET_SWITCH_SOCKET  "switch.sock"
#define HV_NET_CONTROL_SOCKET "control.sock"
/* hv-net only binds sockets before it is ready: this is generous. */
#define HV_NET_READY_TIMEOUT_MS 20000
#define HV_NET_KILL_TIMEOUT_US  (5 * G_USEC_PER_SEC)
#define HV_NET_POLL_US          (10 * 1000)

struct _HvNetworkInfo
{
  char *name;
  GPid pid;
  char *runtime_dir;
  char *switch_path;
  char *control_path;
};

static HvNetworkInfo *
network_info_new (const char *dir, const char *name, GPid pid)
{
  HvNetworkInfo *info = g_new0 (HvNetworkInfo, 1);

  info->name = g_strdup (name);
  info->pid = pid;
  info->runtime_dir = g_strdup (dir);
  info->switch_path = g_build_filename (dir, HV_NET_SWITCH_SOCKET, NULL);
  info->control_path = g_build_filename (dir, HV_NET_CONTROL_SOCKET, NULL);
  return info;
}

const char *
hv_network_info_get_name (const HvNetworkInfo *info)
{
  return info->name;
}

GPid
hv_network_info_get_pid (const HvNetworkInfo *info)
{
  return info->pid;
}

const char *
hv_network_info_get_runtime_dir (const HvNetworkInfo *info)
{
  return info->runtime_dir;
}

const char *
hv_network_info_get_switch_path (const HvNetworkInfo *info)
{
  return info->switch_path;
}

const char *
hv_network_info_get_control_path (const HvNetworkInfo *info)
{
  return info->control_path;
}

void
hv_network_info_free (HvNetworkInfo *info)
{
  if (info == NULL)
    return;
  g_free (info->name);
  g_free (info->runtime_dir);
  g_free (info->switch_path);
  g_free (info->control_path);
  g_free (info);
}

/* The runtime directory's sibling: .../hangar/nets beside .../hangar/vms. */
static char *
nets_directory (HvRuntime *runtime)
{
  g_autofree char *parent = g_path_get_dirname (hv_runtime_get_directory (runtime));

  return g_build_filename (parent, "nets", NULL);
}

static gboolean
ensure_nets_directory (const char *nets, GError **error)
{
  if (g_mkdir_with_parents (nets, 0700) == 0 && access (nets, W_OK | X_OK) == 0)
    return TRUE;

  int saved_errno = errno;
  g_set_error (error, HV_ERROR, HV_ERROR_RUNTIME_DIR,
               _ ("Cannot use the runtime directory “%s”: %s. Make sure it is a directory you "
                  "can write to, or point XDG_RUNTIME_DIR to one."),
               nets, g_strerror (saved_errno));
  return FALSE;
}

static gboolean
network_dir_is_live (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, HV_NET_LOCK_FILE, NULL);
  int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  gboolean live;

  if (fd < 0)
    return FALSE; /* no lock file: never started, or gone */
  live = flock (fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  close (fd);
  return live;
}

/* One launch at a time: the liveness check and the start must not
 * interleave with another launcher's. */
static int
lock_launches (const char *nets, GError **error)
{
  g_autofree char *path = g_build_filename (nets, HV_LAUNCH_LOCK, NULL);
  int fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);

  while (fd >= 0 && flock (fd, LOCK_EX) != 0)
    if (errno != EINTR)
      {
        close (fd);
        fd = -1;
      }
  if (fd < 0)
    {
      int saved_errno = errno;
      g_set_error (error, HV_ERROR, HV_ERROR_RUNTIME_DIR, _ ("Cannot lock “%s”: %s"), path,
                   g_strerror (saved_errno));
    }
  return fd;
}

static char *
net_path (void)
{
  const char *path = g_getenv ("HV_NET_PATH");

  return g_canonicalize_filename (path != NULL && *path != '\0' ? path : LIBEXECDIR "/hv-net",
                                  NULL);
}

/* hv-net's --forward: the host side on loopback only, so that a forward
 * never opens a guest to the host's whole network by surprise. */
static char *
forward_spec (const HvPortForward *forward)
{
  return g_strdup_printf (
      "%s:127.0.0.1:%u-%s:%u", g_strcmp0 (forward->protocol, "udp") == 0 ? "udp" : "tcp",
      forward->host_port, forward->guest_address != NULL ? forward->guest_address : "",
      forward->guest_port);
}

static char **
build_argv (const char *program, const HvNetworkConfig *config, const char *dir)
{
  g_autoptr (GStrvBuilder) argv = g_strv_builder_new ();
  gboolean nat = config->mode == HV_NETWORK_MODE_NAT;

  g_strv_builder_add_many (argv, program, "--name", config->name, "--runtime-dir", dir, "--mode",
                           nat ? "nat" : "isolated", "--ready-fd", "3", NULL);
  if (nat && config->subnet != NULL)
    g_strv_builder_add_many (argv, "--subnet", config->subnet, NULL);
  if (nat && config->dhcp_start != NULL)
    g_strv_builder_add_many (argv, "--dhcp-start", config->dhcp_start, NULL);
  for (guint i = 0; nat && i < config->forwards->len; i++)
    {
      g_autofree char *spec = forward_spec (g_ptr_array_index (config->forwards, i));
      g_strv_builder_add_many (argv, "--forward", spec, NULL);
    }
  return g_strv_builder_end (argv);
}

/* Reads hv-net's one line on FD: "OK", or "ERROR <why>". */
static gboolean
wait_ready (int fd, GCancellable *cancellable, GError **error)
{
  g_autoptr (GString) line = g_string_new (NULL);
  gint64 deadline = g_get_monotonic_time () + HV_NET_READY_TIMEOUT_MS * 1000;
  char buf[512];
  ssize_t n = 1;

  while (n > 0 && strchr (line->str, '\n') == NULL && line->len < 4096)
    {
      struct pollfd pfd = { fd, POLLIN, 0 };

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, HV_ERROR, HV_ERROR_TIMED_OUT,
                       _ ("The network process did not start within %d seconds"),
                       HV_NET_READY_TIMEOUT_MS / 1000);
          return FALSE;
        }
      if (poll (&pfd, 1, 100) <= 0)
        continue;
      n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        n = 1;
      else if (n > 0)
        g_string_append_len (line, buf, n);
    }
  g_strdelimit (line->str, "\n", '\0');
  if (g_str_equal (line->str, "OK"))
    return TRUE;
  if (g_str_has_prefix (line->str, "ERROR "))
    g_set_error_literal (error, HV_ERROR, HV_ERROR_VMM_FAILED, line->str + strlen ("ERROR "));
  else
    g_set_error_literal (error, HV_ERROR, HV_ERROR_VMM_FAILED,
                         _ ("The network process ended while starting"));
  return FALSE;
}

/* Lets a failed hv-net end (or ends it), and removes its directory. */
static void
cleanup_failed_start (const char *dir, GPid pid)
{
  gint64 deadline = g_get_monotonic_time () + HV_NET_KILL_TIMEOUT_US;

  while (pid > 0 && _hv_process_is_running (pid) && g_get_monotonic_time () < deadline)
    g_usleep (HV_NET_POLL_US);
  if (pid > 0 && _hv_process_is_running (pid))
    kill (pid, SIGKILL);
  while (pid > 0 && _hv_process_is_running (pid))
    g_usleep (HV_NET_POLL_US);
  _hv_runtime_remove_dir (dir);
}

static gboolean
check_config (const HvNetworkConfig *config, char **program, GError **error)
{
  if (!hv_name_is_valid (config->name, error))
    return FALSE;
  *program = net_path ();
  if (g_file_test (*program, G_FILE_TEST_IS_EXECUTABLE))
    return TRUE;
  g_set_error (error, HV_ERROR, HV_ERROR_VMM_MISSING,
               _ ("The network process “%s” is missing: reinstall Hangar, or set HV_NET_PATH "
                  "to the hv-net program"),
               *program);
  return FALSE;
}

static HvNetworkInfo *
launch_locked (const HvNetworkConfig *config, const char *program, const char *dir,
               GCancellable *cancellable, GError **error)
{
  g_auto (GStrv) argv = NULL;
  GPid pid = 0;
  int ready_fd;

  if (network_dir_is_live (dir))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_NAME_IN_USE, _ ("The network “%s” is running already"),
                   config->name);
      return NULL;
    }
  _hv_runtime_remove_dir (dir); /* what a killed hv-net left */
  if (mkdir (dir, 0700) != 0)
    {
      int saved_errno = errno;
      g_set_error (error, HV_ERROR, HV_ERROR_RUNTIME_DIR,
                   _ ("Cannot create the directory “%s”: %s"), dir, g_strerror (saved_errno));
      return NULL;
    }
  argv = build_argv (program, config, dir);
  ready_fd = _hv_spawn_detached (program, argv, NULL, &pid, error);
  if (ready_fd < 0 || !wait_ready (ready_fd, cancellable, error))
    {
      if (ready_fd >= 0)
        close (ready_fd);
      cleanup_failed_start (dir, pid);
      return NULL;
    }
  close (ready_fd);
  return network_info_new (dir, config->name, pid);
}

HvNetworkInfo *
hv_network_launch (HvRuntime *runtime, const HvNetworkConfig *config, GCancellable *cancellable,
                   GError **error)
{
  g_autofree char *nets = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *program = NULL;
  HvNetworkInfo *info;
  int lock_fd;

  g_return_val_if_fail (HV_IS_RUNTIME (runtime), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  if (!check_config (config, &program, error))
    return NULL;
  nets = nets_directory (runtime);
  if (!ensure_nets_directory (nets, error))
    return NULL;
  lock_fd = lock_launches (nets, error);
  if (lock_fd < 0)
    return NULL;
  dir = g_build_filename (nets, config->name, NULL);
  info = launch_locked (config, program, dir, cancellable, error);
  close (lock_fd);
  return info;
}

/* The pid in hv-net's greeting, or 0 if it does not answer at once. */
static GPid
read_greeting_pid (const char *control_path)
{
  g_autoptr (GSocketConnection) connection = _hv_connect_unix (control_path, NULL, NULL);
  g_autoptr (GDataInputStream) input = NULL;
  g_autofree char *line = NULL;
  const char *pid;

  if (connection == NULL)
    return 0;
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 2);
  input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  line = g_data_input_stream_read_line (input, NULL, NULL, NULL);
  pid = line != NULL ? strstr (line, "\"pid\":") : NULL;
  return pid != NULL ? (GPid) g_ascii_strtoll (pid + strlen ("\"pid\":"), NULL, 10) : 0;
}

static HvNetworkInfo *
read_network (const char *nets, const char *name)
{
  g_autofree char *dir = g_build_filename (nets, name, NULL);
  g_autofree char *control = NULL;

  if (!network_dir_is_live (dir))
    return NULL;
  control = g_build_filename (dir, HV_NET_CONTROL_SOCKET, NULL);
  return network_info_new (dir, name, read_greeting_pid (control));
}

HvNetworkInfo *
hv_network_lookup (HvRuntime *runtime, const char *name, GError **error)
{
  g_autofree char *nets = NULL;
  HvNetworkInfo *info;

  g_return_val_if_fail (HV_IS_RUNTIME (runtime), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  nets = nets_directory (runtime);
  info = hv_name_is_valid (name, NULL) ? read_network (nets, name) : NULL;
  if (info == NULL)
    g_set_error (error, HV_ERROR, HV_ERROR_NOT_FOUND, _ ("No running network is called “%s”"),
                 name);
  return info;
}

static int
compare_networks (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 ((*(HvNetworkInfo *const *) a)->name, (*(HvNetworkInfo *const *) b)->name);
}

GPtrArray *
hv_network_list (HvRuntime *runtime, GError **error)
{
  g_autoptr (GPtrArray) networks =
      g_ptr_array_new_with_free_func ((GDestroyNotify) hv_network_info_free);
  g_autofree char *nets = NULL;
  g_autoptr (GDir) dir = NULL;
  const char *entry;

  g_return_val_if_fail (HV_IS_RUNTIME (runtime), NULL);

  nets = nets_directory (runtime);
  dir = g_dir_open (nets, 0, NULL);
  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      HvNetworkInfo *info = entry[0] != '.' ? read_network (nets, entry) : NULL;

      if (info != NULL)
        g_ptr_array_add (networks, info);
    }
  g_ptr_array_sort (networks, compare_networks);
  return g_steal_pointer (&networks);
}

/* Sends COMMAND on CONTROL_PATH after the greeting and returns hv-net's
 * reply line, blocking (for at most a few seconds a read). */
static char *
control_command (const char *control_path, const char *command, GCancellable *cancellable,
                 GError **error)
{
  g_autoptr (GSocketConnection) connection = _hv_connect_unix (control_path, cancellable, error);
  g_autoptr (GDataInputStream) input = NULL;
  g_autofree char *greeting = NULL;
  g_autofree char *request = g_strdup_printf ("{\"execute\": \"%s\"}\n", command);
  GError *local_error = NULL;
  char *reply = NULL;

  if (connection == NULL)
    return NULL;
  g_socket_set_timeout (g_socket_connection_get_socket (connection), 2);
  input = g_data_input_stream_new (g_io_stream_get_input_stream (G_IO_STREAM (connection)));
  greeting = g_data_input_stream_read_line (input, NULL, cancellable, &local_error);
  if (greeting != NULL &&
      g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)), request,
                                 strlen (request), NULL, cancellable, &local_error))
    reply = g_data_input_stream_read_line (input, NULL, cancellable, &local_error);
  if (reply == NULL && local_error == NULL)
    local_error = g_error_new_literal (HV_ERROR, HV_ERROR_DISCONNECTED,
                                       _ ("The network process closed its control socket"));
  if (local_error != NULL)
    g_propagate_error (error, local_error);
  return reply;
}

/* Sends quit and waits for the reply: a client that hangs up at once may
 * be gone before hv-net reads its command. */
static void
send_quit (const HvNetworkInfo *info)
{
  g_autofree char *reply = control_command (info->control_path, "quit", NULL, NULL);
}

static gboolean
wait_not_live (const char *dir, gint64 timeout_us)
{
  gint64 deadline = g_get_monotonic_time () + timeout_us;

  while (network_dir_is_live (dir))
    {
      if (g_get_monotonic_time () >= deadline)
        return FALSE;
      g_usleep (HV_NET_POLL_US);
    }
  return TRUE;
}

/* Whether PID is the hv-net of DIR: a pid may have been reused. */
static gboolean
is_network_process (GPid pid, const char *dir)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/cmdline", (int) pid);
  g_autofree char *contents = NULL;
  gsize len;

  if (pid <= 0 || !g_file_get_contents (path, &contents, &len, NULL))
    return FALSE;
  for (const char *arg = contents; arg < contents + len; arg += strlen (arg) + 1)
    if (g_str_equal (arg, dir))
      return TRUE;
  return FALSE;
}

gboolean
hv_network_stop (HvRuntime *runtime, const HvNetworkInfo *info, guint timeout_ms, GError **error)
{
  g_return_val_if_fail (HV_IS_RUNTIME (runtime), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);

  send_quit (info);
  if (!wait_not_live (info->runtime_dir, (gint64) timeout_ms * 1000))
    {
      if (!is_network_process (info->pid, info->runtime_dir) || kill (info->pid, SIGKILL) != 0 ||
          !wait_not_live (info->runtime_dir, HV_NET_KILL_TIMEOUT_US))
        {
          g_set_error (error, HV_ERROR, HV_ERROR_TIMED_OUT,
                       _ ("The network “%s” did not stop; end its hv-net process by hand"),
                       info->name);
          return FALSE;
        }
    }
  /* hv-net cleans up after itself unless it was killed. */
  if (g_file_test (info->runtime_dir, G_FILE_TEST_EXISTS))
    _hv_runtime_remove_dir (info->runtime_dir);
  return TRUE;
}

void
hv_network_lease_free (HvNetworkLease *lease)
{
  if (lease == NULL)
    return;
  g_free (lease->mac);
  g_free (lease->address);
  g_free (lease->source);
  g_free (lease);
}

/* The "return" object of hv-net's REPLY, or NULL and ERROR. */
static JsonObject *
reply_return (JsonParser *parser, const char *reply, GError **error)
{
  JsonObject *message;
  JsonNode *node;
  JsonObject *failure;

  if (!json_parser_load_from_data (parser, reply, -1, NULL) ||
      json_parser_get_root (parser) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_PROTOCOL,
                           _ ("The network process answered with something that is not JSON"));
      return NULL;
    }
  message = json_node_get_object (json_parser_get_root (parser));
  node = json_object_get_member (message, "return");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    return json_node_get_object (node);
  node = json_object_get_member (message, "error");
  failure = node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  if (failure == NULL)
    g_set_error_literal (error, HV_ERROR, HV_ERROR_PROTOCOL,
                         _ ("The network process answered without a result"));
  else
    g_set_error (error, HV_ERROR,
                 g_strcmp0 (json_object_get_string_member_with_default (failure, "class", NULL),
                            "CommandNotFound") == 0
                     ? HV_ERROR_COMMAND_NOT_FOUND
                     : HV_ERROR_GENERIC,
                 "%s",
                 json_object_get_string_member_with_default (failure, "desc", _ ("Unknown error")));
  return NULL;
}

/* MEMBER of OBJECT if it is a string, else NULL. */
static const char *
string_member (JsonObject *object, const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

GPtrArray *
hv_network_query_leases (HvRuntime *runtime, const char *name, GCancellable *cancellable,
                         GError **error)
{
  g_autoptr (HvNetworkInfo) info = NULL;
  g_autoptr (GPtrArray) leases = NULL;
  g_autoptr (JsonParser) parser = NULL;
  g_autofree char *reply = NULL;
  JsonObject *result;
  JsonNode *array;

  g_return_val_if_fail (HV_IS_RUNTIME (runtime), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  info = hv_network_lookup (runtime, name, error);
  if (info == NULL)
    return NULL;
  reply = control_command (info->control_path, "query-leases", cancellable, error);
  if (reply == NULL)
    return NULL;
  parser = json_parser_new ();
  result = reply_return (parser, reply, error);
  if (result == NULL)
    return NULL;
  array = json_object_get_member (result, "leases");
  if (array == NULL || !JSON_NODE_HOLDS_ARRAY (array))
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_PROTOCOL,
                           _ ("The network process answered without a list of leases"));
      return NULL;
    }
  leases = g_ptr_array_new_with_free_func ((GDestroyNotify) hv_network_lease_free);
  for (guint i = 0; i < json_array_get_length (json_node_get_array (array)); i++)
    {
      JsonNode *element = json_array_get_element (json_node_get_array (array), i);
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
      const char *mac = object != NULL ? string_member (object, "mac") : NULL;
      const char *address = object != NULL ? string_member (object, "address") : NULL;
      const char *source = object != NULL ? string_member (object, "source") : NULL;
      HvNetworkLease *lease;

      if (mac == NULL || address == NULL || source == NULL)
        continue; /* not one this version understands */
      lease = g_new0 (HvNetworkLease, 1);
      lease->mac = g_strdup (mac);
      lease->address = g_strdup (address);
      lease->source = g_strdup (source);
      g_ptr_array_add (leases, lease);
    }
  return g_steal_pointer (&leases);
}
