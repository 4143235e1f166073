/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The guest's memory map, as both boot protocols hand it over. */
#pragma once

#include <stdint.h>

#define E820_TYPE_RAM      1
#define E820_TYPE_RESERVED 2

#define E820_MAX_ENTRIES 8

typedef struct
{
  uint64_t addr;
  uint64_t size;
  uint32_t type;
} E820Entry;

/* Fills OUT (E820_MAX_ENTRIES) for RAM split into LOW_SIZE bytes at 0 and
 * HIGH_SIZE at 4 GiB; returns the number of entries. */
unsigned e820_build (uint64_t low_size, uint64_t high_size, E820Entry *out);
