/* SPDX-License-Identifier: GPL-3.0-or-later */
/* From a NIC's back end as text (hv-vmm's command line) to a NetBackend. */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <unistd.h>

#include "net-backend-private.h"

#define NET_DEFAULT_BRIDGE_HELPER "/usr/lib/qemu/qemu-bridge-helper"

static NetBackend *
new_user (const char *subnet, const guint8 *mac, GMainContext *context, GError **error)
{
  NetSlirpConfig config;
  NetBackend *backend = NULL;

  if (net_slirp_config_init (&config, subnet, NULL, error))
    backend = net_backend_user_new (&config, mac, context, error);
  net_slirp_config_clear (&config);
  return backend;
}

static NetBackend *
new_from_helper (const char *bridge, const guint8 *mac, GMainContext *context, GError **error)
{
  const char *helper = g_getenv ("HV_BRIDGE_HELPER");
  int fd;

  if (helper == NULL || *helper == '\0')
    helper = NET_DEFAULT_BRIDGE_HELPER;
  fd = net_tap_open_with_helper (helper, bridge, error);
  return fd >= 0 ? net_backend_tap_new_for_fd (fd, mac, context, error) : NULL;
}

static gboolean
set_spec_error (GError **error, const char *spec)
{
  g_set_error (error, HV_VMM_ERROR, HV_VMM_ERROR_INVALID_ARGUMENT,
               _ ("“%s” is not a network back end: use switch:PATH, user, user:SUBNET, "
                  "tap:BRIDGE or bridge-helper:BRIDGE"),
               spec);
  return FALSE;
}

NetBackend *
net_backend_new_for_spec (const char *spec, const guint8 *mac, GMainContext *context,
                          GError **error)
{
  const char *colon = strchr (spec, ':');
  g_autofree char *kind = colon != NULL ? g_strndup (spec, colon - spec) : g_strdup (spec);
  const char *arg = colon != NULL ? colon + 1 : NULL;

  if (g_str_equal (kind, "user"))
    return new_user (arg, mac, context, error);
  if (arg == NULL || *arg == '\0')
    {
      set_spec_error (error, spec);
      return NULL;
    }
  if (g_str_equal (kind, "switch"))
    return net_backend_switch_new (arg, mac, context, error);
  if (g_str_equal (kind, "tap"))
    return net_backend_tap_new (arg, NULL, mac, context, error);
  if (g_str_equal (kind, "bridge-helper"))
    return new_from_helper (arg, mac, context, error);
  set_spec_error (error, spec);
  return NULL;
}

gboolean
net_mac_parse (const char *text, guint8 *mac)
{
  guint8 parsed[NET_MAC_LEN];

  if (strlen (text) != 3 * NET_MAC_LEN - 1)
    return FALSE;
  for (guint i = 0; i < NET_MAC_LEN; i++)
    {
      const char *p = text + 3 * i;
      int hi = g_ascii_xdigit_value (p[0]);
      int lo = g_ascii_xdigit_value (p[1]);

      if (hi < 0 || lo < 0 || (i + 1 < NET_MAC_LEN && p[2] != ':'))
        return FALSE;
      parsed[i] = hi << 4 | lo;
    }
  memcpy (mac, parsed, NET_MAC_LEN);
  return TRUE;
}
