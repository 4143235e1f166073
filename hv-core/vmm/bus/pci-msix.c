/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "pci-msix.h"

#include <string.h>

#define PCI_CAP_ID_MSIX   0x11
#define MSIX_CTRL_ENABLE  0x8000
#define MSIX_CTRL_MASKALL 0x4000
#define MSIX_ENTRY_MASKED 1u
#define MSIX_WORD_ADDR_LO 0
#define MSIX_WORD_ADDR_HI 1
#define MSIX_WORD_DATA    2
#define MSIX_WORD_CONTROL 3

void
msix_init (Msix *msix, PciDevice *dev, unsigned n_vectors, unsigned bar, uint32_t table_offset,
           uint32_t pba_offset, const MsixSink *sink)
{
  g_assert (n_vectors > 0 && n_vectors <= MSIX_MAX_VECTORS);
  memset (msix, 0, sizeof *msix);
  g_mutex_init (&msix->lock);
  msix->dev = dev;
  msix->n_vectors = n_vectors;
  msix->sink = *sink;
  msix->cap = pci_device_add_capability (dev, PCI_CAP_ID_MSIX, 12);
  pci_config_set16 (dev, msix->cap + 2, n_vectors - 1);
  pci_config_set32 (dev, msix->cap + 4, table_offset | bar);
  pci_config_set32 (dev, msix->cap + 8, pba_offset | bar);
  dev->wmask[msix->cap + 3] = (MSIX_CTRL_ENABLE | MSIX_CTRL_MASKALL) >> 8;
  msix_reset (msix);
}

void
msix_clear (Msix *msix)
{
  g_mutex_clear (&msix->lock);
}

void
msix_reset (Msix *msix)
{
  g_mutex_lock (&msix->lock);
  memset (msix->table, 0, sizeof msix->table);
  for (unsigned i = 0; i < msix->n_vectors; i++)
    msix->table[i][MSIX_WORD_CONTROL] = MSIX_ENTRY_MASKED;
  msix->pending = 0;
  msix->enabled = msix->function_masked = false;
  g_mutex_unlock (&msix->lock);
  pci_config_set16 (msix->dev, msix->cap + 2, msix->n_vectors - 1);
}

static bool
msix_masked (Msix *msix, unsigned vector)
{
  return !msix->enabled || msix->function_masked ||
         (msix->table[vector][MSIX_WORD_CONTROL] & MSIX_ENTRY_MASKED) != 0;
}

/* Sends what became unmasked; with the lock held. */
static void
msix_flush_pending (Msix *msix)
{
  for (unsigned v = 0; v < msix->n_vectors; v++)
    {
      if ((msix->pending & (1ull << v)) != 0 && !msix_masked (msix, v))
        {
          msix->pending &= ~(1ull << v);
          msix->sink.fire (msix->sink.opaque, v);
        }
    }
}

void
msix_config_written (Msix *msix, unsigned offset, unsigned size)
{
  uint16_t ctrl;

  if (offset + size <= msix->cap + 2 || offset > msix->cap + 3)
    return;
  ctrl = pci_config_get16 (msix->dev, msix->cap + 2);
  g_mutex_lock (&msix->lock);
  msix->enabled = (ctrl & MSIX_CTRL_ENABLE) != 0;
  msix->function_masked = (ctrl & MSIX_CTRL_MASKALL) != 0;
  msix_flush_pending (msix);
  g_mutex_unlock (&msix->lock);
}

bool
msix_enabled (Msix *msix)
{
  bool enabled;

  g_mutex_lock (&msix->lock);
  enabled = msix->enabled;
  g_mutex_unlock (&msix->lock);
  return enabled;
}

void
msix_notify (Msix *msix, unsigned vector)
{
  if (vector >= msix->n_vectors)
    return;
  g_mutex_lock (&msix->lock);
  if (msix_masked (msix, vector))
    msix->pending |= 1ull << vector;
  else
    msix->sink.fire (msix->sink.opaque, vector);
  g_mutex_unlock (&msix->lock);
}

uint64_t
msix_table_read (Msix *msix, uint64_t offset, unsigned size)
{
  unsigned vector = offset / MSIX_ENTRY_SIZE;
  unsigned word = (offset % MSIX_ENTRY_SIZE) / 4;
  uint64_t value;

  /* Dword or aligned qword accesses only (6.8.2). */
  if (vector >= msix->n_vectors || (size != 4 && size != 8) || (offset & (size - 1)) != 0)
    return UINT64_MAX;
  g_mutex_lock (&msix->lock);
  value = msix->table[vector][word];
  if (size == 8)
    value |= (uint64_t) msix->table[vector][word + 1] << 32;
  g_mutex_unlock (&msix->lock);
  return value;
}

static void
msix_write_word (Msix *msix, unsigned vector, unsigned word, uint32_t value)
{
  uint32_t *entry = msix->table[vector];

  if (word == MSIX_WORD_CONTROL)
    {
      entry[word] = value & MSIX_ENTRY_MASKED;
      return;
    }
  entry[word] = value;
  msix->sink.route (msix->sink.opaque, vector,
                    (uint64_t) entry[MSIX_WORD_ADDR_HI] << 32 | entry[MSIX_WORD_ADDR_LO],
                    entry[MSIX_WORD_DATA]);
}

void
msix_table_write (Msix *msix, uint64_t offset, uint64_t value, unsigned size)
{
  unsigned vector = offset / MSIX_ENTRY_SIZE;
  unsigned word = (offset % MSIX_ENTRY_SIZE) / 4;

  if (vector >= msix->n_vectors || (size != 4 && size != 8) || (offset & (size - 1)) != 0)
    return;
  g_mutex_lock (&msix->lock);
  msix_write_word (msix, vector, word, value);
  if (size == 8)
    msix_write_word (msix, vector, word + 1, value >> 32);
  msix_flush_pending (msix);
  g_mutex_unlock (&msix->lock);
}

uint64_t
msix_pba_read (Msix *msix, uint64_t offset, unsigned size)
{
  uint64_t value;

  if (offset >= 8 || offset + size > 8)
    return 0;
  g_mutex_lock (&msix->lock);
  value = msix->pending >> (8 * offset);
  g_mutex_unlock (&msix->lock);
  return value;
}
