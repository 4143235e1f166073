/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hvctl lab: a template, N member clones on one network (lab-conf.md). */
#define _GNU_SOURCE /* rpmatch () */
#include "config.h"

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "hvctl.h"

/* ---- Long work: in a thread, Ctrl-C cancelling it ---- */

typedef gboolean (*LabWork) (HvStore *store, gpointer data, GCancellable *cancellable,
                             HvLabProgress progress, gpointer user_data, GError **error);

typedef struct
{
  HvStore *store;
  LabWork work;
  gpointer data;
  GCancellable *cancellable;
  GMainLoop *loop;
  gboolean ok;
  GError *error;
  gboolean show_progress;
} LabJob;

static void
print_progress (double fraction, const char *member, gpointer user_data)
{
  LabJob *job = user_data;

  if (!job->show_progress)
    return;
  /* \r and the erase-line sequence: one line that updates in place. */
  if (member != NULL)
    fprintf (stderr, "\r\033[K%s %3d%%", member, (int) (fraction * 100));
  else
    fprintf (stderr, "\r\033[K");
  fflush (stderr);
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static gpointer
lab_job_thread (gpointer user_data)
{
  LabJob *job = user_data;

  job->ok = job->work (job->store, job->data, job->cancellable, print_progress, job, &job->error);
  /* Quit from inside the loop: a quit before g_main_loop_run () starts
   * would be lost. */
  g_idle_add (quit_loop, job->loop);
  return NULL;
}

static gboolean
on_interrupt (gpointer user_data)
{
  LabJob *job = user_data;

  g_cancellable_cancel (job->cancellable);
  return G_SOURCE_CONTINUE;
}

/* Runs WORK in a thread while the main loop turns Ctrl-C (and SIGTERM)
 * into a cancellation. WORK_UNDONE: whether WORK answers it by undoing what
 * it did; if not, its own error says what it left done. */
static gboolean
run_lab_job (HvStore *store, LabWork work, gpointer data, gboolean work_undone, GError **error)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  LabJob job = { store, work, data, cancellable, loop, FALSE, NULL, isatty (STDERR_FILENO) };
  guint sigint = g_unix_signal_add (SIGINT, on_interrupt, &job);
  guint sigterm = g_unix_signal_add (SIGTERM, on_interrupt, &job);
  GThread *thread = g_thread_new ("lab", lab_job_thread, &job);

  g_main_loop_run (loop);
  g_thread_join (thread);
  g_source_remove (sigint);
  g_source_remove (sigterm);
  if (job.ok)
    return TRUE;
  if (work_undone && g_error_matches (job.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&job.error);
      g_set_error_literal (&job.error, HV_ERROR, HV_ERROR_FAILED,
                           _ ("Cancelled; nothing of it was kept"));
    }
  g_propagate_error (error, job.error);
  return FALSE;
}

/* ---- create ---- */

static char *create_template;
static int create_count;
static char *create_network;
static char *create_prefix;
static char *create_subnet;

static const GOptionEntry create_entries[] = {
  { "template", 't', 0, G_OPTION_ARG_STRING, &create_template,
    N_ ("The machine the members are copied from"), N_ ("MACHINE") },
  { "count", 'n', 0, G_OPTION_ARG_INT, &create_count, N_ ("Number of members, 1 to 99"), N_ ("N") },
  { "network", 0, 0, G_OPTION_ARG_STRING, &create_network,
    N_ ("nat (the members reach the Internet) or isolated (only each other); default nat"),
    N_ ("MODE") },
  { "prefix", 0, 0, G_OPTION_ARG_STRING, &create_prefix,
    N_ ("Members are named PREFIX01, PREFIX02…; default NAME-pc"), N_ ("PREFIX") },
  { "subnet", 0, 0, G_OPTION_ARG_STRING, &create_subnet,
    N_ ("The lab network’s IPv4 subnet, such as 10.0.5.0/24; default a free one"), N_ ("CIDR") },
  { NULL },
};

static gboolean
create_work (HvStore *store, gpointer data, GCancellable *cancellable, HvLabProgress progress,
             gpointer user_data, GError **error)
{
  return hv_lab_create (store, data, cancellable, progress, user_data, error);
}

