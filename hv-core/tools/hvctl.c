/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hvctl: run and steer hv-core guests from a shell (see hvctl.1). */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "hvctl.h"

/* How long `hvctl kill` waits for an answer to quit before SIGKILL, and for
 * `stop --force` and `kill` to see the hv-vmm gone. */
#define KILL_ANSWER_TIMEOUT_MS 3000
#define EXIT_TIMEOUT_MS        10000

/* Returns the exit status; -1 with ERROR set on failure. */
typedef int (*CommandFunc) (int argc, char **argv, GError **error);

typedef struct
{
  const char *name;
  const char *parameters;
  const char *summary;
  CommandFunc func;
} Command;

static gboolean opt_help;

static const GOptionEntry help_entries[] = {
  { "help", 'h', 0, G_OPTION_ARG_NONE, &opt_help, N_ ("Show help options"), NULL },
  { NULL },
};

/* Parses ARGV for COMMAND with ENTRIES. Help is handled here rather than by
 * GOption, which would exit () from inside the parser. Returns FALSE with
 * *STATUS set when the command is done (help shown, or an error). */
static gboolean
parse_options (const Command *command, const GOptionEntry *entries, int *argc, char ***argv,
               int *status, GError **error)
{
  g_autoptr (GOptionContext) context = g_option_context_new (command->parameters);
  g_autofree char *prgname = g_strdup_printf ("hvctl %s", command->name);
  g_autofree char *help = NULL;

  /* So that usage lines read "hvctl run [OPTION…]". */
  g_set_prgname (prgname);
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_set_summary (context, _ (command->summary));
  g_option_context_add_main_entries (context, help_entries, GETTEXT_PACKAGE);
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);

  opt_help = FALSE;
  if (!g_option_context_parse (context, argc, argv, error))
    {
      *status = -1;
      return FALSE;
    }
  if (opt_help)
    {
      help = g_option_context_get_help (context, TRUE, NULL);
      g_print ("%s", help);
      *status = 0;
      return FALSE;
    }
  return TRUE;
}

/* The one NAME argument that most commands take. */
static const char *
single_name (int argc, char **argv, const char *command, GError **error)
{
  if (argc == 2)
    return argv[1];
  g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
               argc < 2 ? _ ("Give the name of a guest: hvctl %s NAME")
                        : _ ("Too many arguments: hvctl %s NAME"),
               command);
  return NULL;
}

static const Command *find_command (const char *name);

/* ---- run ---- */

static char *run_kernel;
static char *run_initrd;
static char *run_append;
static char *run_memory;
static int run_cpus = 1;
static char *run_name;
static gboolean run_no_reboot;
static char *run_console_log;
static char *run_log;
static char *run_display;
static char **run_disks;
static char **run_nics;

static const GOptionEntry run_entries[] = {
  { "kernel", 'k', 0, G_OPTION_ARG_FILENAME, &run_kernel,
    N_ ("Linux kernel to boot (bzImage or PVH vmlinux)"), N_ ("FILE") },
  { "initrd", 'i', 0, G_OPTION_ARG_FILENAME, &run_initrd, N_ ("Initial RAM disk"), N_ ("FILE") },
  { "append", 'a', 0, G_OPTION_ARG_STRING, &run_append, N_ ("Kernel command line"), N_ ("STRING") },
  { "memory", 'm', 0, G_OPTION_ARG_STRING, &run_memory,
    N_ ("Guest memory, such as 512M or 2G (default 512M)"), N_ ("SIZE") },
  { "cpus", 'c', 0, G_OPTION_ARG_INT, &run_cpus, N_ ("Number of virtual CPUs (default 1)"),
    N_ ("N") },
  { "name", 'n', 0, G_OPTION_ARG_STRING, &run_name, N_ ("Name of the guest"), N_ ("NAME") },
  { "no-reboot", 0, 0, G_OPTION_ARG_NONE, &run_no_reboot, N_ ("End the guest when it resets"),
    NULL },
  { "console-log", 0, 0, G_OPTION_ARG_FILENAME, &run_console_log,
    N_ ("Append the console output to FILE"), N_ ("FILE") },
  { "log", 0, 0, G_OPTION_ARG_FILENAME, &run_log,
    N_ ("Write the hypervisor's own messages to FILE"), N_ ("FILE") },
  { "display", 0, 0, G_OPTION_ARG_STRING, &run_display,
    N_ ("Give the guest a screen: spice[,width=W,height=H][,port=N,password=P]"), N_ ("DISPLAY") },
  { "disk", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &run_disks,
    N_ ("Give the guest a virtio disk (repeatable): path=FILE[,readonly=on][,serial=S]"),
    N_ ("DISK") },
  { "nic", 0, 0, G_OPTION_ARG_STRING_ARRAY, &run_nics,
    N_ ("Give the guest a virtio network card (repeatable): [mac=MAC,]backend=SPEC, SPEC being "
        "user, switch:PATH, tap:BRIDGE or bridge-helper:BRIDGE"),
    N_ ("NIC") },
  { NULL },
};

