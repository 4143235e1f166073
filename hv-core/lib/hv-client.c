/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The client side of the control protocol (hv-core/docs/control-protocol.md).
 *
 * One reader loop per connection, on the creating thread's main context,
 * splits the stream into lines: the greeting completes construction, events
 * become signals and replies complete the oldest pending call (the VMM
 * answers in order). Writes go through a queue so that a stuck VMM never
 * blocks the caller's main loop.
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "hv-client.h"
#include "hv-error.h"
#include "hv-runtime-private.h"

/* How long a command waits for a starting guest's control socket. */
#define HV_STARTING_TIMEOUT_US (10 * G_USEC_PER_SEC)
#define HV_STARTING_POLL_US    (20 * 1000)

/* Far above anything the VMM sends; a longer line means a broken peer. */
#define HV_CLIENT_MAX_LINE  (1024 * 1024)
#define HV_CLIENT_READ_SIZE 8192

struct _HvClient
{
  GObject parent_instance;

  GSocketConnection *connection;
  GMainContext *context;
  GCancellable *read_cancellable;
  GByteArray *in_buf;
  GQueue pending;   /* GTask, in the order of their requests */
  GQueue out_queue; /* GBytes still to write */
  gboolean writing;
  GTask *init_task; /* hv_client_wait_greeting () */
  gboolean greeted;
  gboolean closed;
  guint next_id;
  guint timeout_ms;

  char *name;
  char *uuid;
  char *version;
  GPid pid;
};

enum
{
  SIGNAL_EVENT,
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (HvClient, hv_client, G_TYPE_OBJECT)

static void client_read_more (HvClient *self);

static void
fail_task (GTask *task, const GError *error)
{
  g_task_return_error (task, g_error_copy (error));
  g_object_unref (task);
}

/* Ends the connection once: pending calls fail with REASON, ::closed is
 * emitted (with NULL when the caller closed it). */
static void
client_close_with_error (HvClient *self, const GError *reason)
{
  g_autoptr (GError) disconnected = NULL;
  const GError *error = reason;
  GTask *task;

  if (self->closed)
    return;
  self->closed = TRUE;
  g_object_ref (self);

  if (error == NULL)
    error = disconnected = g_error_new_literal (HV_ERROR, HV_ERROR_DISCONNECTED,
                                                _ ("The connection to the guest was closed"));
  g_cancellable_cancel (self->read_cancellable);
  g_io_stream_close (G_IO_STREAM (self->connection), NULL, NULL);
  g_queue_clear_full (&self->out_queue, (GDestroyNotify) g_bytes_unref);
  if (self->init_task != NULL)
    fail_task (g_steal_pointer (&self->init_task), error);
  while ((task = g_queue_pop_head (&self->pending)) != NULL)
    fail_task (task, error);

  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, reason);
  g_object_unref (self);
}

static void
client_protocol_error (HvClient *self, const char *what)
{
  g_autoptr (GError) error = g_error_new (
      HV_ERROR, HV_ERROR_PROTOCOL,
      _ ("The guest’s VMM sent a message that is not the control protocol (%s)"), what);

  client_close_with_error (self, error);
}

/* MEMBER of OBJECT if it is an object, else NULL (json-glib complains
 * about missing members, and a peer may leave them out). */
