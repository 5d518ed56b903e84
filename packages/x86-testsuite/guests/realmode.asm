; Real-mode group: the same result lines as the 32-bit guests, from code running in real mode
; (16-bit default operand and address size; 0x66/0x67 select 32 bits). Covers 16- and 32-bit
; ALU, shifts and MUL/DIV forms (#DE through the IVT), the eight 16-bit addressing modes with
; offset wrap-around, segment:offset aliasing, PUSH/POP/PUSHA/PUSHF in 16 bits, INT/IRET and far
; CALL/RET through the IVT and segments, and unreal mode (a 4 GiB FS limit kept after leaving
; protected mode).
;
; The ROM copies its payload to 1000:0000 (physical 0x10000) and runs it there: far transfers
; in real mode make CS base = selector * 16, which cannot reach the ROM at 0xFFFF0000.

PAYLOAD_SEG equ 0x1000
; Offsets in the payload segment: code and data from 0, the stack below 0x7000, the patterned
; scratch area 0x8000-0xbfff, the driver's variables at 0xf000.
VARS        equ 0xf000
SCRATCH     equ 0x9000
STACK_TOP   equ 0x7000
COPY_SEG    equ 0x3000                ; destination segment of the REP MOVSW case (physical 0x30000)
ROM_BASE    equ 0xffff0000

    bits 16
section payload start=0 vstart=0
payload_start:
    cli
    mov ax, cs
    mov ds, ax
    mov es, ax
    mov ss, ax
    mov sp, STACK_TOP
    cld
    call setup_ivt
    mov dword [exc_resume], 0
    mov dword [p_flags], flag_inputs
    mov dword [p_nflags], 2
    call main
    mov al, 0
    out 0xf4, al
.hang:
    hlt
    jmp .hang

%include "driver.inc"

; ---- exceptions through the IVT ------------------------------------------------------------
; Vectors 0-31 -> stubs; the handler records the vector and the faulting IP (real mode pushes
; no error codes) and resumes at exc_resume like the 32-bit catcher.
%macro RSTUB 1
rstub_%1:
    push word %1
    jmp exc_common16
%endmacro
%assign v 0
%rep 32
    RSTUB v
%assign v v + 1
%endrep
rstubs:
%assign v 0
%rep 32
    dw rstub_ %+ v
%assign v v + 1
%endrep

exc_common16:                         ; [sp] = vector, [sp+2] = IP, [sp+4] = CS, [sp+6] = FLAGS
    push ax
    mov ax, PAYLOAD_SEG
    mov ds, ax
    pop ax
    mov [exc_regs], eax
    mov [exc_regs + 4], ebx
    mov [exc_regs + 8], ecx
    mov [exc_regs + 12], edx
    cmp dword [exc_resume], 0
    je .fatal
    mov bx, sp
    movzx eax, word [ss:bx]
    mov [exc_vector], eax
    movzx eax, word [ss:bx + 2]
    mov [exc_eip], eax
    mov eax, [exc_resume]
    mov [VARS + 0x7c], eax
    mov esp, [exc_esp]
    mov dword [exc_resume], 0
    mov eax, [exc_regs]
    mov ebx, [exc_regs + 4]
    mov ecx, [exc_regs + 8]
    mov edx, [exc_regs + 12]
    jmp word [VARS + 0x7c]
.fatal:
    mov esi, fatal_msg
    call puts
    mov al, 0x7f
    out 0xf4, al
    hlt
fatal_msg: db "unexpected exception in real mode", 10, 0

setup_ivt:
    pushad
    push es
    xor ax, ax
    mov es, ax
    xor bx, bx
.entry:
    mov ax, [rstubs + bx]
    mov di, bx
    shl di, 1
    mov [es:di], ax                   ; offset
    mov word [es:di + 2], PAYLOAD_SEG ; segment
    add bx, 2
    cmp bx, 64
    jb .entry
    mov word [es:0x40 * 4], int40
    mov word [es:0x40 * 4 + 2], PAYLOAD_SEG
    pop es
    popad
    ret

; INT 0x40: adds the flags it was entered with (low byte) to EDX and sets CF in the returned
; FLAGS image, so the caller sees both the stack frame and IRET's FLAGS reload.
int40:
    push bp
    mov bp, sp
    movzx esi, byte [bp + 6]          ; FLAGS pushed by INT
    add edx, esi
    or word [bp + 6], 1               ; CF in the FLAGS IRET restores
    mov si, [bp + 4]                  ; the caller's CS
    movzx esi, si
    pop bp
    iret

; ---- cases ---------------------------------------------------------------------------------
main:
%macro ALU2 1
    CASES {%str(%1), "16"}, r%1_16
    CASES {%str(%1), "32"}, r%1_32
%endmacro
    ALU2 add
    ALU2 adc
    ALU2 sub
    ALU2 sbb
    ALU2 and
    ALU2 xor
    CASES "shl16", rshl_16, values, NVALUES, rcounts, NRCOUNTS
    CASES "sar32", rsar_32, values, NVALUES, rcounts, NRCOUNTS
    CASES "rcr16", rrcr_16, values, NVALUES, rcounts, NRCOUNTS
    CASES "shld16", rshld_16, values, NVALUES, rcounts16, NRCOUNTS16
    CASES "mul16", rmul_16
    CASES "imul32r", rimul_32r
    CASES "div16", rdiv_16
    CASES "idiv32x", ridiv_32x
    CASES "addr16", raddr16, values, NVALUES, values, 1
    CASES "segalias", rsegalias, values, NVALUES, values, 1
    CASES "stack16", rstack16, values, NVALUES, values, 1
    CASES "int_iret", rint_iret, values, NVALUES, values, 1
    CASES "far_call", rfar_call, values, NVALUES, values, 1
    CASES "rep_movsw", rrep_movsw, values, 1, rcounts, NRCOUNTS
    CASES "unreal", runreal, values, NVALUES, values, 1
    ret

rcounts: dd 0, 1, 2, 7, 8, 15, 16, 17, 31, 32, 33
NRCOUNTS equ ($ - rcounts) / 4
rcounts16: dd 0, 1, 2, 7, 8, 15, 16, 32, 33
NRCOUNTS16 equ ($ - rcounts16) / 4

%macro RALU 1
    CASE r%1_16, %1 ax, bx
    CASE r%1_32, %1 eax, ebx
%endmacro
    RALU add
    RALU adc
    RALU sub
    RALU sbb
    RALU and
    RALU xor
    CASE rshl_16, shl ax, cl
    CASE rsar_32, sar eax, cl
    CASE rrcr_16, rcr ax, cl
    CASE rshld_16, shld ax, dx, cl
    CASE rmul_16, mul bx
    CASE rimul_32r, imul eax, ebx
    CASE_BEGIN rdiv_16
    TRY .caught
    div bx
.caught:
    mov dword [exc_resume], 0
    CASE_END
    CASE_BEGIN ridiv_32x
    cdq
    TRY .caught
    idiv ebx
.caught:
    mov dword [exc_resume], 0
    CASE_END

    ; The eight 16-bit addressing modes, with BX = a, SI = ~a, DI = a >> 4, BP = a + 0x1234;
    ; memory holds the word (offset ^ 0x5a5a) at every even offset of SCRATCH's page, and
    ; effective addresses wrap at 64 KiB. EAX..EDX sum the words read.
    CASE_BEGIN raddr16
    call fill_pattern
    mov bx, ax
    mov si, ax
    not si
    mov di, ax
    shr di, 4
    mov bp, ax
    add bp, 0x1234
    and bx, 0x0ffe                    ; keep every address inside the patterned 8 KiB
    and si, 0x0ffe
    and di, 0x0ffe
    and bp, 0x0ffe
    xor eax, eax
    xor ecx, ecx
    xor edx, edx
    mov ax, [SCRATCH + bx + si - 0x1000]
    mov cx, [SCRATCH + bx + di]
    add ax, [ss:SCRATCH + bp + si - 0x0800]  ; BP-based modes default to SS (= DS here)
    add cx, [ss:SCRATCH + bp + di]
    add ax, [SCRATCH + si]
    add cx, [SCRATCH + di]
    add ax, [ss:SCRATCH + bp]
    add cx, [SCRATCH + bx]
    mov dx, [SCRATCH + 0x0ffe]        ; disp16 only
    ; Wrap-around: BX + SI beyond 0xffff wraps to the low offsets.
    mov bx, 0xfff0
    mov si, SCRATCH + 0x20 + 0x10
    add dx, [bx + si]                 ; offset (0xfff0 + SCRATCH + 0x30) & 0xffff = SCRATCH + 0x20
    mov ebx, eax
    CASE_END

fill_pattern:                         ; words (offset ^ 0x5a5a) over SCRATCH - 0x1000 .. SCRATCH + 0x3000
    pushad
    mov di, SCRATCH - 0x1000
.fill:
    mov ax, di
    xor ax, 0x5a5a
    mov [di], ax
    add di, 2
    cmp di, SCRATCH + 0x3000
    jb .fill
    popad
    ret

    ; Segment:offset aliasing: the same physical dword through three segment/offset pairs.
    CASE_BEGIN rsegalias
    push es
    mov [SCRATCH + 0x100], eax
    mov cx, PAYLOAD_SEG + (SCRATCH + 0x100) / 16
    mov es, cx
    mov ebx, [es:0]                   ; (0x1000 + 0xe10) * 16 + 0
    mov cx, PAYLOAD_SEG + 1
    mov es, cx
    mov ecx, [es:SCRATCH + 0x100 - 16]
    not dword [es:SCRATCH + 0x100 - 16]
    mov edx, [SCRATCH + 0x100]
    pop es
    CASE_END

    ; 16-bit PUSH/POP: SP moves by 2; PUSHA/POPA; PUSHF/POPF; PUSH SP pushes the old SP (8086 differs).
    CASE_BEGIN rstack16
    mov di, sp
    push ax
    push bx
    pop cx                            ; CX = b
    pop dx                            ; DX = a
    pusha
    mov si, sp
    mov word [si + 14], 0x7777        ; AX slot
    popa
    push sp
    pop bx
    sub bx, di                        ; 0: PUSH SP pushed SP before the decrement
    pushf
    pop si
    and si, 0x0fd5
    or si, 0x0801
    push si
    popf                              ; CF and OF from the pushed image
    mov sp, di
    CASE_END

    CASE_BEGIN rint_iret
    mov di, sp
    clc
    int 0x40                          ; EDX += flags low byte, returns with CF set, ESI = caller CS
    mov ecx, esi
    mov bx, sp
    sub bx, di                        ; 0: IRET popped the 6-byte frame
    CASE_END

    ; Far CALL to a different CS:IP for the same code (segment PAYLOAD_SEG - 1, offset + 16), RETF.
    CASE_BEGIN rfar_call
    mov di, sp
    call (PAYLOAD_SEG - 1):(far_target + 16)
    mov dx, sp
    sub dx, di
    CASE_END
far_target:
    mov cx, cs                        ; PAYLOAD_SEG - 1
    mov bx, sp
    mov bx, [bx]                      ; the return IP
    retf

    ; REP MOVSW backwards across the 16-bit offset wrap: SI/DI start at 0x0004 with DF = 1; the
    ; source is this segment (code at 0..4, untouched memory below 0x10000), the destination
    ; COPY_SEG.
    CASE_BEGIN rrep_movsw
    push es
    call fill_pattern
    and ecx, 0x3f
    mov si, 0x0004
    mov di, 0x0004
    mov ax, COPY_SEG
    mov es, ax
    std
    rep movsw
    cld
    mov ebx, esi
    mov edx, edi
    push word [es:0x0004]
    push word [es:0xfffe]             ; a word that crossed the wrap
    pop eax                           ; EAX = [0x0004] << 16 | [0xfffe], without touching flags
    pop es
    CASE_END

    ; Unreal mode: load FS in protected mode with a 4 GiB limit, return to real mode, then reach
    ; memory above 1 MiB through FS with 32-bit addressing.
    CASE_BEGIN runreal
    push fs
    cli
    o32 lgdt [unreal_gdt_desc]
    mov ecx, cr0
    or cl, 1
    mov cr0, ecx
    mov dx, 0x08
    mov fs, dx                        ; flat 4 GiB data descriptor
    and cl, 0xfe
    mov cr0, ecx                      ; back to real mode; FS keeps base 0 and the 4 GiB limit
    xor dx, dx
    mov fs, dx                        ; reloading the selector in real mode keeps the limit
    mov [fs:dword 0x00123450], eax
    mov ebx, [fs:dword 0x00123450]
    mov ecx, [fs:dword PAYLOAD_SEG * 16 + SCRATCH - 0x1000] ; the pattern, seen flat
    pop fs
    CASE_END

    align 8
unreal_gdt:
    dq 0
    dq 0x00cf92000000ffff             ; 0x08 flat data
unreal_gdt_desc:
    dw 15
    dd PAYLOAD_SEG * 16 + unreal_gdt

payload_end:
    times (STACK_TOP - 0x800) - (payload_end - payload_start) db 0   ; fails to assemble if the payload reaches the stack

section boot start=0xf000 vstart=0xf000
boot:
    cli
    mov ax, PAYLOAD_SEG
    mov es, ax
    xor di, di
    xor si, si
    mov cx, payload_end - payload_start
    cs rep movsb                      ; CS base is 0xFFFF0000 right after reset
    jmp PAYLOAD_SEG:payload_start

section reset start=0xfff0 vstart=0xfff0
    jmp boot
    times 16 - ($ - $$) db 0xf4
