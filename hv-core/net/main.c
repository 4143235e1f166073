/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hv-net: one virtual network (hv-core/docs/network.md). Started by
 * libhvcore like hv-vmm: in a session of its own, reporting "OK" or
 * "ERROR <message>" on --ready-fd, alive for as long as it holds the
 * flock on DIR/net.lock.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include "hv-daemon.h"
#include "net-control.h"
#include "net-leases.h"
#include "net-ports.h"
#include "net-slirp.h"
#include "net-switch.h"

#define EXIT_STARTUP_FAILED 1

typedef struct
{
  char *name;
  char *runtime_dir;
  char *mode;
  char *subnet;
  char *dhcp_start;
  char **forwards;
  int ready_fd;
} Options;

typedef struct
{
  Options opts;
  GMainLoop *loop;
  int lock_fd;
  gboolean own_dir;
  NetSwitch *sw;
  NetLeases *leases;
  NetPort *router_port;
  NetSlirp *router;
  NetPorts *ports;
  NetControl *control;
} App;

static gboolean
parse_options (Options *o, int *argc, char ***argv, GError **error)
{
  GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &o->name, N_ ("Name of the network"), "NAME" },
    { "runtime-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->runtime_dir,
      N_ ("Directory for the sockets and the lock"), "DIR" },
    { "mode", 0, 0, G_OPTION_ARG_STRING, &o->mode,
      N_ ("nat (a router with DHCP and DNS) or isolated (guests only)"), "MODE" },
    { "subnet", 0, 0, G_OPTION_ARG_STRING, &o->subnet, N_ ("IPv4 network of a nat network"),
      "ADDRESS/PREFIX" },
    { "dhcp-start", 0, 0, G_OPTION_ARG_STRING, &o->dhcp_start,
      N_ ("First address handed out by DHCP"), "ADDRESS" },
    { "forward", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->forwards,
      N_ ("Forward a host port to a guest (repeatable)"), "tcp:HOST:PORT-GUEST:PORT" },
    { "ready-fd", 0, 0, G_OPTION_ARG_INT, &o->ready_fd,
      N_ ("Write OK or ERROR to this file descriptor once started"), "FD" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);

  g_option_context_set_summary (context, _ ("Runs one Hangar virtual network."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (o->name == NULL || o->runtime_dir == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _ ("--name and --runtime-dir are required."));
      return FALSE;
    }
  if (o->mode == NULL)
    o->mode = g_strdup ("nat");
  if (!g_str_equal (o->mode, "nat") && !g_str_equal (o->mode, "isolated"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("The mode “%s” is unknown: use nat or isolated."), o->mode);
      return FALSE;
    }
  return TRUE;
}

static void
options_clear (Options *o)
{
  g_free (o->name);
  g_free (o->runtime_dir);
  g_free (o->mode);
  g_free (o->subnet);
  g_free (o->dhcp_start);
  g_strfreev (o->forwards);
}

static gboolean
take_lock (App *app, GError **error)
{
  g_autofree char *path = g_build_filename (app->opts.runtime_dir, "net.lock", NULL);
  g_autoptr (GError) local_error = NULL;

  app->lock_fd = hv_daemon_lock (path, &local_error);
  /* The same code, with a message that names the network. */
  if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_AGAIN))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_AGAIN,
                   _ ("The network %s is already running (%s is locked)."), app->opts.name, path);
      return FALSE;
    }
  if (app->lock_fd < 0)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  app->own_dir = TRUE;
  return TRUE;
}

static gboolean
router_port_send (const guint8 *frame, gsize len, gpointer user_data)
{
  App *app = user_data;

  net_slirp_input (app->router, frame, len);
  return TRUE;
}

static void
on_router_output (const guint8 *frame, gsize len, gpointer user_data)
{
  App *app = user_data;

  /* The router speaks only after a guest has: by then its port exists. */
  if (app->router_port != NULL)
    net_switch_input (app->sw, app->router_port, frame, len);
}

/* Every frame the switch takes in: the addresses its guests use. */
static void
on_switch_frame (NetPort *from, const guint8 *frame, gsize len, gpointer user_data)
{
  App *app = user_data;

  net_leases_observe (app->leases, frame, len, from == app->router_port, g_get_monotonic_time ());
}

