/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the app's GUI tests share: waiting, finding widgets, screenshots. */
#pragma once

#include <adwaita.h>

#include "hangar-connection.h"

/* Where save_screenshot () writes; the test sets it from its arguments. */
extern const char *screenshot_dir;

typedef gboolean (*Condition) (gpointer data);

/* Runs the main context until CONDITION holds, or fails after 30 s naming WHAT. */
void wait_for (Condition condition, gpointer data, const char *what);
gboolean is_connected (gpointer connection);
/* The app's connections (a GListModel) include more than This Computer: the
 * app adds libvirt connections once its window has drawn. */
gboolean has_libvirt_connection (gpointer connections);
gboolean has_drawn (gpointer widget);
/* The first visible descendant of ROOT of TYPE for which MATCH says yes. */
GtkWidget *find_widget (GtkWidget *root, GType type, gboolean (*match) (GtkWidget *, const char *),
                        const char *text);
gboolean any (GtkWidget *widget, const char *unused);
gboolean row_titled (GtkWidget *row, const char *title);
void set_true (gboolean *flag);
gboolean is_true (gpointer flag);
/* No stack in WINDOW is sliding between pages. */
gboolean settled (gpointer window);
/* Once WINDOW settles and paints, renders it to SCREENSHOT_DIR/NAME. */
void save_screenshot (GtkWidget *window, const char *name);

/* The new-machine wizard's visible page, its row titled TITLE of TYPE, and
 * that action row's subtitle. */
GtkWidget *shown_page (GtkWidget *wizard);
GtkWidget *row (GtkWidget *wizard, GType type, const char *title);
const char *subtitle_of (GtkWidget *wizard, const char *title);

/* The wizard shows PAGE and is not busy: wait_for (on_page, &(PageWait){ ... }). */
typedef struct
{
  GtkWidget *wizard;
  const char *page;
} PageWait;

gboolean on_page (gpointer page_wait);
/* The wizard's Next button, kept as its "test-next-button" data, is sensitive. */
gboolean next_sensitive (gpointer wizard);
gboolean is_next_button (GtkWidget *button, const char *unused);
/* The open new-machine wizard, or NULL. */
GtkWidget *find_wizard (void);
gboolean wizard_gone (gpointer unused);
