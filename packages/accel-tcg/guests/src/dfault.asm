; Double fault through a task gate: with paging on, the stack page is made not present; a PUSH
; faults (#PF), delivering the #PF faults again on the same stack, which makes a double fault;
; IDT vector 8 is a task gate, so the CPU switches to a fresh task with its own stack, which
; prints CR2, its back link and the faulting task's saved state, then exits.
%include "lib/rom.inc"

GDT_RAM     equ 0x50000
TSS_MAIN    equ 0x40000
TSS_DF      equ 0x41000
PD          equ 0x30000
PT0         equ 0x31000
BAD_STACK   equ 0x70000             ; page made not present

%macro EXTRA_GDT 0
        dq 0x0000890000000067 | (TSS_MAIN << 16)     ; 0x28
        dq 0x0000890000000067 | (TSS_DF << 16)       ; 0x30
%endmacro

test_main:
        call install_idt
        mov esi, gdt
        mov edi, GDT_RAM
        mov ecx, gdt_end - gdt
        rep movsb
        mov word [SCRATCH], gdt_end - gdt - 1
        mov dword [SCRATCH + 2], GDT_RAM
        lgdt [SCRATCH]
        mov edi, TSS_MAIN
        mov ecx, 0x2000 / 4
        xor eax, eax
        rep stosd
        mov dword [TSS_MAIN + 0x1c], PD
        mov dword [TSS_DF + 0x1c], PD
        mov dword [TSS_DF + 0x20], df_task
        mov dword [TSS_DF + 0x24], 0x2
        mov dword [TSS_DF + 0x38], STACK_TOP - 0x1000
        mov word [TSS_DF + 0x48], SEL_DATA32
        mov word [TSS_DF + 0x4c], SEL_CODE32
        mov word [TSS_DF + 0x50], SEL_DATA32
        mov word [TSS_DF + 0x54], SEL_DATA32
        mov word [TSS_DF + 0x58], SEL_DATA32
        mov word [TSS_DF + 0x5c], SEL_DATA32
        mov ax, 0x28
        ltr ax
        ; IDT vector 8: task gate to TSS_DF
        mov dword [IDT_BASE + 8 * 8], 0x00300000
        mov dword [IDT_BASE + 8 * 8 + 4], 0x00008500
        ; paging: identity 4 MiB, ROM as a 4 MiB page, BAD_STACK not present
        mov edi, PT0
        mov eax, 0x003
        mov ecx, 1024
.id:    stosd
        add eax, 0x1000
        loop .id
        mov dword [PT0 + (BAD_STACK >> 12) * 4], 0
        mov dword [PD], PT0 | 0x003
        mov dword [PD + 1023 * 4], 0xffc00000 | 0x083
        mov eax, cr4
        or eax, 0x10
        mov cr4, eax
        mov eax, PD
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov esi, msg
        call puts
        mov esp, BAD_STACK + 0x800
        mov eax, 0x1234
        push eax                            ; #PF → #PF while delivering → #DF (task gate)
        hlt

df_task:
        mov eax, cr2
        movzx ebx, word [TSS_DF]            ; back link: the faulting task
        mov ecx, [TSS_MAIN + 0x38]          ; its saved ESP
        mov edx, [TSS_MAIN + 0x20]          ; its saved EIP (the PUSH)
        pop esi                             ; #DF error code (0) on the new task's stack
        pushfd
        pop edi                             ; NT set: nested task
        DUMP
        mov al, 0
        jmp exit

msg: db "faulting now", 10, 0

%include "lib/rom-end.inc"