static HvLaunchOptions *
run_options (GError **error)
{
  g_autoptr (HvLaunchOptions) options = hv_launch_options_new ();

  if (run_kernel == NULL)
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                           _ ("No kernel to boot: give one with --kernel FILE"));
      return NULL;
    }
  if (run_cpus < 1)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Invalid number of CPUs “%d”: give 1 or more"), run_cpus);
      return NULL;
    }
  if (run_memory != NULL && !hv_parse_size_mib (run_memory, &options->memory_mib, error))
    return NULL;
  options->kernel = g_strdup (run_kernel);
  options->initrd = g_strdup (run_initrd);
  options->cmdline = g_strdup (run_append);
  options->cpus = run_cpus;
  options->name = g_strdup (run_name);
  options->no_reboot = run_no_reboot;
  options->console_log = g_strdup (run_console_log);
  options->vmm_log = g_strdup (run_log);
  options->display = g_strdup (run_display);
  options->disks = g_strdupv (run_disks);
  options->nics = g_strdupv (run_nics);
  return g_steal_pointer (&options);
}

static int
cmd_run (int argc, char **argv, GError **error)
{
  g_autoptr (HvLaunchOptions) options = NULL;
  g_autoptr (HvRuntime) runtime = hv_runtime_new ();
  g_autoptr (HvGuestInfo) info = NULL;
  g_autoptr (GSocketConnection) control = NULL;
  g_autoptr (GSocketConnection) console = NULL;
  g_autoptr (HvClient) client = NULL;
  gboolean detached = FALSE;
  int status;

  if (!parse_options (find_command ("run"), run_entries, &argc, &argv, &status, error))
    return status;
  if (argc > 1)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, _ ("Unexpected argument “%s”"),
                   argv[1]);
      return -1;
    }
  options = run_options (error);
  if (options == NULL)
    return -1;
  /* Both connections are made before the guest runs: its first output and
   * a quick power-off are not missed. */
  info = hv_runtime_launch (runtime, options, &control, &console, NULL, error);
  if (info == NULL)
    return -1;
  if (options->display != NULL && g_str_has_prefix (options->display, "spice"))
    {
      g_autofree char *spice =
          g_build_filename (hv_guest_info_get_runtime_dir (info), "spice.sock", NULL);

      /* For a SPICE client: remote-viewer spice+unix://PATH */
      g_print (_ ("Display: spice+unix://%s\n"), spice);
    }
  client = hv_client_new_for_connection (control);
  status = hvctl_attach (hv_guest_info_get_name (info), client, console, &detached, error);
  /* The sockets close before hv-vmm has cleaned up: wait for that, so that
   * whoever runs next finds the runtime directory as it was. */
  if (status == 0 && !detached && !hv_runtime_wait_for_exit (runtime, info, EXIT_TIMEOUT_MS, error))
    return -1;
  return status;
}

/* ---- ps ---- */

typedef struct
{
  char *name;
  char *uuid;
  char *pid;
  char *status;
  char *cpus;
  char *memory;
} PsRow;