static void
print_created (const HvLabConfig *config)
{
  g_autofree char *first = hv_lab_config_member_name (config, 0);
  g_autofree char *last = hv_lab_config_member_name (config, config->count - 1);

  g_print (_ ("Created the lab “%s”: %s to %s on the %s network %s. Start it with: hvctl lab "
              "start %s\n"),
           config->name, first, last, hv_network_mode_to_string (config->network_mode),
           config->subnet, config->name);
}

static int
lab_create (int argc, char **argv, GError **error)
{
  g_autoptr (HvStore) store = hv_store_new ();
  g_autoptr (HvLabConfig) config = NULL;
  HvNetworkMode mode = HV_NETWORK_MODE_NAT;
  const char *name;
  int status = -1;

  if (!hvctl_parse_options ("lab create", _ ("NAME --template MACHINE --count N"),
                            _ ("Create a lab: N copies of a template machine on a network of "
                               "their own."),
                            create_entries, &argc, &argv, &status, error) ||
      (name = hvctl_one_name (argc, argv, "hvctl lab create NAME", error)) == NULL)
    return status;
  if (create_template == NULL || create_count == 0)
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                           _ ("Give the template and the number of members: --template MACHINE "
                              "--count N"));
      return -1;
    }
  if (create_network != NULL && !hv_network_mode_from_string (create_network, &mode))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Invalid network mode “%s”: use nat or isolated"), create_network);
      return -1;
    }
  if (create_count < 0 || create_count > HV_LAB_MAX_MEMBERS)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("A lab has from 1 to %u members, not %d"), HV_LAB_MAX_MEMBERS, create_count);
      return -1;
    }
  config = hv_lab_config_new (name, create_template, create_count, mode);
  config->prefix = g_strdup (create_prefix);
  config->subnet = g_strdup (create_subnet);
  if (!run_lab_job (store, create_work, config, TRUE, error))
    return -1;
  print_created (config);
  return 0;
}

/* ---- list and show ---- */

/* RUNNING: hv_store_list_running (). */
static guint
count_running (const HvLabConfig *config, GHashTable *running)
{
  guint count = 0;

  for (guint i = 0; i < config->count; i++)
    {
      g_autofree char *member = hv_lab_config_member_name (config, i);

      count += g_hash_table_contains (running, member);
    }
  return count;
}

static int
lab_list (int argc, char **argv, GError **error)
{
  g_autoptr (HvStore) store = hv_store_new ();
  g_auto (GStrv) names = NULL;
  g_autoptr (GHashTable) running = NULL;
  int status = -1;

  if (!hvctl_parse_options ("lab list", "", _ ("List the labs."), NULL, &argc, &argv, &status,
                            error) ||
      !hvctl_no_arguments (argc, argv, error))
    return status;
  names = hv_lab_list (store, error);
  if (names == NULL || (running = hv_store_list_running (store, error)) == NULL)
    return -1;
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr (GError) local_error = NULL;
      g_autoptr (HvLabConfig) config = hv_lab_load (store, names[i], &local_error);

      if (config == NULL)
        {
          g_print ("%-16s  %s: %s\n", names[i], _ ("broken"), local_error->message);
          continue;
        }
      /* Aligned columns first, words that translations lengthen last. */
      g_print ("%-16s  %-16s  %-8s  %-18s  ", config->name, config->template_name,
               hv_network_mode_to_string (config->network_mode),
               config->subnet != NULL ? config->subnet : "-");
      g_print (_ ("%u of %u running\n"), count_running (config, running), config->count);
    }
  return 0;
}

/* MAC to address, from the lab network's hv-net (empty when it does not run). */
static GHashTable *
lab_addresses (HvStore *store, const char *name)
{
  GHashTable *addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GPtrArray) leases =
      hv_network_query_leases (hv_store_get_runtime (store), name, NULL, NULL);

  for (guint i = 0; leases != NULL && i < leases->len; i++)
    {
      const HvNetworkLease *lease = g_ptr_array_index (leases, i);

      g_hash_table_insert (addresses, g_ascii_strdown (lease->mac, -1), g_strdup (lease->address));
    }
  return addresses;
}

