/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "hangar-application.h"

/* Without a GPU, GTK 4.8 renders through Mesa's software GL (llvmpipe): tens
 * of MiB of libraries and more processor time per frame than its own cairo
 * renderer. Hosts without one are common among Hangar's users: remote X
 * sessions, virtual machines, old lab computers. Whoever sets GTK's own
 * variables decides instead. */
static void
prefer_cairo_without_gpu (void)
{
  g_autoptr (GDir) dri = g_dir_open ("/dev/dri", 0, NULL);
  const char *name;

  if (g_getenv ("GSK_RENDERER") != NULL || g_getenv ("GDK_DEBUG") != NULL)
    return;
  while (dri != NULL && (name = g_dir_read_name (dri)) != NULL)
    {
      if (g_str_has_prefix (name, "renderD"))
        return;
    }
  g_setenv ("GSK_RENDERER", "cairo", FALSE);
  g_setenv ("GDK_DEBUG", "gl-disable", FALSE);
}

static void
setup_gettext (void)
{
  /* In the build tree, translations come from the build's po/ directory. */
  const char *localedir = g_getenv ("HANGAR_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

int
main (int argc, char *argv[])
{
  g_autoptr (HangarApplication) app = NULL;

  prefer_cairo_without_gpu ();
  setup_gettext ();
  g_set_application_name (_ ("Hangar"));

  app = hangar_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
