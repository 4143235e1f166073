/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * hv-vmm: runs one guest (hv-core/docs/hv-vmm.md). Started by libhvcore,
 * which waits for "OK" or "ERROR <message>" on --ready-fd.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "console.h"
#include "hv-daemon.h"
#include "control.h"
#include "disk-config.h"
#include "nic-config.h"
#include "display/display-config.h"
#include "display/display-control.h"
#include "display/display-server.h"
#include "vmm.h"

#define EXIT_STARTUP_FAILED 1
#define EXIT_FATAL          2

typedef struct
{
  char *name;
  char *uuid;
  char *runtime_dir;
  char *kernel;
  char *initrd;
  char *append;
  char *console_log;
  gint64 memory_mib;
  int cpus;
  gboolean no_reboot;
  int ready_fd;
  char **disks;         /* --disk, as given */
  GArray *disk_configs; /* VmmDiskConfig */
  char **nics;          /* --nic, as given */
  GArray *nic_configs;  /* VmmNicConfig */
  char *display;
  DisplayConfig display_config;
} Options;

typedef struct
{
  Options opts;
  GMainLoop *loop;
  Vmm *vmm;
  ControlServer *control;
  ConsoleServer *console;
  ConsoleServer *console2; /* virtio-console */
  DisplayServer *display;
  DisplayControl *display_control;
  int lock_fd;
  char *lock_path;
  gboolean own_dir; /* the lock is ours: DIR is ours to remove */
} App;

static void
options_clear (Options *o)
{
  g_free (o->name);
  g_free (o->uuid);
  g_free (o->runtime_dir);
  g_free (o->kernel);
  g_free (o->initrd);
  g_free (o->append);
  g_free (o->console_log);
  g_strfreev (o->disks);
  g_clear_pointer (&o->disk_configs, g_array_unref);
  g_strfreev (o->nics);
  g_clear_pointer (&o->nic_configs, g_array_unref);
  g_free (o->display);
  display_config_clear (&o->display_config);
}