static void
ps_row_clear (PsRow *row)
{
  g_free (row->name);
  g_free (row->uuid);
  g_free (row->pid);
  g_free (row->status);
  g_free (row->cpus);
  g_free (row->memory);
}

static void
ps_fill_row (PsRow *row, HvGuestInfo *info)
{
  g_autoptr (HvClient) client = hv_client_new_for_guest_sync (info, NULL, NULL);
  g_autoptr (JsonObject) status = NULL;
  const char *name = hv_guest_info_get_name (info);

  row->name = g_strdup (name != NULL ? name : "-");
  row->uuid = g_strdup (hv_guest_info_get_uuid (info));
  row->pid = hv_guest_info_get_pid (info) > 0
                 ? g_strdup_printf ("%d", (int) hv_guest_info_get_pid (info))
                 : g_strdup ("-");
  if (client != NULL)
    {
      hv_client_set_timeout (client, KILL_ANSWER_TIMEOUT_MS);
      status = hv_client_execute_sync (client, "query-status", NULL, NULL, NULL);
    }
  if (status == NULL)
    {
      row->status = g_strdup (_ ("not answering"));
      row->cpus = g_strdup ("-");
      row->memory = g_strdup ("-");
      return;
    }
  row->status = g_strdup (json_object_get_string_member_with_default (status, "status", "?"));
  row->cpus = g_strdup_printf ("%" G_GINT64_FORMAT,
                               json_object_get_int_member_with_default (status, "cpus", 0));
  row->memory =
      hv_format_size_mib (json_object_get_int_member_with_default (status, "memory-mib", 0));
}

static void
ps_print (GArray *rows)
{
  int widths[6] = { 0 };

  for (guint i = 0; i < rows->len; i++)
    {
      PsRow *row = &g_array_index (rows, PsRow, i);
      const char *cells[] = { row->name, row->uuid, row->pid, row->status, row->cpus, row->memory };

      for (guint j = 0; j < G_N_ELEMENTS (cells); j++)
        widths[j] = MAX (widths[j], (int) g_utf8_strlen (cells[j], -1));
    }
  for (guint i = 0; i < rows->len; i++)
    {
      PsRow *row = &g_array_index (rows, PsRow, i);

      g_print ("%-*s  %-*s  %*s  %-*s  %*s  %*s\n", widths[0], row->name, widths[1], row->uuid,
               widths[2], row->pid, widths[3], row->status, widths[4], row->cpus, widths[5],
               row->memory);
    }
}

static int
cmd_ps (int argc, char **argv, GError **error)
{
  g_autoptr (HvRuntime) runtime = hv_runtime_new ();
  g_autoptr (GPtrArray) guests = NULL;
  g_autoptr (GArray) rows = g_array_new (FALSE, TRUE, sizeof (PsRow));
  PsRow header = { 0 };
  int status;

  if (!parse_options (find_command ("ps"), NULL, &argc, &argv, &status, error))
    return status;
  if (argc > 1)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, _ ("Unexpected argument “%s”"),
                   argv[1]);
      return -1;
    }
  guests = hv_runtime_list_guests (runtime, NULL, error);
  if (guests == NULL)
    return -1;

  g_array_set_clear_func (rows, (GDestroyNotify) ps_row_clear);
  header = (PsRow){ g_strdup (_ ("NAME")),   g_strdup (_ ("UUID")), g_strdup (_ ("PID")),
                    g_strdup (_ ("STATUS")), g_strdup (_ ("CPUS")), g_strdup (_ ("MEMORY")) };
  g_array_append_val (rows, header);
  for (guint i = 0; i < guests->len; i++)
    {
      PsRow row = { 0 };
      ps_fill_row (&row, g_ptr_array_index (guests, i));
      g_array_append_val (rows, row);
    }
  ps_print (rows);
  return 0;
}

/* ---- commands on one running guest ---- */

static HvClient *
connect_guest (HvRuntime *runtime, const char *name, HvGuestInfo **info_out, GError **error)
{
  g_autoptr (HvGuestInfo) info = hv_runtime_lookup_guest (runtime, name, NULL, error);
  HvClient *client;

  if (info == NULL)
    return NULL;
  client = hv_client_new_for_guest_sync (info, NULL, error);
  if (client != NULL && info_out != NULL)
    *info_out = g_steal_pointer (&info);
  return client;
}

