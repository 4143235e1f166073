/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hvctl create, start, list, rm and net: the machines and networks defined
 * under $XDG_DATA_HOME/hangar (hv-core/docs/machine-conf.md). */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "hvctl.h"

static gboolean opt_help;

static const GOptionEntry help_entries[] = {
  { "help", 'h', 0, G_OPTION_ARG_NONE, &opt_help, N_ ("Show help options"), NULL },
  { NULL },
};

gboolean
hvctl_parse_options (const char *command, const char *parameters, const char *summary,
                     const GOptionEntry *entries, int *argc, char ***argv, int *status,
                     GError **error)
{
  g_autoptr (GOptionContext) context = g_option_context_new (parameters);
  g_autofree char *prgname = g_strdup_printf ("hvctl %s", command);

  g_set_prgname (prgname);
  g_option_context_set_help_enabled (context, FALSE);
  g_option_context_set_summary (context, summary);
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
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
      g_print ("%s", help);
      *status = 0;
      return FALSE;
    }
  return TRUE;
}

const char *
hvctl_one_name (int argc, char **argv, const char *usage, GError **error)
{
  if (argc == 2)
    return argv[1];
  g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
               argc < 2 ? _ ("Give a name: %s") : _ ("Too many arguments: %s"), usage);
  return NULL;
}

gboolean
hvctl_no_arguments (int argc, char **argv, GError **error)
{
  if (argc <= 1)
    return TRUE;
  g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, _ ("Unexpected argument “%s”"), argv[1]);
  return FALSE;
}

/* ---- create ---- */

static char *create_name;
static char *create_memory;
static int create_cpus = 1;
static char **create_disks;
static char **create_networks;
static char *create_kernel;
static char *create_initrd;
static char *create_append;
static char *create_display;
static char *create_os_name;
static gboolean create_autostart;

static const GOptionEntry create_entries[] = {
  { "name", 'n', 0, G_OPTION_ARG_STRING, &create_name, N_ ("Name of the new machine"),
    N_ ("NAME") },
  { "memory", 'm', 0, G_OPTION_ARG_STRING, &create_memory,
    N_ ("Guest memory, such as 512M or 2G (default 512M)"), N_ ("SIZE") },
  { "cpus", 'c', 0, G_OPTION_ARG_INT, &create_cpus, N_ ("Number of virtual CPUs (default 1)"),
    N_ ("N") },
  { "disk", 'd', 0, G_OPTION_ARG_STRING_ARRAY, &create_disks,
    N_ ("A new disk image (size=6G) or an existing one (path=FILE[,readonly=on][,cdrom=on]); "
        "may be repeated"),
    N_ ("SPEC") },
  { "network", 'w', 0, G_OPTION_ARG_STRING_ARRAY, &create_networks,
    N_ ("A network card: nat[:NET], isolated:NET, user, bridge:BRIDGE or none (default nat); "
        "may be repeated"),
    N_ ("MODE") },
  { "kernel", 'k', 0, G_OPTION_ARG_FILENAME, &create_kernel,
    N_ ("Linux kernel to boot (bzImage or PVH vmlinux)"), N_ ("FILE") },
  { "initrd", 'i', 0, G_OPTION_ARG_FILENAME, &create_initrd, N_ ("Initial RAM disk"), N_ ("FILE") },
  { "append", 'a', 0, G_OPTION_ARG_STRING, &create_append, N_ ("Kernel command line"),
    N_ ("STRING") },
  { "display", 0, 0, G_OPTION_ARG_STRING, &create_display,
    N_ ("Graphical display: spice or none (default none)"), N_ ("TYPE") },
  { "os-name", 0, 0, G_OPTION_ARG_STRING, &create_os_name,
    N_ ("The guest’s operating system, for people"), N_ ("TEXT") },
  { "autostart", 0, 0, G_OPTION_ARG_NONE, &create_autostart,
    N_ ("Start the machine when Hangar starts"), NULL },
  { NULL },
};

static gboolean
parse_on_off (const char *key, const char *value, gboolean *out, GError **error)
{
  if (g_str_equal (value, "on") || g_str_equal (value, "yes") || g_str_equal (value, "true"))
    *out = TRUE;
  else if (g_str_equal (value, "off") || g_str_equal (value, "no") || g_str_equal (value, "false"))
    *out = FALSE;
  else
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Invalid value “%s” for %s: use on or off"), value, key);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_disk_option (HvDiskConfig *disk, const char *key, const char *value, GError **error)
{
  guint64 mib;

  if (g_str_equal (key, "size"))
    {
      if (!hv_parse_size_mib (value, &mib, error))
        return FALSE;
      disk->size_bytes = mib << 20;
      return TRUE;
    }
  if (g_str_equal (key, "path"))
    {
      g_free (disk->path);
      disk->path = g_canonicalize_filename (value, NULL);
      return TRUE;
    }
  if (g_str_equal (key, "serial"))
    {
      g_free (disk->serial);
      disk->serial = g_strdup (value);
      return TRUE;
    }
  if (g_str_equal (key, "readonly"))
    return parse_on_off (key, value, &disk->readonly, error);
  if (g_str_equal (key, "cdrom"))
    return parse_on_off (key, value, &disk->cdrom, error);
  g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
               _ ("Unknown disk option “%s”: use size, path, readonly, cdrom or serial"), key);
  return FALSE;
}

