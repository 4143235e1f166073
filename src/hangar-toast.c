/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <adwaita.h>

#include "hangar-toast.h"

static AdwToastOverlay *
find_overlay (GtkWidget *widget)
{
  return (AdwToastOverlay *) gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);
}

void
hangar_toast_show (GtkWidget *widget, const char *message)
{
  AdwToastOverlay *overlay = find_overlay (widget);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (overlay, adw_toast_new (message));
}

void
hangar_toast_show_error (GtkWidget *widget, const GError *error)
{
  AdwToastOverlay *overlay = find_overlay (widget);
  AdwToast *toast;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_warning ("%s", error->message);
  if (overlay == NULL)
    return;
  toast = adw_toast_new (error->message);
  adw_toast_set_timeout (toast, 10);
  adw_toast_overlay_add_toast (overlay, toast);
}
