/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <glib/gi18n.h>

#include "hangar-application.h"
#include "hangar-toast.h"
#include "hangar-window.h"

struct _HangarApplication
{
  AdwApplication parent_instance;

  GSettings *settings;
  HangarConnectionList *connections;
  char **session_uris;     /* --connect: for this run only */
  gboolean libvirt_queued; /* its connections wait for the first frame */
};

G_DEFINE_FINAL_TYPE (HangarApplication, hangar_application, ADW_TYPE_APPLICATION)

static const GOptionEntry main_options[] = {
  { "version", 'v', G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_ ("Show the version of Hangar and exit"), NULL },
  { "connect", 'c', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING_ARRAY, NULL,
    N_ ("Also connect to the libvirt URI, for this run only"), N_ ("URI") },
  { NULL },
};

static int
hangar_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  HangarApplication *self = HANGAR_APPLICATION (app);

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
      return 0;
    }
  g_variant_dict_lookup (options, "connect", "^as", &self->session_uris);

  return -1;
}

static void
add_libvirt_connections (HangarApplication *self)
{
  g_autoptr (GError) error = NULL;

  if (hangar_connection_list_load_saved (self->connections, &error))
    {
      for (guint i = 0; self->session_uris != NULL && self->session_uris[i] != NULL; i++)
        {
          if (hangar_connection_list_add_libvirt (self->connections, self->session_uris[i], NULL,
                                                  FALSE, &error) == NULL)
            break;
        }
    }
  if (error != NULL)
    {
      GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

      /* The window's content is its toast overlay. */
      hangar_toast_show_error (adw_application_window_get_content (ADW_APPLICATION_WINDOW (window)),
                               error);
    }
}

static void
on_first_frame (GdkFrameClock *clock, HangarApplication *self)
{
  g_signal_handlers_disconnect_by_func (clock, on_first_frame, self);
  add_libvirt_connections (self);
}

/* libvirt's libraries take longer to load than the window takes to appear:
 * its connections join the window once it has drawn its first frame. */
static void
add_libvirt_connections_after_first_frame (HangarApplication *self, GtkWindow *window)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (window));

  if (self->libvirt_queued)
    return;
  self->libvirt_queued = TRUE;
  g_signal_connect_object (gdk_surface_get_frame_clock (surface), "after-paint",
                           G_CALLBACK (on_first_frame), self, 0);
}

static void
hangar_application_activate (GApplication *app)
{
  HangarApplication *self = HANGAR_APPLICATION (app);
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (hangar_window_new (self, self->connections));

  gtk_window_present (window);
  add_libvirt_connections_after_first_frame (self, window);
}

static void
hangar_application_startup (GApplication *app)
{
  static const char *quit_accels[] = { "<Control>q", NULL };

  HangarApplication *self = HANGAR_APPLICATION (app);

  G_APPLICATION_CLASS (hangar_application_parent_class)->startup (app);

  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit_accels);

  self->connections = hangar_connection_list_new (self->settings);
  hangar_connection_list_add_embedded (self->connections);
}

static void
hangar_application_finalize (GObject *object)
{
  HangarApplication *self = HANGAR_APPLICATION (object);

  g_clear_object (&self->connections);
  g_clear_object (&self->settings);
  g_clear_pointer (&self->session_uris, g_strfreev);

  G_OBJECT_CLASS (hangar_application_parent_class)->finalize (object);
}

static void
hangar_application_class_init (HangarApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = hangar_application_finalize;

  app_class->handle_local_options = hangar_application_handle_local_options;
  app_class->startup = hangar_application_startup;
  app_class->activate = hangar_application_activate;
}

static void
show_about (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  static const char *developers[] = { "The Hangar developers", NULL };
  GtkApplication *app = GTK_APPLICATION (user_data);
  AdwAboutWindow *about = ADW_ABOUT_WINDOW (adw_about_window_new ());

  gtk_window_set_transient_for (GTK_WINDOW (about), gtk_application_get_active_window (app));
  adw_about_window_set_application_name (about, _ ("Hangar"));
  adw_about_window_set_application_icon (about, APP_ID);
  adw_about_window_set_version (about, PACKAGE_VERSION);
  adw_about_window_set_comments (about, _ ("Create, run and view virtual machines"));
  adw_about_window_set_developers (about, developers);
  adw_about_window_set_copyright (about, "© 2026 The Hangar developers");
  adw_about_window_set_license_type (about, GTK_LICENSE_GPL_3_0);
  /* Translators: put your names here, one a line */
  adw_about_window_set_translator_credits (about, _ ("translator-credits"));
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  GApplication *app = G_APPLICATION (user_data);
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (app));

  /* Closing the windows lets each save its state before the app ends. */
  for (GList *l = windows; l != NULL;)
    {
      GtkWindow *window = l->data;
      l = l->next;
      gtk_window_close (window);
    }
  g_application_quit (app);
}

static const GActionEntry app_actions[] = {
  { "about", show_about },
  { "quit", quit },
};

static void
hangar_application_init (HangarApplication *self)
{
  self->settings = g_settings_new (APP_ID);
  g_application_add_main_option_entries (G_APPLICATION (self), main_options);
  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
}

HangarApplication *
hangar_application_new (void)
{
  return g_object_new (HANGAR_TYPE_APPLICATION, "application-id", APP_ID, "resource-base-path",
                       "/io/github/hangar/Hangar", "flags", G_APPLICATION_DEFAULT_FLAGS, NULL);
}

HangarConnectionList *
hangar_application_get_connections (HangarApplication *self)
{
  g_return_val_if_fail (HANGAR_IS_APPLICATION (self), NULL);

  return self->connections;
}
