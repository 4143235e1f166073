/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * Entry points of the tiny test guests. One linked image is entered four ways:
 *
 *   .setup        16-bit real-mode setup of the bzImage (only loaders that use the
 *                 16-bit boot protocol, such as QEMU's option ROM, run it): it gets the
 *                 BIOS e820 map, builds a zero page and enters startup_32.
 *   startup_32    payload offset 0 (code32_start): 32-bit boot protocol, %esi = zero page.
 *   startup_64    payload offset 0x200: 64-bit boot protocol, %rsi = zero page, paging on
 *                 with the loader's page tables, possibly loaded away from the link address.
 *   pvh_start32   PVH (XEN_ELFNOTE_PHYS32_ENTRY): 32-bit, paging off, %ebx = hvm_start_info.
 *
 * All of them end in linked64 at the link address, on boot_pgt (the first GiB identity
 * mapped with 2 MiB pages), and call guest_start (kind, info) in C. The C code maps
 * anything above the first GiB itself when it needs it.
 *
 * No SSE, x87 or other non-integer state is touched anywhere: the emulated /dev/kvm of
 * the build machines does not support it.
 */

#include "guest-defs.h"

#define CR0_PE   0x00000001
#define CR0_PG   0x80000000
#define CR4_PAE  0x00000020
#define MSR_EFER 0xc0000080
#define EFER_LME 0x00000100

#define PTE_PRESENT 0x001
#define PTE_WRITE   0x002
#define PTE_LARGE   0x080
#define PTE_TABLE   (PTE_PRESENT | PTE_WRITE)
#define PTE_2M      (PTE_PRESENT | PTE_WRITE | PTE_LARGE)

/* Selectors of the payload's GDT. */
#define SEL_CODE64 0x08
#define SEL_DATA   0x10

/* Zero page offsets (Linux boot protocol). */
#define ZP_E820_ENTRIES 0x1e8
#define ZP_HDR          0x1f1
#define ZP_LOADFLAGS    0x211
#define ZP_CODE32_START 0x214
#define ZP_HEAP_END_PTR 0x224
#define ZP_E820_TABLE   0x2d0
#define ZP_E820_MAX     128

/* Where the real-mode setup builds its zero page, relative to the setup segment. */
#define SETUP_ZERO_PAGE 0x1000

/* ------------------------------------------------------------------------------------ */
/* 16-bit setup: not loaded by PVH; guest-pack copies this section in front of the
 * payload and fills in the header at 0x1f1..0x27f, which must stay zero here. */

	.section .setup, "", @progbits
	.code16
setup_base:
	.org 0x280, 0
setup_entry:
	/* The loader jumps to seg+0x20:0 with DS = ES = SS = seg. Only DS-relative data
	 * and relative jumps are used, so CS's odd base does not matter. */
	cli
	cld
	movw %ds, %ax
	movw %ax, %es
	movw %ax, %ss
	movw $0xfff0, %sp
	testb $0x80, ZP_LOADFLAGS		/* CAN_USE_HEAP: the loader gave us an end */
	jz 1f
	movw ZP_HEAP_END_PTR, %sp
	addw $0x200, %sp
1:
	/* The zero page: cleared, with a copy of the setup header. */
	movw $SETUP_ZERO_PAGE, %di
	xorw %ax, %ax
	movw $2048, %cx
	rep stosw
	movw $ZP_HDR, %si
	movw $(SETUP_ZERO_PAGE + ZP_HDR), %di
	movw $(0x280 - ZP_HDR), %cx
	rep movsb

	/* The BIOS memory map (int 15h, e820), straight into the zero page. */
	movw $(SETUP_ZERO_PAGE + ZP_E820_TABLE), %di
	xorl %ebx, %ebx
2:
	movl $0xe820, %eax
	movl $20, %ecx
	movl $0x534d4150, %edx			/* 'SMAP' */
	int $0x15
	jc 3f
	cmpl $0x534d4150, %eax
	jne 3f
	incb (SETUP_ZERO_PAGE + ZP_E820_ENTRIES)
	addw $20, %di
	testl %ebx, %ebx
	jz 3f
	cmpb $ZP_E820_MAX, (SETUP_ZERO_PAGE + ZP_E820_ENTRIES)
	jb 2b
3:
	cli
	/* Fast A20 gate, in case the firmware left it closed. */
	inb $0x92, %al
	orb $0x02, %al
	andb $0xfe, %al
	outb %al, $0x92

	/* Protected mode needs linear addresses: patch them from our segment. */
	xorl %ebx, %ebx
	movw %ds, %bx
	shll $4, %ebx
	leal (setup_gdt - setup_base)(%ebx), %eax
	movl %eax, (setup_gdt_desc - setup_base + 2)
	leal (setup_pm - setup_base)(%ebx), %eax
	movl %eax, (setup_farptr - setup_base)
	lgdtl (setup_gdt_desc - setup_base)
	movl %cr0, %eax
	orl $CR0_PE, %eax
	movl %eax, %cr0
	ljmpl *(setup_farptr - setup_base)

	.code32
setup_pm:
	movl $0x18, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	leal SETUP_ZERO_PAGE(%ebx), %esi
	movl ZP_CODE32_START(%esi), %eax
	jmp *%eax

	.balign 8
setup_gdt:
	.quad 0
	.quad 0
	.quad 0x00cf9a000000ffff		/* 0x10: flat 32-bit code (__BOOT_CS) */
	.quad 0x00cf92000000ffff		/* 0x18: flat data (__BOOT_DS) */
setup_gdt_end:
setup_gdt_desc:
	.word setup_gdt_end - setup_gdt - 1
	.long 0
setup_farptr:
	.long 0
	.word 0x10

/* ------------------------------------------------------------------------------------ */
/* The payload: starts at the link address, 0x100000. */

	.section .head.text, "ax"
	.code32
	.globl startup_32
startup_32:
	cli
	movl $GUEST_BOOT_LINUX32, %ebp
	movl %esi, %ebx
	jmp common32

	.globl pvh_start32
pvh_start32:
	cli
	movl $GUEST_BOOT_PVH, %ebp
	/* %ebx already holds hvm_start_info */

common32:
	cld
	lgdt gdt_desc
	movl $SEL_DATA, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss

	/* boot_pgt: PML4[0] -> PDPT[0] -> PD with 512 2 MiB pages (the first GiB). Only
	 * PML4 and PDPT need clearing: every PD entry is written. (Guest code is emulated
	 * on the build machines: every instruction before the first byte counts.) */
	movl $boot_pgt, %edi
	xorl %eax, %eax
	movl $(2 * 1024), %ecx
	rep stosl
	movl $(boot_pgt + 0x1000 + PTE_TABLE), boot_pgt
	movl $(boot_pgt + 0x2000 + PTE_TABLE), boot_pgt + 0x1000
	movl $(boot_pgt + 0x2000), %edi
	movl $PTE_2M, %eax
	movl $512, %ecx
1:
	movl %eax, (%edi)
	addl $8, %edi
	addl $0x200000, %eax
	decl %ecx
	jnz 1b

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $boot_pgt, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0
	ljmp $SEL_CODE64, $from32

	.code64
from32:
	movl %ebp, %r12d
	movl %ebx, %r13d
	jmp linked64

	/* The 64-bit entry point must sit at payload offset 0x200 (checked by the linker
	 * script and by guest-pack). */
	.org 0x200, 0xcc
	.globl startup_64
startup_64:
	cli
	cld
	leaq startup_32(%rip), %rbx		/* where the loader put us */
	movq $startup_32, %rax			/* where we are linked */
	movl $GUEST_BOOT_LINUX64, %r12d
	movq %rsi, %r13
	cmpq %rax, %rbx
	je at_link_address

	/* Relocated: build page tables in the loaded copy (its init_size range is mapped),
	 * covering the first GiB and the 2 MiB page of the loaded copy, switch to them,
	 * copy the image to the link address and continue there. The image is smaller
	 * than kernel_alignment (1 MiB), so the two copies never overlap. */
	leaq boot_stack_top(%rip), %rsp
	leaq boot_pgt(%rip), %rdi
	call build_pgt64
	call map_self64
	movq %rdi, %cr3
	movq %rbx, %rsi
	movq $startup_32, %rdi
	movl $__load_qwords, %ecx
	rep movsq
	movq $at_link_address, %rax
	jmp *%rax

at_link_address:
	movq $boot_stack_top, %rsp
	movq $boot_pgt, %rdi
	call build_pgt64
	movq %rdi, %cr3
	jmp linked64

/* %rdi = BOOT_PGT_PAGES pages: fills the first three (PML4, PDPT, PD) to identity-map the
 * first GiB; the other two are for map_self64. Keeps %rdi. */
build_pgt64:
	pushq %rdi
	xorl %eax, %eax
	movl $(2 * 512), %ecx
	rep stosq
	popq %rdi
	leaq (0x1000 + PTE_TABLE)(%rdi), %rax
	movq %rax, (%rdi)
	leaq (0x2000 + PTE_TABLE)(%rdi), %rax
	movq %rax, 0x1000(%rdi)
	leaq 0x2000(%rdi), %rdx
	movl $PTE_2M, %eax
	movl $512, %ecx
1:
	movq %rax, (%rdx)
	addq $8, %rdx
	addq $0x200000, %rax
	decl %ecx
	jnz 1b
	ret

/* %rdi = page tables from build_pgt64, %rbx = runtime base: identity-map the 2 MiB page
 * holding the image (at most 1 MiB long and 1 MiB aligned, so it fits one page). */
map_self64:
	movq %rbx, %rax
	shrq $30, %rax
	jz 9f					/* inside the first GiB: mapped already */
	pushq %rdi				/* clear the two spare pages */
	addq $0x3000, %rdi
	xorl %eax, %eax
	movl $(2 * 512), %ecx
	rep stosq
	popq %rdi
	leaq 0x1000(%rdi), %rdx			/* PDPT for the first 512 GiB */
	movq %rbx, %rax
	shrq $39, %rax
	andl $511, %eax
	jz 1f
	leaq (0x3000 + PTE_TABLE)(%rdi), %rcx
	movq %rcx, (%rdi,%rax,8)
	leaq 0x3000(%rdi), %rdx
1:
	movq %rbx, %rax
	shrq $30, %rax
	andl $511, %eax
	leaq (0x4000 + PTE_TABLE)(%rdi), %rcx
	movq %rcx, (%rdx,%rax,8)
	movq %rbx, %rax
	shrq $21, %rax
	andl $511, %eax
	movq %rbx, %rcx
	andq $~0x1fffff, %rcx
	orq $PTE_2M, %rcx
	movq %rcx, 0x4000(%rdi,%rax,8)
9:
	ret

/* Common 64-bit path: at the link address, on boot_pgt; %r12d = kind, %r13 = info. */
linked64:
	lgdt gdt_desc(%rip)
	movq $boot_stack_top, %rsp
	pushq $SEL_CODE64
	leaq 1f(%rip), %rax
	pushq %rax
	lretq
1:
	movl $SEL_DATA, %eax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs

	/* Loaders need not clear .bss (a bzImage's is not in the file). */
	movq $__bss_start, %rdi
	movq $__bss_end, %rcx
	subq %rdi, %rcx
	shrq $3, %rcx
	rep stosq

	movl %r12d, %edi
	movq %r13, %rsi
	call guest_start
2:
	cli
	hlt
	jmp 2b

/* ------------------------------------------------------------------------------------ */
/* Exception stubs, 16 bytes each, so that C can fill the IDT from exception_stubs. They
 * push a zero error code where the CPU pushes none, then the vector. */

	.text
	.balign 16
	.globl exception_stubs
exception_stubs:
	vector = 0
	.rept 32
	.balign 16
	.if (vector == 8) || (vector >= 10 && vector <= 14) || (vector == 17) || (vector == 21) || (vector == 29) || (vector == 30)
	.else
	pushq $0
	.endif
	pushq $vector
	jmp exception_common
	vector = vector + 1
	.endr

exception_common:
	movq %rsp, %rdi
	andq $-16, %rsp
	call guest_exception
3:
	cli
	hlt
	jmp 3b

/* ------------------------------------------------------------------------------------ */

	.section .rodata
	.balign 8
gdt:
	.quad 0
	.quad 0x00af9a000000ffff		/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff		/* 0x10: flat data */
	.quad 0x00cf9a000000ffff		/* 0x18: flat 32-bit code */
gdt_end:
	.balign 8
gdt_desc:
	.word gdt_end - gdt - 1
	.quad gdt

/* kernel_info (boot protocol 2.15): found through kernel_info_offset. */
	.balign 4
	.globl kernel_info
kernel_info:
	.ascii "LToP"
	.long kernel_info_end - kernel_info	/* size */
	.long kernel_info_end - kernel_info	/* size_total */
	.long 0					/* setup_type_max: we read no setup_data */
kernel_info_end:

/* Page tables and stack: outside .bss, so that clearing .bss leaves them alone. */
	.section .boot, "aw", @nobits
	.balign 4096
	.globl boot_pgt
boot_pgt:
	.skip BOOT_PGT_PAGES * 4096
	.balign 16
boot_stack:
	.skip 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