static gboolean
parse_options (Options *o, int *argc, char ***argv, GError **error)
{
  GOptionEntry entries[] = {
    { "name", 0, 0, G_OPTION_ARG_STRING, &o->name, N_ ("Name of the machine"), "NAME" },
    { "uuid", 0, 0, G_OPTION_ARG_STRING, &o->uuid, N_ ("UUID of the machine"), "UUID" },
    { "runtime-dir", 0, 0, G_OPTION_ARG_FILENAME, &o->runtime_dir,
      N_ ("Directory for the sockets and the lock"), "DIR" },
    { "kernel", 0, 0, G_OPTION_ARG_FILENAME, &o->kernel, N_ ("Linux kernel to boot"), "FILE" },
    { "initrd", 0, 0, G_OPTION_ARG_FILENAME, &o->initrd, N_ ("Initial ramdisk"), "FILE" },
    { "append", 0, 0, G_OPTION_ARG_STRING, &o->append, N_ ("Kernel command line"), "STRING" },
    { "memory", 0, 0, G_OPTION_ARG_INT64, &o->memory_mib, N_ ("Memory in MiB"), "MIB" },
    { "cpus", 0, 0, G_OPTION_ARG_INT, &o->cpus, N_ ("Number of virtual CPUs"), "N" },
    { "console-log", 0, 0, G_OPTION_ARG_FILENAME, &o->console_log,
      N_ ("Append the serial console output to FILE"), "FILE" },
    { "no-reboot", 0, 0, G_OPTION_ARG_NONE, &o->no_reboot,
      N_ ("Exit instead of restarting when the guest resets"), NULL },
    { "ready-fd", 0, 0, G_OPTION_ARG_INT, &o->ready_fd,
      N_ ("Write OK or ERROR to this file descriptor once started"), "FD" },
    { "disk", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->disks,
      N_ ("A virtio disk: path=FILE[,readonly=on][,serial=S] (repeatable)"), "DISK" },
    { "nic", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o->nics,
      N_ ("A virtio network card: mac=MAC,backend=SPEC (repeatable)"), "NIC" },
    { "display", 0, 0, G_OPTION_ARG_STRING, &o->display,
      N_ ("The screen: none, or spice[,width=W,height=H][,port=N,addr=A,password=P]"), "DISPLAY" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new (NULL);

  g_option_context_set_summary (context, _ ("Runs one Hangar virtual machine."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (o->name == NULL || o->uuid == NULL || o->runtime_dir == NULL || o->kernel == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _ ("--name, --uuid, --runtime-dir and --kernel are required."));
      return FALSE;
    }
  if (o->memory_mib <= 0 || o->cpus <= 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--memory and --cpus must be positive numbers."));
      return FALSE;
    }
  o->disk_configs = disk_config_parse ((const char *const *) o->disks, error);
  if (o->disk_configs == NULL)
    return FALSE;
  o->nic_configs = nic_config_parse ((const char *const *) o->nics, error);
  if (o->nic_configs == NULL)
    return FALSE;
  return display_config_parse (&o->display_config, o->display, error);
}

static gboolean
take_lock (App *app, GError **error)
{
  g_autoptr (GError) local_error = NULL;

  app->lock_path = g_build_filename (app->opts.runtime_dir, "vmm.lock", NULL);
  app->lock_fd = hv_daemon_lock (app->lock_path, &local_error);
  if (g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_AGAIN))
    {
      g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_BUSY,
                   _ ("The machine %s is already running (%s is locked)."), app->opts.name,
                   app->lock_path);
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

static void
on_vmm_event (const VmmEvent *event, void *user_data)
{
  App *app = user_data;

  if (app->control != NULL)
    control_server_emit (app->control, event);
  if (event->kind == VMM_EVENT_SHUTDOWN)
    g_main_loop_quit (app->loop);
}

static void
on_console_output (const uint8_t *bytes, size_t len, void *user_data)
{
  console_server_output (user_data, bytes, len);
}

static void
on_console2_input (const uint8_t *bytes, size_t len, void *user_data)
{
  vmm_console2_input (user_data, bytes, len);
}

/* The virtio console on console2.sock, beside COM1's. */
static gboolean
start_console2 (App *app, GError **error)
{
  g_autofree char *path = g_build_filename (app->opts.runtime_dir, "console2.sock", NULL);

  app->console2 = console_server_new (app->vmm, path, NULL, error);
  if (app->console2 == NULL)
    return FALSE;
  console_server_set_input_func (app->console2, on_console2_input, app->vmm);
  vmm_set_console2_output_func (app->vmm, on_console_output, app->console2);
  return TRUE;
}

static gboolean
on_quit_signal (gpointer user_data)
{
  App *app = user_data;

  if (app->vmm != NULL)
    vmm_quit (app->vmm);
  return G_SOURCE_CONTINUE;
}

static gboolean
start (App *app, GError **error)
{
  g_autofree char *control_path = g_build_filename (app->opts.runtime_dir, "control.sock", NULL);
  g_autofree char *console_path = g_build_filename (app->opts.runtime_dir, "console.sock", NULL);
  VmmConfig config = {
    .name = app->opts.name,
    .uuid = app->opts.uuid,
    .kernel_path = app->opts.kernel,
    .initrd_path = app->opts.initrd,
    .cmdline = app->opts.append,
    .memory_mib = app->opts.memory_mib,
    .cpus = app->opts.cpus,
    .no_reboot = app->opts.no_reboot,
    .disks = (const VmmDiskConfig *) app->opts.disk_configs->data,
    .n_disks = app->opts.disk_configs->len,
    .nics = (const VmmNicConfig *) app->opts.nic_configs->data,
    .n_nics = app->opts.nic_configs->len,
  };
  const DisplayConfig *display = &app->opts.display_config;

  if (display->enabled)
    {
      config.display_width = display->width;
      config.display_height = display->height;
      config.display_fb_file = display->fb_file;
    }

  if (!take_lock (app, error))
    return FALSE;
  /* Before the guest's memory and devices: a missing module is the
   * cheapest failure to report. */
  if (display->enabled && !display_server_load_module (error))
    return FALSE;
  app->vmm = vmm_new (&config, error);
  if (app->vmm == NULL)
    return FALSE;
  app->control = control_server_new (app->vmm, control_path, error);
  if (app->control == NULL)
    return FALSE;
  app->console = console_server_new (app->vmm, console_path, app->opts.console_log, error);
  if (app->console == NULL || !start_console2 (app, error))
    return FALSE;
  if (display->enabled)
    {
      g_autofree char *spice_path = g_build_filename (app->opts.runtime_dir, "spice.sock", NULL);

      app->display = display_server_new (app->vmm, display, spice_path, error);
      if (app->display == NULL)
        return FALSE;
    }
  app->display_control = display_control_new (app->control, app->vmm, app->display);
  vmm_set_event_func (app->vmm, on_vmm_event, app);
  vmm_set_console_output_func (app->vmm, on_console_output, app->console);
  return vmm_start (app->vmm, error);
}

/* Everything hv-vmm leaves behind goes, the lock file last but one and
 * the directory last, so a new hv-vmm never sees a half-removed DIR. */
static void
cleanup (App *app)
{
  g_clear_pointer (&app->control, control_server_free);
  g_clear_pointer (&app->display_control, display_control_free);
  g_clear_pointer (&app->console, console_server_free);
  g_clear_pointer (&app->display, display_server_free);
  g_clear_pointer (&app->vmm, vmm_free);
  /* After the VMM: its I/O thread writes to it. */
  g_clear_pointer (&app->console2, console_server_free);
  if (app->own_dir)
    {
      g_autofree char *control_path =
          g_build_filename (app->opts.runtime_dir, "control.sock", NULL);
      g_autofree char *console_path =
          g_build_filename (app->opts.runtime_dir, "console.sock", NULL);
      g_autofree char *console2_path =
          g_build_filename (app->opts.runtime_dir, "console2.sock", NULL);
      g_autofree char *spice_path = g_build_filename (app->opts.runtime_dir, "spice.sock", NULL);

      /* The servers remove their sockets; these cover a failed start. */
      g_unlink (control_path);
      g_unlink (console_path);
      g_unlink (console2_path);
      g_unlink (spice_path);
      g_unlink (app->lock_path);
      g_rmdir (app->opts.runtime_dir);
    }
  if (app->lock_fd >= 0)
    close (app->lock_fd);
  g_free (app->lock_path);
  g_clear_pointer (&app->loop, g_main_loop_unref);
  options_clear (&app->opts);
}

int
main (int argc, char **argv)
{
  App app = { .opts.ready_fd = -1, .opts.memory_mib = 512, .opts.cpus = 1, .lock_fd = -1 };
  g_autoptr (GError) error = NULL;
  int status = 0;

  hv_daemon_init ();
  app.loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGTERM, on_quit_signal, &app);
  g_unix_signal_add (SIGINT, on_quit_signal, &app);

  if (parse_options (&app.opts, &argc, &argv, &error) && app.opts.ready_fd >= 0)
    fcntl (app.opts.ready_fd, F_SETFD, FD_CLOEXEC);
  if (error != NULL || !start (&app, &error))
    {
      hv_daemon_report_ready (&app.opts.ready_fd, "hv-vmm", error);
      cleanup (&app);
      return EXIT_STARTUP_FAILED;
    }
  hv_daemon_report_ready (&app.opts.ready_fd, "hv-vmm", NULL);
  g_main_loop_run (app.loop);

  if (vmm_get_fatal_error (app.vmm) != NULL)
    {
      g_printerr ("hv-vmm: %s\n", vmm_get_fatal_error (app.vmm)->message);
      status = EXIT_FATAL;
    }
  cleanup (&app);
  return status;
}
