/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>

#include "hangar-embedded-machine.h"
#include "hangar-lab-member-tile.h"

/* About two pictures a second: enough to follow a class, little for hv-vmm. */
#define THUMBNAIL_INTERVAL_MS 500
/* The tile's screen area (hangar-lab-member-tile.ui): a class of 30 full
 * screens would hold hundreds of megabytes, and lay out one a line. */
#define THUMBNAIL_WIDTH  240
#define THUMBNAIL_HEIGHT 150

struct _HangarLabMemberTile
{
  GtkFlowBoxChild parent_instance;

  HangarLab *lab;
  HangarMachine *machine;
  char *screendump_path;
  GdkTexture *thumbnail_texture;
  guint thumbnail_source;
  gboolean thumbnail_in_flight; /* one request at a time per member */

  GtkStack *screen_stack;
  GtkPicture *thumbnail;
  GtkImage *state_icon;
  GtkLabel *screen_state_label;
  GtkLabel *name_label;
  GtkLabel *state_label;
  GtkLabel *address_label;
};

G_DEFINE_FINAL_TYPE (HangarLabMemberTile, hangar_lab_member_tile, GTK_TYPE_FLOW_BOX_CHILD)

static gboolean
shows_screen (HangarMachineState state)
{
  return state == HANGAR_MACHINE_STATE_RUNNING || state == HANGAR_MACHINE_STATE_PAUSED ||
         state == HANGAR_MACHINE_STATE_SHUTTING_DOWN;
}

/* ---- Name, state and address ---- */

/* An isolated network has no DHCP server: its members never get an
 * address from it, so waiting for one would be waiting forever. */
static gboolean
gives_addresses (HangarLab *lab)
{
  return hangar_lab_get_network_mode (lab) != HV_NETWORK_MODE_ISOLATED;
}

static void
update_address (HangarLabMemberTile *self)
{
  const char *address = hangar_lab_get_member_address (self->lab, self->machine);
  g_autofree char *text = NULL;
  const char *tooltip = NULL;

  if (!shows_screen (hangar_machine_get_state (self->machine)))
    text = g_strdup ("");
  else if (address != NULL)
    /* Translators: the member machine's IPv4 address, e.g. "Address 10.0.2.101" */
    text = g_strdup_printf (_ ("Address %s"), address);
  else if (gives_addresses (self->lab))
    text = g_strdup (_ ("No network address yet"));
  else
    {
      text = g_strdup (_ ("Isolated network: no address given"));
      tooltip = _ ("The lab’s network is isolated and gives its members no addresses. Set one "
                   "inside each member, a different one for each, such as 192.168.50.1 for the "
                   "first and 192.168.50.2 for the second.");
    }
  gtk_label_set_label (self->address_label, text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->address_label), tooltip);
}

static void
show_screen_or_state (HangarLabMemberTile *self)
{
  HangarMachineState state = hangar_machine_get_state (self->machine);

  if (shows_screen (state) && self->thumbnail_texture != NULL)
    {
      gtk_stack_set_visible_child_name (self->screen_stack, "screen");
      return;
    }
  gtk_image_set_from_icon_name (self->state_icon, shows_screen (state)
                                                      ? "media-playback-start-symbolic"
                                                      : "media-playback-stop-symbolic");
  gtk_label_set_label (self->screen_state_label, shows_screen (state)
                                                     ? _ ("Waiting for the screen…")
                                                     : hangar_machine_state_to_string (state));
  gtk_stack_set_visible_child_name (self->screen_stack, "state");
}

static void
on_state_changed (HangarLabMemberTile *self)
{
  HangarMachineState state = hangar_machine_get_state (self->machine);

  /* A stopped member's last picture would pass for a live one. */
  if (!shows_screen (state))
    {
      g_clear_object (&self->thumbnail_texture);
      gtk_picture_set_paintable (self->thumbnail, NULL);
    }
  gtk_label_set_label (self->state_label, hangar_machine_state_to_string (state));
  show_screen_or_state (self);
  update_address (self);
}

