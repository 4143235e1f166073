/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "test-loop.h"

void
test_store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

GAsyncResult *
test_wait_for_result (GAsyncResult **slot, guint timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;

  while (*slot == NULL)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return *slot;
}

static gboolean
wake_up (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

gboolean
test_wait_until (gboolean (*check) (gpointer data), gpointer data, guint timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;
  /* CHECK may look at what no source of the loop announces (a file, a
   * process): the timer makes sure it is asked again. */
  guint timer = g_timeout_add (50, wake_up, NULL);

  while (!check (data) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timer);
  return check (data);
}
