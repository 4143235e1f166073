/* SPDX-License-Identifier: GPL-3.0-or-later */
/* hvctl net start, stop and leases: running the networks the store
 * defines, each as an hv-net process (hv-core/docs/network.md). */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "hvctl.h"

/* How long a network gets to quit before it is killed. */
#define HVCTL_NET_STOP_TIMEOUT_MS 5000

/* The one NAME after the subcommand; --help prints USAGE. */
static const char *
net_name (int argc, char **argv, const char *usage, int *status, GError **error)
{
  if (argc == 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")))
    {
      g_print ("%s\n", usage);
      *status = 0;
      return NULL;
    }
  *status = -1;
  if (argc == 2 && argv[1][0] != '-')
    return argv[1];
  g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT, _ ("Give one network name: %s"), usage);
  return NULL;
}

int
hvctl_net_start (int argc, char **argv, GError **error)
{
  g_autoptr (HvStore) store = hv_store_new ();
  g_autoptr (HvNetworkConfig) config = NULL;
  g_autoptr (HvNetworkInfo) info = NULL;
  const char *name;
  int status;

  name = net_name (argc, argv, "hvctl net start NAME", &status, error);
  if (name == NULL)
    return status;
  config = hv_store_load_network (store, name, error);
  if (config == NULL)
    return -1;
  info = hv_network_launch (hv_store_get_runtime (store), config, NULL, error);
  if (info == NULL)
    return -1;
  g_print (_ ("Started the network “%s”; guests connect to %s\n"), name,
           hv_network_info_get_switch_path (info));
  return 0;
}

int
hvctl_net_stop (int argc, char **argv, GError **error)
{
  g_autoptr (HvStore) store = hv_store_new ();
  g_autoptr (HvNetworkInfo) info = NULL;
  const char *name;
  int status;

  name = net_name (argc, argv, "hvctl net stop NAME", &status, error);
  if (name == NULL)
    return status;
  info = hv_network_lookup (hv_store_get_runtime (store), name, error);
  if (info == NULL)
    return -1;
  return hv_network_stop (hv_store_get_runtime (store), info, HVCTL_NET_STOP_TIMEOUT_MS, error)
             ? 0
             : -1;
}

int
hvctl_net_leases (int argc, char **argv, GError **error)
{
  g_autoptr (HvStore) store = hv_store_new ();
  g_autoptr (GPtrArray) leases = NULL;
  const char *name;
  int status;

  name = net_name (argc, argv, "hvctl net leases NAME", &status, error);
  if (name == NULL)
    return status;
  leases = hv_network_query_leases (hv_store_get_runtime (store), name, NULL, error);
  if (leases == NULL)
    return -1;
  for (guint i = 0; i < leases->len; i++)
    {
      HvNetworkLease *lease = g_ptr_array_index (leases, i);

      g_print ("%-17s  %-15s  %s\n", lease->mac, lease->address, lease->source);
    }
  return 0;
}