static gboolean
start_router (App *app, GError **error)
{
  NetSlirpConfig config;
  gboolean ok = FALSE;

  if (!net_slirp_config_init (&config, app->opts.subnet, app->opts.dhcp_start, error))
    goto out;
  for (guint i = 0; app->opts.forwards != NULL && app->opts.forwards[i] != NULL; i++)
    if (!net_slirp_config_add_forward (&config, app->opts.forwards[i], error))
      goto out;
  app->router = net_slirp_new (&config, NULL, on_router_output, app, error);
  if (app->router == NULL)
    goto out;
  net_leases_ignore_address (app->leases, g_ntohl (config.router.s_addr));
  net_leases_ignore_address (app->leases, g_ntohl (config.dns.s_addr));
  app->router_port = net_switch_add_port (app->sw, "router", router_port_send, app);
  ok = TRUE;
out:
  net_slirp_config_clear (&config);
  return ok;
}

static gboolean
on_quit (gpointer user_data)
{
  App *app = user_data;

  g_main_loop_quit (app->loop);
  return G_SOURCE_REMOVE;
}

static gboolean
on_quit_signal (gpointer user_data)
{
  on_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static gboolean
start (App *app, GError **error)
{
  g_autofree char *switch_path = g_build_filename (app->opts.runtime_dir, "switch.sock", NULL);
  g_autofree char *control_path = g_build_filename (app->opts.runtime_dir, "control.sock", NULL);
  gboolean nat = g_str_equal (app->opts.mode, "nat");
  NetControlInfo info = { app->opts.name, app->opts.mode, NULL };

  if (!take_lock (app, error))
    return FALSE;
  app->sw = net_switch_new ();
  app->leases = net_leases_new ();
  net_switch_set_observer (app->sw, on_switch_frame, app);
  if (nat && !start_router (app, error))
    return FALSE;
  if (nat)
    info.subnet = app->opts.subnet != NULL ? app->opts.subnet : "10.0.2.0/24";
  app->ports = net_ports_new (app->sw, switch_path, error);
  if (app->ports == NULL)
    return FALSE;
  app->control = net_control_new (control_path, &info, app->sw, app->leases, on_quit, app, error);
  return app->control != NULL;
}

/* The ports go before the router, the lock file last but one and the
 * directory last, so a new hv-net never sees a half-removed DIR. */
static void
cleanup (App *app)
{
  g_clear_pointer (&app->control, net_control_free);
  g_clear_pointer (&app->ports, net_ports_free);
  g_clear_pointer (&app->router, net_slirp_free);
  g_clear_pointer (&app->sw, net_switch_free);
  g_clear_pointer (&app->leases, net_leases_free);
  if (app->own_dir)
    {
      const char *files[] = { "switch.sock", "control.sock", "net.lock" };

      for (gsize i = 0; i < G_N_ELEMENTS (files); i++)
        {
          g_autofree char *path = g_build_filename (app->opts.runtime_dir, files[i], NULL);
          g_unlink (path);
        }
      g_rmdir (app->opts.runtime_dir);
    }
  if (app->lock_fd >= 0)
    close (app->lock_fd);
  g_clear_pointer (&app->loop, g_main_loop_unref);
  options_clear (&app->opts);
}

int
main (int argc, char **argv)
{
  App app = { .opts.ready_fd = -1, .lock_fd = -1 };
  g_autoptr (GError) error = NULL;

  hv_daemon_init ();
  app.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_quit_signal, &app);
  g_unix_signal_add (SIGINT, on_quit_signal, &app);

  if (parse_options (&app.opts, &argc, &argv, &error) && app.opts.ready_fd >= 0)
    fcntl (app.opts.ready_fd, F_SETFD, FD_CLOEXEC);
  if (error != NULL || !start (&app, &error))
    {
      hv_daemon_report_ready (&app.opts.ready_fd, "hv-net", error);
      cleanup (&app);
      return EXIT_STARTUP_FAILED;
    }
  hv_daemon_report_ready (&app.opts.ready_fd, "hv-net", NULL);
  g_main_loop_run (app.loop);
  cleanup (&app);
  return 0;
}
