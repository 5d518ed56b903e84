; System instructions and descriptor queries: SGDT/SIDT/SLDT/STR/SMSW, LMSW, CLTS, MOV from CR0,
; WRMSR/RDMSR of SYSENTER_CS, LLDT and an LDT data segment, LAR/LSL/VERR/VERW on several
; descriptor kinds (and on bad selectors, ZF=0), ARPL, a conforming code segment called from
; ring 0, a 16-bit code segment in protected mode with a 16-bit interrupt gate, and a 16-bit
; expand-down data segment.
%include "lib/rom.inc"

GDT_RAM     equ 0x50000
LDT_BASE    equ 0x51000

%macro EXTRA_GDT 0
        dq 0x0000820000000017 | ((LDT_BASE & 0xffffff) << 16)   ; 0x28 LDT, 3 entries
        dq 0x00cf9f000000ffff               ; 0x30 conforming code32, DPL 0
        dq 0x00cffb000000ffff               ; 0x38 code32 DPL 3 (LAR/LSL from ring 0)
        dq 0x0000970000000fff               ; 0x40 data16 expand-down, limit 0xfff (valid 0x1000-0xffff)
        dq 0x00409b0f0000ffff               ; 0x48 (unused)
        dq 0x0000890000000067               ; 0x50 TSS (not loaded; for LAR/LSL)
%endmacro

test_main:
        mov [SCRATCH + 0x80], esp
        call install_idt
        ; descriptor-table registers
        sgdt [SCRATCH]
        sidt [SCRATCH + 8]
        mov eax, [SCRATCH]
        mov ecx, [SCRATCH + 2]
        mov edx, [SCRATCH + 8]
        mov esi, [SCRATCH + 10]
        DUMP
        ; writable GDT copy, an LDT with one data segment (base SCRATCH)
        mov esi, gdt
        mov edi, GDT_RAM
        mov ecx, gdt_end - gdt
        rep movsb
        mov word [SCRATCH + 0x20], gdt_end - gdt - 1
        mov dword [SCRATCH + 0x22], GDT_RAM
        lgdt [SCRATCH + 0x20]
        mov dword [LDT_BASE], 0
        mov dword [LDT_BASE + 4], 0
        mov dword [LDT_BASE + 8], 0x0000ffff | ((SCRATCH & 0xffff) << 16)
        mov dword [LDT_BASE + 12], 0x00cf9200 | ((SCRATCH >> 16) & 0xff) | (SCRATCH & 0xff000000)
        mov ax, 0x28
        lldt ax
        sldt ebx
        str ecx
        smsw edx
        mov dword [SCRATCH + 0x40], 0xcafe
        mov ax, 0x0c                        ; LDT entry 1, RPL 0
        mov fs, ax
        mov esi, [fs:0x40]
        mov eax, [LDT_BASE + 12]            ; accessed bit set by the load
        DUMP
        ; LAR / LSL / VERR / VERW
        mov ecx, 0
.q:     mov bx, [selectors + ecx * 2]
        mov eax, 0x11111111
        mov edx, 0x22222222
        lar eax, bx
        pushfd
        lsl edx, bx
        pushfd
        pop esi
        pop edi
        and esi, 0x40
        and edi, 0x40
        DUMP
        verr bx
        pushfd
        verw bx
        pushfd
        pop esi
        pop edi
        and esi, 0x40
        and edi, 0x40
        DUMP
        inc ecx
        cmp ecx, NSEL
        jb .q
        ; ARPL
        mov ax, 0x0010
        mov bx, 0x0003
        arpl ax, bx
        pushfd
        pop ecx
        and ecx, 0x40
        DUMP
        ; LMSW / CLTS / CR0
        mov eax, cr0
        mov esi, eax
        lmsw [lmsw_value]
        mov ebx, cr0
        clts
        mov ecx, cr0
        mov cr0, esi
        DUMP
        ; WRMSR / RDMSR
        mov ecx, 0x174
        mov eax, 0x1234
        xor edx, edx
        wrmsr
        xor eax, eax
        rdmsr
        DUMP
        ; conforming code segment from ring 0: CPL stays 0 (CS RPL 0)
        call 0x30:conf_fn
        DUMP
        ; 16-bit expand-down data segment: offset 0x1000 fine, 0x0fff #GP... (QEMU does not
        ; check limits, so only the valid side is exercised here)
        mov ax, 0x40
        mov es, ax
        mov word [es:0x2000], 0x4444
        mov ax, [es:0x2000]
        mov bx, SEL_DATA32
        mov es, bx
        DUMP
        ; 16-bit code in protected mode, with a 16-bit interrupt gate for vector 0x40
        mov eax, int40_16
        sub eax, 0xffff0000
        mov word [IDT_BASE + 0x40 * 8], ax
        mov word [IDT_BASE + 0x40 * 8 + 2], SEL_CODE16
        mov word [IDT_BASE + 0x40 * 8 + 4], 0x8600          ; 16-bit interrupt gate
        mov word [IDT_BASE + 0x40 * 8 + 6], 0
        mov word [SCRATCH + 0x60], 0x7ff
        mov dword [SCRATCH + 0x62], IDT_BASE
        lidt [SCRATCH + 0x60]
        jmp SEL_CODE16:(code16 - 0xffff0000)
back32:
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        mov ss, ax
        mov esp, [SCRATCH + 0x80]
        DUMP
        mov al, 0
        ret

conf_fn:
        mov eax, cs
        retf

        bits 16
code16:
        mov ax, SEL_DATA16
        mov ds, ax
        mov ss, ax
        mov sp, 0x7000
        mov ax, 0x1616
        int 0x40
        mov cx, sp
        jmp dword SEL_CODE32:back32
int40_16:
        mov bp, sp
        mov bx, [bp + 2]                    ; CS pushed as a word
        mov dx, [bp + 4]                    ; FLAGS as a word
        iret
        bits 32

lmsw_value: dw 0x000f
selectors:  dw 0x0008, 0x0010, 0x0028, 0x0030, 0x0038, 0x003b, 0x0050, 0x000c, 0x0000, 0x0ff8, 0x0014
NSEL equ ($ - selectors) / 2

%include "lib/rom-end.inc"
