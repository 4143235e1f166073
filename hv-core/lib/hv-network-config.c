/* SPDX-License-Identifier: GPL-3.0-or-later */
/* networks/<name>.conf: the format is hv-core/docs/machine-conf.md. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "hv-error.h"
#include "hv-keyfile-private.h"
#include "hv-launch-options.h"
#include "hv-network-config.h"

G_DEFINE_BOXED_TYPE (HvNetworkConfig, hv_network_config, hv_network_config_copy,
                     hv_network_config_free)
G_DEFINE_ENUM_TYPE (HvNetworkMode, hv_network_mode,
                    G_DEFINE_ENUM_VALUE (HV_NETWORK_MODE_NAT, "nat"),
                    G_DEFINE_ENUM_VALUE (HV_NETWORK_MODE_ISOLATED, "isolated"))

static void
port_forward_free (HvPortForward *forward)
{
  g_free (forward->protocol);
  g_free (forward->guest_address);
  g_free (forward);
}

HvNetworkConfig *
hv_network_config_new (const char *name, HvNetworkMode mode)
{
  HvNetworkConfig *config = g_new0 (HvNetworkConfig, 1);

  config->name = g_strdup (name);
  config->mode = mode;
  config->forwards = g_ptr_array_new_with_free_func ((GDestroyNotify) port_forward_free);
  return config;
}

HvNetworkConfig *
hv_network_config_copy (const HvNetworkConfig *config)
{
  HvNetworkConfig *copy = hv_network_config_new (config->name, config->mode);

  copy->subnet = g_strdup (config->subnet);
  copy->dhcp_start = g_strdup (config->dhcp_start);
  copy->dhcp_end = g_strdup (config->dhcp_end);
  for (guint i = 0; i < config->forwards->len; i++)
    {
      const HvPortForward *forward = g_ptr_array_index (config->forwards, i);
      HvPortForward *new_forward = g_memdup2 (forward, sizeof *forward);

      new_forward->protocol = g_strdup (forward->protocol);
      new_forward->guest_address = g_strdup (forward->guest_address);
      g_ptr_array_add (copy->forwards, new_forward);
    }
  return copy;
}

void
hv_network_config_free (HvNetworkConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->name);
  g_free (config->subnet);
  g_free (config->dhcp_start);
  g_free (config->dhcp_end);
  g_ptr_array_unref (config->forwards);
  g_free (config);
}

const char *
hv_network_mode_to_string (HvNetworkMode mode)
{
  return mode == HV_NETWORK_MODE_ISOLATED ? "isolated" : "nat";
}

gboolean
hv_network_mode_from_string (const char *text, HvNetworkMode *mode)
{
  if (g_strcmp0 (text, "nat") == 0)
    *mode = HV_NETWORK_MODE_NAT;
  else if (g_strcmp0 (text, "isolated") == 0)
    *mode = HV_NETWORK_MODE_ISOLATED;
  else
    return FALSE;
  return TRUE;
}

/* A dotted IPv4 address, each part 0 to 255 written without a sign. */
static gboolean
parse_ipv4 (const char *text, guint32 *address)
{
  g_auto (GStrv) parts = g_strsplit (text, ".", -1);
  guint32 value = 0;

  if (g_strv_length (parts) != 4)
    return FALSE;
  for (guint i = 0; i < 4; i++)
    {
      guint64 part;

      if (!g_ascii_string_to_unsigned (parts[i], 10, 0, 255, &part, NULL))
        return FALSE;
      value = value << 8 | part;
    }
  *address = value;
  return TRUE;
}

static char *
format_ipv4 (guint32 address)
{
  return g_strdup_printf ("%u.%u.%u.%u", address >> 24, (address >> 16) & 0xff,
                          (address >> 8) & 0xff, address & 0xff);
}

gboolean
hv_subnet_parse (const char *text, guint32 *address, guint *prefix, GError **error)
{
  const char *slash = text != NULL ? strchr (text, '/') : NULL;
  g_autofree char *host = slash != NULL ? g_strndup (text, slash - text) : NULL;
  guint64 bits;

  if (slash == NULL || !parse_ipv4 (host, address) ||
      !g_ascii_string_to_unsigned (slash + 1, 10, 8, 30, &bits, NULL))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Invalid subnet “%s”: write it as an IPv4 address and a prefix length from "
                      "8 to 30, such as 10.0.2.0/24"),
                   text != NULL ? text : "");
      return FALSE;
    }
  *prefix = bits;
  if ((*address & ~(G_MAXUINT32 << (32 - bits))) != 0)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Invalid subnet “%s”: the address has bits set beyond the /%u prefix"), text,
                   *prefix);
      return FALSE;
    }
  return TRUE;
}

/* Checks that ADDRESS_TEXT is a host of the subnet (not its network, gateway
 * or broadcast address); FALLBACK fills it in when NULL. */
static gboolean
check_host (char **address_text, guint32 network, guint prefix, guint32 fallback, GError **error)
{
  guint32 mask = G_MAXUINT32 << (32 - prefix);
  guint32 address;

  if (*address_text == NULL)
    *address_text = format_ipv4 (fallback);
  if (!parse_ipv4 (*address_text, &address) || (address & mask) != network ||
      address == network + 1 || (address | mask) == G_MAXUINT32 || address == network)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("“%s” is not a host address of the network’s subnet"), *address_text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_forward (const HvPortForward *forward, guint32 network, guint prefix, GError **error)
{
  g_autofree char *guest = g_strdup (forward->guest_address);

  if (g_strcmp0 (forward->protocol, "tcp") != 0 && g_strcmp0 (forward->protocol, "udp") != 0)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("Invalid protocol “%s” for a port forward: use tcp or udp"),
                   forward->protocol != NULL ? forward->protocol : "");
      return FALSE;
    }
  if (forward->host_port < 1 || forward->host_port > 65535 || forward->guest_port < 1 ||
      forward->guest_port > 65535)
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                           _ ("Invalid port in a port forward: use 1 to 65535"));
      return FALSE;
    }
  if (guest == NULL)
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                           _ ("A port forward needs the guest’s address"));
      return FALSE;
    }
  return check_host (&guest, network, prefix, 0, error);
}

