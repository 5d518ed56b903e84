; Instructions that change SS and move the stack pointer, and ENTER (issue 10 §1, §2).
; * POP SS moves the stack pointer by the size of the stack it popped from (the OLD SS.B):
;   a 16-bit stack at ESP=0x0002FFFC popping a 32-bit data selector wraps SP (ESP 0x00020000).
;   LSS loads SP or ESP by operand size.
; * ENTER: FrameTemp is the full ESP after the first push when the operand size is 32, also on a
;   16-bit stack (SP wraps, the upper half stays), it is pushed and loaded into EBP as is; the
;   nested copies are read through BP (16-bit stack) or EBP (32-bit stack). Nesting levels 0, 1, 4
;   and 36 (taken mod 32), operand sizes 16 and 32, stack sizes 16 and 32. Each line prints ESP,
;   EBP and the frame ENTER built (the memory was filled with address|0xA5000000 first).
; * ENTER checks its final stack pointer like a write: from ring 3 a final SS:ESP in a
;   supervisor page is #PF with error code 7 (P|W|U) and CR2 there, ESP and EBP unchanged.
;
; REFERENCE: sdm — QEMU 7.2 keeps the old upper half of EBP and pushes SP-based frame pointers
; for a 32-bit ENTER on a 16-bit stack, and never checks ENTER's final stack pointer. The
; expected output (guests/expected/stack.txt) follows the SDM's ENTER pseudocode (FrameTemp <- ESP
; for OperandSize = 32) and Bochs 2.7; the POP SS and LSS lines agree with QEMU.
%include "lib/rom.inc"

GDT_RAM     equ 0x50000
TSS1        equ 0x40000
RING0_STACK equ 0x8f000
PD          equ 0x30000
PT0         equ 0x31000
SUPER_PAGE  equ 0x60000         ; supervisor-only
USER_PAGE   equ 0x61000         ; the ring-3 test stack, just above it
RING3_STACK equ 0x70000
res_esp     equ SCRATCH + 0x100
res_ebp     equ SCRATCH + 0x104
gdtr_ram    equ SCRATCH + 0x110

SEL_CODE3   equ 0x28 | 3
SEL_DATA3   equ 0x30 | 3
SEL_TSS1    equ 0x38

%macro EXTRA_GDT 0
        dq 0x00cffb000000ffff               ; 0x28 code32 DPL 3
        dq 0x00cff3000000ffff               ; 0x30 data32 DPL 3
        dq 0x0000890000000067 | (TSS1 << 16) ; 0x38 TSS1
%endmacro

; Back to the flat 32-bit stack after a test left SS/ESP elsewhere.
%macro FLAT_STACK 0
        mov ax, SEL_DATA32
        mov ss, ax
        mov esp, STACK_TOP
%endmacro

; ENTER_CASE stack_bits, operand_bits, level
%macro ENTER_CASE 3
  %if %1 == 16
        mov edi, 0xe000                 ; pattern over the 16-bit stack's top 8 KiB
  %else
        mov edi, 0x46000                ; ... and the 32-bit stack's (TSS1 is set up later)
  %endif
        call fill_pattern
  %if %1 == 16
        mov ax, SEL_DATA16
        mov ss, ax
        mov esp, 0x00010000             ; SP = 0: the first push wraps
        mov ebp, 0x0005f000
  %else
        mov ax, SEL_DATA32
        mov ss, ax
        mov esp, 0x00048000
        mov ebp, 0x00047000
  %endif
  %if %2 == 16
        o16 enter 8, %3
  %else
        enter 8, %3
  %endif
        mov [res_esp], esp
        mov [res_ebp], ebp
        FLAT_STACK
        mov esi, %%tag
        call puts
  %if %1 == 16
        mov ebx, 0x10000
        movzx edi, word [res_esp]       ; SS base 0: the linear address is SP
  %else
        mov ebx, 0x48000
        mov edi, [res_esp]
  %endif
        mov edx, %2 / 8                 ; print the frame in operand-size units
        call report_frame
        jmp %%next
%%tag:  db "ENTER s", %str(%1), " o", %str(%2), " L", %str(%3), ":", 0
%%next:
%endmacro

; TRY ... TRY_END from ring 3: either way, EBX/ECX get ESP/EBP as the code left them, then
; the registers are dumped from a roomy ring-3 stack (the test stack sits next to a supervisor page).
%macro TRY 0
%push try
        RESUME_AT %$resume
%endmacro
%macro TRY_END 0
%$resume:
        mov ebx, esp
        mov ecx, ebp
        mov esp, RING3_STACK
        DUMP
%pop
%endmacro