/* ADDRESSES: lab_addresses (); RUNNING: hv_store_list_running (). */
static void
print_member (HvStore *store, const char *member, GHashTable *addresses, GHashTable *running)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (HvMachineConfig) config = hv_store_load_machine (store, member, &local_error);
  const char *mac = NULL, *address = NULL;

  if (config == NULL)
    {
      g_print ("  %-16s  %s: %s\n", member, _ ("missing"), local_error->message);
      return;
    }
  if (config->nics->len > 0)
    mac = ((HvNicConfig *) g_ptr_array_index (config->nics, 0))->mac;
  if (mac != NULL)
    {
      g_autofree char *key = g_ascii_strdown (mac, -1);
      address = g_hash_table_lookup (addresses, key);
    }
  g_print ("  %-16s  %-17s  %-15s  %s\n", member, mac != NULL ? mac : "-",
           address != NULL ? address : "-",
           g_hash_table_contains (running, member) ? _ ("running") : _ ("stopped"));
}

static void
print_resources (HvStore *store, const char *name)
{
  HvLabResources resources;
  g_autofree char *memory = NULL;
  g_autofree char *available = NULL;

  if (!hv_lab_get_resources (store, name, &resources, NULL))
    return;
  memory = hv_format_size_mib (resources.memory_mib);
  available = hv_format_size_mib (resources.available_mib);
  g_print (_ ("Needs %s of memory (%s available) and %u virtual CPUs (the host has %u)\n"), memory,
           available, resources.cpus, resources.host_cpus);
}

static int
lab_show (int argc, char **argv, GError **error)
{
  g_autoptr (HvStore) store = hv_store_new ();
  g_autoptr (HvLabConfig) config = NULL;
  g_autoptr (GHashTable) addresses = NULL;
  g_autoptr (GHashTable) running = NULL;
  const char *name;
  int status = -1;

  if (!hvctl_parse_options ("lab show", _ ("NAME"),
                            _ ("Show a lab’s members, their state and addresses."), NULL, &argc,
                            &argv, &status, error) ||
      (name = hvctl_one_name (argc, argv, "hvctl lab show NAME", error)) == NULL)
    return status;
  config = hv_lab_load (store, name, error);
  if (config == NULL || (running = hv_store_list_running (store, error)) == NULL)
    return -1;
  g_print (_ ("Lab “%s”: template “%s”, %s network %s\n"), config->name, config->template_name,
           hv_network_mode_to_string (config->network_mode),
           config->subnet != NULL ? config->subnet : "");
  print_resources (store, name);
  addresses = lab_addresses (store, name);
  for (guint i = 0; i < config->count; i++)
    {
      g_autofree char *member = hv_lab_config_member_name (config, i);
      print_member (store, member, addresses, running);
    }
  return 0;
}

/* ---- start and stop ---- */

/* Says so, on stderr, when the lab asks more of the host than it has. */
static void
warn_if_overcommitted (HvStore *store, const char *name)
{
  HvLabResources resources;

  if (!hv_lab_get_resources (store, name, &resources, NULL))
    return;
  if (hv_lab_resources_memory_overcommitted (&resources))
    {
      g_autofree char *memory = hv_format_size_mib (resources.memory_mib);
      g_autofree char *available = hv_format_size_mib (resources.available_mib);

      g_printerr (_ ("hvctl: warning: the lab’s machines need %s of memory and the host has %s "
                     "available: they will slow down each other and the host, or fail to start\n"),
                  memory, available);
    }
  if (hv_lab_resources_cpus_overcommitted (&resources))
    g_printerr (_ ("hvctl: warning: the lab’s machines have %u virtual CPUs and the host %u: they "
                   "will take turns on the host’s CPUs and run slower\n"),
                resources.cpus, resources.host_cpus);
}

