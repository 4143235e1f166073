/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * The ACPI tables that describe the machine: RSDP, XSDT (and RSDT), FADT,
 * FACS, MADT, and the DSDT compiled from dsdt.asl. The fixed-hardware
 * addresses below are shared with the PM device model (dev/acpi-pm.c).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define ACPI_PM_BASE       0x600 /* one port block for all PM registers */
#define ACPI_PM_SIZE       0x20
#define ACPI_PM1A_EVT_PORT 0x600 /* PM1a_STS (2 bytes), PM1a_EN (2 bytes) */
#define ACPI_PM1A_CNT_PORT 0x604 /* 2 bytes */
#define ACPI_PM_TMR_PORT   0x608 /* 4 bytes, 32-bit counter */
#define ACPI_GPE0_PORT     0x60c /* GPE0_STS (2 bytes), GPE0_EN (2 bytes) */
#define ACPI_RESET_PORT    0x610 /* 1 byte */
#define ACPI_RESET_VALUE   0x01
#define ACPI_SCI_IRQ       9
#define ACPI_S5_SLP_TYP    5 /* must match \_S5 in dsdt.asl */

#define ACPI_IOAPIC_ADDR 0xfec00000u
#define ACPI_LAPIC_ADDR  0xfee00000u

#define ACPI_HEADER_SIZE 36

/* Writes every table into BUF, which the guest sees at BASE (16-byte
 * aligned), the RSDP first, at BASE itself. Returns the bytes used, or 0
 * if SIZE is too small. */
size_t acpi_build_tables (uint8_t *buf, size_t size, uint64_t base, unsigned n_cpus);
/* The compiled DSDT. */
const uint8_t *acpi_dsdt_get (size_t *len);
/* The byte that makes LEN bytes at DATA sum to zero. */
uint8_t acpi_checksum (const uint8_t *data, size_t len);
