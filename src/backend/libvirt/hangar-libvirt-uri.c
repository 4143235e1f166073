/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>

#include "hangar-libvirt-uri.h"

static const struct
{
  const char *driver;
  const char *path;
} presets[] = {
  [HANGAR_LIBVIRT_PRESET_QEMU_SYSTEM] = { "qemu", "/system" },
  [HANGAR_LIBVIRT_PRESET_QEMU_SESSION] = { "qemu", "/session" },
  [HANGAR_LIBVIRT_PRESET_XEN] = { "xen", "/system" },
  [HANGAR_LIBVIRT_PRESET_LXC] = { "lxc", "/system" },
};

/* Host names and user names go into a URI: refuse what would change its meaning. */
static gboolean
is_plain_name (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && strchr ("-._", *p) == NULL)
        return FALSE;
    }
  return TRUE;
}

char *
hangar_libvirt_uri_build (HangarLibvirtPreset preset, const char *user, const char *host,
                          const char *custom_uri, GError **error)
{
  gboolean remote = host != NULL && *host != '\0';
  gboolean has_user = user != NULL && *user != '\0';

  if (preset == HANGAR_LIBVIRT_PRESET_CUSTOM)
    {
      g_autoptr (GUri) uri = NULL;

      uri = custom_uri != NULL ? g_uri_parse (custom_uri, G_URI_FLAGS_NONE, NULL) : NULL;
      if (uri == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                       _ ("“%s” is not a libvirt URI. It looks like qemu:///system or "
                          "qemu+ssh://user@host/system."),
                       custom_uri != NULL ? custom_uri : "");
          return NULL;
        }
      return g_strdup (custom_uri);
    }
  g_return_val_if_fail (preset < G_N_ELEMENTS (presets), NULL);

  if (!remote)
    return g_strdup_printf ("%s://%s", presets[preset].driver, presets[preset].path);

  if (!is_plain_name (host) || (has_user && !is_plain_name (user)))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("Host and user names may only hold letters, digits, “-”, “.” and “_”."));
      return NULL;
    }
  return g_strdup_printf ("%s+ssh://%s%s%s%s", presets[preset].driver, has_user ? user : "",
                          has_user ? "@" : "", host, presets[preset].path);
}

gboolean
hangar_libvirt_uri_is_local (const char *text)
{
  g_autoptr (GUri) uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

  return host == NULL || *host == '\0' || g_str_equal (host, "localhost");
}

gboolean
hangar_libvirt_uri_passes_fds (const char *text)
{
  g_autoptr (GUri) uri = text != NULL ? g_uri_parse (text, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *plus;

  if (uri == NULL)
    return FALSE;
  plus = strchr (g_uri_get_scheme (uri), '+');
  return (plus == NULL || g_str_equal (plus, "+unix")) && hangar_libvirt_uri_is_local (text);
}

char *
hangar_libvirt_uri_describe (const char *text)
{
  g_autoptr (GUri) uri = g_uri_parse (text, G_URI_FLAGS_NONE, NULL);
  g_autofree char *scheme = NULL;
  const char *host;
  const char *path;
  const char *hypervisor;
  char *plus;

  if (uri == NULL)
    return g_strdup (text);
  scheme = g_strdup (g_uri_get_scheme (uri));
  plus = strchr (scheme, '+');
  if (plus != NULL)
    *plus = '\0';
  host = g_uri_get_host (uri);
  path = g_uri_get_path (uri);

  if (g_str_equal (scheme, "qemu"))
    hypervisor = g_str_equal (path, "/session") ? _ ("QEMU/KVM user session") : "QEMU/KVM";
  else if (g_str_equal (scheme, "xen"))
    hypervisor = "Xen";
  else if (g_str_equal (scheme, "lxc"))
    hypervisor = "LXC";
  else if (g_str_equal (scheme, "test"))
    hypervisor = _ ("Test hypervisor");
  else
    return g_strdup (text);

  if (host == NULL || *host == '\0')
    return g_strdup (hypervisor);
  /* Translators: a hypervisor on a host, as in "QEMU/KVM on lab-server" */
  return g_strdup_printf (_ ("%s on %s"), hypervisor, host);
}