gboolean
hv_network_config_validate (HvNetworkConfig *config, GError **error)
{
  guint32 network, start, end;
  guint prefix;
  guint64 size;

  g_return_val_if_fail (config != NULL, FALSE);

  if (!hv_name_is_valid (config->name, error) ||
      !hv_subnet_parse (config->subnet, &network, &prefix, error))
    return FALSE;
  /* .100 to .199 of a /24; the upper half of a smaller subnet. */
  size = (guint64) 1 << (32 - prefix);
  if (!check_host (&config->dhcp_start, network, prefix,
                   size >= 256 ? network + 100 : network + size / 2, error) ||
      !check_host (&config->dhcp_end, network, prefix,
                   size >= 256 ? network + 199 : network + size - 2, error))
    return FALSE;
  parse_ipv4 (config->dhcp_start, &start);
  parse_ipv4 (config->dhcp_end, &end);
  if (start > end)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("The DHCP range starts at %s, after its end %s"), config->dhcp_start,
                   config->dhcp_end);
      return FALSE;
    }
  if (config->mode == HV_NETWORK_MODE_ISOLATED && config->forwards->len > 0)
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                           _ ("An isolated network cannot forward ports from the host"));
      return FALSE;
    }
  for (guint i = 0; i < config->forwards->len; i++)
    if (!validate_forward (g_ptr_array_index (config->forwards, i), network, prefix, error))
      return FALSE;
  return TRUE;
}

static gboolean
read_forward (const HvKeyReader *reader, const char *group, HvNetworkConfig *config, GError **error)
{
  HvPortForward *forward = g_new0 (HvPortForward, 1);

  g_ptr_array_add (config->forwards, forward);
  return _hv_key_reader_string (reader, group, "protocol", TRUE, &forward->protocol, error) &&
         _hv_key_reader_uint (reader, group, "host-port", 1, 65535, &forward->host_port, error) &&
         _hv_key_reader_string (reader, group, "guest", TRUE, &forward->guest_address, error) &&
         _hv_key_reader_uint (reader, group, "guest-port", 1, 65535, &forward->guest_port, error);
}

static gboolean
read_network (const HvKeyReader *reader, HvNetworkConfig *config, GError **error)
{
  g_autofree char *mode = NULL;
  g_autoptr (GError) local_error = NULL;

  if (!_hv_key_reader_string (reader, "network", "name", TRUE, &config->name, error) ||
      !_hv_key_reader_string (reader, "network", "mode", TRUE, &mode, error) ||
      !_hv_key_reader_string (reader, "network", "subnet", TRUE, &config->subnet, error) ||
      !_hv_key_reader_string (reader, "network", "dhcp-start", FALSE, &config->dhcp_start, error) ||
      !_hv_key_reader_string (reader, "network", "dhcp-end", FALSE, &config->dhcp_end, error))
    return FALSE;
  if (!hv_network_mode_from_string (mode, &config->mode))
    {
      _hv_key_reader_error (reader, "network", "mode", error,
                            _ ("unknown network mode “%s”: use nat or isolated"), mode);
      return FALSE;
    }
  for (guint i = 0;; i++)
    {
      g_autofree char *group = g_strdup_printf ("forward%u", i);

      if (!g_key_file_has_group (reader->key_file, group))
        break;
      if (!read_forward (reader, group, config, error))
        return FALSE;
    }
  if (!hv_network_config_validate (config, &local_error))
    {
      _hv_key_reader_error (reader, "network", NULL, error, "%s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

HvNetworkConfig *
hv_network_config_load_file (const char *filename, GError **error)
{
  g_autoptr (HvNetworkConfig) config = hv_network_config_new (NULL, HV_NETWORK_MODE_NAT);
  g_auto (HvKeyReader) reader = { 0 };
  g_autofree char *data = NULL;

  data = _hv_read_file (filename, error);
  if (data == NULL)
    return NULL;
  if (!_hv_key_reader_init (&reader, data, filename, error) ||
      !read_network (&reader, config, error))
    return NULL;
  return g_steal_pointer (&config);
}

char *
hv_network_config_to_data (const HvNetworkConfig *config)
{
  g_autoptr (GKeyFile) key_file = g_key_file_new ();

  g_key_file_set_string (key_file, "network", "name", config->name);
  g_key_file_set_string (key_file, "network", "mode", hv_network_mode_to_string (config->mode));
  g_key_file_set_string (key_file, "network", "subnet", config->subnet);
  g_key_file_set_string (key_file, "network", "dhcp-start", config->dhcp_start);
  g_key_file_set_string (key_file, "network", "dhcp-end", config->dhcp_end);
  for (guint i = 0; i < config->forwards->len; i++)
    {
      const HvPortForward *forward = g_ptr_array_index (config->forwards, i);
      g_autofree char *group = g_strdup_printf ("forward%u", i);

      g_key_file_set_string (key_file, group, "protocol", forward->protocol);
      g_key_file_set_integer (key_file, group, "host-port", forward->host_port);
      g_key_file_set_string (key_file, group, "guest", forward->guest_address);
      g_key_file_set_integer (key_file, group, "guest-port", forward->guest_port);
    }
  return g_key_file_to_data (key_file, NULL, NULL);
}
