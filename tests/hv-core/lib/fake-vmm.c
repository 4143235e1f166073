/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The test-only vmm.h of fake-vmm.h: no KVM, no guest, same contract. */

#include "config.h"

#include "fake-vmm.h"

struct vmm
{
  VmmConfig config;
  VmmStatus status;
  VmmEventFunc event_func;
  void *event_data;
  VmmConsoleOutputFunc output_func;
  void *output_data;
  GByteArray *input;
  guint powerdowns;
  GError *fatal_error;
};

G_DEFINE_QUARK (hv - vmm - error - quark, hv_vmm_error)

Vmm *
vmm_new (const VmmConfig *config, GError **error)
{
  Vmm *vmm = g_new0 (Vmm, 1);

  vmm->config = *config;
  vmm->config.name = g_strdup (config->name);
  vmm->config.uuid = g_strdup (config->uuid);
  vmm->config.kernel_path = g_strdup (config->kernel_path);
  vmm->status = VMM_STATUS_RUNNING;
  vmm->input = g_byte_array_new ();
  return vmm;
}

void
vmm_free (Vmm *vmm)
{
  g_free ((char *) vmm->config.name);
  g_free ((char *) vmm->config.uuid);
  g_free ((char *) vmm->config.kernel_path);
  g_byte_array_unref (vmm->input);
  g_clear_error (&vmm->fatal_error);
  g_free (vmm);
}

void
vmm_set_event_func (Vmm *vmm, VmmEventFunc func, void *user_data)
{
  vmm->event_func = func;
  vmm->event_data = user_data;
}

void
vmm_set_console_output_func (Vmm *vmm, VmmConsoleOutputFunc func, void *user_data)
{
  vmm->output_func = func;
  vmm->output_data = user_data;
}

gboolean
vmm_start (Vmm *vmm, GError **error)
{
  return TRUE;
}

VmmStatus
vmm_get_status (Vmm *vmm)
{
  return vmm->status;
}

const VmmConfig *
vmm_get_config (Vmm *vmm)
{
  return &vmm->config;
}

static void
emit (Vmm *vmm, VmmEventKind kind, const char *reason)
{
  VmmEvent event = { kind, reason };

  if (vmm->event_func != NULL)
    vmm->event_func (&event, vmm->event_data);
}

static gboolean
require_status (Vmm *vmm, VmmStatus status, const char *message, GError **error)
{
  if (vmm->status == status)
    return TRUE;
  g_set_error_literal (error, HV_VMM_ERROR, HV_VMM_ERROR_INVALID_STATE, message);
  return FALSE;
}

gboolean
vmm_pause (Vmm *vmm, GError **error)
{
  if (!require_status (vmm, VMM_STATUS_RUNNING, "The guest is not running", error))
    return FALSE;
  vmm->status = VMM_STATUS_PAUSED;
  emit (vmm, VMM_EVENT_STOP, NULL);
  return TRUE;
}

gboolean
vmm_resume (Vmm *vmm, GError **error)
{
  if (!require_status (vmm, VMM_STATUS_PAUSED, "The guest is not paused", error))
    return FALSE;
  vmm->status = VMM_STATUS_RUNNING;
  emit (vmm, VMM_EVENT_RESUME, NULL);
  return TRUE;
}

gboolean
vmm_powerdown (Vmm *vmm, GError **error)
{
  if (!require_status (vmm, VMM_STATUS_RUNNING, "The guest is not running", error))
    return FALSE;
  vmm->powerdowns++;
  return TRUE;
}

gboolean
vmm_reset (Vmm *vmm, GError **error)
{
  if (vmm->status == VMM_STATUS_SHUTDOWN)
    return require_status (vmm, VMM_STATUS_RUNNING, "The guest is off", error);
  emit (vmm, VMM_EVENT_RESET, "host-reset");
  return TRUE;
}

void
vmm_quit (Vmm *vmm)
{
  vmm->status = VMM_STATUS_SHUTDOWN;
  emit (vmm, VMM_EVENT_SHUTDOWN, "host-quit");
}

const GError *
vmm_get_fatal_error (Vmm *vmm)
{
  return vmm->fatal_error;
}

void
fake_vmm_fail (Vmm *vmm, const char *message)
{
  vmm->status = VMM_STATUS_SHUTDOWN;
  vmm->fatal_error = g_error_new_literal (HV_VMM_ERROR, HV_VMM_ERROR_FAILED, message);
  emit (vmm, VMM_EVENT_SHUTDOWN, "internal-error");
}

void
vmm_console_input (Vmm *vmm, const uint8_t *bytes, size_t len)
{
  g_byte_array_append (vmm->input, bytes, len);
}

GByteArray *
fake_vmm_get_input (Vmm *vmm)
{
  return vmm->input;
}

static void
fake_block_info_clear (gpointer data)
{
  VmmBlockInfo *info = data;

  g_free (info->id);
  g_free (info->path);
}

/* One disk with fixed counters, for query-block. */
GArray *
vmm_query_block (Vmm *vmm)
{
  GArray *list = g_array_new (FALSE, TRUE, sizeof (VmmBlockInfo));
  VmmBlockInfo disk = {
    .id = g_strdup ("disk0"),
    .path = g_strdup ("/images/demo.img"),
    .readonly = true,
    .size = 1 << 20,
    .requests = 7,
    .read_bytes = 4096,
    .written_bytes = 512,
    .flushes = 1,
    .errors = 2,
  };

  g_array_set_clear_func (list, fake_block_info_clear);
  g_array_append_val (list, disk);
  return list;
}

static void
fake_nic_info_clear (gpointer data)
{
  VmmNicInfo *info = data;

  g_free (info->id);
  g_free (info->mac);
  g_free (info->backend);
}

/* One NIC with fixed counters, for query-nics. */
GArray *
vmm_query_nics (Vmm *vmm)
{
  GArray *list = g_array_new (FALSE, TRUE, sizeof (VmmNicInfo));
  VmmNicInfo nic = {
    .id = g_strdup ("net0"),
    .mac = g_strdup ("52:54:00:12:34:56"),
    .backend = g_strdup ("user"),
    .rx_frames = 3,
    .rx_bytes = 1000,
    .tx_frames = 4,
    .tx_bytes = 2000,
    .rx_dropped = 1,
  };

  g_array_set_clear_func (list, fake_nic_info_clear);
  g_array_append_val (list, nic);
  return list;
}

guint
fake_vmm_get_powerdowns (Vmm *vmm)
{
  return vmm->powerdowns;
}

typedef struct
{
  Vmm *vmm;
  const char *bytes;
  gsize len;
  gsize chunk;
} OutputJob;

static gpointer
output_thread (gpointer data)
{
  OutputJob *job = data;

  for (gsize done = 0; done < job->len; done += job->chunk)
    job->vmm->output_func ((const uint8_t *) job->bytes + done, MIN (job->chunk, job->len - done),
                           job->vmm->output_data);
  return NULL;
}

void
fake_vmm_output_from_thread (Vmm *vmm, const char *bytes, gsize len, gsize chunk)
{
  OutputJob job = { vmm, bytes, len, chunk };
  GThread *thread = g_thread_new ("fake-vcpu", output_thread, &job);

  g_thread_join (thread);
}