/* "size=6G" or "path=FILE,readonly=on". */
static gboolean
add_disk (HvMachineConfig *config, const char *spec, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (spec, ",", -1);
  HvDiskConfig *disk = hv_machine_config_add_disk (config, NULL, 0, FALSE);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *equals = strchr (parts[i], '=');
      g_autofree char *key = equals != NULL ? g_strndup (parts[i], equals - parts[i]) : NULL;

      if (key == NULL)
        {
          g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                       _ ("Invalid disk “%s”: write it as size=6G or path=FILE"), spec);
          return FALSE;
        }
      if (!parse_disk_option (disk, key, equals + 1, error))
        return FALSE;
    }
  if (disk->cdrom)
    disk->readonly = TRUE;
  if (disk->path != NULL && disk->size_bytes == 0 &&
      !g_file_test (disk->path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_NOT_FOUND,
                   _ ("The disk image %s does not exist: add size=SIZE to create it"), disk->path);
      return FALSE;
    }
  return TRUE;
}

/* "nat", "nat:NET", "isolated:NET", "user", "bridge:BR", "none". */
static gboolean
add_network (HvMachineConfig *config, const char *spec, GError **error)
{
  const char *colon = strchr (spec, ':');
  g_autofree char *mode_text = colon != NULL ? g_strndup (spec, colon - spec) : g_strdup (spec);
  HvNicMode mode;

  if (!hv_nic_mode_from_string (mode_text, &mode))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Invalid network “%s”: use nat, nat:NET, isolated:NET, user, bridge:BRIDGE "
                      "or none"),
                   spec);
      return FALSE;
    }
  if (mode == HV_NIC_MODE_NONE)
    return TRUE;
  hv_machine_config_add_nic (config, mode, colon != NULL ? colon + 1 : NULL);
  return TRUE;
}

static gboolean
check_readable (const char *path, GError **error)
{
  if (path == NULL || g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  g_set_error (error, HV_ERROR, HV_ERROR_NOT_FOUND, _ ("%s does not exist or is not a file"), path);
  return FALSE;
}

static gboolean
fill_boot (HvMachineConfig *config, GError **error)
{
  if (create_display != NULL && g_str_equal (create_display, "spice"))
    config->display = HV_DISPLAY_SPICE;
  else if (create_display != NULL && !g_str_equal (create_display, "none"))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Invalid display “%s”: use spice or none"), create_display);
      return FALSE;
    }
  config->kernel = create_kernel != NULL ? g_canonicalize_filename (create_kernel, NULL) : NULL;
  config->initrd = create_initrd != NULL ? g_canonicalize_filename (create_initrd, NULL) : NULL;
  config->cmdline = g_strdup (create_append);
  config->os_name = g_strdup (create_os_name);
  config->autostart = create_autostart;
  return check_readable (config->kernel, error) && check_readable (config->initrd, error);
}

static HvMachineConfig *
create_config (GError **error)
{
  g_autoptr (HvMachineConfig) config = NULL;

  if (create_name == NULL)
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                           _ ("The machine needs a name: give one with --name NAME"));
      return NULL;
    }
  if (create_cpus < 1)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Invalid number of CPUs “%d”: give 1 or more"), create_cpus);
      return NULL;
    }
  config = hv_machine_config_new (create_name);
  config->cpus = create_cpus;
  if (create_memory != NULL && !hv_parse_size_mib (create_memory, &config->memory_mib, error))
    return NULL;
  for (guint i = 0; create_disks != NULL && create_disks[i] != NULL; i++)
    if (!add_disk (config, create_disks[i], error))
      return NULL;
  if (create_networks == NULL)
    hv_machine_config_add_nic (config, HV_NIC_MODE_NAT, NULL);
  for (guint i = 0; create_networks != NULL && create_networks[i] != NULL; i++)
    if (!add_network (config, create_networks[i], error))
      return NULL;
  if (!fill_boot (config, error))
    return NULL;
  return g_steal_pointer (&config);
}