static JsonObject *
object_member (JsonObject *object, const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static void
handle_greeting (HvClient *self, JsonObject *greeting)
{
  if (self->greeted)
    return; /* a second greeting means nothing */
  if (greeting == NULL)
    {
      client_protocol_error (self, "greeting");
      return;
    }
  self->name = g_strdup (json_object_get_string_member_with_default (greeting, "name", NULL));
  self->uuid = g_strdup (json_object_get_string_member_with_default (greeting, "uuid", NULL));
  self->version = g_strdup (json_object_get_string_member_with_default (greeting, "version", NULL));
  self->pid = json_object_get_int_member_with_default (greeting, "pid", 0);
  if (self->name == NULL || self->uuid == NULL)
    {
      client_protocol_error (self, "greeting");
      return;
    }
  self->greeted = TRUE;
  if (self->init_task != NULL)
    {
      g_task_return_boolean (self->init_task, TRUE);
      g_clear_object (&self->init_task);
    }
}

static void
handle_event (HvClient *self, JsonObject *message)
{
  const char *name = json_object_get_string_member_with_default (message, "event", NULL);
  JsonObject *data = object_member (message, "data");
  JsonObject *timestamp = object_member (message, "timestamp");
  g_autoptr (JsonObject) empty = json_object_new ();
  gint64 time_us = 0;

  if (name == NULL)
    {
      client_protocol_error (self, "event");
      return;
    }
  if (timestamp != NULL)
    time_us = json_object_get_int_member_with_default (timestamp, "seconds", 0) * G_USEC_PER_SEC +
              json_object_get_int_member_with_default (timestamp, "microseconds", 0);
  g_signal_emit (self, signals[SIGNAL_EVENT], 0, name, data != NULL ? data : empty, time_us);
}

static HvError
error_code_for_class (const char *klass)
{
  static const struct
  {
    const char *name;
    HvError code;
  } classes[] = {
    { "CommandNotFound", HV_ERROR_COMMAND_NOT_FOUND },
    { "InvalidParameter", HV_ERROR_INVALID_PARAMETER },
    { "InvalidState", HV_ERROR_INVALID_STATE },
  };

  for (gsize i = 0; klass != NULL && i < G_N_ELEMENTS (classes); i++)
    if (g_str_equal (classes[i].name, klass))
      return classes[i].code;
  return HV_ERROR_GENERIC;
}

/* Completes TASK with the "return" object or the "error" of MESSAGE. */
static gboolean
complete_task (GTask *task, JsonObject *message)
{
  JsonNode *result = json_object_get_member (message, "return");
  JsonObject *error = object_member (message, "error");
  const char *klass;

  if (result != NULL)
    {
      JsonObject *object = JSON_NODE_HOLDS_OBJECT (result) ? json_node_get_object (result) : NULL;
      g_task_return_pointer (task, object != NULL ? json_object_ref (object) : json_object_new (),
                             (GDestroyNotify) json_object_unref);
      return TRUE;
    }
  if (error == NULL)
    return FALSE;
  klass = json_object_get_string_member_with_default (error, "class", NULL);
  g_task_return_new_error (
      task, HV_ERROR, error_code_for_class (klass), "%s",
      json_object_get_string_member_with_default (error, "desc", _ ("Unknown error")));
  return TRUE;
}

static void
handle_reply (HvClient *self, JsonObject *message)
{
  GTask *task = g_queue_peek_head (&self->pending);
  guint id = task != NULL ? GPOINTER_TO_UINT (g_task_get_task_data (task)) : 0;

  /* Replies come in the order of the requests: anything else is broken. */
  if (task == NULL || json_object_get_int_member_with_default (message, "id", -1) != id)
    {
      client_protocol_error (self, "a reply to no request");
      return;
    }
  g_queue_pop_head (&self->pending);
  if (!complete_task (task, message))
    {
      g_queue_push_head (&self->pending, task);
      client_protocol_error (self, "a reply without result");
      return;
    }
  g_object_unref (task);
}

static void
client_handle_line (HvClient *self, const char *line, gsize len)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *message;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, line, len, NULL) ||
      (root = json_parser_get_root (parser)) == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      client_protocol_error (self, "not a JSON object");
      return;
    }
  message = json_node_get_object (root);

  if (json_object_has_member (message, "greeting"))
    handle_greeting (self, object_member (message, "greeting"));
  else if (!self->greeted)
    client_protocol_error (self, "no greeting");
  else if (json_object_has_member (message, "event"))
    handle_event (self, message);
  else if (json_object_has_member (message, "return") || json_object_has_member (message, "error"))
    handle_reply (self, message);
  /* Anything else is a message kind from a later version: ignore it. */
}

static void
client_process_input (HvClient *self)
{
  guint8 *newline;

  while (!self->closed && (newline = memchr (self->in_buf->data, '\n', self->in_buf->len)) != NULL)
    {
      gsize len = newline - self->in_buf->data;

      client_handle_line (self, (const char *) self->in_buf->data, len);
      if (!self->closed)
        g_byte_array_remove_range (self->in_buf, 0, len + 1);
    }
  if (!self->closed && self->in_buf->len > HV_CLIENT_MAX_LINE)
    client_protocol_error (self, "a line too long");
}

