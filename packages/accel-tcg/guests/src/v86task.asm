; A task switch into virtual-8086 mode: JMP to a 32-bit TSS whose EFLAGS has VM set; the new
; task's selectors are paragraph numbers. The V86 task prints through the I/O bitmap of its own
; TSS, then INT n takes it to a ring-0 handler on the stack from that TSS (segment registers
; pushed, VM in the saved EFLAGS).
%include "lib/rom.inc"

GDT_RAM     equ 0x50000
TSS1        equ 0x40000
TSSV        equ 0x44000
V86_CODE    equ 0x8000

%macro EXTRA_GDT 0
        dq 0x0000890000000067 | (TSS1 << 16)       ; 0x28 the starting task
        dq 0x0000890000002068 | (TSSV << 16)       ; 0x30 the V86 task (with an I/O bitmap)
%endmacro

test_main:
        call install_idt
        mov word [SCRATCH + 0x10], 0x7ff
        mov dword [SCRATCH + 0x12], IDT_BASE
        lidt [SCRATCH + 0x10]
        mov eax, int22
        mov word [IDT_BASE + 0x22 * 8], ax
        mov word [IDT_BASE + 0x22 * 8 + 2], SEL_CODE32
        mov word [IDT_BASE + 0x22 * 8 + 4], 0xee00
        shr eax, 16
        mov word [IDT_BASE + 0x22 * 8 + 6], ax
        mov esi, gdt
        mov edi, GDT_RAM
        mov ecx, gdt_end - gdt
        rep movsb
        mov word [SCRATCH], gdt_end - gdt - 1
        mov dword [SCRATCH + 2], GDT_RAM
        lgdt [SCRATCH]
        mov edi, TSS1
        mov ecx, 0x6100 / 4
        xor eax, eax
        rep stosd
        mov ax, 0x28
        ltr ax
        ; the V86 task
        mov dword [TSSV + 4], STACK_TOP - 0x2000        ; ESP0
        mov dword [TSSV + 8], SEL_DATA32                ; SS0
        mov dword [TSSV + 0x20], 0                      ; EIP
        mov dword [TSSV + 0x24], 0x00023002             ; VM, IOPL 3
        mov dword [TSSV + 0x28], 0x4141                 ; EAX
        mov dword [TSSV + 0x38], 0x1000                 ; ESP
        mov word [TSSV + 0x48], 0x0050                  ; ES
        mov word [TSSV + 0x4c], V86_CODE >> 4           ; CS
        mov word [TSSV + 0x50], 0x0700                  ; SS
        mov word [TSSV + 0x54], 0x0100                  ; DS
        mov word [TSSV + 0x58], 0x0200                  ; FS
        mov word [TSSV + 0x5c], 0x0300                  ; GS
        mov word [TSSV + 0x66], 0x68
        mov edi, TSSV + 0x68
        mov ecx, 0x2000 / 4
        mov eax, -1
        rep stosd
        mov byte [TSSV + 0x68 + 0x1d], 0xfd             ; port 0xe9 allowed
        mov byte [TSSV + 0x68 + 0x2000], 0xff
        mov esi, v86_code
        mov edi, V86_CODE
        mov ecx, v86_end - v86_code
        rep movsb
        jmp 0x30:0

int22:
        ; [esp] eip, cs, eflags, esp, ss, es, ds, fs, gs
        mov eax, [esp + 8]
        mov ebx, [esp + 4]
        mov ecx, [esp + 20]
        mov edx, [esp + 32]
        mov esi, [esp + 12]
        mov ax, ds
        mov ax, SEL_DATA32
        mov ds, ax
        mov es, ax
        str edi
        DUMP
        mov al, 0
        jmp exit

        bits 16
v86_code:
        mov bx, cs
        mov cx, ss
        out 0xe9, al                        ; 'A' from the task's EAX
        mov al, 10
        out 0xe9, al
        int 0x22
v86_end:
        bits 32

%include "lib/rom-end.inc"