/* Runs COMMAND on the guest named in ARGV. */
static int
simple_command (const char *command, const char *execute, int argc, char **argv, GError **error)
{
  g_autoptr (HvRuntime) runtime = hv_runtime_new ();
  g_autoptr (HvClient) client = NULL;
  g_autoptr (JsonObject) result = NULL;
  const char *name;
  int status;

  if (!parse_options (find_command (command), NULL, &argc, &argv, &status, error))
    return status;
  if ((name = single_name (argc, argv, command, error)) == NULL)
    return -1;
  client = connect_guest (runtime, name, NULL, error);
  if (client == NULL)
    return -1;
  result = hv_client_execute_sync (client, execute, NULL, NULL, error);
  return result != NULL ? 0 : -1;
}

static int
cmd_pause (int argc, char **argv, GError **error)
{
  return simple_command ("pause", "pause", argc, argv, error);
}

static int
cmd_resume (int argc, char **argv, GError **error)
{
  return simple_command ("resume", "resume", argc, argv, error);
}

/* ---- screenshot ---- */

static int
cmd_screenshot (int argc, char **argv, GError **error)
{
  g_autoptr (HvRuntime) runtime = hv_runtime_new ();
  g_autoptr (HvClient) client = NULL;
  g_autoptr (JsonObject) arguments = json_object_new ();
  g_autoptr (JsonObject) result = NULL;
  g_autofree char *path = NULL;
  int status;

  if (!parse_options (find_command ("screenshot"), NULL, &argc, &argv, &status, error))
    return status;
  if (argc != 3)
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                           _ ("Give a guest and a file: hvctl screenshot NAME FILE.png"));
      return -1;
    }
  client = connect_guest (runtime, argv[1], NULL, error);
  if (client == NULL)
    return -1;
  /* hv-vmm writes the file, and it runs in "/": the path must be absolute. */
  path = g_canonicalize_filename (argv[2], NULL);
  json_object_set_string_member (arguments, "filename", path);
  result = hv_client_execute_sync (client, "screendump", arguments, NULL, error);
  return result != NULL ? 0 : -1;
}

static gboolean stop_force;

static const GOptionEntry stop_entries[] = {
  { "force", 'f', 0, G_OPTION_ARG_NONE, &stop_force,
    N_ ("End the guest at once instead of asking it to power off"), NULL },
  { NULL },
};

static int
cmd_stop (int argc, char **argv, GError **error)
{
  g_autoptr (HvRuntime) runtime = hv_runtime_new ();
  g_autoptr (HvGuestInfo) info = NULL;
  g_autoptr (HvClient) client = NULL;
  g_autoptr (JsonObject) result = NULL;
  const char *name;
  int status;

  if (!parse_options (find_command ("stop"), stop_entries, &argc, &argv, &status, error))
    return status;
  if ((name = single_name (argc, argv, "stop", error)) == NULL)
    return -1;
  client = connect_guest (runtime, name, &info, error);
  if (client == NULL)
    return -1;
  result = hv_client_execute_sync (client, stop_force ? "quit" : "powerdown", NULL, NULL, error);
  if (result == NULL)
    return -1;
  if (stop_force && !hv_runtime_wait_for_exit (runtime, info, EXIT_TIMEOUT_MS, error))
    return -1;
  return 0;
}

/* quit, and SIGKILL when hv-vmm does not answer or does not go. */
static int
cmd_kill (int argc, char **argv, GError **error)
{
  g_autoptr (HvRuntime) runtime = hv_runtime_new ();
  g_autoptr (HvGuestInfo) info = NULL;
  const char *name;
  int status;

  if (!parse_options (find_command ("kill"), NULL, &argc, &argv, &status, error))
    return status;
  if ((name = single_name (argc, argv, "kill", error)) == NULL)
    return -1;
  info = hv_runtime_lookup_guest (runtime, name, NULL, error);
  if (info == NULL)
    return -1;
  return hv_runtime_force_off (runtime, info, KILL_ANSWER_TIMEOUT_MS, error) ? 0 : -1;
}