static void
on_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr (HvClient) self = g_weak_ref_get (weak);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  g_weak_ref_clear (weak);
  g_free (weak);
  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (self == NULL || self->closed)
    return;
  if (bytes == NULL)
    {
      g_autoptr (GError) wrapped =
          g_error_new (HV_ERROR, HV_ERROR_DISCONNECTED,
                       _ ("The connection to the guest failed: %s"), error->message);
      client_close_with_error (self, wrapped);
      return;
    }
  if (g_bytes_get_size (bytes) == 0)
    {
      client_close_with_error (self, NULL);
      return;
    }
  g_byte_array_append (self->in_buf, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  client_process_input (self);
  if (!self->closed)
    client_read_more (self);
}

/* The read holds only a weak reference: dropping the last reference to a
 * client is how a caller lets go of it, and that must end the connection. */
static void
client_read_more (HvClient *self)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (self->connection));
  GWeakRef *weak = g_new0 (GWeakRef, 1);

  g_weak_ref_init (weak, self);
  g_input_stream_read_bytes_async (input, HV_CLIENT_READ_SIZE, G_PRIORITY_DEFAULT,
                                   self->read_cancellable, on_read, weak);
}

static void client_write_next (HvClient *self);

static void
on_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (HvClient) self = user_data;
  g_autoptr (GError) error = NULL;

  self->writing = FALSE;
  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      g_autoptr (GError) wrapped = NULL;

      if (self->closed)
        return;
      wrapped = g_error_new (HV_ERROR, HV_ERROR_DISCONNECTED,
                             _ ("The connection to the guest failed: %s"), error->message);
      client_close_with_error (self, wrapped);
      return;
    }
  g_bytes_unref (g_queue_pop_head (&self->out_queue));
  client_write_next (self);
}

static void
client_write_next (HvClient *self)
{
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (self->connection));
  GBytes *bytes = g_queue_peek_head (&self->out_queue);

  if (self->writing || self->closed || bytes == NULL)
    return;
  self->writing = TRUE;
  g_output_stream_write_all_async (output, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                   G_PRIORITY_DEFAULT, NULL, on_written, g_object_ref (self));
}

