/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "nic-config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "net-backend.h"

static void
nic_config_clear (gpointer data)
{
  VmmNicConfig *nic = data;

  g_free ((char *) nic->backend);
}

static gboolean
nic_config_item (const char *spec, const char *item, VmmNicConfig *nic, GError **error)
{
  if (g_str_has_prefix (item, "mac="))
    {
      if (net_mac_parse (item + 4, nic->mac) && (nic->mac[0] & 1) == 0)
        return TRUE;
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("--nic %s: the MAC address must be six hexadecimal pairs separated by "
                      "colons, not a multicast address (for example 52:54:00:12:34:56)."),
                   spec);
      return FALSE;
    }
  if (g_str_has_prefix (item, "backend=") && item[8] != '\0')
    {
      g_free ((char *) nic->backend);
      nic->backend = g_strdup (item + 8);
      return TRUE;
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _ ("--nic %s: unknown setting “%s”; use mac=MAC,backend=SPEC."), spec, item);
  return FALSE;
}

static gboolean
nic_config_parse_one (const char *spec, unsigned index, VmmNicConfig *nic, GError **error)
{
  g_auto (GStrv) items = g_strsplit (spec, ",", -1);
  static const uint8_t default_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

  memcpy (nic->mac, default_mac, sizeof nic->mac);
  nic->mac[5] += index;
  for (unsigned i = 0; items[i] != NULL; i++)
    {
      if (!nic_config_item (spec, items[i], nic, error))
        return FALSE;
    }
  if (nic->backend != NULL)
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _ ("--nic %s: say where the NIC is connected with backend=SPEC (switch:PATH, "
                  "user, tap:BRIDGE or bridge-helper:BRIDGE)."),
               spec);
  return FALSE;
}

GArray *
nic_config_parse (const char *const *specs, GError **error)
{
  g_autoptr (GArray) nics = g_array_new (FALSE, TRUE, sizeof (VmmNicConfig));

  g_array_set_clear_func (nics, nic_config_clear);
  for (unsigned i = 0; specs != NULL && specs[i] != NULL; i++)
    {
      VmmNicConfig nic = { 0 };

      if (!nic_config_parse_one (specs[i], i, &nic, error))
        {
          nic_config_clear (&nic);
          return NULL;
        }
      g_array_append_val (nics, nic);
    }
  return g_steal_pointer (&nics);
}