/* ---- The picture of the screen ---- */

static void
load_thumbnail_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file_at_scale (task_data, THUMBNAIL_WIDTH,
                                                                    THUMBNAIL_HEIGHT, TRUE, &error);

  if (pixbuf == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, gdk_texture_new_for_pixbuf (pixbuf), g_object_unref);
}

static void
thumbnail_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  HangarLabMemberTile *self = HANGAR_LAB_MEMBER_TILE (source);
  g_autoptr (GdkTexture) texture = NULL;
  g_autoptr (GError) error = NULL;

  texture = g_task_propagate_pointer (G_TASK (result), &error);
  self->thumbnail_in_flight = FALSE;
  /* No longer shown, or no longer running: the picture is out of date. */
  if (self->thumbnail_source == 0 || !shows_screen (hangar_machine_get_state (self->machine)))
    return;
  if (texture == NULL)
    {
      g_debug ("%s: %s", hangar_machine_get_name (self->machine), error->message);
      return;
    }
  g_set_object (&self->thumbnail_texture, texture);
  gtk_picture_set_paintable (self->thumbnail, GDK_PAINTABLE (texture));
  show_screen_or_state (self);
}

static void
screendump_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HangarLabMemberTile) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GTask) task = NULL;

  if (!hangar_embedded_machine_screendump_finish (HANGAR_EMBEDDED_MACHINE (source), result, &error))
    {
      /* Still booting, or just stopped: the next tick tries again. */
      g_debug ("%s: %s", hangar_machine_get_name (self->machine), error->message);
      self->thumbnail_in_flight = FALSE;
      return;
    }
  /* Decoding and scaling a whole screen takes long enough to stutter the window. */
  task = g_task_new (self, NULL, thumbnail_loaded, NULL);
  g_task_set_task_data (task, g_strdup (self->screendump_path), g_free);
  g_task_run_in_thread (task, load_thumbnail_thread);
}

/* Requests are never cancelled: hv-vmm would write the file after the tile
 * removed it. The reference each holds keeps the tile until it is done. */
static gboolean
refresh_thumbnail (gpointer user_data)
{
  HangarLabMemberTile *self = user_data;

  if (self->thumbnail_in_flight || !HANGAR_IS_EMBEDDED_MACHINE (self->machine) ||
      !shows_screen (hangar_machine_get_state (self->machine)))
    return G_SOURCE_CONTINUE;
  self->thumbnail_in_flight = TRUE;
  hangar_embedded_machine_screendump_async (HANGAR_EMBEDDED_MACHINE (self->machine),
                                            self->screendump_path, NULL, screendump_done,
                                            g_object_ref (self));
  return G_SOURCE_CONTINUE;
}

/* Pictures are asked for only while someone can see them. */
static void
start_thumbnails (HangarLabMemberTile *self)
{
  if (self->thumbnail_source != 0)
    return;
  self->thumbnail_source = g_timeout_add (THUMBNAIL_INTERVAL_MS, refresh_thumbnail, self);
  refresh_thumbnail (self);
  hangar_lab_hold_addresses (self->lab);
}

static void
stop_thumbnails (HangarLabMemberTile *self)
{
  if (self->thumbnail_source == 0)
    return;
  g_clear_handle_id (&self->thumbnail_source, g_source_remove);
  hangar_lab_release_addresses (self->lab);
}

/* Where hv-vmm writes this member's screen: a private place of the user's. */
static char *
make_screendump_path (HangarMachine *machine)
{
  g_autofree char *directory =
      g_build_filename (g_get_user_runtime_dir (), "hangar", "thumbnails", NULL);
  g_autofree char *file = g_strdup_printf ("%s.png", hangar_machine_get_uuid (machine));

  if (g_mkdir_with_parents (directory, 0700) < 0)
    g_warning ("Cannot create %s: %s", directory, g_strerror (errno));
  return g_build_filename (directory, file, NULL);
}