static void
hv_client_finalize (GObject *object)
{
  HvClient *self = HV_CLIENT (object);

  g_assert (g_queue_is_empty (&self->pending));
  g_clear_object (&self->connection);
  g_clear_object (&self->read_cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_byte_array_unref (self->in_buf);
  g_free (self->name);
  g_free (self->uuid);
  g_free (self->version);

  G_OBJECT_CLASS (hv_client_parent_class)->finalize (object);
}

static void
hv_client_dispose (GObject *object)
{
  HvClient *self = HV_CLIENT (object);

  if (self->connection != NULL && !self->closed)
    client_close_with_error (self, NULL);

  G_OBJECT_CLASS (hv_client_parent_class)->dispose (object);
}

static void
hv_client_class_init (HvClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = hv_client_dispose;
  object_class->finalize = hv_client_finalize;

  signals[SIGNAL_EVENT] =
      g_signal_new ("event", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                    G_TYPE_NONE, 3, G_TYPE_STRING, JSON_TYPE_OBJECT, G_TYPE_INT64);
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
hv_client_init (HvClient *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->read_cancellable = g_cancellable_new ();
  self->in_buf = g_byte_array_new ();
  self->next_id = 1;
  g_queue_init (&self->pending);
  g_queue_init (&self->out_queue);
}

HvClient *
hv_client_new_for_connection (GSocketConnection *connection)
{
  HvClient *self;

  g_return_val_if_fail (G_IS_SOCKET_CONNECTION (connection), NULL);

  self = g_object_new (HV_TYPE_CLIENT, NULL);
  self->connection = g_object_ref (connection);
  client_read_more (self);
  return self;
}

void
hv_client_wait_greeting (HvClient *self, GCancellable *cancellable, GAsyncReadyCallback callback,
                         gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (HV_IS_CLIENT (self));
  g_return_if_fail (self->init_task == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hv_client_wait_greeting);
  if (self->greeted)
    g_task_return_boolean (task, TRUE);
  else if (self->closed)
    g_task_return_new_error (task, HV_ERROR, HV_ERROR_DISCONNECTED,
                             _ ("The connection to the guest was closed"));
  else
    self->init_task = g_steal_pointer (&task);
}

gboolean
hv_client_wait_greeting_finish (HvClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_greeted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (hv_client_wait_greeting_finish (HV_CLIENT (source), result, &error))
    g_task_return_pointer (task, g_object_ref (source), g_object_unref);
  else
    g_task_return_error (task, error);
}

/* Connecting to a unix socket does not wait for the peer, so even the
 * async constructor connects at once; only the greeting is waited for. */
void
hv_client_new (const char *control_path, GCancellable *cancellable, GAsyncReadyCallback callback,
               gpointer user_data)
{
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (HvClient) client = NULL;
  GError *error = NULL;
  GTask *task;

  g_return_if_fail (control_path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, hv_client_new);
  connection = _hv_connect_unix (control_path, cancellable, &error);
  if (connection == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  client = hv_client_new_for_connection (connection);
  hv_client_wait_greeting (client, cancellable, on_greeted, task);
}

HvClient *
hv_client_new_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* What a _sync function waits for: shared with the callback, which may run
 * after the waiter gave up (timeout, cancellation), hence reference-counted. */
typedef struct
{
  gboolean done;
  GAsyncResult *result;
} SyncWait;

static void
sync_wait_clear (SyncWait *wait)
{
  g_clear_object (&wait->result);
}

static void
sync_wait_unref (SyncWait *wait)
{
  g_rc_box_release_full (wait, (GDestroyNotify) sync_wait_clear);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SyncWait, sync_wait_unref)

static void
on_sync_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  SyncWait *wait = user_data;

  wait->done = TRUE;
  wait->result = g_object_ref (result);
  sync_wait_unref (wait);
}

static gboolean
on_sync_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs CONTEXT until WAIT is done; FALSE on timeout or cancellation. */
static gboolean
sync_wait_run (SyncWait *wait, GMainContext *context, guint timeout_ms, GCancellable *cancellable,
               GError **error)
{
  g_autoptr (GSource) timeout = NULL;
  gboolean timed_out = FALSE;

  if (timeout_ms > 0)
    {
      timeout = g_timeout_source_new (timeout_ms);
      g_source_set_callback (timeout, on_sync_timeout, &timed_out, NULL);
      g_source_attach (timeout, context);
    }
  while (!wait->done && !timed_out && !g_cancellable_is_cancelled (cancellable))
    g_main_context_iteration (context, TRUE);
  if (timeout != NULL)
    g_source_destroy (timeout);

  if (wait->done)
    return TRUE;
  if (!g_cancellable_set_error_if_cancelled (cancellable, error))
    g_set_error (error, HV_ERROR, HV_ERROR_TIMED_OUT,
                 _ ("The guest’s VMM did not answer within %u seconds"), (timeout_ms + 999) / 1000);
  return FALSE;
}

static void
cancel_wakeup (GCancellable *cancellable, gpointer user_data)
{
  g_main_context_wakeup (user_data);
}

HvClient *
hv_client_new_sync (const char *control_path, GCancellable *cancellable, GError **error)
{
  g_autoptr (GMainContext) context = g_main_context_new ();
  g_autoptr (SyncWait) wait = g_rc_box_new0 (SyncWait);
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (HvClient) client = NULL;
  gulong handler = 0;

  g_return_val_if_fail (control_path != NULL, NULL);

  connection = _hv_connect_unix (control_path, cancellable, error);
  if (connection == NULL)
    return NULL;

  /* A private context: this may run in any thread, and the client's
   * reader must not depend on anyone else's main loop. */
  g_main_context_push_thread_default (context);
  if (cancellable != NULL)
    handler =
        g_cancellable_connect (cancellable, G_CALLBACK (cancel_wakeup),
                               g_main_context_ref (context), (GDestroyNotify) g_main_context_unref);
  client = hv_client_new_for_connection (connection);
  hv_client_wait_greeting (client, cancellable, on_sync_done, g_rc_box_acquire (wait));
  if (!sync_wait_run (wait, context, HV_GREETING_TIMEOUT_MS, cancellable, error) ||
      !hv_client_wait_greeting_finish (client, wait->result, error))
    {
      hv_client_close (client);
      g_clear_object (&client);
    }
  g_cancellable_disconnect (cancellable, handler);
  /* Lets the callbacks that closing queued run, so nothing stays referenced. */
  while (g_main_context_iteration (context, FALSE))
    ;
  g_main_context_pop_thread_default (context);
  return g_steal_pointer (&client);
}

HvClient *
hv_client_new_for_guest_sync (const HvGuestInfo *info, GCancellable *cancellable, GError **error)
{
  const char *path;
  gint64 deadline = g_get_monotonic_time () + HV_STARTING_TIMEOUT_US;

  g_return_val_if_fail (info != NULL, NULL);

  /* A starting guest holds its lock, and so is listed, before its control
   * socket exists: a command right after a start waits for the socket. */
  path = hv_guest_info_get_control_path (info);
  while (!g_file_test (path, G_FILE_TEST_EXISTS) &&
         _hv_runtime_dir_is_live (hv_guest_info_get_runtime_dir (info)) &&
         g_get_monotonic_time () < deadline && !g_cancellable_is_cancelled (cancellable))
    g_usleep (HV_STARTING_POLL_US);
  return hv_client_new_sync (path, cancellable, error);
}

const char *
hv_client_get_name (HvClient *self)
{
  g_return_val_if_fail (HV_IS_CLIENT (self), NULL);
  return self->name;
}

const char *
hv_client_get_uuid (HvClient *self)
{
  g_return_val_if_fail (HV_IS_CLIENT (self), NULL);
  return self->uuid;
}

GPid
hv_client_get_pid (HvClient *self)
{
  g_return_val_if_fail (HV_IS_CLIENT (self), 0);
  return self->pid;
}

const char *
hv_client_get_version (HvClient *self)
{
  g_return_val_if_fail (HV_IS_CLIENT (self), NULL);
  return self->version;
}

gboolean
hv_client_is_closed (HvClient *self)
{
  g_return_val_if_fail (HV_IS_CLIENT (self), TRUE);
  return self->closed;
}

void
hv_client_set_timeout (HvClient *self, guint timeout_ms)
{
  g_return_if_fail (HV_IS_CLIENT (self));
  self->timeout_ms = timeout_ms;
}

static GBytes *
request_line (const char *command, JsonObject *arguments, guint id)
{
  g_autoptr (JsonObject) request = json_object_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *text = NULL;

  json_object_set_string_member (request, "execute", command);
  if (arguments != NULL)
    json_object_set_object_member (request, "arguments", json_object_ref (arguments));
  json_object_set_int_member (request, "id", id);
  node = json_node_init_object (json_node_alloc (), request);
  text = json_to_string (node, FALSE);
  return g_bytes_new_take (g_strconcat (text, "\n", NULL), strlen (text) + 1);
}

void
hv_client_execute (HvClient *self, const char *command, JsonObject *arguments,
                   GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  guint id;

  g_return_if_fail (HV_IS_CLIENT (self));
  g_return_if_fail (command != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, hv_client_execute);
  if (self->closed)
    {
      g_task_return_new_error (task, HV_ERROR, HV_ERROR_DISCONNECTED,
                               _ ("The connection to the guest was closed"));
      return;
    }
  id = self->next_id++;
  g_task_set_task_data (task, GUINT_TO_POINTER (id), NULL);
  g_queue_push_tail (&self->pending, g_steal_pointer (&task));
  g_queue_push_tail (&self->out_queue, request_line (command, arguments, id));
  client_write_next (self);
}

JsonObject *
hv_client_execute_finish (HvClient *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

JsonObject *
hv_client_execute_sync (HvClient *self, const char *command, JsonObject *arguments,
                        GCancellable *cancellable, GError **error)
{
  g_autoptr (SyncWait) wait = g_rc_box_new0 (SyncWait);
  JsonObject *result = NULL;

  g_return_val_if_fail (HV_IS_CLIENT (self), NULL);

  if (!g_main_context_acquire (self->context))
    {
      g_set_error (error, HV_ERROR, HV_ERROR_FAILED,
                   "hv_client_execute_sync () called outside the client’s main context");
      return NULL;
    }
  g_main_context_push_thread_default (self->context);
  hv_client_execute (self, command, arguments, cancellable, on_sync_done, g_rc_box_acquire (wait));
  if (sync_wait_run (wait, self->context, self->timeout_ms, cancellable, error))
    result = hv_client_execute_finish (self, wait->result, error);
  g_main_context_pop_thread_default (self->context);
  g_main_context_release (self->context);
  return result;
}

void
hv_client_close (HvClient *self)
{
  g_return_if_fail (HV_IS_CLIENT (self));

  client_close_with_error (self, NULL);
}
