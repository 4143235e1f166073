/* SPDX-License-Identifier: GPL-3.0-or-later */
/* labs/<name>.conf: the format is hv-core/docs/lab-conf.md. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-error.h"
#include "hv-keyfile-private.h"
#include "hv-lab.h"
#include "hv-launch-options.h"

G_DEFINE_BOXED_TYPE (HvLabConfig, hv_lab_config, hv_lab_config_copy, hv_lab_config_free)

HvLabConfig *
hv_lab_config_new (const char *name, const char *template_name, guint count,
                   HvNetworkMode network_mode)
{
  HvLabConfig *config = g_new0 (HvLabConfig, 1);

  config->name = g_strdup (name);
  config->template_name = g_strdup (template_name);
  config->count = count;
  config->network_mode = network_mode;
  return config;
}

HvLabConfig *
hv_lab_config_copy (const HvLabConfig *config)
{
  HvLabConfig *copy =
      hv_lab_config_new (config->name, config->template_name, config->count, config->network_mode);

  copy->prefix = g_strdup (config->prefix);
  copy->subnet = g_strdup (config->subnet);
  return copy;
}

void
hv_lab_config_free (HvLabConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->name);
  g_free (config->template_name);
  g_free (config->prefix);
  g_free (config->subnet);
  g_free (config);
}

char *
hv_lab_config_member_name (const HvLabConfig *config, guint index)
{
  return g_strdup_printf ("%s%02u", config->prefix, index + 1);
}

gboolean
hv_lab_config_validate (HvLabConfig *config, GError **error)
{
  g_autofree char *last_member = NULL;
  g_autoptr (GError) local_error = NULL;
  guint32 address;
  guint prefix;

  g_return_val_if_fail (config != NULL, FALSE);

  if (!hv_name_is_valid (config->name, error))
    return FALSE;
  if (config->template_name == NULL || config->template_name[0] == '\0')
    {
      g_set_error_literal (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                           _ ("A lab needs a template machine to copy its members from"));
      return FALSE;
    }
  if (config->count < 1 || config->count > HV_LAB_MAX_MEMBERS)
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("A lab has from 1 to %u members, not %u"), HV_LAB_MAX_MEMBERS, config->count);
      return FALSE;
    }
  if (config->prefix == NULL)
    config->prefix = g_strdup_printf ("%s-pc", config->name);
  /* The longest member name decides whether every one is valid. */
  last_member = hv_lab_config_member_name (config, config->count - 1);
  if (!hv_name_is_valid (last_member, &local_error))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_INVALID_ARGUMENT,
                   _ ("The name prefix “%s” does not make valid machine names: %s"), config->prefix,
                   local_error->message);
      return FALSE;
    }
  return config->subnet == NULL || hv_subnet_parse (config->subnet, &address, &prefix, error);
}

static gboolean
read_lab (const HvKeyReader *reader, HvLabConfig *config, GError **error)
{
  g_autofree char *mode = NULL;
  g_autoptr (GError) local_error = NULL;

  if (!_hv_key_reader_string (reader, "lab", "name", TRUE, &config->name, error) ||
      !_hv_key_reader_string (reader, "lab", "template", TRUE, &config->template_name, error) ||
      !_hv_key_reader_uint (reader, "lab", "count", 1, HV_LAB_MAX_MEMBERS, &config->count, error) ||
      !_hv_key_reader_string (reader, "lab", "prefix", FALSE, &config->prefix, error) ||
      !_hv_key_reader_string (reader, "lab", "network-mode", TRUE, &mode, error) ||
      !_hv_key_reader_string (reader, "lab", "subnet", FALSE, &config->subnet, error))
    return FALSE;
  if (!hv_network_mode_from_string (mode, &config->network_mode))
    {
      _hv_key_reader_error (reader, "lab", "network-mode", error,
                            _ ("unknown network mode “%s”: use nat or isolated"), mode);
      return FALSE;
    }
  if (!hv_lab_config_validate (config, &local_error))
    {
      _hv_key_reader_error (reader, "lab", NULL, error, "%s", local_error->message);
      return FALSE;
    }
  return TRUE;
}

HvLabConfig *
hv_lab_config_load_data (const char *data, const char *filename, GError **error)
{
  g_autoptr (HvLabConfig) config = hv_lab_config_new (NULL, NULL, 0, HV_NETWORK_MODE_NAT);
  g_auto (HvKeyReader) reader = { 0 };

  if (!_hv_key_reader_init (&reader, data, filename, error) || !read_lab (&reader, config, error))
    return NULL;
  return g_steal_pointer (&config);
}

HvLabConfig *
hv_lab_config_load_file (const char *filename, GError **error)
{
  g_autofree char *data = NULL;

  data = _hv_read_file (filename, error);
  if (data == NULL)
    return NULL;
  return hv_lab_config_load_data (data, filename, error);
}

char *
hv_lab_config_to_data (const HvLabConfig *config)
{
  g_autoptr (GKeyFile) key_file = g_key_file_new ();

  g_key_file_set_string (key_file, "lab", "name", config->name);
  g_key_file_set_string (key_file, "lab", "template", config->template_name);
  g_key_file_set_integer (key_file, "lab", "count", config->count);
  g_key_file_set_string (key_file, "lab", "prefix", config->prefix);
  g_key_file_set_string (key_file, "lab", "network-mode",
                         hv_network_mode_to_string (config->network_mode));
  if (config->subnet != NULL)
    g_key_file_set_string (key_file, "lab", "subnet", config->subnet);
  return g_key_file_to_data (key_file, NULL, NULL);
}