static int
cmd_console (int argc, char **argv, GError **error)
{
  g_autoptr (HvRuntime) runtime = hv_runtime_new ();
  g_autoptr (HvGuestInfo) info = NULL;
  g_autoptr (GSocketConnection) console = NULL;
  gboolean detached = FALSE;
  const char *name;
  int status;

  if (!parse_options (find_command ("console"), NULL, &argc, &argv, &status, error))
    return status;
  if ((name = single_name (argc, argv, "console", error)) == NULL)
    return -1;
  info = hv_runtime_lookup_guest (runtime, name, NULL, error);
  if (info == NULL)
    return -1;
  console = hv_guest_info_connect_console (info, NULL, error);
  if (console == NULL)
    return -1;
  return hvctl_attach (name, NULL, console, &detached, error);
}

static const Command commands[] = {
  { "run", N_ ("--kernel FILE"), N_ ("Run a guest, with its serial console on this terminal."),
    cmd_run },
  { "ps", "", N_ ("List the running guests."), cmd_ps },
  { "stop", N_ ("NAME"), N_ ("Press the guest’s power button (--force: end it at once)."),
    cmd_stop },
  { "kill", N_ ("NAME"),
    N_ ("End the guest at once, killing its hypervisor process if it does not answer."), cmd_kill },
  { "pause", N_ ("NAME"), N_ ("Stop the guest’s virtual CPUs."), cmd_pause },
  { "resume", N_ ("NAME"), N_ ("Let a paused guest run again."), cmd_resume },
  { "console", N_ ("NAME"), N_ ("Attach this terminal to the guest’s serial console."),
    cmd_console },
  { "screenshot", N_ ("NAME FILE"), N_ ("Save the guest’s screen as a PNG file."), cmd_screenshot },
  { "create", N_ ("--name NAME"), N_ ("Define a new machine, with its disks."), hvctl_cmd_create },
  { "start", N_ ("NAME"), N_ ("Start a defined machine in the background."), hvctl_cmd_start },
  { "list", "", N_ ("List the defined machines and whether they run."), hvctl_cmd_list },
  { "rm", N_ ("NAME"), N_ ("Delete a defined machine (--disks: its disk images too)."),
    hvctl_cmd_rm },
  { "net", N_ ("create|list|rm|start|stop|leases"),
    N_ ("Define, list, delete, start and stop virtual networks; show their guests’ addresses."),
    hvctl_cmd_net },
  { "lab", N_ ("create|list|show|start|stop|reset|rm|export|import"),
    N_ ("Labs: copies of a template machine on a network of their own."), hvctl_cmd_lab },
};

static const Command *
find_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, name))
      return &commands[i];
  return NULL;
}

static void
print_usage (FILE *stream)
{
  fprintf (stream, "%s\n\n%s\n", _ ("Usage: hvctl COMMAND [OPTION…] [ARGUMENT…]"), _ ("Commands:"));
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (stream, "  %-9s %s\n", commands[i].name, _ (commands[i].summary));
  fprintf (stream, "\n%s\n", _ ("“hvctl COMMAND --help” describes each command’s options."));
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  const Command *command;
  int status;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  /* A closed stdout or socket shows as an error where it happens, not as death. */
  signal (SIGPIPE, SIG_IGN);
  g_set_prgname ("hvctl");

  if (argc < 2)
    {
      print_usage (stderr);
      return 2;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      print_usage (stdout);
      return 0;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("hvctl %s\n", PACKAGE_VERSION);
      return 0;
    }
  command = find_command (argv[1]);
  if (command == NULL)
    {
      g_printerr ("hvctl: ");
      g_printerr (_ ("Unknown command “%s”; “hvctl --help” lists them"), argv[1]);
      g_printerr ("\n");
      return 2;
    }

  status = command->func (argc - 1, argv + 1, &error);
  if (status < 0)
    {
      g_printerr ("hvctl: %s\n", error != NULL ? error->message : _ ("Failed"));
      return 1;
    }
  return status;
}
