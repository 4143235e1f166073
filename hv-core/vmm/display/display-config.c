/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "display-config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "framebuffer.h"

static gboolean
display_config_bad (GError **error, const char *text)
{
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _ ("“%s” is not a valid display. Use “none” or "
                  "“spice[,width=W,height=H][,port=N,addr=A,password=P]”."),
               text);
  return FALSE;
}

static gboolean
display_config_number (const char *value, guint64 min, guint64 max, unsigned *out)
{
  guint64 n;

  if (!g_ascii_string_to_unsigned (value, 10, min, max, &n, NULL))
    return FALSE;
  *out = n;
  return TRUE;
}

/* One key=value of the spice display. */
static gboolean
display_config_set (DisplayConfig *config, const char *key, const char *value)
{
  unsigned port;

  if (strcmp (key, "width") == 0)
    return display_config_number (value, FRAMEBUFFER_MIN_WIDTH, FRAMEBUFFER_MAX_WIDTH,
                                  &config->width);
  if (strcmp (key, "height") == 0)
    return display_config_number (value, FRAMEBUFFER_MIN_HEIGHT, FRAMEBUFFER_MAX_HEIGHT,
                                  &config->height);
  if (strcmp (key, "port") == 0)
    {
      if (!display_config_number (value, 1, 65535, &port))
        return FALSE;
      config->port = port;
      return TRUE;
    }
  if (strcmp (key, "addr") == 0 && config->addr == NULL && *value != '\0')
    config->addr = g_strdup (value);
  else if (strcmp (key, "password") == 0 && config->password == NULL && *value != '\0')
    config->password = g_strdup (value);
  else if (strcmp (key, "fb-file") == 0 && config->fb_file == NULL && *value != '\0')
    config->fb_file = g_strdup (value);
  else
    return FALSE;
  return TRUE;
}

static gboolean
display_config_check_tcp (DisplayConfig *config, GError **error)
{
  if (config->port == 0 && (config->addr != NULL || config->password != NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("The display’s addr and password only apply with a TCP port. Add "
                      "port=N, or leave them out to use the local socket."));
      return FALSE;
    }
  if (config->port != 0 && config->password == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _ ("A display on a TCP port needs a password: add password=P."));
      return FALSE;
    }
  return TRUE;
}

gboolean
display_config_parse (DisplayConfig *config, const char *text, GError **error)
{
  g_auto (GStrv) parts = NULL;

  memset (config, 0, sizeof *config);
  if (text == NULL || strcmp (text, "none") == 0)
    return TRUE;
  parts = g_strsplit (text, ",", -1);
  if (parts[0] == NULL || strcmp (parts[0], "spice") != 0)
    return display_config_bad (error, text);
  config->enabled = true;
  config->width = DISPLAY_DEFAULT_WIDTH;
  config->height = DISPLAY_DEFAULT_HEIGHT;
  for (unsigned i = 1; parts[i] != NULL; i++)
    {
      char *eq = strchr (parts[i], '=');

      if (eq == NULL)
        goto bad;
      *eq = '\0';
      if (!display_config_set (config, parts[i], eq + 1))
        goto bad;
    }
  if (!display_config_check_tcp (config, error))
    {
      display_config_clear (config);
      return FALSE;
    }
  return TRUE;

bad:
  display_config_clear (config);
  return display_config_bad (error, text);
}

void
display_config_clear (DisplayConfig *config)
{
  g_clear_pointer (&config->addr, g_free);
  g_clear_pointer (&config->password, g_free);
  g_clear_pointer (&config->fb_file, g_free);
  memset (config, 0, sizeof *config);
}