/* ---- GObject ---- */

static void
hangar_lab_member_tile_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (hangar_lab_member_tile_parent_class)->map (widget);
  start_thumbnails (HANGAR_LAB_MEMBER_TILE (widget));
}

static void
hangar_lab_member_tile_unmap (GtkWidget *widget)
{
  stop_thumbnails (HANGAR_LAB_MEMBER_TILE (widget));
  GTK_WIDGET_CLASS (hangar_lab_member_tile_parent_class)->unmap (widget);
}

static void
hangar_lab_member_tile_dispose (GObject *object)
{
  HangarLabMemberTile *self = HANGAR_LAB_MEMBER_TILE (object);

  stop_thumbnails (self);
  if (self->machine != NULL)
    g_signal_handlers_disconnect_by_data (self->machine, self);
  if (self->lab != NULL)
    g_signal_handlers_disconnect_by_data (self->lab, self);
  if (self->screendump_path != NULL)
    g_unlink (self->screendump_path);
  g_clear_object (&self->machine);
  g_clear_object (&self->lab);
  g_clear_object (&self->thumbnail_texture);
  g_clear_pointer (&self->screendump_path, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), HANGAR_TYPE_LAB_MEMBER_TILE);

  G_OBJECT_CLASS (hangar_lab_member_tile_parent_class)->dispose (object);
}

static void
hangar_lab_member_tile_class_init (HangarLabMemberTileClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = hangar_lab_member_tile_dispose;
  widget_class->map = hangar_lab_member_tile_map;
  widget_class->unmap = hangar_lab_member_tile_unmap;

  gtk_widget_class_set_template_from_resource (
      widget_class, "/io/github/hangar/Hangar/hangar-lab-member-tile.ui");
  gtk_widget_class_bind_template_child (widget_class, HangarLabMemberTile, screen_stack);
  gtk_widget_class_bind_template_child (widget_class, HangarLabMemberTile, thumbnail);
  gtk_widget_class_bind_template_child (widget_class, HangarLabMemberTile, state_icon);
  gtk_widget_class_bind_template_child (widget_class, HangarLabMemberTile, screen_state_label);
  gtk_widget_class_bind_template_child (widget_class, HangarLabMemberTile, name_label);
  gtk_widget_class_bind_template_child (widget_class, HangarLabMemberTile, state_label);
  gtk_widget_class_bind_template_child (widget_class, HangarLabMemberTile, address_label);
}

static void
hangar_lab_member_tile_init (HangarLabMemberTile *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
hangar_lab_member_tile_new (HangarLab *lab, HangarMachine *machine)
{
  HangarLabMemberTile *self;

  g_return_val_if_fail (HANGAR_IS_LAB (lab), NULL);
  g_return_val_if_fail (HANGAR_IS_MACHINE (machine), NULL);

  self = g_object_new (HANGAR_TYPE_LAB_MEMBER_TILE, NULL);
  self->lab = g_object_ref (lab);
  self->machine = g_object_ref (machine);
  self->screendump_path = make_screendump_path (machine);
  gtk_label_set_label (self->name_label, hangar_machine_get_name (machine));
  g_signal_connect_swapped (machine, "notify::state", G_CALLBACK (on_state_changed), self);
  g_signal_connect_swapped (lab, "addresses-changed", G_CALLBACK (update_address), self);
  on_state_changed (self);
  return GTK_WIDGET (self);
}

HangarMachine *
hangar_lab_member_tile_get_machine (HangarLabMemberTile *self)
{
  g_return_val_if_fail (HANGAR_IS_LAB_MEMBER_TILE (self), NULL);
  return self->machine;
}

GdkTexture *
hangar_lab_member_tile_get_thumbnail (HangarLabMemberTile *self)
{
  g_return_val_if_fail (HANGAR_IS_LAB_MEMBER_TILE (self), NULL);
  return self->thumbnail_texture;
}