static int
lab_start (int argc, char **argv, GError **error)
{
  g_autoptr (HvStore) store = hv_store_new ();
  const char *name;
  int status = -1;

  if (!hvctl_parse_options ("lab start", _ ("NAME"),
                            _ ("Start every machine of the lab (and its network)."), NULL, &argc,
                            &argv, &status, error) ||
      (name = hvctl_one_name (argc, argv, "hvctl lab start NAME", error)) == NULL)
    return status;
  warn_if_overcommitted (store, name);
  if (!hv_lab_start (store, name, NULL, error))
    return -1;
  g_print (_ ("Started the lab “%s”. “hvctl lab show %s” lists its machines.\n"), name, name);
  return 0;
}

static gboolean stop_force;

static const GOptionEntry stop_entries[] = {
  { "force", 'f', 0, G_OPTION_ARG_NONE, &stop_force,
    N_ ("End the machines at once, as pulling their plugs would"), NULL },
  { NULL },
};

static int
lab_stop (int argc, char **argv, GError **error)
{
  g_autoptr (HvStore) store = hv_store_new ();
  const char *name;
  int status = -1;

  if (!hvctl_parse_options ("lab stop", _ ("NAME"),
                            _ ("Press the power button of every machine of the lab (--force: end "
                               "them at once)."),
                            stop_entries, &argc, &argv, &status, error) ||
      (name = hvctl_one_name (argc, argv, "hvctl lab stop NAME", error)) == NULL)
    return status;
  if (stop_force ? hv_lab_force_off (store, name, error) : hv_lab_shutdown (store, name, error))
    return 0;
  return -1;
}

/* ---- reset ---- */

static gboolean reset_yes;

static const GOptionEntry reset_entries[] = {
  { "yes", 'y', 0, G_OPTION_ARG_NONE, &reset_yes, N_ ("Do not ask for confirmation"), NULL },
  { NULL },
};

static gboolean
reset_work (HvStore *store, gpointer data, GCancellable *cancellable, HvLabProgress progress,
            gpointer user_data, GError **error)
{
  return hv_lab_reset (store, data, cancellable, progress, user_data, error);
}

/* Asks on the terminal; without one, only --yes goes ahead. */
static gboolean
confirm_reset (const char *name, GError **error)
{
  char answer[16] = "";

  if (reset_yes)
    return TRUE;
  if (!isatty (STDIN_FILENO))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Resetting “%s” replaces every member’s disks; add --yes to do so"), name);
      return FALSE;
    }
  g_print (_ ("Replace the disks of every machine of “%s” with fresh copies of the template’s? "
              "What was saved on them is lost. [y/N] "),
           name);
  /* rpmatch () knows the locale's own yes ("s" in Spanish, "y" too). */
  if (fgets (answer, sizeof answer, stdin) != NULL && rpmatch (answer) == 1)
    return TRUE;
  g_set_error_literal (error, HV_ERROR, HV_ERROR_FAILED, _ ("Nothing was reset"));
  return FALSE;
}

static int
lab_reset (int argc, char **argv, GError **error)
{
  g_autoptr (HvStore) store = hv_store_new ();
  const char *name;
  int status = -1;

  if (!hvctl_parse_options ("lab reset", _ ("NAME"),
                            _ ("Give every machine of the lab fresh copies of the template’s "
                               "disks."),
                            reset_entries, &argc, &argv, &status, error) ||
      (name = hvctl_one_name (argc, argv, "hvctl lab reset NAME", error)) == NULL ||
      !confirm_reset (name, error) ||
      !run_lab_job (store, reset_work, (gpointer) name, FALSE, error))
    return -1;
  g_print (_ ("Reset the lab “%s” to its template.\n"), name);
  return 0;
}

/* ---- rm ---- */

static gboolean rm_disks;

static const GOptionEntry rm_entries[] = {
  { "disks", 0, 0, G_OPTION_ARG_NONE, &rm_disks, N_ ("Delete the members’ disk images too"), NULL },
  { NULL },
};

