/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "hangar-application.h"

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

  setup_gettext ();
  g_set_application_name (_ ("Hangar"));

  app = hangar_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
