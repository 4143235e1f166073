/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Driving the main loop from tests of asynchronous calls. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A GAsyncReadyCallback that keeps a reference to RESULT in USER_DATA, a
 * GAsyncResult ** that starts NULL. */
void test_store_result (GObject *source, GAsyncResult *result, gpointer user_data);
/* Iterates the default main context until *SLOT is set; fails the test
 * after TIMEOUT_S seconds. */
GAsyncResult *test_wait_for_result (GAsyncResult **slot, guint timeout_s);
/* Iterates the default main context, waking at least every 50 ms, until
 * CHECK (DATA) holds; FALSE if it does not within TIMEOUT_S seconds. */
gboolean test_wait_until (gboolean (*check) (gpointer data), gpointer data, guint timeout_s);

G_END_DECLS
