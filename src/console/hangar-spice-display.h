/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * A guest's screen from a SPICE session: draws the display channel's primary
 * surface, sends keys, pointer and wheel through the inputs channel. It shows
 * whatever session it is given; connecting the session is its owner's job.
 */
#pragma once

#include <gtk/gtk.h>
#include <spice-client.h>

G_BEGIN_DECLS

#define HANGAR_TYPE_SPICE_DISPLAY (hangar_spice_display_get_type ())

G_DECLARE_FINAL_TYPE (HangarSpiceDisplay, hangar_spice_display, HANGAR, SPICE_DISPLAY, GtkWidget)

GtkWidget *hangar_spice_display_new (void);

void hangar_spice_display_set_session (HangarSpiceDisplay *self, SpiceSession *session);
SpiceSession *hangar_spice_display_get_session (HangarSpiceDisplay *self);

/* TRUE: the screen fills the widget, keeping its aspect ratio; FALSE: one guest
 * pixel a screen pixel (put the widget in a GtkScrolledWindow). */
void hangar_spice_display_set_scale_to_fit (HangarSpiceDisplay *self, gboolean fit);
gboolean hangar_spice_display_get_scale_to_fit (HangarSpiceDisplay *self);

/* Whether the guest has a screen to show yet. */
gboolean hangar_spice_display_get_has_screen (HangarSpiceDisplay *self);
/* Whether keys go to the guest: from a click in the display to Ctrl+Alt. */
gboolean hangar_spice_display_get_grabbed (HangarSpiceDisplay *self);
void hangar_spice_display_grab (HangarSpiceDisplay *self);
void hangar_spice_display_release (HangarSpiceDisplay *self);

/* Presses the keys in order, then releases them in reverse: a chord such as
 * Ctrl+Alt+Delete. Codes as hangar_keymap_evdev_to_xt () gives them. */
void hangar_spice_display_send_keys (HangarSpiceDisplay *self, const guint *scancodes,
                                     guint n_scancodes);

/* The guest's whole screen now, or NULL before it has one. */
GdkTexture *hangar_spice_display_get_screenshot (HangarSpiceDisplay *self);

/* What drawing cost so far: frames drawn, and tiles converted for them. */
void hangar_spice_display_get_stats (HangarSpiceDisplay *self, guint64 *frames,
                                     guint64 *tiles_converted);

G_END_DECLS