int
hvctl_cmd_create (int argc, char **argv, GError **error)
{
  g_autoptr (HvStore) store = hv_store_new ();
  g_autoptr (HvMachineConfig) config = NULL;
  int status = -1;

  if (!hvctl_parse_options ("create", "--name NAME", _ ("Define a new machine."), create_entries,
                            &argc, &argv, &status, error) ||
      !hvctl_no_arguments (argc, argv, error))
    return status;
  config = create_config (error);
  if (config == NULL || !hv_store_create_machine (store, config, NULL, error))
    return -1;
  g_print (_ ("Created “%s” in %s. Start it with: hvctl start %s\n"), config->name,
           hv_store_get_machines_directory (store), config->name);
  return 0;
}

/* ---- start ---- */

static char *start_console_log;
static char *start_log;

static const GOptionEntry start_entries[] = {
  { "console-log", 0, 0, G_OPTION_ARG_FILENAME, &start_console_log,
    N_ ("Append the console output to FILE"), N_ ("FILE") },
  { "log", 0, 0, G_OPTION_ARG_FILENAME, &start_log,
    N_ ("Write the hypervisor’s own messages to FILE"), N_ ("FILE") },
  { NULL },
};

int
hvctl_cmd_start (int argc, char **argv, GError **error)
{
  g_autoptr (HvStore) store = hv_store_new ();
  g_autoptr (HvLaunchOptions) options = NULL;
  g_autoptr (HvGuestInfo) info = NULL;
  const char *name;
  int status = -1;

  if (!hvctl_parse_options ("start", "NAME", _ ("Start a defined machine in the background."),
                            start_entries, &argc, &argv, &status, error) ||
      (name = hvctl_one_name (argc, argv, "hvctl start NAME", error)) == NULL)
    return status;
  options = hv_store_prepare_start (store, name, NULL, error);
  if (options == NULL)
    return -1;
  options->console_log = g_strdup (start_console_log);
  options->vmm_log = g_strdup (start_log);
  info = hv_runtime_launch (hv_store_get_runtime (store), options, NULL, NULL, NULL, error);
  if (info == NULL)
    return -1;
  g_print (_ ("Started “%s”. Attach to its console with: hvctl console %s\n"), name, name);
  return 0;
}

/* ---- list ---- */

static gboolean
is_running (GPtrArray *guests, const char *name)
{
  for (guint i = 0; i < guests->len; i++)
    if (g_strcmp0 (hv_guest_info_get_name (g_ptr_array_index (guests, i)), name) == 0)
      return TRUE;
  return FALSE;
}

static void
print_machine (HvStore *store, GPtrArray *guests, const char *name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (HvMachineConfig) config = hv_store_load_machine (store, name, &error);
  g_autofree char *memory = NULL;

  if (config == NULL)
    {
      g_print ("%-20s  %-8s  %s\n", name, _ ("broken"), error->message);
      return;
    }
  memory = hv_format_size_mib (config->memory_mib);
  g_print ("%-20s  %-8s  %4u  %6s  %s\n", name,
           is_running (guests, name) ? _ ("running") : _ ("stopped"), config->cpus, memory,
           config->uuid);
}

int
hvctl_cmd_list (int argc, char **argv, GError **error)
{
  g_autoptr (HvStore) store = hv_store_new ();
  g_autoptr (GPtrArray) guests = NULL;
  g_auto (GStrv) names = NULL;
  int status = -1;

  if (!hvctl_parse_options ("list", "", _ ("List the defined machines and whether they run."), NULL,
                            &argc, &argv, &status, error) ||
      !hvctl_no_arguments (argc, argv, error))
    return status;
  names = hv_store_list_machines (store, error);
  if (names == NULL)
    return -1;
  guests = hv_runtime_list_guests (hv_store_get_runtime (store), NULL, error);
  if (guests == NULL)
    return -1;
  g_print ("%-20s  %-8s  %4s  %6s  %s\n", _ ("NAME"), _ ("STATE"), _ ("CPUS"), _ ("MEMORY"),
           _ ("UUID"));
  for (guint i = 0; names[i] != NULL; i++)
    print_machine (store, guests, names[i]);
  return 0;
}

/* ---- rm ---- */

static gboolean rm_disks;

static const GOptionEntry rm_entries[] = {
  { "disks", 0, 0, G_OPTION_ARG_NONE, &rm_disks,
    N_ ("Delete the disk images in the machine’s own directory too"), NULL },
  { NULL },
};

int
hvctl_cmd_rm (int argc, char **argv, GError **error)
{
  g_autoptr (HvStore) store = hv_store_new ();
  const char *name;
  int status = -1;

  if (!hvctl_parse_options ("rm", "NAME", _ ("Delete a machine that is not running."), rm_entries,
                            &argc, &argv, &status, error) ||
      (name = hvctl_one_name (argc, argv, "hvctl rm NAME [--disks]", error)) == NULL)
    return status;
  return hv_store_delete_machine (store, name, rm_disks, error) ? 0 : -1;
}