test_main:
        call install_idt
        ; --- POP SS -----------------------------------------------------------------------
        ; o32 pop ss from a 16-bit stack at ESP=0x0002FFFC: SP wraps to 0, ESP = 0x00020000.
        mov dword [0xfffc], SEL_DATA32
        mov ax, SEL_DATA16
        mov ss, ax
        mov esp, 0x0002fffc
        pop ss
        mov ebx, esp
        mov ecx, ss
        FLAT_STACK
        DUMP
        ; o16 pop ss from a 16-bit stack at ESP=0x0002FFFE: SP wraps, ESP = 0x00020000.
        mov word [0xfffe], SEL_DATA32
        mov ax, SEL_DATA16
        mov ss, ax
        mov esp, 0x0002fffe
        o16 pop ss
        mov ebx, esp
        mov ecx, ss
        FLAT_STACK
        DUMP
        ; o16 pop ss of a 16-bit selector from a 32-bit stack at 0x0001FFFE: ESP = 0x00020000.
        mov word [0x1fffe], SEL_DATA16
        mov esp, 0x0001fffe
        o16 pop ss
        mov ebx, esp
        mov ecx, ss
        FLAT_STACK
        DUMP
        ; o16 lss sp loads SP only (the upper half of ESP stays); o32 lss esp loads all of ESP.
        mov word [SCRATCH], 0x1234
        mov word [SCRATCH + 2], SEL_DATA16
        mov esp, 0x00057000
        o16 lss sp, [SCRATCH]
        mov ebx, esp
        mov ecx, ss
        FLAT_STACK
        DUMP
        mov dword [SCRATCH], 0x00061234
        mov word [SCRATCH + 4], SEL_DATA32
        mov ax, SEL_DATA16
        mov ss, ax
        lss esp, [SCRATCH]
        mov ebx, esp
        mov ecx, ss
        FLAT_STACK
        DUMP
        ; --- ENTER ------------------------------------------------------------------------
        ENTER_CASE 16, 16, 0
        ENTER_CASE 16, 16, 1
        ENTER_CASE 16, 16, 4
        ENTER_CASE 16, 16, 36
        ENTER_CASE 16, 32, 0
        ENTER_CASE 16, 32, 1
        ENTER_CASE 16, 32, 4
        ENTER_CASE 16, 32, 36
        ENTER_CASE 32, 16, 0
        ENTER_CASE 32, 16, 1
        ENTER_CASE 32, 16, 4
        ENTER_CASE 32, 16, 36
        ENTER_CASE 32, 32, 0
        ENTER_CASE 32, 32, 1
        ENTER_CASE 32, 32, 4
        ENTER_CASE 32, 32, 36
        ; The issue's example: o32 enter 0, 4 on a 16-bit stack at ESP=0x00010000.
        mov ax, SEL_DATA16
        mov ss, ax
        mov esp, 0x00010000
        mov ebp, 0x0005f000
        enter 0, 4
        mov ebx, esp
        mov ecx, ebp
        FLAT_STACK
        DUMP
        ; --- ENTER's final stack pointer, from ring 3 with paging ---------------------------
        mov esi, gdt                        ; writable GDT copy (LTR sets the busy bit)
        mov edi, GDT_RAM
        mov ecx, gdt_end - gdt
        rep movsb
        mov word [gdtr_ram], gdt_end - gdt - 1
        mov dword [gdtr_ram + 2], GDT_RAM
        lgdt [gdtr_ram]
        mov edi, TSS1
        mov ecx, 0x68 / 4
        xor eax, eax
        rep stosd
        mov dword [TSS1 + 4], RING0_STACK
        mov dword [TSS1 + 8], SEL_DATA32
        mov word [TSS1 + 0x66], 0x68        ; no I/O bitmap: ring 3 does I/O through IOPL 3
        mov ax, SEL_TSS1
        ltr ax
        mov edi, PT0
        mov eax, 0x007
        mov ecx, 1024
.id:    stosd
        add eax, 0x1000
        loop .id
        mov dword [PT0 + (SUPER_PAGE >> 12) * 4], SUPER_PAGE | 0x003
        mov dword [PD], PT0 | 0x007
        mov dword [PD + 1023 * 4], 0xffc00000 | 0x087   ; the ROM, user-readable
        mov eax, cr4
        or eax, 0x10
        mov cr4, eax
        mov eax, PD
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        push dword SEL_DATA3
        push dword USER_PAGE + 4
        push dword 0x3002                   ; IOPL 3, IF = 0
        push dword SEL_CODE3
        push dword ring3
        iretd

ring3:
        mov ax, SEL_DATA3
        mov ds, ax
        mov es, ax
        mov ebp, 0x12345678
        mov esp, USER_PAGE + 4
        TRY                                 ; push EBP at 0x61000 is fine; final ESP 0x60FFF: #PF 7
        enter 1, 0
        TRY_END
        mov esp, USER_PAGE + 6
        mov ebp, 0x12345678
        TRY                                 ; o16: pushes at 0x61004 and 0x61002, final 0x60FFE: #PF 7
        o16 enter 4, 1
        TRY_END
        mov esp, USER_PAGE + 0x10
        mov ebp, 0x12345678
        TRY                                 ; final ESP 0x61008 in the user page: fine
        enter 4, 0
        TRY_END
        mov al, 0
        out EXIT_PORT, al                   ; IOPL 3: ring 3 may end the run

; fill_pattern: 8 KiB from EDI with dwords address|0xA5000000.
fill_pattern:
        mov ecx, 0x800
.f:     mov eax, edi
        or eax, 0xa5000000
        stosd
        loop .f
        ret

; report_frame: " esp ebp |" then the words (EDX=2) or dwords (EDX=4) from EDI up to EBX (the
; frame ENTER built), newline.
report_frame:
        mov al, ' '
        call putc
        mov eax, [res_esp]
        call hex32
        mov al, ' '
        call putc
        mov eax, [res_ebp]
        call hex32
        mov al, ' '
        call putc
        mov al, '|'
        call putc
.d:     cmp edi, ebx
        jae .done
        mov al, ' '
        call putc
        mov eax, [edi]
        cmp edx, 4
        je .h
        movzx eax, ax
.h:     call hex32
        add edi, edx
        jmp .d
.done:  mov al, 10
        call putc
        ret

%include "lib/rom-end.inc"