static int
lab_rm (int argc, char **argv, GError **error)
{
  g_autoptr (HvStore) store = hv_store_new ();
  const char *name;
  int status = -1;

  if (!hvctl_parse_options ("lab rm", _ ("NAME"),
                            _ ("Delete a lab: its machines, its network and its definition."),
                            rm_entries, &argc, &argv, &status, error) ||
      (name = hvctl_one_name (argc, argv, "hvctl lab rm NAME", error)) == NULL)
    return status;
  return hv_lab_delete (store, name, rm_disks, error) ? 0 : -1;
}

/* ---- export and import ---- */

static int
lab_export (int argc, char **argv, GError **error)
{
  g_autoptr (HvStore) store = hv_store_new ();
  int status = -1;

  if (!hvctl_parse_options ("lab export", _ ("NAME FILE"),
                            _ ("Write a lab’s definition to a file, for another computer to "
                               "import."),
                            NULL, &argc, &argv, &status, error))
    return status;
  if (argc != 3)
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                           _ ("Give the lab and the file: hvctl lab export NAME FILE"));
      return -1;
    }
  return hv_lab_export (store, argv[1], argv[2], error) ? 0 : -1;
}

static char *import_name;

static const GOptionEntry import_entries[] = {
  { "name", 0, 0, G_OPTION_ARG_STRING, &import_name, N_ ("Give the imported lab the name NAME"),
    N_ ("NAME") },
  { NULL },
};

typedef struct
{
  const char *filename;
  HvLabConfig *config; /* out */
} Import;

static gboolean
import_work (HvStore *store, gpointer data, GCancellable *cancellable, HvLabProgress progress,
             gpointer user_data, GError **error)
{
  Import *import = data;

  import->config =
      hv_lab_import (store, import->filename, import_name, cancellable, progress, user_data, error);
  return import->config != NULL;
}

static int
lab_import (int argc, char **argv, GError **error)
{
  g_autoptr (HvStore) store = hv_store_new ();
  Import import = { NULL, NULL };
  int status = -1;

  if (!hvctl_parse_options ("lab import", _ ("FILE"),
                            _ ("Create a lab from a definition that “hvctl lab export” wrote; "
                               "its template machine must exist here."),
                            import_entries, &argc, &argv, &status, error) ||
      (import.filename = hvctl_one_name (argc, argv, "hvctl lab import FILE", error)) == NULL ||
      !run_lab_job (store, import_work, &import, TRUE, error))
    return -1;
  print_created (import.config);
  hv_lab_config_free (import.config);
  return 0;
}

/* ---- hvctl lab ---- */

typedef struct
{
  const char *name;
  int (*func) (int argc, char **argv, GError **error);
} LabCommand;

static const LabCommand lab_commands[] = {
  { "create", lab_create }, { "list", lab_list },     { "show", lab_show },
  { "start", lab_start },   { "stop", lab_stop },     { "reset", lab_reset },
  { "rm", lab_rm },         { "export", lab_export }, { "import", lab_import },
};

int
hvctl_cmd_lab (int argc, char **argv, GError **error)
{
  for (gsize i = 0; argc >= 2 && i < G_N_ELEMENTS (lab_commands); i++)
    if (g_str_equal (argv[1], lab_commands[i].name))
      return lab_commands[i].func (argc - 1, argv + 1, error);
  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      g_print ("%s\n", _ ("Usage: hvctl lab create NAME --template MACHINE --count N "
                          "[--network nat|isolated] [--prefix PREFIX] [--subnet CIDR]\n"
                          "       hvctl lab list\n"
                          "       hvctl lab show NAME\n"
                          "       hvctl lab start NAME\n"
                          "       hvctl lab stop NAME [--force]\n"
                          "       hvctl lab reset NAME [--yes]\n"
                          "       hvctl lab rm NAME [--disks]\n"
                          "       hvctl lab export NAME FILE\n"
                          "       hvctl lab import FILE [--name NAME]"));
      return 0;
    }
  if (argc < 2)
    g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                         _ ("Give a command: hvctl lab create, list, show, start, stop, reset, "
                            "rm, export or import"));
  else
    g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                 _ ("Unknown “hvctl lab” command “%s”: use create, list, show, start, stop, "
                    "reset, rm, export or import"),
                 argv[1]);
  return -1;
}