/* ---- net ---- */

static char *net_mode;
static char *net_subnet;

static const GOptionEntry net_create_entries[] = {
  { "mode", 0, 0, G_OPTION_ARG_STRING, &net_mode, N_ ("nat or isolated (default nat)"),
    N_ ("MODE") },
  { "subnet", 0, 0, G_OPTION_ARG_STRING, &net_subnet,
    N_ ("IPv4 subnet such as 10.0.2.0/24 (default: the first free 10.0.N.0/24)"), N_ ("CIDR") },
  { NULL },
};

static int
net_create (int argc, char **argv, GError **error)
{
  g_autoptr (HvStore) store = hv_store_new ();
  g_autoptr (HvNetworkConfig) config = NULL;
  HvNetworkMode mode = HV_NETWORK_MODE_NAT;
  const char *name;
  int status = -1;

  if (!hvctl_parse_options ("net create", "NAME", _ ("Define a virtual network."),
                            net_create_entries, &argc, &argv, &status, error) ||
      (name = hvctl_one_name (argc, argv, "hvctl net create NAME [--mode nat|isolated]", error)) ==
          NULL)
    return status;
  if (net_mode != NULL && !hv_network_mode_from_string (net_mode, &mode))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Invalid network mode “%s”: use nat or isolated"), net_mode);
      return -1;
    }
  config = hv_network_config_new (name, mode);
  config->subnet = g_strdup (net_subnet);
  if (!hv_store_create_network (store, config, error))
    return -1;
  g_print (_ ("Created the network “%s” on %s.\n"), name, config->subnet);
  return 0;
}

static int
net_list (int argc, char **argv, GError **error)
{
  g_autoptr (HvStore) store = hv_store_new ();
  g_auto (GStrv) names = NULL;
  int status = -1;

  if (!hvctl_parse_options ("net list", "", _ ("List the virtual networks."), NULL, &argc, &argv,
                            &status, error) ||
      !hvctl_no_arguments (argc, argv, error))
    return status;
  names = hv_store_list_networks (store, error);
  if (names == NULL)
    return -1;
  g_print ("%-20s  %-8s  %-18s  %s\n", _ ("NAME"), _ ("MODE"), _ ("SUBNET"), _ ("DHCP"));
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr (GError) local_error = NULL;
      g_autoptr (HvNetworkConfig) config = hv_store_load_network (store, names[i], &local_error);

      if (config == NULL)
        g_print ("%-20s  %-8s  %s\n", names[i], _ ("broken"), local_error->message);
      else
        g_print ("%-20s  %-8s  %-18s  %s-%s\n", names[i], hv_network_mode_to_string (config->mode),
                 config->subnet, config->dhcp_start, config->dhcp_end);
    }
  return 0;
}

static int
net_rm (int argc, char **argv, GError **error)
{
  g_autoptr (HvStore) store = hv_store_new ();
  const char *name;
  int status = -1;

  if (!hvctl_parse_options ("net rm", "NAME", _ ("Delete a virtual network no machine uses."), NULL,
                            &argc, &argv, &status, error) ||
      (name = hvctl_one_name (argc, argv, "hvctl net rm NAME", error)) == NULL)
    return status;
  return hv_store_delete_network (store, name, error) ? 0 : -1;
}

int
hvctl_cmd_net (int argc, char **argv, GError **error)
{
  if (argc >= 2 && g_str_equal (argv[1], "create"))
    return net_create (argc - 1, argv + 1, error);
  if (argc >= 2 && g_str_equal (argv[1], "list"))
    return net_list (argc - 1, argv + 1, error);
  if (argc >= 2 && g_str_equal (argv[1], "rm"))
    return net_rm (argc - 1, argv + 1, error);
  if (argc >= 2 && g_str_equal (argv[1], "start"))
    return hvctl_net_start (argc - 1, argv + 1, error);
  if (argc >= 2 && g_str_equal (argv[1], "stop"))
    return hvctl_net_stop (argc - 1, argv + 1, error);
  if (argc >= 2 && g_str_equal (argv[1], "leases"))
    return hvctl_net_leases (argc - 1, argv + 1, error);
  if (argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      g_print ("%s\n", _ ("Usage: hvctl net create NAME [--mode nat|isolated] [--subnet CIDR]\n"
                          "       hvctl net list\n"
                          "       hvctl net rm NAME\n"
                          "       hvctl net start NAME\n"
                          "       hvctl net stop NAME\n"
                          "       hvctl net leases NAME"));
      return 0;
    }
  if (argc < 2)
    g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                         _ ("Give a command: hvctl net create, list, rm, start, stop or leases"));
  else
    g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                 _ ("Unknown “hvctl net” command “%s”: use create, list, rm, start, stop or "
                    "leases"),
                 argv[1]);
  return -1;
}
